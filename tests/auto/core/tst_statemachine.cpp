// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

using namespace std::chrono_literals;

struct Open
{
};
struct Close
{
};
struct Knock
{
    int n = 0;
};
struct Report
{
    Parley::Address to;
};
struct Where
{
    QString state;
    QList<int> served;
};
PARLEY_MESSAGE(Open)
PARLEY_MESSAGE(Close)
PARLEY_MESSAGE(Knock, n)
PARLEY_MESSAGE(Report, to)
PARLEY_MESSAGE(Where, state, served)

/// A door: knocks on a closed door wait (deferred) until it opens.
class Door : public Parley::StateMachine
{
public:
    Door()
    {
        closed.on<Open>([this] { return opened; }).defer<Knock>();
        opened
            .on<Knock>([this](Knock &k) {
                m_served << k.n;
                return opened;
            })
            .on<Close>([this] { return closed; });
        anyState
            .on<Report>([this](Report &r) {
                forward(Where{state().name(), m_served}, r.to, address());
            })
            .on<Parley::Stop>([this] {
                return complete(Where{state().name(), m_served});
            });
        anyState.on<Parley::Start>([] {});
    }

private:
    State closed{this, "CLOSED"}, opened{this, "OPENED"};
    QList<int> m_served;
};

/// Defers in two states, to check replay order across successive transitions.
class Relay : public Parley::StateMachine
{
public:
    Relay()
    {
        a.on<Open>([this] { return b; }).defer<Knock, Close>();
        // In b, odd knocks are handled, even ones deferred again until c.
        b.on<Knock>([this](Knock &k) -> State {
             m_served << k.n;
             if (k.n == 3)
                 return c;
             return b;
         }).defer<Close>();
        c.on<Knock>([this](Knock &k) { m_served << k.n; }).on<Close>([this] {
            return complete(Where{QStringLiteral("done"), m_served});
        });
        anyState.on<Parley::Start>([] {});
    }

private:
    State a{this, "A"}, b{this, "B"}, c{this, "C"};
    QList<int> m_served;
};

class Unhappy : public Parley::StateMachine
{
public:
    Unhappy()
    {
        only.on<Parley::Start>([] {});
    }

private:
    State only{this, "ONLY"};
};

class tst_StateMachine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Every test runs on a threaded runtime and on a deterministic one: deferral, replay order
    // and drops are the machine's own logic and must not depend on threads or timing.
    void initTestCase_data() { addRuntimeRows(); }
    void init() { m_runtime = startRuntimeOfRow(m_sink); }
    void cleanup() { m_runtime.reset(); }

    void deferredMessagesAreReplayedAfterTheStateChange()
    {
        auto inbox = std::make_shared<Inbox>();
        const auto rec = m_runtime->create<Recorder>(inbox);
        const auto door = m_runtime->create<Door>();
        m_runtime->send(Knock{1}, door);
        m_runtime->send(Knock{2}, door);
        m_runtime->send(Report{rec}, door);
        settle(*m_runtime);
        QTRY_COMPARE(inbox->count(), 1);
        QCOMPARE(inbox->at(0).message.get<Where>().state, QStringLiteral("CLOSED"));
        QVERIFY(inbox->at(0).message.get<Where>().served.isEmpty());

        m_runtime->send(Open{}, door);
        m_runtime->send(Knock{3}, door);
        m_runtime->send(Parley::Stop{}, door);
        const auto v = finish(*m_runtime, door);
        QVERIFY(v);
        QCOMPARE(v->get<Where>().state, QStringLiteral("OPENED"));
        QCOMPARE(v->get<Where>().served, (QList<int>{1, 2, 3}));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Deferred,
                             .objectId = door.last(),
                             .state = QStringLiteral("CLOSED"),
                             .messageType = QStringLiteral("Knock")}));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Replayed,
                             .objectId = door.last(),
                             .state = QStringLiteral("OPENED"),
                             .messageType = QStringLiteral("Knock"),
                             .peer = m_runtime->address()}));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::StateChanged,
                             .objectId = door.last(),
                             .state = QStringLiteral("OPENED")}));
    }
    void replayKeepsArrivalOrderAcrossSeveralTransitions()
    {
        const auto relay = m_runtime->create<Relay>();
        m_runtime->send(Knock{1}, relay);
        m_runtime->send(Knock{2}, relay);
        m_runtime->send(Close{}, relay);
        m_runtime->send(Knock{3}, relay);
        m_runtime->send(Knock{4}, relay);
        m_runtime->send(Open{}, relay);
        const auto v = finish(*m_runtime, relay);
        QVERIFY(v);
        // In B: 1, 2 served; Close deferred; 3 served and moves to C; then Close (deferred in B)
        // is replayed first in C and completes before 4.
        QCOMPARE(v->get<Where>().served, (QList<int>{1, 2, 3}));
        const RecordPattern dropped{.kind = Parley::EventKind::Dropped,
                                    .messageType = QStringLiteral("Knock"),
                                    .peer = relay,
                                    .dropReason = Parley::DropReason::ObjectCompleted};
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has(dropped));
        // Recorded by the machine that dropped it, by name and with its last state.
        bool named = false;
        for (const Parley::Event &record : m_sink->records()) {
            if (dropped.matches(record)) {
                QCOMPARE(record.object, relay.last());
                QCOMPARE(record.name, QStringLiteral("Relay"));
                QVERIFY(!record.state.isEmpty());
                named = true;
            }
        }
        QVERIFY(named);
    }
    void logLinesCarryTheStateName()
    {
        const auto door = m_runtime->create<Door>();
        m_runtime->send(Open{}, door);
        m_runtime->send(Parley::Stop{}, door);
        QVERIFY(finish(*m_runtime, door));
        const QString opened = QStringLiteral("OPENED"), closed = QStringLiteral("CLOSED");
        const Parley::Address runtime = m_runtime->address();
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has({.kind = Parley::EventKind::Received,
                                 .objectId = door.last(),
                                 .state = opened,
                                 .messageType = QStringLiteral("Stop"),
                                 .peer = runtime}));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Received,
                             .objectId = door.last(),
                             .state = closed,
                             .messageType = QStringLiteral("Open"),
                             .peer = runtime}));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Created,
                             .objectId = door.last(),
                             .objectName = QStringLiteral("Door"),
                             .state = closed}));
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has(
            {.kind = Parley::EventKind::Destroyed, .objectId = door.last(), .state = opened}));
        // Door has no Start handler of its own state: Start is not reported as dropped.
        QVERIFY(!m_sink->has(
            {.kind = Parley::EventKind::Dropped, .messageType = QStringLiteral("Start")}));
    }
    void messageWithoutHandlerInTheStateIsDropped()
    {
        const auto u = m_runtime->create<Unhappy>();
        m_runtime->send(Knock{1}, u);
        // Text: the drop's reason is the point, and it is not a record field yet.
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->contains(
            QStringLiteral("Dropped Knock to %1 (no handler in this state)").arg(u.toString())));
        QVERIFY(m_runtime->contains(u));
    }

private:
    std::shared_ptr<CountingSink> m_sink;
    std::unique_ptr<Parley::Runtime> m_runtime;
};

QTEST_GUILESS_MAIN(tst_StateMachine)
#include "tst_statemachine.moc"
