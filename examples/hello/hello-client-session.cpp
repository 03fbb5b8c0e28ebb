// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' connect-session-to-address: connect() with a session routine (createFrame<&f>)
// that says Hello to info.remoteAddress, waits for the Welcome and completes with it. Its
// completion closes the connection, and the controller receives Closed{SessionCompleted} with
// the Welcome as its value, which it returns. Any hello server works with it.

#include "api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

// The session: runs once the connection is up; its result goes to the controller in Closed.
Parley::Value connectedToAddress(Parley::Routine &self, const QString &clientName,
                                 const Parley::SessionInfo &info)
{
    self.send(Hello{clientName}, info.remoteAddress);
    auto m = self.select<Welcome, Parley::Stop>(3s);
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    if (m.is<Parley::SelectTimer>())
        return Parley::TimedOut{QStringLiteral("no Welcome within 3 s")};
    self.console("At client - ", toText(m.get<Welcome>()));
    return m;
}

Parley::Value connectToAddress(Parley::Routine &self, const ClientSettings &settings)
{
    const Parley::Opened link = Parley::connectAndWait(
        self, {settings.host, settings.port},
        {.session = Parley::createFrame<&connectedToAddress>(settings.clientName)});
    if (!link)
        return link.fault; // NotConnected, or Aborted on Stop

    // The session has started; its completion closes the connection.
    auto m = self.select<Parley::Closed, Parley::Abandoned, Parley::Stop>();
    if (m.is<Parley::Abandoned>())
        return m.take();
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    Parley::Closed &closed = m.get<Parley::Closed>();
    if (closed.reason != Parley::EndOfTransport::SessionCompleted)
        return Parley::Faulted{QStringLiteral("connection closed"), closed.note};
    return std::move(closed.value); // the session's Welcome (or its fault)
}

int main(int argc, char **argv)
{
    return Parley::run<&connectToAddress>(argc, argv, ClientSettings{});
}
