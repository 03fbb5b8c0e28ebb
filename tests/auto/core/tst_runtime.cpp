// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;

struct WhereAmI
{
    quintptr thread = 0;
};
struct Spawn
{
};
struct Ping
{
};
struct Noise
{
};
struct Count
{
    qint64 n = 0;
};
PARLEY_MESSAGE(WhereAmI, thread)
PARLEY_MESSAGE(Spawn)
PARLEY_MESSAGE(Ping)
PARLEY_MESSAGE(Noise)
PARLEY_MESSAGE(Count, n)

quintptr currentThreadId()
{
    return quintptr(QThread::currentThread());
}

/// Completes with the thread its Start handler ran on.
class Locator : public Parley::Machine
{
public:
    Locator()
    {
        on<Parley::Start>([this] { complete(WhereAmI{currentThreadId()}); });
    }
};

/// Creates a Locator child and completes with both threads (its own and the child's).
class LocatorParent : public Parley::Machine
{
public:
    LocatorParent()
    {
        on<Parley::Start>([this] {
            m_mine = currentThreadId();
            then(create<Locator>(), [this](Parley::Value &v) {
                complete(WhereAmI{v.get<WhereAmI>().thread == m_mine ? 1u : 2u});
            });
        });
    }

private:
    quintptr m_mine = 0;
};

/// Waits; completes with Aborted on Stop and reports the Stop to an inbox.
class Waiter : public Parley::Machine
{
public:
    explicit Waiter(std::shared_ptr<Inbox> inbox)
    {
        on<Parley::Start>([] {});
        on<Parley::Stop>([this, inbox] {
            inbox->add(Parley::Value(Parley::Stop{}), address());
            complete(Parley::Aborted{});
        });
    }
};

/// Creates two Waiters on Spawn; completes (leaving them running) on Stop.
class Family : public Parley::Machine
{
public:
    explicit Family(std::shared_ptr<Inbox> inbox)
    {
        on<Parley::Start>([this, inbox] {
            create<Waiter>(inbox);
            createOn<Waiter>(Parley::Placement::AnyWorker, inbox);
        });
        on<Parley::Stop>([this] { complete(Parley::Ack{}); });
    }
};

/// Completes with Count{2} on its second Ping; ignores Noise.
class Counter : public Parley::Machine
{
public:
    Counter()
    {
        on<Parley::Start>([] {});
        on<Noise>([] {});
        on<Ping>([this] {
            if (++m_pings == 2)
                complete(Count{m_pings});
        });
    }

private:
    qint64 m_pings = 0;
};

class tst_Runtime : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void twoRuntimesCoexistInOneProcess()
    {
        Parley::Runtime a(Parley::Runtime::Options{.workers = 1});
        Parley::Runtime b(Parley::Runtime::Options{.workers = 2});
        const auto x = a.create<LocatorParent>();
        const auto y = b.create<LocatorParent>();
        // Ids are per runtime, like per process: both first objects get the same id.
        QCOMPARE(x, y);
        QVERIFY(a.waitForCompletion(x, 5s));
        QVERIFY(b.waitForCompletion(y, 5s));
        QCOMPARE(a.workerCount(), 1);
        QCOMPARE(b.workerCount(), 2);
    }
    void machinesStayOnTheirCreatorsWorker()
    {
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
        const auto p = rt.create<LocatorParent>();
        const auto v = rt.waitForCompletion(p, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<WhereAmI>().thread, quintptr(1));
    }
    void guiPlacementRunsHandlersOnTheMainThread()
    {
        Parley::Runtime rt;
        const auto l = rt.createOn<Locator>(Parley::Placement::Gui);
        const auto v = rt.waitForCompletion(l, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<WhereAmI>().thread, quintptr(QCoreApplication::instance()->thread()));
        const auto w = rt.create<Locator>();
        const auto u = rt.waitForCompletion(w, 5s);
        QVERIFY(u);
        QVERIFY(u->get<WhereAmI>().thread != quintptr(QCoreApplication::instance()->thread()));
    }
    void completingAParentStopsItsChildren()
    {
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
        auto inbox = std::make_shared<Inbox>();
        const auto f = rt.create<Family>(inbox);
        QTRY_COMPARE(rt.objectCount(), 3);
        rt.send(Parley::Stop{}, f);
        QVERIFY(rt.waitForCompletion(f, 5s));
        QTRY_COMPARE(inbox->count(), 2);
        QTRY_COMPARE(rt.objectCount(), 0);
    }
    void completedSignalAndValueAreHandedOutOnce()
    {
        Parley::Runtime rt;
        QSignalSpy spy(&rt, &Parley::Runtime::completed);
        const auto l = rt.create<Locator>();
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<Parley::Address>(), l);
        QVERIFY(rt.takeCompletion(l));
        QVERIFY(!rt.takeCompletion(l));
        QVERIFY(!rt.waitForCompletion(l, 10ms));
    }
    void destroyingTheRuntimeStopsEverything()
    {
        auto inbox = std::make_shared<Inbox>();
        {
            Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
            for (int i = 0; i < 10; ++i)
                rt.create<Family>(inbox);
            QTRY_COMPARE(rt.objectCount(), 30);
        }
        QCOMPARE(inbox->count(), 20);
    }
    void manyMachinesAcrossWorkersAllComplete()
    {
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
        QList<Parley::Address> all;
        for (int i = 0; i < 1000; ++i)
            all << rt.createOn<Locator>(Parley::Placement::AnyWorker);
        for (const auto &a : all)
            QVERIFY(rt.waitForCompletion(a, 5s));
        QCOMPARE(rt.objectCount(), 0);
        // Ids are never reused.
        QCOMPARE(QSet<Parley::Address>(all.begin(), all.end()).size(), 1000);
    }
    void sendsRacingCompletionAndFreedPagesLoseNothing()
    {
        // The send path reads the object table without a lock (issue 17). Two plain threads
        // each send one Ping to every machine of a wave while the machines complete on their
        // second Ping; a third keeps sending Noise to the ids of this wave and the one before,
        // live, completing or gone, while their pages (4096 ids each) are freed. A Ping lost
        // (a live machine taken for gone) leaves a machine waiting forever; a send that touched
        // a destroyed object or a freed page is what the ASan build reports.
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
        constexpr int Wave = 5000;
        constexpr int Waves = 12;
        std::atomic<quint64> lowest{2};
        std::atomic<quint64> highest{0};
        std::atomic<bool> stop{false};
        std::atomic<qint64> noise{0};
        std::thread noiseMaker([&] {
            // The ids of this wave and the one before: pages in use and pages being freed.
            while (!stop.load()) {
                const quint64 top = highest.load();
                for (quint64 id = lowest.load(); id <= top && !stop.load(); ++id) {
                    rt.send(Noise{}, Parley::Address(id));
                    noise.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
        quint64 previousFirst = 2;
        for (int wave = 0; wave < Waves; ++wave) {
            std::vector<Parley::Address> counters;
            for (int i = 0; i < Wave; ++i)
                counters.push_back(rt.createOn<Counter>(Parley::Placement::AnyWorker));
            highest.store(counters.back().last());
            lowest.store(previousFirst);
            previousFirst = counters.front().last();
            auto pinger = [&rt, &counters] {
                for (const Parley::Address &a : counters)
                    rt.send(Ping{}, a);
            };
            std::thread a(pinger);
            std::thread b(pinger);
            a.join();
            b.join();
            for (const Parley::Address &c : counters) {
                const auto v = rt.waitForCompletion(c, 10s);
                QVERIFY2(
                    v,
                    qPrintable(
                        QStringLiteral("wave %1: %2 did not complete").arg(wave).arg(c.last())));
                QCOMPARE(v->get<Count>().n, qint64(2));
            }
            QTRY_COMPARE(rt.objectCount(), 0);
        }
        QTRY_VERIFY(noise.load() > Wave); // the noise really ran alongside
        stop.store(true);
        noiseMaker.join();
    }
};

QTEST_GUILESS_MAIN(tst_Runtime)
#include "tst_runtime.moc"
