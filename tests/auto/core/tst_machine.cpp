// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtTest/QtTest>

#include <array>
#include <stdexcept>

using namespace std::chrono_literals;

struct Ping
{
    int n = 0;
};
struct Pong
{
    int n = 0;
};
struct Boom
{
};
struct Unhandled
{
};
struct Tell
{
    Parley::Address to;
};
PARLEY_MESSAGE(Ping, n)
PARLEY_MESSAGE(Pong, n)
PARLEY_MESSAGE(Boom)
PARLEY_MESSAGE(Unhandled)
PARLEY_MESSAGE(Tell, to)

/// Replies Pong{n} to every Ping{n}; throws on Boom; completes on Stop.
class Echo : public Parley::Machine
{
public:
    Echo()
    {
        on<Parley::Start>([] {});
        on<Ping>([this](const Ping &p) { reply(Pong{p.n}); });
        on<Boom>([]() { throw std::runtime_error("boom"); });
        on<Tell>([this](Tell &t) { forward(Pong{-1}, t.to, returnAddress()); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

/// Completes at once with Pong{value}.
class Quick : public Parley::Machine
{
public:
    explicit Quick(int value)
    {
        on<Parley::Start>([this, value] { complete(Pong{value}); });
    }
};

/// Creates a Quick child and completes with what the child completed with.
class Parent : public Parley::Machine
{
public:
    explicit Parent(bool useCallback)
    {
        on<Parley::Start>([this, useCallback] {
            m_child = create<Quick>(41);
            if (useCallback)
                then(m_child, [this](Parley::Value &v) { complete(Pong{v.get<Pong>().n + 1}); });
        });
        on<Parley::Completed>([this](Parley::Completed &c) {
            // Without a callback, Completed arrives as a message from the child's address.
            if (returnAddress() == m_child)
                complete(c.value.take());
        });
    }

private:
    Parley::Address m_child;
};

/// Forwards everything to a recorder, to see the unknown handler work.
class Catcher : public Parley::Machine
{
public:
    explicit Catcher(std::shared_ptr<Inbox> inbox)
    {
        on<Parley::Start>([] {});
        onUnknown([inbox](Parley::Value &v) { inbox->add(v.take(), {}); });
    }
};

/// Passes on whatever comes, held by a Value: Ping by send(), anything else by forward().
class Passer : public Parley::Machine
{
public:
    explicit Passer(Parley::Address to)
    {
        onUnknown([this, to](Parley::Value &v) {
            if (v.is<Ping>())
                send(v.take(), to);
            else
                forward(v.take(), to, returnAddress());
        });
    }
};

/// Handlers of every size a capture can have: inline (a pointer or two), on the heap (a big
/// capture), replaced (the first Ping handler gives way to the second), more than the table holds
/// inline. Each capture holds a token, to see it destroyed exactly once.
class Captures : public Parley::Machine
{
public:
    Captures(std::shared_ptr<Inbox> inbox, std::shared_ptr<int> token)
    {
        on<Parley::Start>([token] {});
        on<Ping>([this, token](Ping &) { complete(Pong{-1}); }); // replaced below
        std::array<int, 16> big{};
        big[15] = 15;
        on<Pong>(
            [inbox, token, big](Pong &p) { inbox->add(Parley::Value(Pong{p.n + big[15]}), {}); });
        on<Unhandled>([inbox, token, big] { inbox->add(Parley::Value(Unhandled{}), {}); });
        on<Ping>([this, inbox, token, big](Ping &p) {
            inbox->add(Parley::Value(Ping{p.n + big[15]}), {});
            if (p.n == 0)
                complete(Parley::Ack{});
        });
    }
};

/// Logs one line at each level a user logs at.
class Chatty : public Parley::Machine
{
public:
    Chatty()
    {
        on<Parley::Start>([this] {
            debug("d");
            trace("t");
            console("c");
            warning("w");
            fault("f");
            complete(Parley::Ack{});
        });
    }
};

class tst_Machine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Every test runs on a threaded runtime and on a deterministic one: handlers, replies,
    // completion and drops are the runtime's logic and must not depend on threads or timing.
    void initTestCase_data() { addRuntimeRows(); }
    void init() { m_runtime = startRuntimeOfRow(m_sink); }
    void cleanup() { m_runtime.reset(); }

    void handlersGetTheirTypeAndReplyReachesTheSender()
    {
        auto inbox = std::make_shared<Inbox>();
        const auto rec = m_runtime->create<Recorder>(inbox);
        const auto echo = m_runtime->create<Echo>();
        // The recorder can't send, so let the echo reply to the recorder via forward.
        for (int i = 0; i < 5; ++i)
            m_runtime->send(Tell{rec}, echo);
        settle(*m_runtime);
        QTRY_COMPARE(inbox->count(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(inbox->at(i).message.get<Pong>().n, -1);
            QCOMPARE(inbox->at(i).from, m_runtime->address()); // forwarded "from" the runtime
        }
    }
    void sendAndForwardTakeAValueAsWellAsATypedMessage()
    {
        auto inbox = std::make_shared<Inbox>();
        const auto rec = m_runtime->create<Recorder>(inbox);
        const auto passer = m_runtime->create<Passer>(rec);
        m_runtime->send(Parley::Value(Ping{1}), passer); // the runtime's send(Value) too
        m_runtime->send(Pong{2}, passer);
        settle(*m_runtime);
        QTRY_COMPARE(inbox->types(), (QStringList{"Ping", "Pong"}));
        QCOMPARE(inbox->at(0).message.get<Ping>().n, 1);
        QCOMPARE(inbox->at(0).from, passer); // sent: from the passer
        QCOMPARE(inbox->at(1).message.get<Pong>().n, 2);
        QCOMPARE(inbox->at(1).from, m_runtime->address()); // forwarded: from the original sender
    }
    void eachLogCallWritesTheMarkerOfItsLevel()
    {
        const auto chatty = m_runtime->create<Chatty>();
        QVERIFY(finish(*m_runtime, chatty));
        QString markers;
        for (const Parley::Event &r : m_sink->records()) {
            if (r.object == chatty.last() && r.kind == Parley::EventKind::Text
                && r.text.size() == 1)
                markers += QLatin1Char(Parley::eventMarker(r)) + r.text;
        }
        QCOMPARE(markers, QStringLiteral("_d~t^c?w!f"));
    }
    void childCompletionReachesParentWithValue_data()
    {
        QTest::addColumn<bool>("useCallback");
        QTest::addColumn<int>("expected");
        QTest::newRow("Completed message") << false << 41;
        QTest::newRow("then() callback") << true << 42;
    }
    void childCompletionReachesParentWithValue()
    {
        QFETCH(bool, useCallback);
        QFETCH(int, expected);
        const auto parent = m_runtime->create<Parent>(useCallback);
        const auto v = finish(*m_runtime, parent);
        QVERIFY(v);
        QCOMPARE(v->get<Pong>().n, expected);
        settle(*m_runtime);
        QTRY_COMPARE(m_runtime->objectCount(), 0);
    }
    void handlersOfEveryCaptureSizeRunAndEndOnce()
    {
        auto inbox = std::make_shared<Inbox>();
        auto token = std::make_shared<int>(0);
        const auto m = m_runtime->create<Captures>(inbox, token);
        QVERIFY(token.use_count() > 1); // held by the handlers' captures
        m_runtime->send(Pong{1}, m);
        m_runtime->send(Unhandled{}, m);
        m_runtime->send(Ping{2}, m);
        m_runtime->send(Ping{0}, m);
        settle(*m_runtime);
        QTRY_COMPARE(inbox->types(), (QStringList{"Pong", "Unhandled", "Ping", "Ping"}));
        QCOMPARE(inbox->at(0).message.get<Pong>().n, 16);
        QCOMPARE(inbox->at(2).message.get<Ping>().n, 17); // the second Ping handler, not the first
        QCOMPARE(inbox->at(3).message.get<Ping>().n, 15);
        settle(*m_runtime);
        QTRY_COMPARE(m_runtime->objectCount(), 0);
        QTRY_COMPARE(token.use_count(), 1); // every capture destroyed, the replaced one too
    }
    void unknownHandlerTakesTheRest()
    {
        auto inbox = std::make_shared<Inbox>();
        const auto c = m_runtime->create<Catcher>(inbox);
        m_runtime->send(Unhandled{}, c);
        m_runtime->send(Ping{3}, c);
        settle(*m_runtime);
        QTRY_COMPARE(inbox->types(), (QStringList{"Unhandled", "Ping"}));
    }
    void unmatchedMessageIsLoggedAsDropped()
    {
        const auto echo = m_runtime->create<Echo>();
        m_runtime->send(Unhandled{}, echo);
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has({.kind = Parley::EventKind::Dropped,
                                 .level = Parley::LogLevel::Warning,
                                 .objectName = QStringLiteral("Echo"),
                                 .messageType = QStringLiteral("Unhandled"),
                                 .peer = echo,
                                 .dropReason = Parley::DropReason::NoHandler}));
        m_runtime->send(Ping{1}, echo); // still serving
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has({.kind = Parley::EventKind::Sent,
                                 .objectId = echo.last(),
                                 .messageType = QStringLiteral("Pong"),
                                 .peer = m_runtime->address()}));
    }
    void exceptionBecomesFaultedAndTheProcessKeepsRunning()
    {
        const auto echo = m_runtime->create<Echo>();
        m_runtime->send(Boom{}, echo);
        const auto v = finish(*m_runtime, echo);
        QVERIFY(v);
        QVERIFY(v->is<Parley::Faulted>());
        QCOMPARE(v->get<Parley::Faulted>().explanation, QStringLiteral("boom"));
        QVERIFY(m_sink->has({.kind = Parley::EventKind::Text,
                             .level = Parley::LogLevel::Fault,
                             .objectId = echo.last(),
                             .objectName = QStringLiteral("Echo"),
                             .textHas = QStringLiteral("boom")}));
        // Others carry on.
        const auto other = m_runtime->create<Parent>(true);
        QVERIFY(finish(*m_runtime, other));
    }
    void sendingToADestroyedObjectIsLoggedAndHarmless()
    {
        const auto echo = m_runtime->create<Echo>();
        m_runtime->send(Parley::Stop{}, echo);
        QVERIFY(finish(*m_runtime, echo));
        settle(*m_runtime);
        QTRY_VERIFY(!m_runtime->contains(echo));
        for (int i = 0; i < 3; ++i)
            m_runtime->send(Ping{i}, echo);
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has({.kind = Parley::EventKind::Dropped,
                                 .level = Parley::LogLevel::Warning,
                                 .objectId = m_runtime->address().last(),
                                 .messageType = QStringLiteral("Ping"),
                                 .peer = echo,
                                 .dropReason = Parley::DropReason::NoSuchObject}));
        m_runtime->send(Ping{1}, Parley::Address());
        settle(*m_runtime);
        QTRY_VERIFY(m_sink->has(
            {.kind = Parley::EventKind::Dropped, .dropReason = Parley::DropReason::NullAddress}));
    }
    void logShowsLifecycleInTheDocumentedFormat()
    {
        const auto parent = m_runtime->create<Parent>(false);
        QVERIFY(finish(*m_runtime, parent));
        const QRegularExpression created(QStringLiteral(
            R"(^\d\d:\d\d:\d\d\.\d\d\d \+ <[0-9a-f]{8}>Quick - Created by <[0-9a-f]{8}>$)"));
        const QRegularExpression destroyed(
            QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d\d\d X <[0-9a-f]{8}>Parent - Destroyed$)"));
        // wording checked on purpose: this test pins the documented text format.
        settle(*m_runtime);
        QTRY_VERIFY(!m_sink->lines().filter(destroyed).isEmpty());
        QVERIFY(!m_sink->lines().filter(created).isEmpty());
        QVERIFY(m_sink->contains(QStringLiteral("Received Start from <00000001>")));
    }

private:
    std::shared_ptr<CountingSink> m_sink;
    std::unique_ptr<Parley::Runtime> m_runtime;
};

QTEST_GUILESS_MAIN(tst_Machine)
#include "tst_machine.moc"
