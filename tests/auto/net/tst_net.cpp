// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Listening, connecting, multiplexing, address aliasing, relaying, closing and sessions over
// loopback TCP, with client and server in one process (separate runtimes where it matters).

#include "nettest.h"
#include "rawframes.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace Parley;
using namespace NetTest;
using namespace std::chrono_literals;

namespace {

const HostPort Loopback{QStringLiteral("127.0.0.1"), 0};

/// A server and a client agent connected over loopback, each with its own runtime.
struct Pair
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    std::unique_ptr<Runtime> serverRuntime, clientRuntime;
    std::shared_ptr<Inbox> server = std::make_shared<Inbox>();
    std::shared_ptr<Inbox> client = std::make_shared<Inbox>();
    Address serverAgent, clientAgent;
    Address proxy;    ///< the client's proxy: Connected's return address
    Address accepted; ///< the server's proxy: Accepted's return address
    quint16 port = 0;

    /// Listens and connects; returns false (with a QTest failure) when either fails.
    bool open(ConnectionOptions serverOptions = {}, ConnectionOptions clientOptions = {},
              bool answer = false)
    {
        serverRuntime = startRecordedRuntime(serverLog);
        clientRuntime = startRecordedRuntime(clientLog);
        serverAgent
            = serverRuntime->create<Agent>(server, listening(Loopback, serverOptions), answer);
        [&] { QTRY_COMPARE(countOf<Listening>(*server), 1); }();
        if (QTest::currentTestFailed())
            return false;
        port = first<Listening>(*server).message.get<Listening>().bound.port;
        const HostPort at{QStringLiteral("127.0.0.1"), port};
        clientAgent = clientRuntime->create<Agent>(client, connecting(at, clientOptions));
        [&] {
            QTRY_COMPARE(countOf<Connected>(*client), 1);
            QTRY_COMPARE(countOf<Accepted>(*server), 1);
        }();
        if (QTest::currentTestFailed())
            return false;
        proxy = first<Connected>(*client).from;
        accepted = first<Accepted>(*server).from;
        return true;
    }
};

} // namespace

class tst_Net : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void init();
    void listenReportsTheBoundPort();
    void listenTwiceOnOnePortIsInUse();
    void listenAtABadAddressFails();
    void connectToAClosedPortIsRefused();
    void connectToAnUnknownHostIsNameNotFound();
    void connectedAndAcceptedComeFromTheProxies();
    void theBareProxyAddressReachesTheRemoteController();
    void repliesReachTheirSendersOutOfOrder();
    void theServerPushesAtAnyTime();
    void addressesInsideBodiesAreUsableAndGoHome();
    void relayPassesBodiesWithoutDecoding();
    void closeDeliversEverythingQueuedFirst();
    void aKilledPeerIsAbandonedAtOnce();
    void aSilentPeerGoesStale();
    void anAcceptingSideWaitsLongerToPing();
    void aPeerThatStopsReadingIsRefusedThenDropped();
    void sessionsStartPerConnectionAndCloseIt();
    void aMessageOverTheFrameLimitFailsOnlyItself();
    void ipv6AndHostNamesWork();
    void aListenerAtItsLimitRefusesMore();
    void aRequestPendingOnABrokenConnectionEndsWithTheBreak();
};

void tst_Net::initTestCase_data()
{
    addEncryptionRows();
}

void tst_Net::init()
{
    useRowEncryption();
}

void tst_Net::listenReportsTheBoundPort()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    rt->create<Agent>(inbox, listening(Loopback));
    QTRY_COMPARE(inbox->count(), 1);
    const auto l = inbox->at(0).message.get<Listening>();
    QCOMPARE(l.requested.port, quint16(0));
    QVERIFY(l.bound.port != 0);
    QCOMPARE(l.bound.host, QStringLiteral("127.0.0.1"));
}

void tst_Net::listenTwiceOnOnePortIsInUse()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    rt->create<Agent>(inbox, listening(Loopback));
    QTRY_COMPARE(inbox->count(), 1);
    const HostPort bound = inbox->at(0).message.get<Listening>().bound;
    auto second = std::make_shared<Inbox>();
    rt->create<Agent>(second, listening(bound));
    QTRY_COMPARE(second->count(), 1);
    QVERIFY(second->at(0).message.is<NotListening>());
    const auto nl = second->at(0).message.get<NotListening>();
    QCOMPARE(nl.reason, ListenError::AddressInUse);
    QVERIFY2(nl.text.contains(QStringLiteral("in use")), qPrintable(nl.text));
    QCOMPARE(nl.requested, bound);
}

void tst_Net::listenAtABadAddressFails()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    // 192.0.2.1 (TEST-NET-1) is not an address of this host.
    rt->create<Agent>(inbox, listening(HostPort{QStringLiteral("192.0.2.1"), 0}));
    QTRY_COMPARE(inbox->count(), 1);
    QVERIFY(inbox->at(0).message.is<NotListening>());
    QCOMPARE(inbox->at(0).message.get<NotListening>().reason, ListenError::BadAddress);
}

void tst_Net::connectToAClosedPortIsRefused()
{
    // Find a port nobody listens on: bind one, then close it.
    quint16 port;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        port = s.serverPort();
    }
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    const int before = rt->objectCount();
    rt->create<Agent>(inbox, connecting(loopback(port)));
    QTRY_COMPARE(inbox->count(), 1);
    QVERIFY(inbox->at(0).message.is<NotConnected>());
    const auto nc = inbox->at(0).message.get<NotConnected>();
    QCOMPARE(nc.reason, ConnectError::Refused);
    QVERIFY2(nc.text.contains(QStringLiteral("refused")), qPrintable(nc.text));
    // Nothing is left behind: only the agent remains.
    QTRY_COMPARE(rt->objectCount(), before + 1);
}

void tst_Net::connectToAnUnknownHostIsNameNotFound()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    rt->create<Agent>(inbox, connecting(HostPort{QStringLiteral("no-such-host.invalid"), 80}));
    QTRY_COMPARE_WITH_TIMEOUT(inbox->count(), 1, 20000);
    QVERIFY(inbox->at(0).message.is<NotConnected>());
    QCOMPARE(inbox->at(0).message.get<NotConnected>().reason, ConnectError::NameNotFound);
}

void tst_Net::connectedAndAcceptedComeFromTheProxies()
{
    Pair p;
    QVERIFY(p.open());
    const auto c = first<Connected>(*p.client).message.get<Connected>();
    QCOMPARE(c.remote.port, p.port);
    QCOMPARE(c.requested.port, p.port);
    QVERIFY(c.local.port != 0);
    const auto a = first<Accepted>(*p.server).message.get<Accepted>();
    QCOMPARE(a.remote.port, c.local.port);
    QCOMPARE(a.listening.port, p.port);
    // The return addresses are the local proxies, one hop each.
    QCOMPARE(p.proxy.size(), 1);
    QCOMPARE(p.accepted.size(), 1);
    QVERIFY(p.clientRuntime->contains(p.proxy));
    QVERIFY(p.serverRuntime->contains(p.accepted));
}

void tst_Net::theBareProxyAddressReachesTheRemoteController()
{
    Pair p;
    QVERIFY(p.open({}, {}, /*answer=*/true));
    p.clientRuntime->send(Do{p.proxy, Value(Query{7})}, p.clientAgent);
    QTRY_COMPARE(countOf<Query>(*p.server), 1);
    // At the server the request comes from the client agent, one hop behind the server's proxy.
    const Received r = first<Query>(*p.server);
    QCOMPARE(r.from, Address({p.clientAgent.last(), p.accepted.last()}));
    // The server's reply finds the client agent (not the client's controller by accident: it is
    // the same object here, so check the address the reply came from).
    QTRY_COMPARE(countOf<Answer>(*p.client), 1);
    const Received back = first<Answer>(*p.client);
    QCOMPARE(back.message.get<Answer>().n, 7);
    QCOMPARE(back.from, Address({p.serverAgent.last(), p.proxy.last()}));
}

void tst_Net::repliesReachTheirSendersOutOfOrder()
{
    Pair p;
    QVERIFY(p.open());
    // Three objects share the client's one connection.
    std::vector<std::shared_ptr<Inbox>> inboxes;
    std::vector<Address> workers;
    for (int i = 0; i < 3; ++i) {
        inboxes.push_back(std::make_shared<Inbox>());
        workers.push_back(p.clientRuntime->create<Agent>(inboxes.back()));
        p.clientRuntime->send(Do{p.proxy, Value(Query{i})}, workers.back());
    }
    QTRY_COMPARE(countOf<Query>(*p.server), 3);
    // The server answers in reverse order of arrival.
    std::vector<Received> requests;
    for (int i = 0; i < p.server->count(); ++i) {
        if (p.server->at(i).message.is<Query>())
            requests.push_back(p.server->at(i));
    }
    for (auto it = requests.rbegin(); it != requests.rend(); ++it)
        p.serverRuntime->send(Do{it->from, Value(Answer{it->message.get<Query>().n})},
                              p.serverAgent);
    for (int i = 0; i < 3; ++i) {
        QTRY_COMPARE(inboxes[size_t(i)]->count(), 1);
        QCOMPARE(inboxes[size_t(i)]->at(0).message.get<Answer>().n, i);
    }
    QCOMPARE(countOf<Answer>(*p.client), 0);
}

void tst_Net::theServerPushesAtAnyTime()
{
    Pair p;
    QVERIFY(p.open());
    // A client request stays outstanding while the server pushes.
    p.clientRuntime->send(Do{p.proxy, Value(Query{1})}, p.clientAgent);
    QTRY_COMPARE(countOf<Query>(*p.server), 1);
    for (int i = 0; i < 3; ++i)
        p.serverRuntime->send(Do{p.accepted, Value(TheSkyIsFalling{})}, p.serverAgent);
    QTRY_COMPARE(countOf<TheSkyIsFalling>(*p.client), 3);
    QCOMPARE(first<TheSkyIsFalling>(*p.client).from,
             Address({p.serverAgent.last(), p.proxy.last()}));
}

void tst_Net::addressesInsideBodiesAreUsableAndGoHome()
{
    Pair p;
    QVERIFY(p.open());
    auto otherInbox = std::make_shared<Inbox>();
    const Address other = p.clientRuntime->create<Agent>(otherInbox);
    // The client hands the server the address of another client object.
    p.clientRuntime->send(Do{p.proxy, Value(Carry{other, QStringLiteral("there")})}, p.clientAgent);
    QTRY_COMPARE(countOf<Carry>(*p.server), 1);
    const Address carried = first<Carry>(*p.server).message.get<Carry>().address;
    QCOMPARE(carried, Address({other.last(), p.accepted.last()}));
    // Usable on the server's side: a message sent to it reaches the other object.
    p.serverRuntime->send(Do{carried, Value(Query{5})}, p.serverAgent);
    QTRY_COMPARE(otherInbox->count(), 1);
    QCOMPARE(otherInbox->at(0).message.get<Query>().n, 5);
    // Sent back, it arrives home as the local address it started as.
    p.serverRuntime->send(Do{p.accepted, Value(Carry{carried, QStringLiteral("back")})},
                          p.serverAgent);
    QTRY_COMPARE(countOf<Carry>(*p.client), 1);
    QCOMPARE(first<Carry>(*p.client).message.get<Carry>().address, other);
    // And the client's own proxy address, sent over and back, names the proxy again.
    p.clientRuntime->send(Do{p.proxy, Value(Carry{p.proxy, QStringLiteral("proxy")})},
                          p.clientAgent);
    QTRY_COMPARE(countOf<Carry>(*p.server), 2);
    const Address proxyThere
        = p.server->at(indexOf<Carry>(*p.server, indexOf<Carry>(*p.server) + 1))
              .message.get<Carry>()
              .address;
    // The client's proxy is the server's way back to the server's own controller: the address
    // goes home and, with nothing left, names the server's controller.
    QCOMPARE(proxyThere, p.serverAgent);
}

void tst_Net::relayPassesBodiesWithoutDecoding()
{
    // A -> B -> C, three runtimes. C listens, B connects to C and listens, A connects to B.
    std::shared_ptr<CountingSink> logA, logB, logC;
    auto rtA = startRecordedRuntime(logA), rtB = startRecordedRuntime(logB),
         rtC = startRecordedRuntime(logC);
    auto inA = std::make_shared<Inbox>(), inB = std::make_shared<Inbox>(),
         inC = std::make_shared<Inbox>();
    const Address c = rtC->create<Agent>(inC, listening(Loopback), /*answer=*/true);
    QTRY_COMPARE(countOf<Listening>(*inC), 1);
    const HostPort atC{QStringLiteral("127.0.0.1"),
                       first<Listening>(*inC).message.get<Listening>().bound.port};
    const Address b = rtB->create<Agent>(inB, [atC](Object &self) {
        Parley::connectTo(self, atC, variant());
        Parley::listenAt(self, Loopback, variant());
    });
    QTRY_COMPARE(countOf<Connected>(*inB), 1);
    QTRY_COMPARE(countOf<Listening>(*inB), 1);
    const Address bToC = first<Connected>(*inB).from;
    const HostPort atB{QStringLiteral("127.0.0.1"),
                       first<Listening>(*inB).message.get<Listening>().bound.port};
    const Address a = rtA->create<Agent>(inA, connecting(atB));
    QTRY_COMPARE(countOf<Connected>(*inA), 1);
    QTRY_COMPARE(countOf<Accepted>(*inB), 1);
    const Address aToB = first<Connected>(*inA).from;
    const Address bToA = first<Accepted>(*inB).from;

    // C makes itself known to B, so B learns the address of C's agent (behind B's proxy to C).
    QTRY_COMPARE(countOf<Accepted>(*inC), 1);
    rtC->send(Do{first<Accepted>(*inC).from, Value(TheSkyIsFalling{})}, c);
    QTRY_COMPARE(countOf<TheSkyIsFalling>(*inB), 1);
    const Address cAtB = first<TheSkyIsFalling>(*inB).from;
    QCOMPARE(cAtB, Address({c.last(), bToC.last()}));
    // B hands that address to A.
    rtB->send(Do{bToA, Value(Carry{cAtB, QStringLiteral("C")})}, b);
    QTRY_COMPARE(countOf<Carry>(*inA), 1);
    const Address cAtA = first<Carry>(*inA).message.get<Carry>().address;
    QCOMPARE(cAtA, Address({c.last(), bToC.last(), aToB.last()}));

    // A sends a request to C; C answers; the reply retraces the path to A.
    const RecordPattern relayed{.kind = EventKind::Relayed};
    const int relayedBefore = logB->count(relayed);
    rtA->send(Do{cAtA, Value(Query{42})}, a);
    QTRY_COMPARE(countOf<Query>(*inC), 1);
    QCOMPARE(first<Query>(*inC).from.size(), 3);
    QTRY_COMPARE(countOf<Answer>(*inA), 1);
    QCOMPARE(first<Answer>(*inA).message.get<Answer>().n, 42);
    // C's address at A: C, B's proxy to C, A's proxy to B.
    QCOMPARE(first<Answer>(*inA).from, Address({c.last(), bToC.last(), aToB.last()}));
    // B saw both frames only as relays: neither the request nor the reply was decoded there.
    QTRY_VERIFY(logB->count(relayed) >= relayedBefore + 2);
    QCOMPARE(logB->count({.kind = EventKind::Received, .messageType = QStringLiteral("Query")}), 0);
    QCOMPARE(logB->count({.kind = EventKind::Received, .messageType = QStringLiteral("Answer")}),
             0);
    QCOMPARE(countOf<Query>(*inB), 0);
}

void tst_Net::closeDeliversEverythingQueuedFirst()
{
    Pair p;
    QVERIFY(p.open());
    // 1000 messages then Close, all from the client's controller: one mailbox, in order.
    for (int i = 0; i < 1000; ++i)
        p.clientRuntime->send(Do{p.proxy, Value(Query{i})}, p.clientAgent);
    p.clientRuntime->send(Do{p.proxy, Value(Close{Value(Ack{})})}, p.clientAgent);
    QTRY_COMPARE(countOf<Closed>(*p.client), 1);
    QTRY_COMPARE(countOf<Abandoned>(*p.server), 1);
    QCOMPARE(countOf<Query>(*p.server), 1000);
    int expected = 0;
    for (int i = 0; i < p.server->count(); ++i) {
        const Received r = p.server->at(i);
        if (r.message.is<Query>())
            QCOMPARE(r.message.get<Query>().n, expected++);
    }
    const auto closed = first<Closed>(*p.client).message.get<Closed>();
    QCOMPARE(closed.reason, EndOfTransport::OnRequest);
    QVERIFY(closed.value.is<Ack>());
    QCOMPARE(first<Abandoned>(*p.server).message.get<Abandoned>().reason,
             EndOfTransport::AbandonedByRemote);
    // Both proxies are gone.
    QTRY_VERIFY(!p.clientRuntime->contains(p.proxy));
    QTRY_VERIFY(!p.serverRuntime->contains(p.accepted));
}

void tst_Net::aKilledPeerIsAbandonedAtOnce()
{
    QProcess peer;
    peer.setProgram(QCoreApplication::applicationDirPath() + QStringLiteral("/netpeer"));
    peer.setProcessChannelMode(QProcess::SeparateChannels);
    peer.start();
    QVERIFY2(peer.waitForStarted(10000), qPrintable(peer.errorString()));
    QVERIFY(peer.waitForReadyRead(10000));
    bool ok = false;
    const quint16 port = QString::fromUtf8(peer.readLine()).trimmed().toUShort(&ok);
    QVERIFY(ok && port != 0);

    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    // Heartbeats off: the only way to learn of the kill is the socket itself (EOF or RST), so
    // "at once" needs no clock; a generous timeout only catches a hang.
    ConnectionOptions noHeartbeats;
    noHeartbeats.heartbeatInterval = 0ms;
    rt->create<Agent>(inbox, connecting(loopback(port), noHeartbeats));
    QTRY_COMPARE(countOf<Connected>(*inbox), 1);
    peer.kill();
    QTRY_COMPARE_WITH_TIMEOUT(countOf<Abandoned>(*inbox), 1, 30000);
    QCOMPARE(first<Abandoned>(*inbox).message.get<Abandoned>().reason,
             EndOfTransport::AbandonedByRemote);
    peer.waitForFinished();
}

void tst_Net::aSilentPeerGoesStale()
{
    if (encryptedVariant())
        QSKIP("the peer is a raw socket speaking the plain wire format");
    // A raw server that greets and then says nothing, ever.
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    ConnectionOptions o;
    o.heartbeatInterval = 50ms;
    o.heartbeatTimeout = 300ms;
    const quint16 port = raw.serverPort();
    rt->create<Agent>(inbox, connecting(loopback(port), o));
    QTRY_VERIFY(raw.hasPendingConnections());
    QTcpSocket *s = raw.nextPendingConnection();
    // Keep everything the client sends, as it arrives: what is still unread when the client
    // aborts could be lost with the reset.
    QByteArray received = s->readAll();
    connect(s, &QTcpSocket::readyRead, s, [&] { received += s->readAll(); });
    s->write(QByteArray("PRLY\x02\x00\x00\x00", 8)); // version 2, plain
    QTRY_COMPARE(countOf<Connected>(*inbox), 1);
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(countOf<Abandoned>(*inbox), 1, 30000);
    QCOMPARE(first<Abandoned>(*inbox).message.get<Abandoned>().reason, EndOfTransport::WentStale);
    // Not before the timeout (a lower bound: a busy machine only makes it later).
    QVERIFY(clock.elapsed() >= 250);
    // It was asked: pings went out before it was given up. The client's preamble, then nothing
    // but ping frames (kind 2): the raw server never spoke again, so there was nothing else to say.
    QTRY_VERIFY(s->state() != QAbstractSocket::ConnectedState);
    received += s->readAll();
    QVERIFY2(received.startsWith("PRLY"), received.toHex().constData());
    const std::vector<quint8> kinds = RawFrames::frameKinds(received);
    QVERIFY2(!kinds.empty(),
             qPrintable(QStringLiteral("no frame in %1 bytes: %2")
                            .arg(received.size())
                            .arg(QString::fromLatin1(received.toHex()))));
    for (quint8 kind : kinds)
        QCOMPARE(kind, quint8(2));
}

void tst_Net::anAcceptingSideWaitsLongerToPing()
{
    if (encryptedVariant())
        QSKIP("the peer is a raw socket speaking the plain wire format");
    // Between two quiet ends only the connecting side pings; the accepting side pings after
    // half an interval more, so a connecting side that does not ping still gets its pings,
    // answered, and a silent one is still found stale.
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto server = std::make_shared<Inbox>();
    ConnectionOptions o;
    o.heartbeatInterval = 200ms;
    o.heartbeatTimeout = 2000ms;
    rt->create<Agent>(server, listening(Loopback, o));
    QTRY_COMPARE(server->count(), 1);
    const quint16 port = server->at(0).message.get<Listening>().bound.port;

    // A raw client that greets, answers every ping, and never pings itself.
    QTcpSocket raw;
    QByteArray received;
    QList<qint64> pingsAt; // ms after the greeting
    QElapsedTimer clock;
    connect(&raw, &QTcpSocket::readyRead, &raw, [&] {
        received += raw.readAll();
        if (!received.startsWith("PRLY") || received.size() < 8)
            return;
        const std::vector<quint8> kinds = RawFrames::frameKinds(received);
        while (pingsAt.size() < qsizetype(kinds.size())) {
            QCOMPARE(kinds[size_t(pingsAt.size())], quint8(2));
            pingsAt.append(clock.elapsed());
            QByteArray pong(12, '\0'); // a pong: length 8, kind 3, the rest zero
            pong[0] = 8;
            pong[4] = 3;
            raw.write(pong);
        }
    });
    raw.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(raw.waitForConnected(10000));
    clock.start();
    raw.write(QByteArray("PRLY\x02\x00\x00\x00", 8)); // version 2, plain
    QTRY_COMPARE(countOf<Accepted>(*server), 1);
    QTRY_COMPARE_WITH_TIMEOUT(pingsAt.size(), 3, 30000);
    // Not before one and a half intervals of silence (lower bounds: a busy machine only makes
    // them later). The connecting side's own ping would have come after one interval.
    QVERIFY2(pingsAt[0] >= 280, qPrintable(QString::number(pingsAt[0])));
    QVERIFY2(pingsAt[1] - pingsAt[0] >= 280, qPrintable(QString::number(pingsAt[1])));
    // Answered, so the link stays up (the timeout is 2 s; three pings took at least 0.84 s).
    QCOMPARE(countOf<Abandoned>(*server), 0);
    QVERIFY(raw.state() == QAbstractSocket::ConnectedState);
}

void tst_Net::aPeerThatStopsReadingIsRefusedThenDropped()
{
    if (encryptedVariant())
        QSKIP("the peer is a raw socket speaking the plain wire format");
    // A raw server that greets and then never reads.
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    ConnectionOptions o;
    o.sendQueueBytes = 256 << 10;
    o.stallTimeout = 500ms;
    o.heartbeatInterval = 0ms;
    const quint16 port = raw.serverPort();
    const Address agent = rt->create<Agent>(inbox, connecting(loopback(port), o));
    QTRY_VERIFY(raw.hasPendingConnections());
    QTcpSocket *s = raw.nextPendingConnection();
    s->setReadBufferSize(1);                         // stop reading after the first byte
    s->write(QByteArray("PRLY\x02\x00\x00\x00", 8)); // version 2, plain
    QTRY_COMPARE(countOf<Connected>(*inbox), 1);
    const Address proxy = first<Connected>(*inbox).from;
    // Push 64 KiB blobs until the queue refuses: the kernel buffers fill, then Parley's queue.
    // (The blobs share one buffer; 400 of them, 25 MiB, are far more than the kernel buffers
    // and the 256 KiB queue hold.)
    const QByteArray bytes(64 << 10, 'x');
    for (int i = 0; i < 400 && countOf<SendFailed>(*inbox) == 0; ++i)
        rt->send(Do{proxy, Value(Blob{i, bytes})}, agent);
    QTRY_VERIFY_WITH_TIMEOUT(countOf<SendFailed>(*inbox) >= 1, 30000);
    const auto f = first<SendFailed>(*inbox).message.get<SendFailed>();
    QCOMPARE(f.reason, DropReason::QueueFull);
    QVERIFY2(f.note.contains(QStringLiteral("send queue is full")), qPrintable(f.note));
    QVERIFY(f.message.is<Blob>()); // handed back
    // Keep the peer's buffers full: push again whenever the connection says its queue drained
    // (the kernel took more), until the kernel buffers are full too. Then nothing drains and,
    // after stallTimeout with bytes waiting, the peer is dropped, with the reason. Each round
    // waits for a refusal, asks for Drained, and waits for it or Closed: the connection's own
    // messages pace the test.
    int rounds = 0;
    while (countOf<Closed>(*inbox) == 0) {
        QVERIFY2(++rounds <= 100, "the queue keeps draining: does the peer read after all?");
        const int refused = countOf<SendFailed>(*inbox), drained = countOf<Drained>(*inbox);
        for (int i = 0; i < 400 && countOf<SendFailed>(*inbox) == refused; ++i)
            rt->send(Do{proxy, Value(Blob{i, bytes})}, agent);
        QTRY_VERIFY_WITH_TIMEOUT(
            countOf<SendFailed>(*inbox) > refused || countOf<Closed>(*inbox) > 0, 30000);
        rt->send(Do{proxy, Value(WhenDrained{})}, agent);
        QTRY_VERIFY_WITH_TIMEOUT(countOf<Drained>(*inbox) > drained || countOf<Closed>(*inbox) > 0,
                                 30000);
    }
    QCOMPARE(countOf<Closed>(*inbox), 1);
    QCOMPARE(first<Closed>(*inbox).message.get<Closed>().reason, EndOfTransport::StoppedReading);
    QTRY_VERIFY(!rt->contains(proxy));
}

namespace {

/// Answers each Query with a Answer, then completes with the count it answered.
class EchoSession : public Machine
{
public:
    EchoSession(int limit, const SessionInfo &info) : m_limit(limit), m_info(info)
    {
        on<Query>([this](Query &r) {
            reply(Answer{r.n});
            if (++m_count == m_limit)
                complete(Answer{m_count});
        });
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    int m_limit;
    int m_count = 0;
    SessionInfo m_info;
};

} // namespace

void tst_Net::sessionsStartPerConnectionAndCloseIt()
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    auto serverRt = startRecordedRuntime(serverLog), clientRt = startRecordedRuntime(clientLog);
    auto server = std::make_shared<Inbox>();
    ConnectionOptions so;
    so.session = createFrame<EchoSession>(2);
    serverRt->create<Agent>(server, listening(Loopback, so));
    QTRY_COMPARE(countOf<Listening>(*server), 1);
    const HostPort at{QStringLiteral("127.0.0.1"),
                      first<Listening>(*server).message.get<Listening>().bound.port};
    std::vector<std::shared_ptr<Inbox>> clients;
    std::vector<Address> agents;
    for (int i = 0; i < 2; ++i) {
        clients.push_back(std::make_shared<Inbox>());
        agents.push_back(clientRt->create<Agent>(clients.back(), connecting(at)));
    }
    for (size_t i = 0; i < 2; ++i)
        QTRY_COMPARE(countOf<Connected>(*clients[i]), 1);
    QTRY_COMPARE(countOf<Accepted>(*server), 2);
    // Accepted comes from each connection's session: two different objects, not proxies.
    const Address s0 = server->at(indexOf<Accepted>(*server)).from;
    const Address s1 = server->at(indexOf<Accepted>(*server, indexOf<Accepted>(*server) + 1)).from;
    QVERIFY(s0 != s1);
    // Each client talks to its own session; the second request completes the session, which
    // closes the connection: the server's controller hears Closed with the session's value, the
    // client hears Abandoned.
    for (size_t i = 0; i < 2; ++i) {
        const Address proxy = first<Connected>(*clients[i]).from;
        clientRt->send(Do{proxy, Value(Query{int(i) * 10})}, agents[i]);
        clientRt->send(Do{proxy, Value(Query{int(i) * 10 + 1})}, agents[i]);
    }
    for (size_t i = 0; i < 2; ++i) {
        QTRY_COMPARE(countOf<Answer>(*clients[i]), 2);
        QTRY_COMPARE(countOf<Abandoned>(*clients[i]), 1);
    }
    QTRY_COMPARE(countOf<Closed>(*server), 2);
    const auto closed = first<Closed>(*server).message.get<Closed>();
    QCOMPARE(closed.reason, EndOfTransport::SessionCompleted);
    QCOMPARE(closed.value.get<Answer>().n, 2);
    QVERIFY(first<Closed>(*server).from == s0 || first<Closed>(*server).from == s1);
    QCOMPARE(countOf<Query>(*server), 0); // the controller saw no application traffic
}

void tst_Net::aMessageOverTheFrameLimitFailsOnlyItself()
{
    ConnectionOptions small;
    small.maxFrameSize = 64 << 10;
    Pair p;
    QVERIFY(p.open({}, small));
    p.clientRuntime->send(Do{p.proxy, Value(Blob{1, QByteArray(100 << 10, 'x')})}, p.clientAgent);
    QTRY_COMPARE(countOf<SendFailed>(*p.client), 1);
    QCOMPARE(first<SendFailed>(*p.client).message.get<SendFailed>().reason, DropReason::TooLarge);
    QVERIFY(first<SendFailed>(*p.client).message.get<SendFailed>().note.contains(
        QStringLiteral("exceeds the limit")));
    // The connection is still fine.
    p.clientRuntime->send(Do{p.proxy, Value(Blob{2, QByteArray(10, 'y')})}, p.clientAgent);
    QTRY_COMPARE(countOf<Blob>(*p.server), 1);
    QCOMPARE(first<Blob>(*p.server).message.get<Blob>().n, 2);
}

void tst_Net::ipv6AndHostNamesWork()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto server = std::make_shared<Inbox>();
    rt->create<Agent>(server, listening(HostPort{QStringLiteral("::1"), 0}));
    QTRY_COMPARE(server->count(), 1);
    if (server->at(0).message.is<NotListening>())
        QSKIP("no IPv6 loopback on this machine");
    const quint16 port = server->at(0).message.get<Listening>().bound.port;
    auto client = std::make_shared<Inbox>();
    rt->create<Agent>(client, connecting(HostPort{QStringLiteral("::1"), port}));
    QTRY_COMPARE(countOf<Connected>(*client), 1);
    QCOMPARE(first<Connected>(*client).message.get<Connected>().remote.toString(),
             QStringLiteral("[::1]:%1").arg(port));

    auto byName = std::make_shared<Inbox>();
    auto v4 = std::make_shared<Inbox>();
    rt->create<Agent>(v4, listening(Loopback));
    QTRY_COMPARE(v4->count(), 1);
    const quint16 port4 = v4->at(0).message.get<Listening>().bound.port;
    rt->create<Agent>(byName, connecting(HostPort{QStringLiteral("localhost"), port4}));
    QTRY_COMPARE_WITH_TIMEOUT(countOf<Connected>(*byName), 1, 10000);
}

void tst_Net::aListenerAtItsLimitRefusesMore()
{
    std::shared_ptr<CountingSink> log;
    auto rt = startRecordedRuntime(log);
    auto server = std::make_shared<Inbox>();
    ConnectionOptions o;
    o.maxConnections = 2;
    rt->create<Agent>(server, listening(Loopback, o));
    QTRY_COMPARE(server->count(), 1);
    const quint16 port = server->at(0).message.get<Listening>().bound.port;
    std::vector<std::shared_ptr<Inbox>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_shared<Inbox>());
        rt->create<Agent>(clients.back(), connecting(loopback(port)));
        QTRY_COMPARE(clients.back()->count(), 1);
    }
    QCOMPARE(countOf<Connected>(*clients[0]), 1);
    QCOMPARE(countOf<Connected>(*clients[1]), 1);
    QVERIFY(clients[2]->at(0).message.is<NotConnected>());
    QCOMPARE(clients[2]->at(0).message.get<NotConnected>().reason, ConnectError::Refused);
    // Text: which limit was hit is said only in the warning's text.
    QVERIFY(
        log->has({.level = LogLevel::Warning, .textHas = QStringLiteral("refusing connections")}));
    QTRY_COMPARE(countOf<Accepted>(*server), 2);
    // Once one closes, there is room again.
    rt->send(Close{}, first<Connected>(*clients[0]).from);
    QTRY_COMPARE(countOf<Abandoned>(*server), 1);
    auto late = std::make_shared<Inbox>();
    rt->create<Agent>(late, connecting(loopback(port)));
    QTRY_COMPARE(countOf<Connected>(*late), 1);
}

namespace {

/// Connects, then asks a question through the connection with a GetResponse and records how
/// the GetResponse ends.
class Asker : public Machine
{
public:
    Asker(std::shared_ptr<Inbox> inbox, HostPort at) : m_inbox(std::move(inbox))
    {
        on<Start>([this, at] { Parley::connectTo(*this, at, variant()); });
        on<Connected>([this] {
            m_inbox->add(Value(Connected{}), returnAddress());
            create<GetResponse>(Query{1}, returnAddress(), 300s);
        });
        on<Completed>([this](Completed &c) { m_inbox->add(c.value.take(), returnAddress()); });
        on<Abandoned>([] {}); // the controller's own notice; the test looks at the request
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    std::shared_ptr<Inbox> m_inbox;
};

} // namespace

void tst_Net::aRequestPendingOnABrokenConnectionEndsWithTheBreak()
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    auto serverRt = startRecordedRuntime(serverLog), clientRt = startRecordedRuntime(clientLog);
    auto server = std::make_shared<Inbox>();
    serverRt->create<Agent>(server, listening(Loopback)); // records the question, never answers
    QTRY_COMPARE(countOf<Listening>(*server), 1);
    auto client = std::make_shared<Inbox>();
    clientRt->create<Asker>(
        client, loopback(first<Listening>(*server).message.get<Listening>().bound.port));
    QTRY_COMPARE(countOf<Query>(*server), 1);
    // The server's end goes away (a process ending would look the same to the client).
    QTRY_COMPARE(countOf<Accepted>(*server), 1);
    serverRt->send(Close{}, first<Accepted>(*server).from);
    // The GetResponse ends once, with the break, not with its timeout (that would be TimedOut,
    // after 300 s).
    QTRY_COMPARE_WITH_TIMEOUT(countOf<ConnectionLost>(*client), 1, 30000);
    const auto lost = first<ConnectionLost>(*client).message.get<ConnectionLost>();
    QCOMPARE(lost.reason, EndOfTransport::AbandonedByRemote);
    QVERIFY(first<ConnectionLost>(*client).message.isFault());
    QCOMPARE(client->count(), 2); // Connected, then the request's one ending
    // The controller heard the break too, and nobody dropped anything with a warning.
    QTRY_VERIFY(
        clientLog->has({.kind = EventKind::Received, .messageType = QStringLiteral("Abandoned")}));
    // (Encrypted, policy Any warns once that the peer's key is unverified: by design.)
    for (const Event &r : clientLog->records())
        QVERIFY2(r.level != LogLevel::Warning || r.text.contains(QLatin1String("accepts any key")),
                 qPrintable(formatEvent(r)));
}

QTEST_GUILESS_MAIN(tst_Net)
#include "tst_net.moc"
