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
    const Parley::Opened link = Parley::connectAndWait(self, {settings.host, settings.port});
    if (!link)
        return link.fault; // NotConnected, or Aborted on Stop
    const Parley::Address server = link.address;

    self.send(Hello{settings.clientName}, server);
    auto m = self.select<Welcome, Parley::Closed, Parley::Abandoned, Parley::Stop>(3s);
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
