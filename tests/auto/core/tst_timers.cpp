// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

#include <functional>
#include <optional>

using namespace std::chrono_literals;

struct Tick
{
    int n = 0;
};
struct Elapsed
{
    QList<qint64> millis;
    QStringList fired;
};
PARLEY_MESSAGE(Tick, n)
PARLEY_MESSAGE(Elapsed, millis, fired)

/// Returns the milliseconds since the script started: a QElapsedTimer on a threaded runtime, the
/// test's manual clock on a deterministic one.
using Now = std::function<qint64()>;

/// Each row of the timer tests is one small script run by a machine; it completes with what
/// fired and when (milliseconds since Start).
class TimerScript : public Parley::Machine
{
public:
    TimerScript(QString script, Now now, bool busyWait)
        : m_script(std::move(script)), m_now(std::move(now))
    {
        on<Parley::Start>([this] {
            m_start = m_now();
            if (m_script == QLatin1String("once")) {
                start(Parley::T1{}, 100ms);
                start(Parley::T4{}, 400ms); // end of test
            } else if (m_script == QLatin1String("restart")) {
                start(Parley::T1{}, 100ms);
                start(Parley::T2{}, 60ms); // restarts T1 at 60 ms: T1 now due at 160 ms
                start(Parley::T4{}, 400ms);
            } else if (m_script == QLatin1String("cancel")) {
                start(Parley::T1{}, 50ms);
                start(Parley::T2{}, 20ms); // cancels T1
                start(Parley::T4{}, 300ms);
            } else if (m_script == QLatin1String("repeat")) {
                start(Tick{7}, 30ms, Parley::TimerMode::Repeating);
            } else if (m_script == QLatin1String("cancelAfterFiring")) {
                // T1 fires while the handler below is busy; cancel() must still win.
                start(Parley::T1{}, 1ms);
                start(Parley::T2{}, 0ms);
                start(Parley::T4{}, 200ms);
            }
        });
        on<Parley::T1>([this] { record(QStringLiteral("T1")); });
        on<Parley::T2>([this, busyWait] {
            record(QStringLiteral("T2"));
            if (m_script == QLatin1String("restart")) {
                start(Parley::T1{}, 100ms);
            } else if (m_script == QLatin1String("cancel")) {
                cancel<Parley::T1>();
            } else if (m_script == QLatin1String("cancelAfterFiring")) {
                // On a threaded runtime T1 (due at 1 ms) comes while this handler is busy: time
                // passing is the point of this wait. (A deterministic run queues T1 before T2 is
                // handled instead, and checks that it did.)
                if (busyWait) {
                    QElapsedTimer busy;
                    busy.start();
                    while (busy.elapsed() < 20) {}
                }
                cancel<Parley::T1>();
            }
        });
        on<Tick>([this](Tick &t) {
            record(QStringLiteral("Tick%1").arg(t.n));
            if (++m_ticks == 5) {
                cancel<Tick>();
                start(Parley::T4{}, 100ms); // no more ticks may come
            }
        });
        on<Parley::T4>([this] { complete(Elapsed{m_millis, m_fired}); });
    }

private:
    void record(const QString &what)
    {
        m_fired << what;
        m_millis << m_now() - m_start;
    }
    QString m_script;
    Now m_now;
    qint64 m_start = 0;
    QList<qint64> m_millis;
    QStringList m_fired;
    int m_ticks = 0;
};

class tst_Timers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Every test runs on a threaded runtime (real time: timers are never early, and fire in
    // order) and on a deterministic one, whose clock only the test moves: there every timer
    // must fire exactly when due, so a repeating timer that drifted (re-armed from when it
    // was handled rather than from when it was due) or a late restart fails.
    void initTestCase_data() { addRuntimeRows(); }
    void init()
    {
        QFETCH_GLOBAL(bool, deterministic);
        m_now = 0;
        if (deterministic)
            m_runtime = std::make_unique<Parley::Runtime>(
                Parley::Runtime::Options{.deterministic = true});
        else
            m_runtime = std::make_unique<Parley::Runtime>(Parley::Runtime::Options{.workers = 2});
    }
    void cleanup() { m_runtime.reset(); }

    void timers_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QStringList>("fired");
        QTest::addColumn<QList<qint64>>("due");
        QTest::newRow("one-shot fires once") << "once" << QStringList{"T1"} << QList<qint64>{100};
        QTest::newRow("restart postpones")
            << "restart" << QStringList{"T2", "T1"} << QList<qint64>{60, 160};
        QTest::newRow("cancel prevents") << "cancel" << QStringList{"T2"} << QList<qint64>{20};
        QTest::newRow("repeating fires N times")
            << "repeat" << QStringList{"Tick7", "Tick7", "Tick7", "Tick7", "Tick7"}
            << QList<qint64>{30, 60, 90, 120, 150};
        QTest::newRow("cancel beats a firing already queued")
            << "cancelAfterFiring" << QStringList{"T2"} << QList<qint64>{0};
    }
    void timers()
    {
        QFETCH_GLOBAL(bool, deterministic);
        QFETCH(QString, script);
        QFETCH(QStringList, fired);
        QFETCH(QList<qint64>, due);
        std::optional<Parley::Value> v;
        if (!deterministic) {
            QElapsedTimer clock;
            clock.start();
            const auto t = m_runtime->create<TimerScript>(
                script, [clock] { return clock.elapsed(); }, /*busyWait=*/true);
            v = m_runtime->waitForCompletion(t, 30s);
        } else {
            const auto t = m_runtime->create<TimerScript>(
                script, [this] { return m_now; }, /*busyWait=*/false);
            QVERIFY(m_runtime->step()); // Start: the script starts its timers
            if (script == QLatin1String("cancelAfterFiring")) {
                // T1 is due at 1 ms: move the clock there before T2 is handled, so that T1 waits
                // behind it when it cancels T1.
                m_runtime->advanceClock(1ms);
                m_now = 1;
                QCOMPARE(m_runtime->pendingCount(), 2);
                QCOMPARE(m_runtime->nextMessage()->type, QStringLiteral("T2"));
                due = {1}; // handled after the clock moved
            }
            // One millisecond at a time, handling everything that came due at each.
            m_runtime->runUntilIdle();
            while (!(v = m_runtime->takeCompletion(t)) && m_now < 1000) {
                m_runtime->advanceClock(1ms);
                ++m_now;
                m_runtime->runUntilIdle();
            }
        }
        QVERIFY(v);
        const auto &e = v->get<Elapsed>();
        QCOMPARE(e.fired, fired);
        QCOMPARE(e.millis.size(), due.size());
        for (int i = 0; i < due.size(); ++i) {
            const QByteArray what = QStringLiteral("%1 fired at %2 ms, due %3 ms")
                                        .arg(fired[i])
                                        .arg(e.millis[i])
                                        .arg(due[i])
                                        .toUtf8();
            if (deterministic)
                QVERIFY2(e.millis[i] == due[i], what.constData()); // no lateness, no drift
            else
                QVERIFY2(e.millis[i] >= due[i], what.constData()); // never early; a busy
                                                                   // machine may make it late
        }
    }
    void selectTimerAndTimersMixInRoutines()
    {
        QFETCH_GLOBAL(bool, deterministic);
        if (deterministic)
            QSKIP("routines need threads; a deterministic runtime refuses them");
        const auto r = m_runtime->create([](Parley::Routine &self) -> Parley::Value {
            self.start(Parley::T1{}, 30ms);
            auto m = self.select<Parley::T1>(2s);
            return m;
        });
        const auto v = m_runtime->waitForCompletion(r, 30s);
        QVERIFY(v);
        QVERIFY(v->is<Parley::T1>());
    }

private:
    std::unique_ptr<Parley::Runtime> m_runtime;
    qint64 m_now = 0; ///< the deterministic runtime's clock, in ms since the test began
};

QTEST_GUILESS_MAIN(tst_Timers)
#include "tst_timers.moc"
