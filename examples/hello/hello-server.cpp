// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' listen_at_address: a routine that listens, then answers every Hello with a
// Welcome. Connections come and go as Accepted, Closed and Abandoned in the same select() as
// the application's messages; reply() finds each client through its connection. Any hello
// client works with it. Control-C ends it.

#include "api.h"

#include <parley/app.h>

Parley::Value listenAtAddress(Parley::Routine &self, const ServerSettings &settings)
{
    const Parley::Opened listener = Parley::listenAndWait(self, {settings.host, settings.port});
    if (!listener)
        return listener.fault; // NotListening, or Aborted on Stop
    const QString bound = listener.at.toString();
    self.console("Listening at ", bound);
    Parley::announceReady(self, bound); // for a script that started us (--ready-fd, ...)

    for (;;) {
        auto m = self.select<Parley::Accepted, Hello, Parley::Closed, Parley::Abandoned,
                             Parley::Stop>();
        if (const auto *accepted = m.getIf<Parley::Accepted>()) {
            self.console("Accepted ", accepted->remote.toString()); // acquired a client
        } else if (const auto *closed = m.getIf<Parley::Closed>()) {
            self.console("Closed ", closed->remote.toString()); // lost a client
        } else if (const auto *abandoned = m.getIf<Parley::Abandoned>()) {
            self.console("Abandoned by ", abandoned->remote.toString());
        } else if (m.is<Parley::Stop>()) {
            return Parley::Aborted{}; // control-C
        } else {
            // The greeting: answer whoever sent it, through its connection.
            const Welcome welcome{m.get<Hello>().myName, settings.serverName};
            self.reply(welcome);
            self.console("At server - ", toText(welcome));
        }
    }
}

int main(int argc, char **argv)
{
    return Parley::run<&listenAtAddress>(argc, argv, ServerSettings{});
}
