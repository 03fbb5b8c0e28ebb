// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' client: three worker routines share one connection, each sends a Lookup for its
// own page and waits for its own Companies. The replies come back in any order and each
// reaches the worker that asked (a worker checks it got its own page). Against lookup-server
// the three run at once, so the whole takes as long as the slowest, not the sum.

#include "api.h"

#include <parley/app.h>

#include <QtCore/QElapsedTimer>

#include <chrono>

using namespace std::chrono_literals;

struct ClientSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 5090;
};
PARLEY_MESSAGE_AS(ClientSettings, "demo.LookupClientSettings", host, port)

/// The client's result: how many lookups were answered, and how long all of them took.
struct LookupSummary
{
    int lookups = 0;
    int elapsedMs = 0;
};
PARLEY_MESSAGE_AS(LookupSummary, "demo.LookupSummary", lookups, elapsedMs)

// Asks for one page through the connection and checks the answer is that page.
Parley::Value worker(Parley::Routine &self, const Parley::Address &server, int page)
{
    const QString url = companiesUrl(page);
    QElapsedTimer clock;
    clock.start();
    auto m = self.ask<Companies>(Lookup{url}, server, 10s);
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    if (!m.is<Companies>())
        return m.take(); // TimedOut
    const QStringList &names = m.get<Companies>().names;
    if (names != companiesOnPage(url))
        return Parley::Faulted{QStringLiteral("page %1 got another worker's answer").arg(page),
                               names.join(QStringLiteral(", "))};
    self.console("page ", page, ": ", names.join(QStringLiteral(", ")), " (", clock.elapsed(),
                 " ms)");
    return Parley::Ack{};
}

// Closes the connection, then completes with \a result.
Parley::Value closeAndReturn(Parley::Routine &self, const Parley::Address &server,
                             Parley::Value result)
{
    self.send(Parley::Close{}, server);
    self.select<Parley::Closed, Parley::Abandoned>(3s);
    return result;
}

Parley::Value client(Parley::Routine &self, const ClientSettings &settings)
{
    const Parley::Opened link = Parley::connectAndWait(self, {settings.host, settings.port});
    if (!link)
        return link.fault; // NotConnected, or Aborted on Stop
    const Parley::Address server = link.address;

    constexpr int Lookups = 3;
    QElapsedTimer clock;
    clock.start();
    for (int page = 1; page <= Lookups; ++page)
        self.create<&worker>(server, page);
    for (int answered = 0; answered < Lookups; ++answered) {
        auto m = self.select<Parley::Completed, Parley::Abandoned, Parley::Stop>();
        if (m.is<Parley::Abandoned>())
            return m.take(); // the server went away
        if (m.is<Parley::Stop>())
            return closeAndReturn(self, server, Parley::Aborted{});
        Parley::Value &value = m.get<Parley::Completed>().value;
        if (value.isFault())
            return closeAndReturn(self, server, value.take());
    }
    const int elapsed = int(clock.elapsed());
    self.console(Lookups, " lookups answered in ", elapsed, " ms");
    return closeAndReturn(self, server, LookupSummary{Lookups, elapsed});
}

int main(int argc, char **argv)
{
    return Parley::run<&client>(argc, argv, ClientSettings{});
}
