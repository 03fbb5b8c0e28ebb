// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

#include <condition_variable>
#include <mutex>
#include <stdexcept>

using namespace std::chrono_literals;

struct Question
{
    int n = 0;
};
struct Answer
{
    int n = 0;
};
struct Other
{
    int n = 0;
};
struct Go
{
};
struct Summary
{
    QList<int> values;
};
PARLEY_MESSAGE(Question, n)
PARLEY_MESSAGE(Answer, n)
PARLEY_MESSAGE(Other, n)
PARLEY_MESSAGE(Go)
PARLEY_MESSAGE(Summary, values)

/// Opened once; waited for with a bound.
struct Gate
{
    std::mutex lock;
    std::condition_variable cv;
    bool open = false;
    void openUp()
    {
        {
            std::lock_guard guard(lock);
            open = true;
        }
        cv.notify_all();
    }
    void waitFor(std::chrono::milliseconds most)
    {
        std::unique_lock guard(lock);
        cv.wait_for(guard, most, [this] { return open; });
    }
};

/// A message whose end (its destructor, where it is dropped) waits for a gate, at most 500 ms:
/// it keeps a routine that never read it from ending until then.
struct SlowToDrop
{
    std::shared_ptr<Gate> gate;
    SlowToDrop() = default;
    explicit SlowToDrop(std::shared_ptr<Gate> g) : gate(std::move(g)) {}
    SlowToDrop(SlowToDrop &&) noexcept = default;
    SlowToDrop &operator=(SlowToDrop &&) noexcept = default;
    SlowToDrop(const SlowToDrop &) = default;
    SlowToDrop &operator=(const SlowToDrop &) = default;
    ~SlowToDrop()
    {
        if (gate)
            gate->waitFor(500ms);
    }
};
PARLEY_MESSAGE(SlowToDrop)

/// On Stop (the runtime's shutdown), notes whether \a routine's Destroyed event had been
/// emitted already, opens the gate, and completes.
class Witness : public Parley::Machine
{
public:
    Witness(std::shared_ptr<CountingSink> sink, quint64 routine, std::shared_ptr<Gate> gate,
            std::shared_ptr<std::atomic<int>> saw)
    {
        on<Parley::Start>([] {});
        on<Parley::Stop>([this, sink, routine, gate, saw] {
            *saw = sink->has({.kind = Parley::EventKind::Destroyed, .objectId = routine}) ? 1 : 0;
            gate->openUp();
            complete(Parley::Aborted{});
        });
    }
};

/// Collects \a expected questions, then answers them in reverse order of arrival.
Parley::Value reverseServer(Parley::Routine &self, int expected)
{
    std::vector<std::pair<Parley::Address, int>> pending;
    while (int(pending.size()) < expected) {
        auto m = self.select<Question, Parley::Stop>();
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        pending.emplace_back(self.returnAddress(), m.get<Question>().n);
    }
    for (auto it = pending.rbegin(); it != pending.rend(); ++it)
        self.send(Answer{it->second * 10}, it->first);
    auto m = self.select<Parley::Stop>();
    return Parley::Aborted{};
}

/// Asks the server one question and completes with the answer it got.
Parley::Value asker(Parley::Routine &self, Parley::Address server, int n)
{
    auto m = self.ask<Answer>(Question{n}, server, 5s);
    return m;
}

/// Creates a reverse server and three askers; completes with the three answers by asker.
Parley::Value threeWorkers(Parley::Routine &self)
{
    const auto server = self.create<&reverseServer>(3);
    std::vector<Parley::Address> workers;
    for (int i = 1; i <= 3; ++i)
        workers.push_back(self.create<&asker>(server, i));
    QList<int> answers(3);
    for (int done = 0; done < 3;) {
        auto m = self.select<Parley::Completed>();
        const auto it = std::find(workers.begin(), workers.end(), self.returnAddress());
        if (it == workers.end())
            continue; // the server
        answers[it - workers.begin()] = m.get<Parley::Completed>().value.get<Answer>().n;
        ++done;
    }
    self.send(Parley::Stop{}, server);
    return Summary{answers};
}

Parley::Value selective(Parley::Routine &self)
{
    QList<int> order;
    // Others arrive first but wait their turn.
    auto a = self.select<Answer>();
    order << a.get<Answer>().n;
    auto o1 = self.select<Other>();
    order << o1.get<Other>().n;
    auto o2 = self.select<Other>();
    order << o2.get<Other>().n;
    order << self.pendingCount();
    return Summary{order};
}

Parley::Value waitsBriefly(Parley::Routine &self)
{
    const auto start = std::chrono::steady_clock::now();
    auto m = self.select<Answer>(50ms);
    const auto waited = std::chrono::steady_clock::now() - start;
    if (!m.is<Parley::SelectTimer>())
        return Parley::Nak{};
    return Summary{{int(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count())}};
}

Parley::Value asksNobody(Parley::Routine &self, Parley::Address silent)
{
    return self.ask<Answer>(Question{1}, silent, 30ms);
}

Parley::Value throws(Parley::Routine &)
{
    throw std::runtime_error("routine failed");
}

void returnsNothing(Parley::Routine &) {}

Parley::Value ignoresStop(Parley::Routine &self)
{
    for (;;)
        (void)self.select<Go>(); // never returns on Stop: the runtime must end it
}

class tst_Routine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { m_runtime = startRecordedRuntime(m_sink, 300ms); }
    void cleanup() { m_runtime.reset(); }

    void outOfOrderRepliesReachTheirWorkers()
    {
        const auto top = m_runtime->create<&threeWorkers>();
        const auto v = m_runtime->waitForCompletion(top, 10s);
        QVERIFY(v);
        QCOMPARE(v->get<Summary>().values, (QList<int>{10, 20, 30}));
        QTRY_COMPARE(m_runtime->objectCount(), 0);
        QVERIFY(m_sink->has(
            {.kind = Parley::EventKind::Created, .objectName = QStringLiteral("asker")}));
    }
    void selectTakesTheFirstMatchAndKeepsTheRest()
    {
        const auto r = m_runtime->create<&selective>();
        m_runtime->send(Other{1}, r);
        m_runtime->send(Other{2}, r);
        m_runtime->send(Other{3}, r);
        m_runtime->send(Answer{9}, r);
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<Summary>().values, (QList<int>{9, 1, 2, 1}));
        // Recorded by the routine that dropped it, by id and name, as a warning.
        const RecordPattern dropped{.kind = Parley::EventKind::Dropped,
                                    .level = Parley::LogLevel::Warning,
                                    .objectId = r.last(),
                                    .objectName = QStringLiteral("selective"),
                                    .messageType = QStringLiteral("Other"),
                                    .peer = r,
                                    .dropReason = Parley::DropReason::ObjectCompleted};
        QTRY_VERIFY(m_sink->has(dropped));
    }
    void selectTimesOutWithSelectTimer()
    {
        const auto r = m_runtime->create<&waitsBriefly>();
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QVERIFY(v->is<Summary>());
        QVERIFY2(v->get<Summary>().values.at(0) >= 49, "returned before the timeout");
    }
    void askTimesOutWithTimedOut()
    {
        auto inbox = std::make_shared<Inbox>();
        const auto silent = m_runtime->create<Recorder>(inbox);
        const auto r = m_runtime->create<&asksNobody>(silent);
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QVERIFY(v->is<Parley::TimedOut>());
        QVERIFY(v->get<Parley::TimedOut>().explanation.contains(QStringLiteral("Question")));
        QTRY_COMPARE(inbox->count(), 1);
    }
    void exceptionBecomesFaulted()
    {
        const auto r = m_runtime->create<&throws>();
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<Parley::Faulted>().explanation, QStringLiteral("routine failed"));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Text,
                             .level = Parley::LogLevel::Fault,
                             .objectId = r.last(),
                             .objectName = QStringLiteral("throws"),
                             .textHas = QStringLiteral("routine failed")}));
    }
    void voidRoutineCompletesWithAck()
    {
        const auto r = m_runtime->create<&returnsNothing>();
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QVERIFY(v->is<Parley::Ack>());
    }
    void lambdaRoutinesWork()
    {
        const auto r = m_runtime->create(
            [](Parley::Routine &self, int base) -> Parley::Value {
                auto m = self.select<Question>();
                return Answer{base + m.get<Question>().n};
            },
            100);
        m_runtime->send(Question{5}, r);
        const auto v = m_runtime->waitForCompletion(r, 5s);
        QVERIFY(v);
        QCOMPARE(v->get<Answer>().n, 105);
    }
    void shutdownEndsARoutineThatIgnoresStop()
    {
        const auto r = m_runtime->create<&ignoresStop>();
        const quint64 runtimeId = m_runtime->address().last();
        QTRY_VERIFY(m_runtime->contains(r));
        QElapsedTimer t;
        t.start();
        m_runtime.reset(); // Stop is ignored; after the grace period select() throws Terminated
        // The grace period is 300 ms; the bound only catches a shutdown that waits for ever.
        QVERIFY2(t.elapsed() < 30000, "shutdown did not end the routine");
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Text,
                             .level = Parley::LogLevel::Warning,
                             .objectId = runtimeId,
                             .textHas = QStringLiteral("300 ms")})); // the grace period
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Completed,
                             .objectName = QStringLiteral("ignoresStop"),
                             .messageType = QStringLiteral("Aborted"),
                             .peer = Parley::Address(runtimeId)})); // to the runtime
    }

    void aCompletedRoutineEndsBeforeTheShutdownStopsTheRest()
    {
        // A program's main routine completes, its caller's waitForCompletion() returns and the
        // runtime ends at once: the routine's Destroyed event must come before the other objects
        // are stopped, or a sink that stops with them (the monitor stream's link) never sees it.
        // Here the routine is slow to end (a message it never read waits in its destructor for
        // the Witness's Stop, at most 500 ms).
        auto gate = std::make_shared<Gate>();
        auto saw = std::make_shared<std::atomic<int>>(-1);
        const auto r = m_runtime->create([](Parley::Routine &self) -> Parley::Value {
            (void)self.select<Go>();
            return Parley::Ack{};
        });
        m_runtime->create<Witness>(m_sink, r.last(), gate, saw);
        m_runtime->send(SlowToDrop{gate}, r);
        m_runtime->send(Go{}, r);
        QVERIFY(m_runtime->waitForCompletion(r, 10s));
        m_runtime.reset();
        QCOMPARE(saw->load(), 1);
    }

    void aRoutineThatCompletedAndRunsOnIsStillEndedByShutdown()
    {
        // complete() takes it out of the table, but its function goes on, waiting in select():
        // the shutdown must not wait for it as for a routine that is only ending; it ends it
        // after the grace period, as any routine that ignores Stop.
        const auto r = m_runtime->create([](Parley::Routine &self) -> Parley::Value {
            self.complete(Parley::Ack{});
            for (;;)
                (void)self.select<Go>();
        });
        QVERIFY(m_runtime->waitForCompletion(r, 10s));
        QElapsedTimer t;
        t.start();
        m_runtime.reset();
        QVERIFY2(t.elapsed() < 30000, "shutdown did not end the routine");
    }

private:
    std::shared_ptr<CountingSink> m_sink;
    std::unique_ptr<Parley::Runtime> m_runtime;
};

QTEST_GUILESS_MAIN(tst_Routine)
#include "tst_routine.moc"
