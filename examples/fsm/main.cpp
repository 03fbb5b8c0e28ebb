// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// State machines: a connection-like Connection goes INITIAL -> PENDING -> READY, with a timer
// standing in for the handshake. Queries that arrive while it is PENDING are deferred and
// answered, in arrival order, right after it becomes READY; anyState handles Stop in every state.
// The caller is a routine that sends two queries at once, then asks a third with ask().

#include "connection.h"

#include <parley/app.h>
#include <parley/parley.h>

#include <chrono>

using namespace std::chrono_literals;

//! [caller]
Parley::Value caller(Parley::Routine &self)
{
    const Parley::Address line = self.create<Connection>();

    // Both arrive while the connection is PENDING: deferred, then answered in this order.
    self.send(Query{QStringLiteral("first")}, line);
    self.send(Query{QStringLiteral("second")}, line);
    for (int i = 0; i < 2; ++i) {
        auto m = self.select<Answer, Parley::Stop>(2s);
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        if (m.is<Parley::SelectTimer>())
            return Parley::TimedOut{QStringLiteral("no answer from the connection")};
        const Answer &a = m.get<Answer>();
        self.console(a.question, " -> ", a.text);
    }

    // Now READY: ask() sends and waits for the answer (or Stop, or TimedOut) in one call.
    auto m = self.ask<Answer>(Query{QStringLiteral("third")}, line, 2s);
    if (!m.is<Answer>())
        return m.take();
    self.console(m.get<Answer>().question, " -> ", m.get<Answer>().text);

    self.send(Hangup{}, line);
    auto done = self.select<Parley::Completed, Parley::Stop>();
    if (done.is<Parley::Stop>())
        return Parley::Aborted{};
    return done.get<Parley::Completed>().value.take(); // Ack from the connection
}
//! [caller]

int main(int argc, char **argv)
{
    return Parley::run<&caller>(argc, argv);
}
