// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Deliberately failing expectations, run as a child by tst_probe to show that a failed
// expectation fails its Qt Test function once, with a clear text, and ends it there: nothing
// after it runs. readingAFailedExpectationIsFatal is run on its own (it ends the program).
// Not a test of its own.

#include "kit.h"

#include <parley/test.h>

#include <QtTest/QtTest>

#include <cstdio>

using namespace Parley;
using namespace KitTest;
using namespace std::chrono_literals;

namespace {
/// Prints a line that must never appear: the test function went on after a failure.
void wentOn(const char *function)
{
    std::printf("went on after the failure in %s\n", function);
    std::fflush(stdout);
}
} // namespace

class tst_ProbeFailing : public QObject
{
    Q_OBJECT

private slots:
    void aRightTypePasses()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        PARLEY_EXPECT(probe, Pong, pong);
        QCOMPARE(pong.n, 1);
    }
    void aWrongTypeFails()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        PARLEY_EXPECT(probe, Ping, ping); // a Pong comes
        wentOn("aWrongTypeFails");
        QCOMPARE(ping.n, 12345); // would be a second failure, if it ran
    }
    void silenceFails()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        PARLEY_EXPECT(probe, Pong, pong, 100ms); // nobody was asked
        wentOn("silenceFails");
        QCOMPARE(pong.n, 12345);
    }
    void silenceFailsExpectAny()
    {
        Runtime runtime(Runtime::Options{.deterministic = true});
        Test::Probe probe(runtime);
        PARLEY_EXPECT_ANY(probe, received);
        wentOn("silenceFailsExpectAny");
        QCOMPARE(received.message.typeName(), "nothing");
    }
    void anUnexpectedMessageFails()
    {
        Runtime runtime(Runtime::Options{.deterministic = true});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        PARLEY_EXPECT_NOTHING(probe); // the Pong arrives once the runtime runs
        wentOn("anUnexpectedMessageFails");
        QVERIFY(false);
    }
    void readingAFailedExpectationIsFatal()
    {
        Runtime runtime(Runtime::Options{.deterministic = true});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        const int n = probe.expect<Ping>()->n; // a Pong comes: the misuse the kit refuses
        std::printf("went on and read the value %d\n", n);
    }
};

QTEST_GUILESS_MAIN(tst_ProbeFailing)
#include "probe_failing.moc"
