// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

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

/// Each row of the timer tests is one small script run by a machine; it completes with what
/// fired and when (milliseconds since Start).
class TimerScript : public Parley::Machine
{
public:
    explicit TimerScript(QString script) : m_script(std::move(script))
    {
        on<Parley::Start>([this] {
            m_clock.start();
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
        on<Parley::T2>([this] {
            record(QStringLiteral("T2"));
            if (m_script == QLatin1String("restart")) {
                start(Parley::T1{}, 100ms);
            } else if (m_script == QLatin1String("cancel")) {
                cancel<Parley::T1>();
            } else if (m_script == QLatin1String("cancelAfterFiring")) {
                QElapsedTimer busy;
                busy.start();
                while (busy.elapsed() < 20) {} // T1 is in the mailbox by now
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
        m_millis << m_clock.elapsed();
    }
    QString m_script;
    QElapsedTimer m_clock;
    QList<qint64> m_millis;
    QStringList m_fired;
    int m_ticks = 0;
};

class tst_Timers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
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
        QFETCH(QString, script);
        QFETCH(QStringList, fired);
        QFETCH(QList<qint64>, due);
        const auto t = m_runtime->create<TimerScript>(script);
        const auto v = m_runtime->waitForCompletion(t, 5s);
        QVERIFY(v);
        const auto &e = v->get<Elapsed>();
        QCOMPARE(e.fired, fired);
        // Never early. Lateness is not asserted here (this is a unit test, not a benchmark), only
        // that a firing did not drift past the next expected one.
        for (int i = 0; i < due.size(); ++i) {
            QVERIFY2(e.millis[i] >= due[i],
                     qPrintable(QStringLiteral("%1 fired at %2 ms, due %3 ms")
                                    .arg(fired[i])
                                    .arg(e.millis[i])
                                    .arg(due[i])));
        }
    }
    void selectTimerAndTimersMixInRoutines()
    {
        const auto r = m_runtime->create([](Parley::Routine &self) -> Parley::Value {
            self.start(Parley::T1{}, 30ms);
            auto m = self.select<Parley::T1>(2s);
            return m;
        });
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QVERIFY(v->is<Parley::T1>());
    }

private:
    std::unique_ptr<Parley::Runtime> m_runtime;
};

QTEST_GUILESS_MAIN(tst_Timers)
#include "tst_timers.moc"
