// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' listen-sessions-at-address: listen() with a session, so each connection gets an
// AcceptedAtAddress machine of its own (made by createFrame<T>(serverName), constructed with
// the connection's SessionInfo last) that answers its client's Hello. The controller only
// watches connections come and go. Any hello client works with it.

#include "api.h"

#include <parley/app.h>

// One per connection: the client's messages arrive here, not at the controller.
class AcceptedAtAddress : public Parley::Machine
{
public:
    AcceptedAtAddress(const QString &serverName, const Parley::SessionInfo &info)
    {
        on<Parley::Start>(
            [this, remote = info.remote] { trace("Session for ", remote.toString()); });
        on<Hello>([this, serverName](const Hello &hello) {
            const Welcome welcome{hello.myName, serverName};
            reply(welcome);
            console("At server - ", toText(welcome));
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

Parley::Value listenAtAddress(Parley::Routine &self, const ServerSettings &settings)
{
    const Parley::Opened listener = Parley::listenAndWait(
        self, {settings.host, settings.port},
        {.session = Parley::createFrame<AcceptedAtAddress>(settings.serverName)});
    if (!listener)
        return listener.fault; // NotListening, or Aborted on Stop
    const QString bound = listener.at.toString();
    self.console("Listening at ", bound);
    Parley::announceReady(self, bound); // for a script that started us (--ready-fd, ...)

    // Defer to the sessions; Accepted comes from each new session's address.
    for (;;) {
        auto m = self.select<Parley::Accepted, Parley::Closed, Parley::Abandoned, Parley::Stop>();
        if (const auto *accepted = m.getIf<Parley::Accepted>())
            self.console("Accepted ", accepted->remote.toString(), ", session ",
                         self.returnAddress());
        else if (const auto *closed = m.getIf<Parley::Closed>())
            self.console("Closed ", closed->remote.toString());
        else if (const auto *abandoned = m.getIf<Parley::Abandoned>())
            self.console("Abandoned by ", abandoned->remote.toString());
        else
            return Parley::Aborted{}; // control-C
    }
}

int main(int argc, char **argv)
{
    return Parley::run<&listenAtAddress>(argc, argv, ServerSettings{});
}
