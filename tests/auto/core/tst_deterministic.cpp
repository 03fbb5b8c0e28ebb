// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A deterministic runtime: one thread, one message at a time, a clock the test moves.

#include "recorder.h"

#include <parley/parley.h>

#include <QtTest/QtTest>

using namespace Parley;
using namespace std::chrono_literals;

namespace {

struct Ping
{
    int n = 0;
};
struct Pong
{
    int n = 0;
};
PARLEY_MESSAGE_AS(Ping, "det.Ping", n)
PARLEY_MESSAGE_AS(Pong, "det.Pong", n)

/// Answers Pings once READY, which T1 (after 2 s) makes it; Pings before that wait.
class Door : public StateMachine
{
public:
    Door()
    {
        closed.on<Start>([this] {
            start(T1{}, 2s);
            return closed;
        });
        closed.on<T1>([this] { return open; }).defer<Ping>();
        open.on<Ping>([this](const Ping &p) {
            reply(Pong{p.n});
            return open;
        });
        anyState.on<Stop>([this] { return complete(Aborted{}); });
    }
    State closed{this, "CLOSED"}, open{this, "OPEN"};
};

class Collector : public Machine
{
public:
    Collector()
    {
        on<Pong>([this](const Pong &p) { pongs.push_back(p.n); });
        on<Stop>([this] { complete(Aborted{}); });
    }
    std::vector<int> pongs;
};

QString stateOf(Runtime &rt, const Address &a)
{
    Object *o = rt.objectAt(a);
    return o ? o->parleyStateName() : QStringLiteral("(gone)");
}

} // namespace

class tst_Deterministic : public QObject
{
    Q_OBJECT

private slots:
    void nothingRunsUntilStepped();
    void messagesAreDeliveredInSendOrder();
    void timersFollowTheManualClock();
    void repeatingTimersFireEveryPeriodPassed();
    void routinesAreRefusedWithAFaultLine();
    void mailForAnObjectThatCompletedIsDroppedByTheRuntime();
    void objectAtHandsOutTheObjectAsItsClass();
    void shutdownEndsWhatIsLeft();
};

void tst_Deterministic::nothingRunsUntilStepped()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    QVERIFY(rt.isDeterministic());
    QCOMPARE(rt.workerCount(), 0);
    const Address door = rt.create<Door>();
    QCOMPARE(rt.pendingCount(), 1);
    const auto next = rt.nextMessage();
    QVERIFY(next);
    QCOMPARE(next->type, QStringLiteral("Start"));
    QCOMPARE(next->to, door);
    QCOMPARE(stateOf(rt, door), QStringLiteral("CLOSED")); // constructed, not yet started
    QVERIFY(rt.step());
    QCOMPARE(rt.pendingCount(), 0);
    QVERIFY(!rt.step());
}

void tst_Deterministic::messagesAreDeliveredInSendOrder()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    const Address door = rt.create<Door>();
    const Address collector = rt.create<Collector>();
    rt.runUntilIdle();
    rt.advanceClock(2s);
    QCOMPARE(rt.nextMessage()->type, QStringLiteral("T1"));
    rt.runUntilIdle();
    QCOMPARE(stateOf(rt, door), QStringLiteral("OPEN"));
    for (int i = 0; i < 3; ++i) {
        auto *c = rt.objectAt<Collector>(collector);
        QVERIFY(c);
        // Sent as the collector, so the replies come back to it.
        c->send(Ping{i}, door);
    }
    QCOMPARE(rt.pendingCount(), 3);
    QCOMPARE(rt.nextMessage()->from, collector);
    QCOMPARE(rt.runUntilIdle(), 6); // three pings, three pongs
    QCOMPARE(rt.objectAt<Collector>(collector)->pongs, (std::vector<int>{0, 1, 2}));
}

void tst_Deterministic::timersFollowTheManualClock()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    const Address door = rt.create<Door>();
    const Address collector = rt.create<Collector>();
    rt.runUntilIdle();
    rt.objectAt<Collector>(collector)->send(Ping{7}, door);
    rt.runUntilIdle();
    // Deferred while CLOSED: no time has passed, so no T1 and no Pong.
    QCOMPARE(stateOf(rt, door), QStringLiteral("CLOSED"));
    rt.advanceClock(1999ms);
    QCOMPARE(rt.pendingCount(), 0);
    rt.advanceClock(1ms);
    QCOMPARE(rt.pendingCount(), 1);
    rt.runUntilIdle();
    QCOMPARE(stateOf(rt, door), QStringLiteral("OPEN"));
    QCOMPARE(rt.objectAt<Collector>(collector)->pongs, (std::vector<int>{7}));
}

namespace {
class Ticker : public Machine
{
public:
    Ticker()
    {
        on<Start>([this] { start(T2{}, 100ms, TimerMode::Repeating); });
        on<T2>([this] {
            if (++ticks == 5)
                cancel<T2>();
        });
    }
    int ticks = 0;
};
} // namespace

void tst_Deterministic::repeatingTimersFireEveryPeriodPassed()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    const Address t = rt.create<Ticker>();
    rt.runUntilIdle();
    rt.advanceClock(350ms); // 100, 200, 300
    QCOMPARE(rt.pendingCount(), 3);
    rt.runUntilIdle();
    QCOMPARE(rt.objectAt<Ticker>(t)->ticks, 3);
    rt.advanceClock(1s); // 400, 500; the fifth cancels
    rt.runUntilIdle();
    QCOMPARE(rt.objectAt<Ticker>(t)->ticks, 5);
    rt.advanceClock(1s);
    QCOMPARE(rt.pendingCount(), 0);
}

namespace {
Value idle(Routine &)
{
    return Ack{};
}
/// Records everything, on the thread of the deterministic runtime.
class Sink : public CountingSink
{
public:
    Sink() : CountingSink(LogLevel::Debug) {}
};
} // namespace

void tst_Deterministic::routinesAreRefusedWithAFaultLine()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    auto sink = std::make_shared<Sink>();
    rt.logger().addSink(sink);
    const Address r = rt.create<&idle>();
    QVERIFY(r.isNull());
    // Text: why it was refused is said only in the fault's text.
    QVERIFY(sink->has(
        {.level = LogLevel::Fault, .textHas = QStringLiteral("no threads for routines")}));
}

void tst_Deterministic::mailForAnObjectThatCompletedIsDroppedByTheRuntime()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    auto sink = std::make_shared<Sink>();
    rt.logger().addSink(sink);
    const Address door = rt.create<Door>();
    rt.runUntilIdle();
    rt.send(Stop{}, door);
    rt.send(Ping{1}, door); // waits behind the Stop that completes the door
    rt.runUntilIdle();
    QVERIFY(!rt.contains(door));
    const RecordPattern dropped{.kind = EventKind::Dropped,
                                .messageType = QStringLiteral("Ping"),
                                .peer = door,
                                .dropReason = DropReason::ObjectCompleted};
    QCOMPARE(sink->count(dropped), 1);
    // The door is gone, so the runtime says so, by name, as a warning.
    RecordPattern byTheRuntime = dropped;
    byTheRuntime.level = LogLevel::Warning;
    byTheRuntime.objectId = rt.address().last();
    byTheRuntime.objectName = QStringLiteral("runtime");
    QCOMPARE(sink->count(byTheRuntime), 1);
}

void tst_Deterministic::objectAtHandsOutTheObjectAsItsClass()
{
    Runtime rt(Runtime::Options{.deterministic = true});
    const Address door = rt.create<Door>();
    const Address collector = rt.create<Collector>();
    rt.runUntilIdle();
    Door *d = rt.objectAt<Door>(door);
    QVERIFY(d);
    QCOMPARE(static_cast<Object *>(d), rt.objectAt(door));
    QVERIFY(!d->isCompleted());
    QVERIFY(rt.objectAt<StateMachine>(door)); // a base class works too
    // Another class, or nobody at all, is null rather than a wrong cast.
    QVERIFY(!rt.objectAt<Door>(collector));
    QVERIFY(rt.objectAt<Collector>(collector));
    rt.send(Stop{}, door);
    rt.runUntilIdle();
    QVERIFY(!rt.objectAt<Door>(door));
}

void tst_Deterministic::shutdownEndsWhatIsLeft()
{
    auto rt = std::make_unique<Runtime>(Runtime::Options{.deterministic = true});
    auto sink = std::make_shared<Sink>();
    rt->logger().addSink(sink);
    const Address door = rt->create<Door>();
    const Address ticker = rt->create<Ticker>();
    rt->runUntilIdle();
    QCOMPARE(rt->objectCount(), 2);
    rt.reset(); // Stop to both: the Door completes, the Ticker (no Stop handler) is ended
    QCOMPARE(sink->count({.kind = EventKind::Destroyed}), 2);
    QCOMPARE(sink->count({.kind = EventKind::Destroyed, .objectId = door.last()}), 1);
    QCOMPARE(sink->count({.kind = EventKind::Destroyed, .objectId = ticker.last()}), 1);
    // The door completed (its value's type, to the runtime).
    QVERIFY(sink->has({.kind = EventKind::Completed,
                       .objectId = door.last(),
                       .messageType = QStringLiteral("Aborted"),
                       .peer = Address(1)})); // the runtime's address
}

QTEST_GUILESS_MAIN(tst_Deterministic)
#include "tst_deterministic.moc"
