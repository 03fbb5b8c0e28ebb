// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Deliberately failing expectations, run as a child by tst_probe to show that a failed
// expectation fails its Qt Test function with a clear text. Not a test of its own.

#include "kit.h"

#include <parley/test.h>

#include <QtTest/QtTest>

using namespace Parley;
using namespace KitTest;
using namespace std::chrono_literals;

class tst_ProbeFailing : public QObject
{
    Q_OBJECT

private slots:
    void aRightTypePasses()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        QVERIFY(probe.expect<Pong>());
    }
    void aWrongTypeFails()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        if (!probe.expect<Ping>()) // a Pong comes
            return;
    }
    void silenceFails()
    {
        Runtime runtime(Runtime::Options{.workers = 1});
        Test::Probe probe(runtime);
        if (!probe.expect<Pong>(100ms)) // nobody was asked
            return;
    }
    void anUnexpectedMessageFails()
    {
        Runtime runtime(Runtime::Options{.deterministic = true});
        Test::Probe probe(runtime);
        probe.send(Ping{1}, runtime.create<Echo>());
        probe.expectNothing(); // the Pong arrives once the runtime runs
    }
};

QTEST_GUILESS_MAIN(tst_ProbeFailing)
#include "probe_failing.moc"
