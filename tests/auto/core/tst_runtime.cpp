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
struct Seq
{
    qint64 sender = 0;
    qint64 n = 0;
};
struct Go
{
};
PARLEY_MESSAGE(Seq, sender, n)
PARLEY_MESSAGE(Go)

/// What the many-senders tests share between their machines and the test.
struct FloodTally
{
    std::atomic<qint64> delivered{0};
    std::atomic<qint64> bounced{0};
    std::atomic<bool> inOrder{true};
    std::atomic<bool> startFirst{true};
};

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

/// Counts Seq messages, checks each sender's order, completes after \a quota of them.
class SeqSink : public Parley::Machine
{
public:
    SeqSink(std::shared_ptr<FloodTally> tally, qint64 quota, int senders)
        : m_last(size_t(senders), -1)
    {
        on<Parley::Start>([] {});
        on<Seq>([this, tally, quota](const Seq &s) {
            qint64 &last = m_last.at(size_t(s.sender));
            if (s.n != last + 1)
                tally->inOrder = false;
            last = s.n;
            if (tally->delivered.fetch_add(1) + 1 == quota)
                complete(Count{quota});
        });
    }

private:
    std::vector<qint64> m_last;
};

/// On Go, sends \a count Seq to \a to in one handler; counts what comes back undeliverable.
class SeqSender : public Parley::Machine
{
public:
    SeqSender(std::shared_ptr<FloodTally> tally, Parley::Address to, qint64 index, qint64 count)
    {
        on<Parley::Start>([] {});
        on<Go>([this, to, index, count] {
            for (qint64 i = 0; i < count; ++i)
                send(Seq{index, i}, to);
        });
        on<Parley::Undeliverable>([tally] { tally->bounced.fetch_add(1); });
        on<Parley::Stop>([this] { complete(Parley::Ack{}); });
    }
};

/// Flags a message handled before Start; completes on its first Ping.
class StartChecker : public Parley::Machine
{
public:
    explicit StartChecker(std::shared_ptr<FloodTally> tally)
    {
        on<Parley::Start>([this] { m_started = true; });
        on<Ping>([this, tally] {
            if (!m_started)
                tally->startFirst = false;
            complete(Parley::Ack{});
        });
    }

private:
    bool m_started = false;
};

/// Creates \a count StartCheckers on any worker and sends each a Ping at once.
class CheckerMaker : public Parley::Machine
{
public:
    CheckerMaker(std::shared_ptr<FloodTally> tally, int count,
                 std::shared_ptr<std::vector<Parley::Address>> made)
    {
        on<Parley::Start>([this, tally, count, made] {
            for (int i = 0; i < count; ++i) {
                const Parley::Address a
                    = createOn<StartChecker>(Parley::Placement::AnyWorker, tally);
                send(Ping{}, a);
                made->push_back(a);
            }
        });
        on<Parley::Completed>([] {});
        on<Parley::Stop>([this] { complete(Parley::Ack{}); });
    }
};

/// On Go: has another thread send Seq{n = 1} to its child and waits for that thread, then
/// sends Seq{n = 2} itself. The first send happened before the second, so the child must get
/// 1 before 2 (the causal chain of a sink's thread handing the stream's link a batch, and the
/// link then telling itself to finish).
class CausalSender : public Parley::Machine
{
public:
    explicit CausalSender(std::shared_ptr<Inbox> inbox)
    {
        on<Parley::Start>([this, inbox] { m_child = create<Recorder>(inbox); });
        on<Go>([this] {
            Parley::Runtime *rt = runtime();
            const Parley::Address child = m_child;
            std::thread other([rt, child] { rt->send(Seq{0, 1}, child); });
            other.join();
            send(Seq{0, 2}, m_child);
        });
        on<Parley::Completed>([] {});
        on<Parley::Stop>([this] { complete(Parley::Ack{}); });
    }

private:
    Parley::Address m_child;
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
    void manySendersKeepTheirOrderAndLoseNothing()
    {
        // Mail from other threads goes through the executor's lock-free inbox, mail from the
        // executor's own thread straight into the mailbox (issue 17). Six plain threads and
        // eight machines (spread over four workers, so some share the sink's worker and some
        // do not) each send 20,000 numbered messages to one sink, far more than one round of a
        // drain takes (CollectChunk, DrainBudget): each sender's numbers must arrive in order,
        // all of them, once.
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 4});
        auto tally = std::make_shared<FloodTally>();
        constexpr int Threads = 6;
        constexpr int Machines = 8;
        constexpr qint64 PerSender = 20000;
        constexpr qint64 Total = (Threads + Machines) * PerSender;
        const Parley::Address sink
            = rt.createOn<SeqSink>(Parley::Placement::AnyWorker, tally, Total, Threads + Machines);
        std::vector<Parley::Address> senders;
        for (int m = 0; m < Machines; ++m)
            senders.push_back(rt.createOn<SeqSender>(Parley::Placement::AnyWorker, tally, sink,
                                                     qint64(Threads + m), PerSender));
        for (const Parley::Address &a : senders)
            rt.send(Go{}, a);
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t)
            threads.emplace_back([&rt, sink, t] {
                for (qint64 i = 0; i < PerSender; ++i)
                    rt.send(Seq{t, i}, sink);
            });
        for (std::thread &t : threads)
            t.join();
        const auto v = rt.waitForCompletion(sink, 30s);
        QVERIFY2(
            v,
            qPrintable(QStringLiteral("%1 of %2 arrived").arg(tally->delivered.load()).arg(Total)));
        QCOMPARE(v->get<Count>().n, Total);
        QVERIFY(tally->inOrder.load());
        QCOMPARE(tally->delivered.load(), Total);
        QCOMPARE(tally->bounced.load(), qint64(0));
    }
    void sendsToAnObjectThatCompletesAreDeliveredOrBounced()
    {
        // Eight machines flood a sink that completes a third of the way through: every message
        // is either handled by the sink or comes back to its sender as Undeliverable, once:
        // those that were in the sink's mailbox, those still in its executor's inbox (their
        // target left the table before it was collected) and those sent after it left.
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 4});
        auto tally = std::make_shared<FloodTally>();
        constexpr int Machines = 8;
        constexpr qint64 PerSender = 20000;
        constexpr qint64 Total = Machines * PerSender;
        constexpr qint64 Quota = Total / 3;
        const Parley::Address sink
            = rt.createOn<SeqSink>(Parley::Placement::AnyWorker, tally, Quota, Machines);
        std::vector<Parley::Address> senders;
        for (int m = 0; m < Machines; ++m)
            senders.push_back(rt.createOn<SeqSender>(Parley::Placement::AnyWorker, tally, sink,
                                                     qint64(m), PerSender));
        for (const Parley::Address &a : senders)
            rt.send(Go{}, a);
        QVERIFY(rt.waitForCompletion(sink, 30s));
        QTRY_COMPARE_WITH_TIMEOUT(tally->delivered.load() + tally->bounced.load(), Total, 30000);
        QCOMPARE(tally->delivered.load(), Quota);
        QVERIFY(tally->inOrder.load());
        for (const Parley::Address &a : senders)
            rt.send(Parley::Stop{}, a);
        for (const Parley::Address &a : senders)
            QVERIFY(rt.waitForCompletion(a, 10s));
        QCOMPARE(tally->bounced.load(), Total - Quota); // none twice
    }
    void startComesFirstForMailFromAnyThread()
    {
        // Start is due before anything else sent to a new object, whether it was created on
        // the target's own worker or another one, by a machine or by a plain thread, and sent
        // to at once.
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 4});
        auto tally = std::make_shared<FloodTally>();
        constexpr int Count = 500;
        auto made = std::make_shared<std::vector<Parley::Address>>();
        const Parley::Address maker
            = rt.createOn<CheckerMaker>(Parley::Placement::AnyWorker, tally, Count, made);
        std::vector<Parley::Address> mine;
        for (int i = 0; i < Count; ++i) {
            mine.push_back(rt.createOn<StartChecker>(Parley::Placement::AnyWorker, tally));
            rt.send(Ping{}, mine.back());
        }
        for (const Parley::Address &a : mine)
            QVERIFY(rt.waitForCompletion(a, 10s));
        QTRY_COMPARE(rt.objectCount(), 1); // the maker's checkers have completed too
        QVERIFY(tally->startFirst.load());
        rt.send(Parley::Stop{}, maker);
        QVERIFY(rt.waitForCompletion(maker, 10s));
    }

    void aSendThatHappenedBeforeAnotherArrivesFirst()
    {
        // Mail from another thread waits in the executor's inbox until a drain collects it;
        // mail sent on the executor's own thread meanwhile must not overtake it when it was
        // sent after it.
        Parley::Runtime rt(Parley::Runtime::Options{.workers = 2});
        for (int round = 0; round < 20; ++round) {
            auto inbox = std::make_shared<Inbox>();
            const Parley::Address sender = rt.create<CausalSender>(inbox);
            rt.send(Go{}, sender);
            QTRY_COMPARE(inbox->count(), 2);
            QCOMPARE(inbox->at(0).message.get<Seq>().n, qint64(1));
            QCOMPARE(inbox->at(1).message.get<Seq>().n, qint64(2));
            rt.send(Parley::Stop{}, sender);
            QVERIFY(rt.waitForCompletion(sender, 10s));
        }
    }
};

QTEST_GUILESS_MAIN(tst_Runtime)
#include "tst_runtime.moc"
