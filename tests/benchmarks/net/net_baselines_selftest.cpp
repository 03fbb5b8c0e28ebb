// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Runs every network baseline once with small counts and prints the figures, to check that the
// baselines build, terminate and produce plausible numbers. Not a benchmark in itself.
//
// Usage: bench_net_baselines_selftest [roundTrips [messages [bulkMessages [connections]]]]

#include "net_baselines.h"

#include "benchkit.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QtGlobal>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace {

using BenchKit::countArgument;
using BenchKit::plausible;

constexpr int kDefaultRoundTrips = 10'000;
constexpr int kDefaultMessages = 500'000;
constexpr int kDefaultBulkMessages = 1'000; // of 1 MiB
constexpr int kDefaultConnections = 2'000;

void printMicros(const char *name, double value, int n, bool *ok)
{
    std::printf("%-34s %12.3f us/round trip  (n = %d)\n", name, value, n);
    *ok = *ok && plausible(value);
}

void printRate(const char *name, double value, int n, bool *ok)
{
    std::printf("%-34s %12.0f msg/s  (n = %d)\n", name, value, n);
    *ok = *ok && plausible(value);
}

void printGBps(const char *name, double value, int n, bool *ok)
{
    std::printf("%-34s %12.3f GB/s  (n = %d x 1 MiB)\n", name, value, n);
    *ok = *ok && plausible(value);
}

} // namespace

int main(int argc, char **argv)
{
    // Parley's threads use the plain UNIX event dispatcher; so do the baselines.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    const int roundTrips = countArgument(argc, argv, 1, kDefaultRoundTrips);
    const int messages = countArgument(argc, argv, 2, kDefaultMessages);
    const int bulkMessages = countArgument(argc, argv, 3, kDefaultBulkMessages);
    const int connections = countArgument(argc, argv, 4, kDefaultConnections);
    bool ok = true;

    const auto *dispatcher = QAbstractEventDispatcher::instance();
    std::printf("Qt %s, main-thread event dispatcher: %s\n", qVersion(),
                dispatcher ? dispatcher->metaObject()->className() : "(none)");

    printMicros("qtTcpPingPongMicros", NetBaselines::qtTcpPingPongMicros(roundTrips), roundTrips,
                &ok);
    printRate("qtTcpPipelinedRoundTripsPerSec",
              NetBaselines::qtTcpPipelinedRoundTripsPerSec(messages), messages, &ok);
    printRate("qtTcpOneWayMessagesPerSec", NetBaselines::qtTcpOneWayMessagesPerSec(messages),
              messages, &ok);
    printGBps("qtTcpOneWayGBps", NetBaselines::qtTcpOneWayGBps(bulkMessages), bulkMessages, &ok);

    const long long fileLimit = NetBaselines::raiseFileLimit();
    const NetBaselines::ConnectionCost cost = NetBaselines::qtTcpAcceptRatePerSec(connections);
    std::printf("%-34s %12.0f accepts/s  %8.0f B/connection pair  (n = %d of %d, "
                "RLIMIT_NOFILE %lld)\n",
                "qtTcpAcceptRatePerSec", cost.acceptsPerSecond, cost.bytesPerConnection,
                cost.connections, connections, fileLimit);
    // Fewer connections than asked for (after a warning) when RLIMIT_NOFILE is too low.
    ok = ok && cost.connections > 0 && plausible(cost.acceptsPerSecond)
        && plausible(cost.bytesPerConnection);

#ifdef PARLEY_HAVE_ZMQ
    printMicros("zmqReqRepMicros", NetBaselines::zmqReqRepMicros(roundTrips), roundTrips, &ok);
    printRate("zmqPushPullMessagesPerSec", NetBaselines::zmqPushPullMessagesPerSec(messages),
              messages, &ok);
    printGBps("zmqPushPullGBps", NetBaselines::zmqPushPullGBps(bulkMessages), bulkMessages, &ok);
#else
    std::printf("ZeroMQ baselines: not built (libzmq not found)\n");
#endif

#ifdef PARLEY_HAVE_QTRO
    printMicros("qtroPingPongMicros", NetBaselines::qtroPingPongMicros(roundTrips), roundTrips,
                &ok);
    printRate("qtroPushMessagesPerSec", NetBaselines::qtroPushMessagesPerSec(messages), messages,
              &ok);
#else
    std::printf("Qt Remote Objects baselines: not built (Qt Remote Objects not found)\n");
#endif

    std::printf("%s\n", ok ? "OK" : "FAILED: implausible figure");
    return ok ? 0 : 1;
}
