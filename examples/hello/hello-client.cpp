// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' connect_to_address: a routine that connects, sends Hello to the connection's proxy
// (the Connected message's return address, which stands for the server) and waits up to 3 s
// for the Welcome, which becomes the program's result once the connection is closed. Works
// with every hello server.

#include "api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

Parley::Value connectToAddress(Parley::Routine &self, const ClientSettings &settings)
{
    Parley::connectTo(self, Parley::HostPort{settings.host, settings.port});
    auto m = self.select<Parley::Connected, Parley::NotConnected, Parley::Stop>();
    if (m.is<Parley::NotConnected>())
        return m.take();
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    const Parley::Address server = self.returnAddress(); // where Connected came from

    self.send(Hello{settings.clientName}, server);
    m = self.select<Welcome, Parley::Closed, Parley::Abandoned, Parley::Stop>(3s);
    if (m.is<Parley::Abandoned>())
        return m.take();
    if (const auto *closed = m.getIf<Parley::Closed>())
        return Parley::Faulted{QStringLiteral("connection closed"), closed->note};
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    if (m.is<Parley::SelectTimer>())
        return Parley::TimedOut{QStringLiteral("no Welcome within 3 s")};

    const Welcome welcome = m.get<Welcome>();
    self.console("At client - ", toText(welcome));

    // Explicit close of the transport: Closed says everything sent before it went out.
    self.send(Parley::Close{}, server);
    self.select<Parley::Closed, Parley::Abandoned, Parley::Stop>(3s);
    return welcome; // the result of Hello
}

int main(int argc, char **argv)
{
    return Parley::run<&connectToAddress>(argc, argv, ClientSettings{});
}
