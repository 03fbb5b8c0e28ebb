// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

using namespace std::chrono_literals;

struct Lookup
{
    int n = 0;
};
struct Found
{
    int n = 0;
};
PARLEY_MESSAGE(Lookup, n)
PARLEY_MESSAGE(Found, n)

/// Answers Lookup{n} with Found{n*n} after (4 - n) * 20 ms, so later requests answer first;
/// n < 0 answers with a fault; n == 99 never answers.
class SlowSquares : public Parley::Machine
{
public:
    SlowSquares()
    {
        on<Parley::Start>([] {});
        on<Lookup>([this](Lookup &l) {
            if (l.n == 99)
                return;
            if (l.n < 0) {
                reply(Parley::Faulted{QStringLiteral("negative"), QStringLiteral("no square"), 0});
                return;
            }
            // A per-request timer object answers later; the original return address goes with it.
            create<Answerer>(returnAddress(), l.n);
        });
        on<Parley::Completed>([] {});
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    class Answerer : public Parley::Machine
    {
    public:
        Answerer(Parley::Address to, int n)
        {
            on<Parley::Start>(
                [this, n] { start(Parley::T1{}, std::chrono::milliseconds((4 - n) * 20)); });
            on<Parley::T1>([this, to, n] {
                send(Found{n * n}, to);
                complete(Parley::Ack{});
            });
        }
    };
};

/// Answers Lookup{n} with Found{n*n} at once; n == 99 never answers.
class Squarer : public Parley::Machine
{
public:
    Squarer()
    {
        on<Lookup>([this](Lookup &l) {
            if (l.n != 99)
                reply(Found{l.n * l.n});
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

/// Runs a helper of type H over requests to a SlowSquares and completes with its result.
template <class H>
class Client : public Parley::Machine
{
public:
    /// Asks for each of \a ns, with the timeout of the same index in \a timeouts (if any).
    Client(QList<int> ns, Parley::Duration timeout, QList<std::chrono::milliseconds> timeouts = {})
    {
        on<Parley::Start>([this, ns, timeout, timeouts] {
            const auto server = create<SlowSquares>();
            std::vector<Parley::Request> requests;
            for (qsizetype i = 0; i < ns.size(); ++i)
                requests.push_back({Lookup{ns[i]}, server, timeouts.value(i)});
            const auto h = create<H>(std::move(requests), timeout);
            then(h, [this](Parley::Value &v) { complete(v.take()); });
        });
    }
};

QList<int> foundValues(const Parley::Value &v)
{
    QList<int> out;
    for (const auto &r : v.get<Parley::Results>().values)
        out << (r.is<Found>() ? r.get<Found>().n : -1);
    return out;
}

/// Returns the explanation of the TimedOut in slot \a i, or "(not TimedOut)".
QString timedOutIn(const Parley::Value &v, qsizetype i)
{
    const Parley::Value &slot = v.get<Parley::Results>().values.at(i);
    return slot.is<Parley::TimedOut>() ? slot.get<Parley::TimedOut>().explanation
                                       : QStringLiteral("(not TimedOut)");
}

class tst_Helpers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Every test runs on a threaded runtime and on a deterministic one (whose clock moves a
    // millisecond at a time while a test waits): the helpers' results, order and deadlines must
    // be the same. Routines need threads, so the GetResponse-in-a-routine tests run threaded.
    void initTestCase_data() { addRuntimeRows(); }
    void init() { m_runtime = startRuntimeOfRow(m_sink); }
    void cleanup() { m_runtime.reset(); }

    void getResponseReturnsTheFirstReply()
    {
        if (m_runtime->isDeterministic())
            QSKIP("a routine needs a thread; a deterministic runtime refuses it");
        const auto r = m_runtime->create([](Parley::Routine &self) -> Parley::Value {
            const auto server = self.create<SlowSquares>();
            const auto g = self.create<Parley::GetResponse>(Parley::Value(Lookup{3}), server, 2s);
            auto m = self.select<Parley::Completed>();
            if (self.returnAddress() != g)
                return Parley::Nak{};
            return m.get<Parley::Completed>().value.take();
        });
        const auto v = finish(*m_runtime, r, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<Found>().n, 9);
    }
    void getResponseTimesOut()
    {
        if (m_runtime->isDeterministic())
            QSKIP("a routine needs a thread; a deterministic runtime refuses it");
        auto inbox = std::make_shared<Inbox>();
        const auto silent = m_runtime->create<Recorder>(inbox);
        const auto r = m_runtime->create([silent](Parley::Routine &self) -> Parley::Value {
            self.create<Parley::GetResponse>(Parley::Value(Lookup{1}), silent, 30ms);
            auto m = self.select<Parley::Completed>();
            return m.get<Parley::Completed>().value.take();
        });
        const auto v = finish(*m_runtime, r, 5s);
        QVERIFY(v);
        QVERIFY(v->is<Parley::TimedOut>());
    }
    void concurrentlyKeepsRequestOrderUnderOutOfOrderReplies()
    {
        const auto c = m_runtime->create<Client<Parley::Concurrently>>(QList<int>{1, 2, 3}, 5s);
        const auto v = finish(*m_runtime, c, 5s);
        QVERIFY(v);
        QCOMPARE(foundValues(*v), (QList<int>{1, 4, 9}));
        // The replies really did arrive in reverse: the GetResponse children (created in
        // request order, so with rising ids) completed with the highest id first.
        QList<quint64> completionOrder;
        const RecordPattern done{.kind = Parley::EventKind::Completed,
                                 .objectName = QStringLiteral("GetResponse"),
                                 .messageType = QStringLiteral("Found")};
        for (const Parley::Event &record : m_sink->records()) {
            if (done.matches(record))
                completionOrder << record.object;
        }
        QCOMPARE(completionOrder.size(), 3);
        QVERIFY2(completionOrder[0] > completionOrder[1] && completionOrder[1] > completionOrder[2],
                 "replies were not out of order; the test no longer tests reordering");
        settle(*m_runtime);
        QTRY_COMPARE(m_runtime->objectCount(), 0);
    }
    void concurrentlyHandsBackWhatArrivedWhenTimeIsUp()
    {
        const auto c = m_runtime->create<Client<Parley::Concurrently>>(QList<int>{1, 99, 3}, 200ms);
        const auto v = finish(*m_runtime, c, 5s);
        QVERIFY(v);
        QVERIFY2(v->is<Parley::Results>(), v->typeName());
        // The answers that came are kept; the missing one is marked, and the result says so.
        QCOMPARE(foundValues(*v), (QList<int>{1, -1, 9}));
        QCOMPARE(timedOutIn(*v, 1), QStringLiteral("no response to Lookup within 200 ms"));
        QCOMPARE(v->get<Parley::Results>().missing, 1);
        QVERIFY(v->get<Parley::Results>().isPartial());
        settle(*m_runtime);
        QTRY_COMPARE(m_runtime->objectCount(), 0); // children stopped, nothing left behind
    }
    void concurrentlyWaitsForEachRequestAtMostItsOwnTimeout()
    {
        // 99 never answers and may wait 40 ms; the others answer within 60 ms. Without the
        // per-request timeout the helper would wait its whole 5 s and say so.
        const auto c = m_runtime->create<Client<Parley::Concurrently>>(
            QList<int>{1, 99, 3}, 5s, QList<std::chrono::milliseconds>{0ms, 40ms});
        const auto v = finish(*m_runtime, c, 4s);
        QVERIFY(v);
        QCOMPARE(foundValues(*v), (QList<int>{1, -1, 9}));
        QCOMPARE(timedOutIn(*v, 1), QStringLiteral("no response to Lookup within 40 ms"));
        QCOMPARE(v->get<Parley::Results>().missing, 1);
        settle(*m_runtime);
        QTRY_COMPARE(m_runtime->objectCount(), 0);
    }
    void concurrentlyWithAllRepliesIsNotPartial()
    {
        const auto c = m_runtime->create<Client<Parley::Concurrently>>(
            QList<int>{1, 2}, 0ms, QList<std::chrono::milliseconds>{2000ms, 2000ms});
        const auto v = finish(*m_runtime, c, 5s);
        QVERIFY(v);
        QCOMPARE(foundValues(*v), (QList<int>{1, 4}));
        QCOMPARE(v->get<Parley::Results>().missing, 0);
        QVERIFY(!v->get<Parley::Results>().isPartial());
    }
    void concurrentlyDeadlinesFollowTheRuntimeClock()
    {
        if (!m_runtime->isDeterministic())
            QSKIP("builds its own deterministic runtime: once is enough");
        // Deterministic: each deadline is checked exactly, one after another, on one timer.
        Parley::Runtime rt(Parley::Runtime::Options{.deterministic = true});
        const auto squarer = rt.create<Squarer>();
        std::vector<Parley::Request> requests;
        requests.push_back({Lookup{99}, squarer, 30ms}); // silent, 30 ms
        requests.push_back({Lookup{99}, squarer});       // silent, the helper's 100 ms
        requests.push_back({Lookup{4}, squarer, 10ms});  // answers at once
        requests.push_back({Lookup{99}, squarer, 60ms}); // silent, 60 ms
        const auto c = rt.create<Parley::Concurrently>(std::move(requests), 100ms);
        rt.runUntilIdle();
        rt.advanceClock(29ms);
        rt.runUntilIdle();
        QVERIFY(rt.contains(c));
        rt.advanceClock(1ms); // 30: the first is due
        rt.runUntilIdle();
        rt.advanceClock(30ms); // 60: the fourth
        rt.runUntilIdle();
        rt.advanceClock(39ms); // 99
        rt.runUntilIdle();
        QVERIFY(rt.contains(c));
        rt.advanceClock(1ms); // 100: the second, and with it the whole
        rt.runUntilIdle();
        const auto v = rt.takeCompletion(c);
        QVERIFY(v);
        QCOMPARE(foundValues(*v), (QList<int>{-1, -1, 16, -1}));
        QCOMPARE(timedOutIn(*v, 0), QStringLiteral("no response to Lookup within 30 ms"));
        QCOMPARE(timedOutIn(*v, 1), QStringLiteral("no response to Lookup within 100 ms"));
        QCOMPARE(timedOutIn(*v, 3), QStringLiteral("no response to Lookup within 60 ms"));
        QCOMPARE(v->get<Parley::Results>().missing, 3);
    }
    void sequentiallyWaitsForEachRequestAtMostItsOwnTimeout()
    {
        const auto s = m_runtime->create<Client<Parley::Sequentially>>(
            QList<int>{2, 99, 3}, 5s, QList<std::chrono::milliseconds>{0ms, 40ms});
        const auto v = finish(*m_runtime, s, 4s);
        QVERIFY(v);
        QVERIFY2(v->is<Parley::TimedOut>(), v->typeName());
        QCOMPARE(v->get<Parley::TimedOut>().explanation,
                 QStringLiteral("no response within 40 ms"));
    }
    void concurrentlyWithNoRequestsCompletesAtOnce()
    {
        const auto c = m_runtime->create<Parley::Concurrently>(std::vector<Parley::Request>{});
        const auto v = finish(*m_runtime, c, 5s);
        QVERIFY(v);
        QVERIFY(v->get<Parley::Results>().values.isEmpty());
    }
    void sequentiallyRunsInOrderAndStopsAtAFault()
    {
        const auto ok = m_runtime->create<Client<Parley::Sequentially>>(QList<int>{2, 3}, 2s);
        const auto v = finish(*m_runtime, ok, 5s);
        QVERIFY(v);
        QCOMPARE(foundValues(*v), (QList<int>{4, 9}));

        const auto bad = m_runtime->create<Client<Parley::Sequentially>>(QList<int>{2, -1, 3}, 2s);
        const auto w = finish(*m_runtime, bad, 5s);
        QVERIFY(w);
        QCOMPARE(w->get<Parley::Faulted>().condition, QStringLiteral("negative"));
    }

private:
    std::shared_ptr<CountingSink> m_sink;
    std::unique_ptr<Parley::Runtime> m_runtime;
};

QTEST_GUILESS_MAIN(tst_Helpers)
#include "tst_helpers.moc"
