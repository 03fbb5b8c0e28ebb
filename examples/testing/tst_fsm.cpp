// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Testing a state machine step by step: the fsm example's Connection in a deterministic
// runtime. Nothing runs until the test says so and its handshake timer follows a clock the test
// moves, so the deferral of early queries is checked without real time or threads.

#include "../fsm/connection.h"

#include <parley/test.h>

#include <QtTest/QtTest>

using namespace std::chrono_literals;

class tst_Fsm : public QObject
{
    Q_OBJECT

private slots:
    void startsPendingAndBecomesReadyWhenTheHandshakeTimerFires();
    void queriesWhilePendingWaitAndAreAnsweredInOrder();
    void hangupCompletesIt();
    void stopAbortsItInAnyState();
};

//! [deterministic]
void tst_Fsm::startsPendingAndBecomesReadyWhenTheHandshakeTimerFires()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.deterministic = true});
    const Parley::Address line = runtime.create<Connection>();
    QCOMPARE(runtime.nextMessage()->type, QStringLiteral("Start"));
    QVERIFY(runtime.step());
    QCOMPARE(runtime.objectAt(line)->parleyStateName(), QStringLiteral("PENDING"));

    runtime.advanceClock(149ms);
    QCOMPARE(runtime.pendingCount(), 0); // not yet
    runtime.advanceClock(1ms);
    QCOMPARE(runtime.nextMessage()->type, QStringLiteral("T1"));
    QCOMPARE(runtime.nextMessage()->to, line);
    QVERIFY(runtime.step());
    QCOMPARE(runtime.objectAt(line)->parleyStateName(), QStringLiteral("READY"));
}
//! [deterministic]

void tst_Fsm::queriesWhilePendingWaitAndAreAnsweredInOrder()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.deterministic = true});
    Parley::Test::Probe probe(runtime);
    const Parley::Address line = runtime.create<Connection>();
    probe.send(Query{QStringLiteral("first")}, line);
    probe.send(Query{QStringLiteral("second")}, line);
    PARLEY_EXPECT_NOTHING(probe); // deferred while PENDING
    QCOMPARE(runtime.objectAt(line)->parleyStateName(), QStringLiteral("PENDING"));

    //! [expect]
    runtime.advanceClock(150ms);
    PARLEY_EXPECT(probe, Answer, a1); // on failure: fails the test and returns, as QVERIFY
    QCOMPARE(a1.question, QStringLiteral("first"));
    QCOMPARE(a1.text, QStringLiteral("answer #1"));
    QCOMPARE(probe.returnAddress(), line);
    PARLEY_EXPECT(probe, Answer, a2);
    QCOMPARE(a2.question, QStringLiteral("second"));
    //! [expect]

    // Once READY, a query is answered at once.
    probe.send(Query{QStringLiteral("third")}, line);
    PARLEY_EXPECT(probe, Answer, a3);
    QCOMPARE(a3.text, QStringLiteral("answer #3"));
    QCOMPARE(runtime.objectAt<Connection>(line)->answered(), 3);
}

void tst_Fsm::hangupCompletesIt()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.deterministic = true});
    Parley::Test::Probe probe(runtime);
    const Parley::Address line = runtime.create<Connection>();
    runtime.runUntilIdle();   // Start: the handshake timer is set
    runtime.advanceClock(1s); // and fires: READY
    runtime.runUntilIdle();
    probe.send(Hangup{}, line);
    runtime.runUntilIdle();
    QVERIFY(!runtime.contains(line));
    QCOMPARE(runtime.takeCompletion(line)->typeName(), "Ack");
}

void tst_Fsm::stopAbortsItInAnyState()
{
    for (const bool ready : {false, true}) {
        Parley::Runtime runtime(Parley::Runtime::Options{.deterministic = true});
        const Parley::Address line = runtime.create<Connection>();
        runtime.runUntilIdle();
        if (ready) {
            runtime.advanceClock(150ms);
            runtime.runUntilIdle();
        }
        runtime.send(Parley::Stop{}, line);
        runtime.runUntilIdle();
        QVERIFY(!runtime.contains(line));
        QVERIFY(runtime.takeCompletion(line)->is<Parley::Aborted>());
    }
}

QTEST_GUILESS_MAIN(tst_Fsm)
#include "tst_fsm.moc"
