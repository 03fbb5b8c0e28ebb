// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The connections' shared tick (lib/src/net/ticker_p.h): one timer per thread and interval,
// every target ticked each round, removal during a round is safe, the timer goes with the last
// target.

#include <net/ticker_p.h>

#include <QtTest/QtTest>

#include <functional>

using namespace Parley::Internal;
using namespace std::chrono_literals;

namespace {

struct Counter : Ticked
{
    int ticks = 0;
    std::function<void()> onTick;
    void tick() override
    {
        ++ticks;
        if (onTick)
            onTick();
    }
};

} // namespace

class tst_Ticker : public QObject
{
    Q_OBJECT

private slots:
    void oneTimerPerIntervalTicksEveryTarget()
    {
        QCOMPARE(Ticker::timersOnThisThread(), 0);
        std::vector<Counter> many(100);
        for (Counter &c : many)
            Ticker::add(&c, 10ms);
        Counter slow;
        Ticker::add(&slow, 20ms);
        QCOMPARE(Ticker::timersOnThisThread(), 2);
        QTRY_VERIFY(
            std::all_of(many.begin(), many.end(), [](const Counter &c) { return c.ticks >= 3; }));
        QTRY_VERIFY(slow.ticks >= 1);
        for (Counter &c : many)
            Ticker::remove(&c);
        QCOMPARE(Ticker::timersOnThisThread(), 1);
        Ticker::remove(&slow);
        Ticker::remove(&slow); // twice: nothing happens
        QCOMPARE(Ticker::timersOnThisThread(), 0);
    }

    void targetsRemovedOrAddedDuringARoundAreSafe()
    {
        Counter a, b, c, late;
        bool added = false;
        // a removes b (later in the round) and adds late; b is not ticked after its removal.
        a.onTick = [&] {
            if (!added) {
                added = true;
                Ticker::remove(&b);
                Ticker::add(&late, 5ms);
            }
        };
        Ticker::add(&a, 5ms);
        Ticker::add(&b, 5ms);
        Ticker::add(&c, 5ms);
        QTRY_VERIFY(added);
        const int bTicks = b.ticks;
        QTRY_VERIFY(late.ticks >= 2 && c.ticks >= 3);
        QCOMPARE(b.ticks, bTicks);
        // The last target of an interval removes itself from inside its own tick.
        c.onTick = [&] { Ticker::remove(&c); };
        Ticker::remove(&a);
        Ticker::remove(&late);
        QTRY_COMPARE(Ticker::timersOnThisThread(), 0);
        const int cTicks = c.ticks;
        QCoreApplication::processEvents();
        QCOMPARE(c.ticks, cTicks);
    }
};

QTEST_GUILESS_MAIN(tst_Ticker)
#include "tst_ticker.moc"
