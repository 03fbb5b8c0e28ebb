// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Which connection a message came through (Object::arrivedThrough()): nothing for a local
// message, the proxy Connected/Accepted named for a message from a peer, the last hop's proxy for
// a relayed one; a dispatcher that ties each connection to a session by it. And the notices that
// frame an accepted connection: Accepted is always followed by exactly one Closed or Abandoned,
// even when the peer's greeting and its bad frame arrive at once; no Accepted, no close notice.

#include "nettest.h"
#include "rawframes.h"

#include "net/frame_p.h"

#include <QtCore/QMutex>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <map>

using namespace Parley;
using namespace NetTest;
using namespace std::chrono_literals;

namespace {

const HostPort Loopback{QStringLiteral("127.0.0.1"), 0};

/// One message as a Witness saw it.
struct Seen
{
    Value message;
    Address from;    ///< returnAddress()
    Address through; ///< arrivedThrough()
};

/// What a Witness saw, shared with the test.
class Sightings
{
public:
    void add(Seen s)
    {
        QMutexLocker l(&m_lock);
        m_items.push_back(std::move(s));
    }
    /// Returns copies of the items of type \a T.
    template <class T>
    std::vector<Seen> of() const
    {
        QMutexLocker l(&m_lock);
        std::vector<Seen> out;
        for (const Seen &s : m_items) {
            if (s.message.is<T>())
                out.push_back(s);
        }
        return out;
    }
    template <class T>
    int count() const
    {
        return int(of<T>().size());
    }
    /// Returns the type names of everything seen, in order.
    QStringList types() const
    {
        QMutexLocker l(&m_lock);
        QStringList out;
        for (const Seen &s : m_items)
            out << QString::fromUtf8(s.message.typeName());
        return out;
    }
    std::vector<Seen> all() const
    {
        QMutexLocker l(&m_lock);
        return m_items;
    }

private:
    mutable QMutex m_lock;
    std::vector<Seen> m_items;
};

/// Asks a Witness to forward \a message to \a to as if it came from \a from.
struct DoForward
{
    Address to;
    Address from;
    Value message;
};
PARLEY_MESSAGE_AS(DoForward, "test.DoForward", to, from, message)

/// Records each message with its return address and arrivedThrough(); answers Query with Answer;
/// sends on Do, forwards on DoForward. \a onStart runs in its Start handler.
class Witness : public Machine
{
public:
    Witness(std::shared_ptr<Sightings> seen, Agent::StartHook onStart = {})
        : m_seen(std::move(seen))
    {
        on<Start>([this, onStart] {
            if (onStart)
                onStart(*this);
        });
        on<Do>([this](Do &d) { send(std::move(d.message), d.to); });
        on<DoForward>([this](DoForward &d) { forward(std::move(d.message), d.to, d.from); });
        on<Query>([this](Query &q) {
            record(Value(q));
            reply(Answer{q.n});
        });
        on<Stop>([this] { complete(Aborted{}); });
        onUnknown([this](Value &v) { record(v.take()); });
    }

private:
    void record(Value v) { m_seen->add({std::move(v), returnAddress(), arrivedThrough()}); }
    std::shared_ptr<Sightings> m_seen;
};

/// A session created per connection by listenAt(.session = ...): records like a Witness, and
/// first its SessionInfo::remoteAddress (as a Carry labelled "remoteAddress").
class SessionWitness : public Witness
{
public:
    SessionWitness(std::shared_ptr<Sightings> seen, const SessionInfo &info) : Witness(seen)
    {
        seen->add({Value(Carry{info.remoteAddress, QStringLiteral("remoteAddress")}), {}, {}});
    }
};

/// A dispatcher's sessions by connection (proxy), shared with the test.
class SessionTable
{
public:
    void insert(const Address &proxy, const Address &session)
    {
        QMutexLocker l(&m_lock);
        m_map[proxy] = session;
    }
    /// Removes the session of \a proxy and returns it (null when there is none).
    Address take(const Address &proxy)
    {
        QMutexLocker l(&m_lock);
        auto it = m_map.find(proxy);
        if (it == m_map.end())
            return {};
        const Address session = it->second;
        m_map.erase(it);
        return session;
    }
    /// Returns the session of the connection whose proxy is \a proxy, or null.
    Address sessionOf(const Address &proxy) const
    {
        QMutexLocker l(&m_lock);
        auto it = m_map.find(proxy);
        return it == m_map.end() ? Address() : it->second;
    }

private:
    mutable QMutex m_lock;
    std::map<Address, Address> m_map;
};

/// The "dispatcher plus one session per connection" pattern of docs/net.md: a Witness session
/// per accepted connection, fed by arrivedThrough(), stopped when its connection ends.
class Dispatcher : public Machine
{
public:
    Dispatcher(std::shared_ptr<Sightings> own, std::shared_ptr<Sightings> sessions,
               std::shared_ptr<SessionTable> table)
        : m_own(std::move(own)), m_sessions(std::move(sessions)), m_table(std::move(table))
    {
        on<Start>([this] { Parley::listenAt(*this, Loopback); });
        on<Listening>([this](Listening &l) { m_own->add({Value(l), returnAddress(), {}}); });
        on<Accepted>([this](Accepted &a) {
            // Accepted comes from the connection's proxy: the key of its session.
            m_table->insert(returnAddress(), create<Witness>(m_sessions));
            m_own->add({Value(a), returnAddress(), {}});
        });
        on<Query>([this](Query &q) {
            const Address session = m_table->sessionOf(arrivedThrough());
            if (!session.isNull())
                forward(q, session, returnAddress());
        });
        on<Closed>([this](Closed &c) { end(Value(c)); });
        on<Abandoned>([this](Abandoned &a) { end(Value(a)); });
        on<Completed>([] {});
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    void end(Value notice)
    {
        // Closed and Abandoned come from the proxy too.
        const Address session = m_table->take(returnAddress());
        if (!session.isNull())
            send(Stop{}, session);
        m_own->add({std::move(notice), returnAddress(), {}});
    }

    std::shared_ptr<Sightings> m_own, m_sessions;
    std::shared_ptr<SessionTable> m_table;
};

/// Returns a start hook that connects to \a at twice (two connections, one controller).
Agent::StartHook connectingTwice(HostPort at)
{
    return [at](Object &self) {
        Parley::connectTo(self, at);
        Parley::connectTo(self, at);
    };
}

quint16 boundPort(const Sightings &seen)
{
    return seen.of<Listening>().at(0).message.get<Listening>().bound.port;
}

/// Returns true once \a log has a record of a Connection (a proxy) being destroyed.
bool aConnectionWasDestroyed(const CountingSink &log)
{
    for (const Event &r : log.records()) {
        if (r.kind == EventKind::Destroyed && r.name == QLatin1String("Connection"))
            return true;
    }
    return false;
}

QByteArray preamble()
{
    QByteArray out;
    Wire::appendPreamble(out);
    return out;
}

/// A frame from the raw peer's object 77 to the server's controller.
QByteArray rawMessage(const Value &message)
{
    QByteArray out;
    QString error;
    if (!Wire::appendMessage(out, Address(1), Address(77), message, 1, 1 << 20, error))
        qWarning() << "appendMessage:" << error;
    return out;
}

} // namespace

class tst_Arrival : public QObject
{
    Q_OBJECT

private slots:
    void aLocalMessageArrivedThroughNothing();
    void aMessageFromAPeerArrivedThroughItsConnection();
    void aRelayedMessageArrivedThroughTheLastHop();
    void aSessionSeesItsOwnConnection();
    void aMessageForwardedHomeByAPeerReadsAsLocal();
    void aDispatcherTiesEachConnectionToASession();
    void acceptedIsAlwaysFollowedByOneEnd_data();
    void acceptedIsAlwaysFollowedByOneEnd();
    void connectedIsAlwaysFollowedByOneEnd_data();
    void connectedIsAlwaysFollowedByOneEnd();
};

// -- arrivedThrough() ----------------------------------------------------------------------------

void tst_Arrival::aLocalMessageArrivedThroughNothing()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto seen = std::make_shared<Sightings>();
    const Address witness = rt->create<Witness>(seen);
    const Address sender = rt->create<Witness>(std::make_shared<Sightings>());
    rt->send(TheSkyIsFalling{}, witness);            // from the runtime
    rt->send(Do{witness, Value(Query{1})}, sender);  // from an object
    rt->send(Do{witness, Value(Query{2})}, witness); // from itself
    QTRY_COMPARE(seen->count<TheSkyIsFalling>() + seen->count<Query>(), 3);
    for (const Seen &s : seen->all())
        QVERIFY2(s.through.isNull(), qPrintable(s.through.toString()));
    for (const Seen &s : seen->of<Query>())
        QCOMPARE(s.from, s.message.get<Query>().n == 1 ? sender : witness);
}

void tst_Arrival::aMessageFromAPeerArrivedThroughItsConnection()
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    auto serverRt = startRecordedRuntime(serverLog), clientRt = startRecordedRuntime(clientLog);
    auto server = std::make_shared<Sightings>(), client = std::make_shared<Sightings>();
    serverRt->create<Witness>(server, listening(Loopback));
    QTRY_COMPARE(server->count<Listening>(), 1);
    const Address agent
        = clientRt->create<Witness>(client, connectingTwice(loopback(boundPort(*server))));
    QTRY_COMPARE(client->count<Connected>(), 2);
    QTRY_COMPARE(server->count<Accepted>(), 2);

    // The connection's own notices come from this process: they arrived through nothing.
    for (const Seen &s : server->of<Accepted>())
        QVERIFY(s.through.isNull());
    for (const Seen &s : client->of<Connected>())
        QVERIFY(s.through.isNull());

    // One sender, two connections: each Query names the connection it came through, which is
    // the proxy its Accepted came from (matched by the client's port).
    const auto connected = client->of<Connected>();
    for (int i = 0; i < 2; ++i)
        clientRt->send(Do{connected[size_t(i)].from, Value(Query{i + 1})}, agent);
    QTRY_COMPARE(server->count<Query>(), 2);
    QTRY_COMPARE(client->count<Answer>(), 2);
    for (const Seen &q : server->of<Query>()) {
        const int i = q.message.get<Query>().n - 1;
        const quint16 clientPort = connected[size_t(i)].message.get<Connected>().local.port;
        Address accepted;
        for (const Seen &a : server->of<Accepted>()) {
            if (a.message.get<Accepted>().remote.port == clientPort)
                accepted = a.from;
        }
        QVERIFY(!accepted.isNull());
        QCOMPARE(q.through, accepted);
        QCOMPARE(q.from.last(), accepted.last()); // what arrivedThrough() names, by the rules
        QCOMPARE(q.from.size(), 2);
    }
    QVERIFY(server->of<Query>().at(0).through != server->of<Query>().at(1).through);

    // And the answers, on the client's side, name the client's proxies.
    for (const Seen &a : client->of<Answer>()) {
        const int i = a.message.get<Answer>().n - 1;
        QCOMPARE(a.through, connected[size_t(i)].from);
    }
}

void tst_Arrival::aRelayedMessageArrivedThroughTheLastHop()
{
    // A -> B -> C, three runtimes in this process: A's message to C's controller is relayed by B.
    std::shared_ptr<CountingSink> logA, logB, logC;
    auto rtA = startRecordedRuntime(logA), rtB = startRecordedRuntime(logB),
         rtC = startRecordedRuntime(logC);
    auto seenA = std::make_shared<Sightings>(), seenB = std::make_shared<Sightings>(),
         seenBC = std::make_shared<Sightings>(), seenC = std::make_shared<Sightings>();
    rtC->create<Witness>(seenC, listening(Loopback));
    rtB->create<Witness>(seenB, listening(Loopback));
    QTRY_COMPARE(seenC->count<Listening>(), 1);
    QTRY_COMPARE(seenB->count<Listening>(), 1);
    rtB->create<Witness>(seenBC, connecting(loopback(boundPort(*seenC))));
    const Address a = rtA->create<Witness>(seenA, connecting(loopback(boundPort(*seenB))));
    QTRY_COMPARE(seenBC->count<Connected>(), 1);
    QTRY_COMPARE(seenA->count<Connected>(), 1);
    QTRY_COMPARE(seenC->count<Accepted>(), 1);
    const Address bToC = seenBC->of<Connected>().at(0).from;
    const Address aToB = seenA->of<Connected>().at(0).from;
    const Address cAtA({bToC.last(), aToB.last()}); // C's controller, as A reaches it

    rtA->send(Do{cAtA, Value(Query{9})}, a);
    QTRY_COMPARE(seenC->count<Query>(), 1);
    const Seen q = seenC->of<Query>().at(0);
    QCOMPARE(q.through, seenC->of<Accepted>().at(0).from); // C's proxy to B: the last hop
    QCOMPARE(q.from.size(), 3);                            // [a, B's proxy to A, C's proxy to B]
    QCOMPARE(q.from.at(0), a.last());
    // The reply retraces the path and, at A, names A's proxy to B.
    QTRY_COMPARE(seenA->count<Answer>(), 1);
    QCOMPARE(seenA->of<Answer>().at(0).through, aToB);
}

void tst_Arrival::aSessionSeesItsOwnConnection()
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    auto serverRt = startRecordedRuntime(serverLog), clientRt = startRecordedRuntime(clientLog);
    auto server = std::make_shared<Sightings>(), sessions = std::make_shared<Sightings>(),
         client = std::make_shared<Sightings>();
    ConnectionOptions o;
    o.session = createFrame<SessionWitness>(sessions);
    serverRt->create<Witness>(server, listening(Loopback, o));
    QTRY_COMPARE(server->count<Listening>(), 1);
    const Address agent
        = clientRt->create<Witness>(client, connecting(loopback(boundPort(*server))));
    QTRY_COMPARE(client->count<Connected>(), 1);
    QTRY_COMPARE(server->count<Accepted>(), 1);
    clientRt->send(Do{client->of<Connected>().at(0).from, Value(Query{1})}, agent);
    QTRY_COMPARE(sessions->count<Query>(), 1);
    const Seen q = sessions->of<Query>().at(0);
    // arrivedThrough() names the proxy the session was given (SessionInfo::remoteAddress), not
    // the address Accepted came from (with a session, that is the session's own).
    QCOMPARE(sessions->count<Carry>(), 1);
    QCOMPARE(q.through, sessions->of<Carry>().at(0).message.get<Carry>().address);
    QVERIFY(q.through != server->of<Accepted>().at(0).from);
    QCOMPARE(q.from.last(), q.through.last());
}

void tst_Arrival::aMessageForwardedHomeByAPeerReadsAsLocal()
{
    // A's witness sends to B; B forwards the message back to A on behalf of A's witness: its
    // return address is A's own object again, so it reads as local although it came over the
    // connection (documented in docs/net.md).
    std::shared_ptr<CountingSink> logA, logB;
    auto rtA = startRecordedRuntime(logA), rtB = startRecordedRuntime(logB);
    auto seenA = std::make_shared<Sightings>(), seenB = std::make_shared<Sightings>();
    const Address b = rtB->create<Witness>(seenB, listening(Loopback));
    QTRY_COMPARE(seenB->count<Listening>(), 1);
    const Address a = rtA->create<Witness>(seenA, connecting(loopback(boundPort(*seenB))));
    QTRY_COMPARE(seenA->count<Connected>(), 1);
    QTRY_COMPARE(seenB->count<Accepted>(), 1);
    rtA->send(Do{seenA->of<Connected>().at(0).from, Value(TheSkyIsFalling{})}, a);
    QTRY_COMPARE(seenB->count<TheSkyIsFalling>(), 1);
    const Seen atB = seenB->of<TheSkyIsFalling>().at(0);
    QCOMPARE(atB.through, seenB->of<Accepted>().at(0).from);
    rtB->send(DoForward{atB.through, atB.from, Value(Query{3})}, b);
    QTRY_COMPARE(seenA->count<Query>(), 1);
    const Seen home = seenA->of<Query>().at(0);
    QCOMPARE(home.from, a);
    QVERIFY(home.through.isNull());
}

void tst_Arrival::aDispatcherTiesEachConnectionToASession()
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    auto serverRt = startRecordedRuntime(serverLog), clientRt = startRecordedRuntime(clientLog);
    auto own = std::make_shared<Sightings>(), sessions = std::make_shared<Sightings>(),
         client = std::make_shared<Sightings>();
    auto table = std::make_shared<SessionTable>();
    serverRt->create<Dispatcher>(own, sessions, table);
    QTRY_COMPARE(own->count<Listening>(), 1);
    const Address agent
        = clientRt->create<Witness>(client, connectingTwice(loopback(boundPort(*own))));
    QTRY_COMPARE(client->count<Connected>(), 2);
    QTRY_COMPARE(own->count<Accepted>(), 2);
    const auto connected = client->of<Connected>();
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 2; ++i)
            clientRt->send(Do{connected[size_t(i)].from, Value(Query{10 * i + round})}, agent);
    }
    // Each connection's queries reach its own session, in order, answered straight back.
    QTRY_COMPARE(sessions->count<Query>(), 6);
    QTRY_COMPARE(client->count<Answer>(), 6);
    std::map<Address, QList<int>> bySession;
    for (const Seen &q : sessions->of<Query>()) {
        const Address session = table->sessionOf(q.through);
        QVERIFY(!session.isNull());
        bySession[session].append(q.message.get<Query>().n);
    }
    QCOMPARE(int(bySession.size()), 2);
    QList<QList<int>> lists;
    for (const auto &[session, ns] : bySession)
        lists.append(ns);
    std::sort(lists.begin(), lists.end());
    QCOMPARE(lists.at(0), QList<int>({0, 1, 2}));
    QCOMPARE(lists.at(1), QList<int>({10, 11, 12}));

    // The first connection closes: its session ends, the other's stays.
    const Address proxyOfFirst = [&] {
        const quint16 port = connected[0].message.get<Connected>().local.port;
        for (const Seen &a : own->of<Accepted>()) {
            if (a.message.get<Accepted>().remote.port == port)
                return a.from;
        }
        return Address();
    }();
    QVERIFY(!proxyOfFirst.isNull());
    const Address first = table->sessionOf(proxyOfFirst);
    QVERIFY(!first.isNull());
    Address second;
    for (const auto &[session, ns] : bySession) {
        if (session != first)
            second = session;
    }
    clientRt->send(Do{connected[0].from, Value(Close{})}, agent);
    QTRY_COMPARE(own->count<Abandoned>(), 1);
    QCOMPARE(own->of<Abandoned>().at(0).from, proxyOfFirst);
    QTRY_VERIFY(!serverRt->contains(first));
    QVERIFY(serverRt->contains(second));
    QVERIFY(table->sessionOf(proxyOfFirst).isNull());
}

// -- Accepted and the end that follows it ---------------------------------------------------------

void tst_Arrival::acceptedIsAlwaysFollowedByOneEnd_data()
{
    QTest::addColumn<QByteArray>("bytes"); // written at once, right after connecting
    QTest::addColumn<bool>("thenEnd");     // the raw peer closes its side right after them
    QTest::addColumn<bool>("session");
    QTest::addColumn<QStringList>("expected"); // what the server's controller hears, in order

    const QByteArray badFrame = RawFrames::rawFrame(9, 0, 0, 0, 0, {}); // unknown frame kind
    const QString accepted = QStringLiteral("Accepted");
    const QString closed = QStringLiteral("Closed");
    const QString abandoned = QStringLiteral("Abandoned");
    const QString blob = QStringLiteral("Blob");
    for (bool session : {false, true}) {
        const char *tag = session ? " (session)" : "";
        QTest::addRow("greeting and a bad frame at once%s", tag)
            << preamble() + badFrame << false << session << QStringList{accepted, closed};
        // With a session the Blob goes to the session, not the controller.
        QTest::addRow("greeting, a message and a bad frame at once%s", tag)
            << preamble() + rawMessage(Value(Blob{1, "x"})) + badFrame << false << session
            << (session ? QStringList{accepted, closed} : QStringList{accepted, blob, closed});
        QTest::addRow("greeting and the end of the stream at once%s", tag)
            << preamble() << true << session << QStringList{accepted, abandoned};
        QTest::addRow("greeting, a bad frame and the end at once%s", tag)
            << preamble() + badFrame << true << session << QStringList{accepted, closed};
        QTest::addRow("a bad preamble%s", tag)
            << QByteArray("GET / HTTP/1.1\r\n\r\n") << false << session << QStringList{};
        QTest::addRow("half a preamble and the end%s", tag)
            << preamble().left(3) << true << session << QStringList{};
    }
}

void tst_Arrival::acceptedIsAlwaysFollowedByOneEnd()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, thenEnd);
    QFETCH(bool, session);
    QFETCH(QStringList, expected);
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto seen = std::make_shared<Sightings>(), sessions = std::make_shared<Sightings>();
    ConnectionOptions o;
    if (session)
        o.session = createFrame<SessionWitness>(sessions);
    const Address server = rt->create<Witness>(seen, listening(Loopback, o));
    QTRY_COMPARE(seen->count<Listening>(), 1);

    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, boundPort(*seen));
    QVERIFY(raw.waitForConnected(5000));
    raw.write(bytes);
    if (thenEnd)
        raw.disconnectFromHost(); // writes what it holds, then ends the stream
    // The server's proxy ends (its notices are sent before that); then a marker sent to the
    // controller arrives after anything the proxy sent it.
    QTRY_VERIFY_WITH_TIMEOUT(aConnectionWasDestroyed(*log), 10000);
    rt->send(TheSkyIsFalling{}, server);
    QTRY_COMPARE(seen->count<TheSkyIsFalling>(), 1);

    QStringList heard = seen->types();
    heard.removeAll(QStringLiteral("Listening"));
    heard.removeAll(QStringLiteral("TheSkyIsFalling"));
    QCOMPARE(heard, expected);
    if (expected.isEmpty())
        return;
    // Accepted and its end come from one address: the proxy, or the session when there is one.
    const auto all = seen->all();
    Address from;
    for (const Seen &s : all) {
        if (s.message.is<Accepted>())
            from = s.from;
    }
    for (const Seen &s : all) {
        if (s.message.is<Closed>() || s.message.is<Abandoned>())
            QCOMPARE(s.from, from);
    }
    if (const auto c = seen->of<Closed>(); !c.empty()) {
        QCOMPARE(c[0].message.get<Closed>().reason, EndOfTransport::InboundStreaming);
        QVERIFY(c[0].message.isFault());
    }
}

void tst_Arrival::connectedIsAlwaysFollowedByOneEnd_data()
{
    QTest::addColumn<QByteArray>("bytes"); // what a raw server writes at once on accepting
    QTest::addColumn<bool>("thenEnd");     // it closes its side right after them
    QTest::addColumn<QStringList>("expected");

    const QByteArray badFrame = RawFrames::rawFrame(9, 0, 0, 0, 0, {});
    const QString connected = QStringLiteral("Connected");
    const QString notConnected = QStringLiteral("NotConnected");
    QTest::newRow("greeting and a bad frame at once")
        << preamble() + badFrame << false << QStringList{connected, QStringLiteral("Closed")};
    QTest::newRow("greeting, a bad frame and the end at once")
        << preamble() + badFrame << true << QStringList{connected, QStringLiteral("Closed")};
    QTest::newRow("greeting and the end at once")
        << preamble() << true << QStringList{connected, QStringLiteral("Abandoned")};
    QTest::newRow("a bad preamble")
        << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n") << false << QStringList{notConnected};
    QTest::newRow("the end before a greeting") << QByteArray() << true << QStringList{notConnected};
}

void tst_Arrival::connectedIsAlwaysFollowedByOneEnd()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, thenEnd);
    QFETCH(QStringList, expected);
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto seen = std::make_shared<Sightings>();
    ConnectionOptions o;
    o.heartbeatInterval = 0ms;
    const Address client = rt->create<Witness>(seen, connecting(loopback(raw.serverPort()), o));
    QTRY_VERIFY(raw.hasPendingConnections());
    QTcpSocket *s = raw.nextPendingConnection();
    s->write(bytes);
    if (thenEnd)
        s->disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(aConnectionWasDestroyed(*log), 10000);
    rt->send(TheSkyIsFalling{}, client);
    QTRY_COMPARE(seen->count<TheSkyIsFalling>(), 1);
    QStringList heard = seen->types();
    heard.removeAll(QStringLiteral("TheSkyIsFalling"));
    QCOMPARE(heard, expected);
}

QTEST_GUILESS_MAIN(tst_Arrival)
#include "tst_arrival.moc"
