// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtCore/QThread>
#include <QtTest/QtTest>

using namespace std::chrono_literals;

struct WhereAmI
{
    quintptr thread = 0;
};
struct Spawn
{
};
PARLEY_MESSAGE(WhereAmI, thread)
PARLEY_MESSAGE(Spawn)

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
};

QTEST_GUILESS_MAIN(tst_Runtime)
#include "tst_runtime.moc"
