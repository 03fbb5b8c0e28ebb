// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' server-concurrency-demo: every Lookup gets a LookupWorker machine of its own that
// waits a random 1.5-3.0 s on a Parley timer (interruptible, unlike a sleep) and then sends
// Companies to the address the Lookup came from, which leads back through the connection to
// the client object that asked. Three lookups therefore take ~3 s, not 4.5-9 s.
// --delay-scale=0.1 makes every delay ten times shorter.

#include "api.h"

#include <parley/app.h>

#include <QtCore/QRandomGenerator>

#include <chrono>

struct ServerSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 5090;
    double delayScale = 1.0;
};
PARLEY_MESSAGE_AS(ServerSettings, "demo.LookupServerSettings", host, port, delayScale)

// Answers one Lookup after \a delay. A machine, not a routine: no thread per request.
class LookupWorker : public Parley::Machine
{
public:
    LookupWorker(const Parley::Address &client, const QString &url, std::chrono::milliseconds delay)
    {
        on<Parley::Start>([this, delay] { start(Parley::T1{}, delay); });
        on<Parley::T1>([this, client, url] {
            send(Companies{companiesOnPage(url)}, client); // the original sender
            complete(Parley::Ack{});
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

Parley::Value server(Parley::Routine &self, const ServerSettings &settings)
{
    const Parley::Opened listener = Parley::listenAndWait(self, {settings.host, settings.port});
    if (!listener)
        return listener.fault; // NotListening, or Aborted on Stop
    const QString bound = listener.at.toString();
    self.console("Listening at ", bound);
    Parley::announceReady(self, bound); // for a script that started us (--ready-fd, ...)

    for (;;) {
        auto m = self.select<Lookup, Parley::Completed, Parley::Accepted, Parley::Closed,
                             Parley::Abandoned, Parley::Stop>();
        if (const auto *lookup = m.getIf<Lookup>()) {
            const auto ms = QRandomGenerator::global()->bounded(1500, 3001) * settings.delayScale;
            const std::chrono::milliseconds delay(qRound(ms));
            self.trace("Lookup ", lookup->url, " from ", self.returnAddress(), " will take ",
                       delay.count(), " ms");
            self.create<LookupWorker>(self.returnAddress(), lookup->url, delay);
        } else if (const auto *completed = m.getIf<Parley::Completed>()) {
            if (completed->value.isFault())
                self.warning("a lookup failed: ", completed->value.typeName());
        } else if (const auto *accepted = m.getIf<Parley::Accepted>()) {
            self.console("Accepted ", accepted->remote.toString());
        } else if (const auto *closed = m.getIf<Parley::Closed>()) {
            self.console("Closed ", closed->remote.toString());
        } else if (const auto *abandoned = m.getIf<Parley::Abandoned>()) {
            self.console("Abandoned by ", abandoned->remote.toString());
        } else {
            return Parley::Aborted{}; // control-C; completing stops the workers still waiting
        }
    }
}

int main(int argc, char **argv)
{
    return Parley::run<&server>(argc, argv, ServerSettings{});
}
