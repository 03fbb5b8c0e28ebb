// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Runs every baseline once with small counts and prints the figures, to check that the
// baselines build, terminate and produce plausible numbers. Not a benchmark in itself.
//
// Usage: bench_baselines_selftest [floodCount [roundTrips [objectCount]]]

#include "baselines.h"

#include "benchkit.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace {

using BenchKit::countArgument;
using BenchKit::plausible;

constexpr int kDefaultFloodCount = 100'000;
constexpr int kDefaultRoundTrips = 20'000;
constexpr int kDefaultObjectCount = 100'000;

void printCost(const char *name, int count, const Baselines::ObjectCost &cost, bool *ok)
{
    std::printf("%-34s %12.4f s for %d  (%.3f s per 1M)  %8.1f B/object\n", name, cost.seconds,
                count, cost.seconds * 1e6 / count, cost.bytesPerObject);
    *ok = *ok && plausible(cost.seconds) && std::isfinite(cost.bytesPerObject);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int kFloodCount = countArgument(argc, argv, 1, kDefaultFloodCount);
    const int kRoundTrips = countArgument(argc, argv, 2, kDefaultRoundTrips);
    const int kObjectCount = countArgument(argc, argv, 3, kDefaultObjectCount);
    bool ok = true;

    const auto *dispatcher = QAbstractEventDispatcher::instance();
    std::printf("Qt %s, main-thread event dispatcher: %s\n", qVersion(),
                dispatcher ? dispatcher->metaObject()->className() : "(none)");

    const double flood = Baselines::qtPostEventFlood(kFloodCount);
    std::printf("%-34s %12.0f msg/s  (n = %d)\n", "qtPostEventFlood", flood, kFloodCount);
    ok = ok && plausible(flood);

    const double crossThread = Baselines::qtInvokeMethodPingPongMicros(kRoundTrips);
    std::printf("%-34s %12.3f us/round trip  (n = %d)\n", "qtInvokeMethodPingPongMicros",
                crossThread, kRoundTrips);
    ok = ok && plausible(crossThread);

    const double sameThread = Baselines::qtSameThreadPingPongMicros(kRoundTrips);
    std::printf("%-34s %12.3f us/round trip  (n = %d)\n", "qtSameThreadPingPongMicros", sameThread,
                kRoundTrips);
    ok = ok && plausible(sameThread);

    printCost("qobjectCreateDestroy", kObjectCount, Baselines::qobjectCreateDestroy(kObjectCount),
              &ok);

#ifdef PARLEY_HAVE_CAF
    const double cafFlood = Baselines::cafFlood(kFloodCount);
    std::printf("%-34s %12.0f msg/s  (n = %d)\n", "cafFlood", cafFlood, kFloodCount);
    ok = ok && plausible(cafFlood);

    const double cafPingPong = Baselines::cafPingPongMicros(kRoundTrips);
    std::printf("%-34s %12.3f us/round trip  (n = %d)\n", "cafPingPongMicros", cafPingPong,
                kRoundTrips);
    ok = ok && plausible(cafPingPong);

    printCost("cafActorsCreateDestroy", kObjectCount,
              Baselines::cafActorsCreateDestroy(kObjectCount), &ok);
#else
    std::printf("CAF baselines: not built (CAF not found)\n");
#endif

    std::printf("%s\n", ok ? "OK" : "FAILED: implausible figure");
    return ok ? 0 : 1;
}
