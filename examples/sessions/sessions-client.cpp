// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The client of sessions-server: one routine opens two connections to the server and sends the
// numbers 1..count over them in turn, then asks each connection for its tally. Each answer
// counts only what went over its own connection, because the server keeps one session per
// connection. The result is both sums (25 and 30 for the default ten numbers).

#include "api.h"

#include <parley/app.h>

#include <array>
#include <chrono>

using namespace std::chrono_literals;

/// The client's result: the sum each connection's session kept.
struct Sums
{
    qint64 first = 0;
    qint64 second = 0;
};
PARLEY_MESSAGE_AS(Sums, "demo.Sums", first, second)

Parley::Value client(Parley::Routine &self, const ClientSettings &settings)
{
    const Parley::HostPort server{settings.host, settings.port};
    std::array<Parley::Address, 2> connections;
    for (Parley::Address &connection : connections) {
        Parley::connectTo(self, server);
        auto m = self.select<Parley::Connected, Parley::NotConnected, Parley::Stop>();
        if (m.is<Parley::NotConnected>())
            return m.take();
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        connection = self.returnAddress(); // the proxy: stands for the server's end
    }

    for (int n = 1; n <= settings.count; ++n)
        self.send(Add{n}, connections[size_t(n - 1) % 2]);
    std::array<qint64, 2> sums{};
    for (size_t i = 0; i < 2; ++i) {
        // Sent after the Adds over the same connection, so it is answered after them.
        auto m = self.ask<Tally>(GetTally{}, connections[i], 5s);
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        if (!m.is<Tally>())
            return m.take(); // TimedOut, or the connection's fault
        const Tally &tally = m.get<Tally>();
        self.console("Connection ", i + 1, ": ", tally.count, " numbers, sum ", tally.sum);
        sums[i] = tally.sum;
    }

    for (const Parley::Address &connection : connections)
        self.send(Parley::Close{}, connection);
    for (size_t i = 0; i < connections.size(); ++i)
        self.select<Parley::Closed, Parley::Abandoned>(3s);
    return Sums{sums[0], sums[1]};
}

int main(int argc, char **argv)
{
    return Parley::run<&client>(argc, argv, ClientSettings{});
}
