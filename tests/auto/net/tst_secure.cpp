// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Encrypted connections (docs/security.md, "Connection behaviour"): the mode must match at both
// ends, the peer-key policies, and an in-process man in the middle that edits preambles, flips
// bits in handshake and transport records, replays, swaps, drops and injects. Every attack is
// refused with its typed reason and one warning line, nothing is dispatched, and a healthy
// connection to the same server is unharmed.

#include "nettest.h"

#include <parley/security.h>

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace Parley;
using namespace NetTest;
using namespace std::chrono_literals;

namespace {

const HostPort Loopback{QStringLiteral("127.0.0.1"), 0};

/// A relay between one client and a server, which sees the byte stream in units: the 8-byte
/// preamble (unit 0), then each 2-byte-length message (handshake messages and records alike).
/// An editor may change, drop, hold and inject units.
class ManInTheMiddle : public QObject
{
public:
    enum Direction { ToServer, ToClient };
    /// Given a unit and its index in its direction; appends what to send instead to \a out.
    using Editor = std::function<void(Direction, int index, QByteArray unit, QByteArrayList &out)>;

    ManInTheMiddle(quint16 serverPort, Editor editor)
        : m_serverPort(serverPort), m_editor(std::move(editor))
    {
        m_listener.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_listener, &QTcpServer::newConnection, this, [this] { accept(); });
    }
    [[nodiscard]] quint16 port() const { return m_listener.serverPort(); }
    /// Returns how many units have arrived in direction \a d.
    [[nodiscard]] int seen(Direction d) const { return d == ToServer ? m_up.index : m_down.index; }

private:
    struct Side
    {
        QByteArray buffer;
        int index = 0;
    };

    void accept()
    {
        m_client = m_listener.nextPendingConnection();
        m_server = new QTcpSocket(this);
        m_server->connectToHost(QHostAddress::LocalHost, m_serverPort);
        QObject::connect(m_client, &QTcpSocket::readyRead, this,
                         [this] { pump(ToServer, m_client, m_server, m_up); });
        QObject::connect(m_server, &QTcpSocket::readyRead, this,
                         [this] { pump(ToClient, m_server, m_client, m_down); });
        QObject::connect(m_client, &QTcpSocket::disconnected, m_server,
                         [this] { m_server->disconnectFromHost(); });
        QObject::connect(m_server, &QTcpSocket::disconnected, m_client,
                         [this] { m_client->disconnectFromHost(); });
        QObject::connect(m_server, &QTcpSocket::connected, this,
                         [this] { pump(ToServer, m_client, m_server, m_up); });
    }

    void pump(Direction d, QTcpSocket *from, QTcpSocket *to, Side &side)
    {
        if (to->state() != QAbstractSocket::ConnectedState)
            return;
        side.buffer += from->readAll();
        for (;;) {
            qsizetype size = 0;
            if (side.index == 0)
                size = 8;
            else if (side.buffer.size() >= 2)
                size = 2 + qFromBigEndian<quint16>(side.buffer.constData());
            if (size == 0 || side.buffer.size() < size)
                return;
            QByteArrayList out;
            m_editor(d, side.index++, side.buffer.first(size), out);
            side.buffer.remove(0, size);
            for (const QByteArray &unit : out)
                to->write(unit);
        }
    }

    quint16 m_serverPort;
    Editor m_editor;
    QTcpServer m_listener;
    QTcpSocket *m_client = nullptr;
    QTcpSocket *m_server = nullptr;
    Side m_up, m_down;
};

/// Returns \a unit with one bit flipped at \a offset (from the end when negative).
QByteArray flipped(QByteArray unit, qsizetype offset)
{
    const qsizetype at = offset >= 0 ? offset : unit.size() + offset;
    unit[at] = char(unit[at] ^ 0x04);
    return unit;
}

/// A plain frame as the wire carries it (docs/protocol.md): what an attacker injects in clear.
QByteArray cleartextPing()
{
    QByteArray frame(12, '\0');
    frame[3] = 8;
    frame[4] = 2; // Kind::Ping
    return frame;
}

ConnectionOptions encrypted(SecurityOptions security = {})
{
    ConnectionOptions o;
    o.encrypted = true;
    o.security = std::move(security);
    o.heartbeatInterval = 0ms;
    return o;
}

/// Returns the warnings (and faults) in \a log whose text contains \a fragment.
int warningsWith(const CountingSink &log, const QString &fragment)
{
    int n = 0;
    for (const Event &e : log.records()) {
        if (e.kind == EventKind::Text && e.level >= LogLevel::Warning && e.text.contains(fragment))
            ++n;
    }
    return n;
}

/// Connects and at once, before Connected, sends small and large messages mixed: they wait for
/// the handshake in memory, then go out encrypted in order.
class EarlySender : public Machine
{
public:
    EarlySender(std::shared_ptr<Inbox> inbox, HostPort at, ConnectionOptions options)
        : m_inbox(std::move(inbox))
    {
        on<Start>([this, at, options] {
            const Address proxy = Parley::connectTo(*this, at, options);
            for (int i = 0; i < 30; ++i) {
                if (i % 10 == 5)
                    send(Blob{i, QByteArray(300 << 10, char('a' + i % 26))}, proxy);
                send(Query{i}, proxy);
            }
        });
        on<Stop>([this] { complete(Aborted{}); });
        onUnknown([this](Value &v) { m_inbox->add(v.take(), returnAddress()); });
    }

private:
    std::shared_ptr<Inbox> m_inbox;
};

} // namespace

Q_DECLARE_METATYPE(ManInTheMiddle::Editor)

class tst_Secure : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void encryptedConnectionsCarryMessagesBothWays();
    void messagesSentBeforeTheHandshakeFollowItInOrder();
    void aModeMismatchIsRefusedOnBothSides_data();
    void aModeMismatchIsRefusedOnBothSides();
    void aPinnedKeyIsRequired();
    void knownHostsTrustOnFirstUseAndRefuseAChangedKey();
    void theListenerAllowlistRefusesOthers();
    void aListenerWithKnownHostsRefusesClients();
    void sessionsLearnThePeerKey();
    void attacksAreRefused_data();
    void attacksAreRefused();
    void aSilentEncryptedPeerGoesStale();
    void aStalledHandshakeTimesOut_data();
    void aStalledHandshakeTimesOut();

private:
    /// Starts a server agent listening with \a options; returns its port.
    quint16 startServer(ConnectionOptions options, bool answer = true);
    /// Connects a new client agent to \a port with \a options; returns its inbox.
    std::shared_ptr<Inbox> startClient(quint16 port, ConnectionOptions options);
    /// Asks the client agent of \a inbox to send Query{n} through its connection.
    void query(const std::shared_ptr<Inbox> &inbox, int n);

    QHash<Inbox *, Address> m_agents;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<CountingSink> m_serverLog, m_clientLog;
    std::unique_ptr<Runtime> m_serverRuntime, m_clientRuntime;
    std::shared_ptr<Inbox> m_server;
    QString m_serverKey, m_clientKey; // identity files
};

void tst_Secure::init()
{
    m_clientRuntime.reset();
    m_serverRuntime.reset();
    m_agents.clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_serverKey = m_dir->filePath(QStringLiteral("server.key"));
    m_clientKey = m_dir->filePath(QStringLiteral("client.key"));
    m_serverRuntime = startRecordedRuntime(m_serverLog);
    m_clientRuntime = startRecordedRuntime(m_clientLog);
    m_server = std::make_shared<Inbox>();
}

void tst_Secure::cleanup()
{
    if (!QTest::currentTestFailed())
        return;
    for (const auto &[name, log] : {std::pair{"server", m_serverLog}, {"client", m_clientLog}}) {
        for (const QString &line : log->lines()) {
            if (!line.contains(QLatin1String(" + ")) && !line.contains(QLatin1String(" X ")))
                qInfo("%s: %s", name, qPrintable(line));
        }
    }
}

quint16 tst_Secure::startServer(ConnectionOptions options, bool answer)
{
    m_serverRuntime->create<Agent>(m_server, listening(Loopback, std::move(options)), answer);
    [&] { QTRY_COMPARE(countOf<Listening>(*m_server), 1); }();
    return first<Listening>(*m_server).message.get<Listening>().bound.port;
}

std::shared_ptr<Inbox> tst_Secure::startClient(quint16 port, ConnectionOptions options)
{
    auto inbox = std::make_shared<Inbox>();
    m_agents.insert(
        inbox.get(),
        m_clientRuntime->create<Agent>(inbox, connecting(loopback(port), std::move(options))));
    return inbox;
}

void tst_Secure::query(const std::shared_ptr<Inbox> &inbox, int n)
{
    m_clientRuntime->send(Do{first<Connected>(*inbox).from, Value(Query{n})},
                          m_agents.value(inbox.get()));
}

void tst_Secure::encryptedConnectionsCarryMessagesBothWays()
{
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    auto client = startClient(port, encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Connected>(*client), 1);
    QTRY_COMPARE(countOf<Accepted>(*m_server), 1);
    const Connected connected = first<Connected>(*client).message.get<Connected>();
    const Accepted accepted = first<Accepted>(*m_server).message.get<Accepted>();
    QCOMPARE(connected.peerKey, identityFingerprint(m_serverKey));
    QCOMPARE(accepted.peerKey, identityFingerprint(m_clientKey));

    // Many requests, one large (split over records), answered in order.
    for (int i = 0; i < 50; ++i)
        query(client, i);
    QTRY_COMPARE(countOf<Answer>(*client), 50);
    for (int i = 0; i < 50; ++i)
        QCOMPARE(client->at(indexOf<Answer>(*client) + i).message.get<Answer>().n, i);

    // The event stream marks the connection and names the peer's key (docs/events.md).
    QTRY_VERIFY(m_clientLog->has(RecordPattern{.kind = EventKind::Connected}));
    bool marked = false;
    for (const Event &e : m_clientLog->records()) {
        if (e.kind == EventKind::Connected)
            marked = e.encrypted && e.peerKey == connected.peerKey;
    }
    QVERIFY(marked);
    QCOMPARE(warningsWith(*m_clientLog, QStringLiteral("accepts any key")), 1);
}

void tst_Secure::messagesSentBeforeTheHandshakeFollowItInOrder()
{
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    auto client = std::make_shared<Inbox>();
    m_clientRuntime->create<EarlySender>(client, loopback(port),
                                         encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Answer>(*client), 30);
    QCOMPARE(countOf<Blob>(*m_server), 3);
    // In the order sent: queries and blobs interleaved as they left.
    QStringList order;
    for (int i = 0; i < m_server->count(); ++i) {
        const Received r = m_server->at(i);
        if (const auto *q = r.message.getIf<Query>())
            order << QStringLiteral("q%1").arg(q->n);
        else if (const auto *b = r.message.getIf<Blob>()) {
            order << QStringLiteral("b%1").arg(b->n);
            QCOMPARE(b->bytes, QByteArray(300 << 10, char('a' + b->n % 26)));
        }
    }
    QStringList expected;
    for (int i = 0; i < 30; ++i) {
        if (i % 10 == 5)
            expected << QStringLiteral("b%1").arg(i);
        expected << QStringLiteral("q%1").arg(i);
    }
    QCOMPARE(order, expected);
}

void tst_Secure::aModeMismatchIsRefusedOnBothSides_data()
{
    QTest::addColumn<bool>("serverEncrypted");
    QTest::newRow("plain client, encrypted server") << true;
    QTest::newRow("encrypted client, plain server") << false;
}

void tst_Secure::aModeMismatchIsRefusedOnBothSides()
{
    QFETCH(bool, serverEncrypted);
    ConnectionOptions plain;
    const quint16 port = startServer(serverEncrypted ? encrypted() : plain);
    auto client = startClient(port, serverEncrypted ? plain : encrypted());
    QTRY_COMPARE(countOf<NotConnected>(*client), 1);
    QCOMPARE(first<NotConnected>(*client).message.get<NotConnected>().reason,
             ConnectError::SecurityMismatch);
    QTRY_COMPARE(warningsWith(*m_serverLog, QStringLiteral("SecurityMismatch")), 1);
    QCOMPARE(countOf<Accepted>(*m_server), 0);
    QCOMPARE(countOf<Connected>(*client), 0);
}

void tst_Secure::aPinnedKeyIsRequired()
{
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    const QString serverPrint = identityFingerprint(m_serverKey);
    QVERIFY(serverPrint.startsWith(QStringLiteral("SHA256:")));

    auto good = startClient(port,
                            encrypted({.identityFile = m_clientKey,
                                       .peerKeyPolicy = PeerKeyPolicy::Pinned,
                                       .pinnedKey = serverPrint}));
    QTRY_COMPARE(countOf<Connected>(*good), 1);
    QCOMPARE(warningsWith(*m_clientLog, QStringLiteral("accepts any key")), 0);

    // A key of another program: the client refuses before its last handshake message, so the
    // server never reports the connection.
    const QString other = identityFingerprint(m_dir->filePath(QStringLiteral("other.key")));
    auto bad = startClient(port,
                           encrypted({.identityFile = m_clientKey,
                                      .peerKeyPolicy = PeerKeyPolicy::Pinned,
                                      .pinnedKey = other}));
    QTRY_COMPARE(countOf<NotConnected>(*bad), 1);
    const NotConnected refused = first<NotConnected>(*bad).message.get<NotConnected>();
    QCOMPARE(refused.reason, ConnectError::PeerKeyMismatch);
    QVERIFY(isSecurityFailure(refused.reason));
    QVERIFY2(refused.text.contains(serverPrint), qPrintable(refused.text));
    QCOMPARE(warningsWith(*m_clientLog, QStringLiteral("PeerKeyMismatch")), 1);
    QTest::qWait(100); // would the server report a second connection? (it must not)
    QCOMPARE(countOf<Accepted>(*m_server), 1);
}

void tst_Secure::knownHostsTrustOnFirstUseAndRefuseAChangedKey()
{
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    const QString knownHosts = m_dir->filePath(QStringLiteral("known_hosts"));
    const SecurityOptions tofu{.identityFile = m_clientKey,
                               .peerKeyPolicy = PeerKeyPolicy::KnownHosts,
                               .knownHostsFile = knownHosts};
    auto first_ = startClient(port, encrypted(tofu));
    QTRY_COMPARE(countOf<Connected>(*first_), 1);
    QFile file(knownHosts);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString remembered = QString::fromUtf8(file.readAll());
    file.close();
    QVERIFY2(remembered.contains(QStringLiteral("127.0.0.1:%1 ").arg(port)),
             qPrintable(remembered));

    auto again = startClient(port, encrypted(tofu));
    QTRY_COMPARE(countOf<Connected>(*again), 1);

    // The file now says another key for this host: refused loudly, never rewritten.
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QStringLiteral("127.0.0.1:%1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
                   .arg(port)
                   .toUtf8());
    file.close();
    auto changed = startClient(port, encrypted(tofu));
    QTRY_COMPARE(countOf<NotConnected>(*changed), 1);
    QCOMPARE(first<NotConnected>(*changed).message.get<NotConnected>().reason,
             ConnectError::PeerKeyMismatch);
    QCOMPARE(warningsWith(*m_clientLog, QStringLiteral("PeerKeyMismatch")), 1);
}

void tst_Secure::theListenerAllowlistRefusesOthers()
{
    const QString allowed = identityFingerprint(m_clientKey);
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey,
                                                .peerKeyPolicy = PeerKeyPolicy::Allowlist,
                                                .allowlist = {allowed}}));
    auto good = startClient(port, encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Connected>(*good), 1);
    QTRY_COMPARE(countOf<Accepted>(*m_server), 1);

    // A stranger completes its side of the handshake (XX authenticates the initiator last),
    // then hears the refusal, encrypted, and nothing it sent is delivered.
    auto stranger = startClient(
        port, encrypted({.identityFile = m_dir->filePath(QStringLiteral("stranger.key"))}));
    QTRY_COMPARE(countOf<Abandoned>(*stranger), 1);
    const Abandoned why = first<Abandoned>(*stranger).message.get<Abandoned>();
    QVERIFY2(why.note.contains(QStringLiteral("PeerKeyMismatch")), qPrintable(why.note));
    QTRY_COMPARE(warningsWith(*m_serverLog, QStringLiteral("PeerKeyMismatch")), 1);
    QCOMPARE(countOf<Accepted>(*m_server), 1);
    QCOMPARE(countOf<Query>(*m_server), 0);
}

void tst_Secure::aListenerWithKnownHostsRefusesClients()
{
    // A client's port changes with every connection: a listener would remember each as a new
    // host, a line per connection. It refuses instead, saying why.
    const QString knownHosts = m_dir->filePath(QStringLiteral("known_hosts"));
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey,
                                                .peerKeyPolicy = PeerKeyPolicy::KnownHosts,
                                                .knownHostsFile = knownHosts}));
    auto client = startClient(port, encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Abandoned>(*client), 1);
    QTRY_COMPARE(warningsWith(*m_serverLog, QStringLiteral("PeerKeyMismatch")), 1);
    QVERIFY(!QFile::exists(knownHosts));
    QCOMPARE(countOf<Accepted>(*m_server), 0);
}

void tst_Secure::sessionsLearnThePeerKey()
{
    auto seen = std::make_shared<QString>();
    auto mutex = std::make_shared<QMutex>();
    ConnectionOptions o = encrypted({.identityFile = m_serverKey});
    o.session = CreateFrame([seen, mutex, inbox = m_server](Object &proxy, const SessionInfo &i) {
        const QMutexLocker lock(mutex.get());
        *seen = i.peerKey;
        return proxy.create<Agent>(inbox, Agent::StartHook{}, true);
    });
    const quint16 port = startServer(o);
    auto client = startClient(port, encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Connected>(*client), 1);
    const QMutexLocker lock(mutex.get());
    QCOMPARE(*seen, identityFingerprint(m_clientKey));
}

void tst_Secure::attacksAreRefused_data()
{
    using D = ManInTheMiddle::Direction;
    QTest::addColumn<ManInTheMiddle::Editor>("editor");
    QTest::addColumn<QString>("serverSees");  // the reason in the server's warning, or empty
    QTest::addColumn<int>("clientReason");    // a ConnectError, or -1: connected, then ended
    QTest::addColumn<bool>("afterHandshake"); // the client sends two messages once connected

    const auto onUnit = [](D d, int which, std::function<void(QByteArray &, QByteArrayList &)> f) {
        return ManInTheMiddle::Editor(
            [d, which, f](D dir, int index, QByteArray unit, QByteArrayList &out) {
                if (dir == d && index == which)
                    f(unit, out);
                else
                    out << unit;
            });
    };
    const int handshakeFailed = int(ConnectError::HandshakeFailed);

    QTest::newRow("downgrade: both preambles edited to plain")
        << ManInTheMiddle::Editor([](D, int index, QByteArray unit, QByteArrayList &out) {
               if (index == 0)
                   unit[5] = 0;
               out << unit;
           })
        << "SecurityMismatch" << int(ConnectError::SecurityMismatch) << false;
    QTest::newRow("reserved preamble byte edited (bound in the prologue)") << onUnit(
        D::ToServer, 0, [](QByteArray &u, QByteArrayList &out) {
            u[7] = 1;
            out << u;
        }) << "" << handshakeFailed << false;
    QTest::newRow("bit flipped in handshake message 1")
        << onUnit(D::ToServer, 1, [](QByteArray &u, QByteArrayList &out) { out << flipped(u, 9); })
        << "" << handshakeFailed << false;
    QTest::newRow("bit flipped in handshake message 2")
        << onUnit(D::ToClient, 1, [](QByteArray &u, QByteArrayList &out) { out << flipped(u, 50); })
        << "" << handshakeFailed << false;
    QTest::newRow("bit flipped in handshake message 3")
        << onUnit(D::ToServer, 2, [](QByteArray &u, QByteArrayList &out) { out << flipped(u, 20); })
        << "HandshakeFailed" << -1 << false;
    QTest::newRow("low-order ephemeral key") << onUnit(D::ToServer, 1,
                                                       [](QByteArray &u, QByteArrayList &out) {
                                                           u.replace(2, 32, QByteArray(32, '\0'));
                                                           out << u;
                                                       })
                                             << "InvalidPublicKey" << handshakeFailed << false;
    QTest::newRow("oversized handshake message")
        << onUnit(D::ToServer, 1,
                  [](QByteArray &, QByteArrayList &out) {
                      QByteArray big(2 + 2000, 'x');
                      qToBigEndian<quint16>(2000, big.data());
                      out << big;
                  })
        << "HandshakeTooLarge" << handshakeFailed << false;
    QTest::newRow("application frame before the handshake")
        << onUnit(D::ToServer, 1, [](QByteArray &, QByteArrayList &out) { out << cleartextPing(); })
        << "HandshakeMalformed" << handshakeFailed << false;
    QTest::newRow("bit flipped in a transport record")
        << onUnit(D::ToServer, 3, [](QByteArray &u, QByteArrayList &out) { out << flipped(u, 4); })
        << "DecryptFailed" << -1 << true;
    QTest::newRow("bit flipped in a record's tag")
        << onUnit(D::ToServer, 3, [](QByteArray &u, QByteArrayList &out) { out << flipped(u, -1); })
        << "DecryptFailed" << -1 << true;
    QTest::newRow("record replayed")
        << onUnit(D::ToServer, 3, [](QByteArray &u, QByteArrayList &out) { out << u << u; })
        << "DecryptFailed" << -1 << true;
    QTest::newRow("record dropped") << onUnit(D::ToServer, 3, [](QByteArray &, QByteArrayList &) {})
                                    << "DecryptFailed" << -1 << true;
    auto held = std::make_shared<QByteArray>();
    QTest::newRow("records swapped")
        << ManInTheMiddle::Editor([held](D d, int index, QByteArray unit, QByteArrayList &out) {
               if (d == D::ToServer && index == 3)
                   *held = unit;
               else if (d == D::ToServer && index == 4)
                   out << unit << *held;
               else
                   out << unit;
           })
        << "DecryptFailed" << -1 << true;
    QTest::newRow("cleartext frame after the handshake") << onUnit(
        D::ToServer, 3, [](QByteArray &u, QByteArrayList &out) { out << cleartextPing() << u; })
                                                         << "RecordMalformed" << -1 << true;
    auto message1 = std::make_shared<QByteArray>();
    QTest::newRow("second handshake after the handshake")
        << ManInTheMiddle::Editor([message1](D d, int index, QByteArray unit, QByteArrayList &out) {
               if (d == D::ToServer && index == 1)
                   *message1 = unit;
               out << unit;
               if (d == D::ToServer && index == 3)
                   out << *message1;
           })
        << "DecryptFailed" << -1 << true;
}

void tst_Secure::attacksAreRefused()
{
    QFETCH(ManInTheMiddle::Editor, editor);
    QFETCH(QString, serverSees);
    QFETCH(int, clientReason);
    QFETCH(bool, afterHandshake);

    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    // A healthy client, connected straight to the server, must be unharmed throughout.
    auto healthy = startClient(port, encrypted({.identityFile = m_clientKey}));
    QTRY_COMPARE(countOf<Connected>(*healthy), 1);

    ManInTheMiddle mitm(port, editor);
    ConnectionOptions o = encrypted({.identityFile = m_clientKey});
    o.connectTimeout = 3000ms;
    auto victim = startClient(mitm.port(), o);
    if (clientReason >= 0) {
        QTRY_COMPARE(countOf<NotConnected>(*victim), 1);
        const NotConnected nc = first<NotConnected>(*victim).message.get<NotConnected>();
        QVERIFY2(int(nc.reason) == clientReason, qPrintable(nc.text));
        QVERIFY(isSecurityFailure(nc.reason));
        QCOMPARE(countOf<Connected>(*victim), 0);
    } else {
        QTRY_COMPARE(countOf<Connected>(*victim), 1);
        if (afterHandshake) {
            // One at a time, so that each travels in its own record (a burst shares one).
            for (int i = 0; i < 3; ++i) {
                query(victim, 100 + i);
                QTRY_VERIFY(mitm.seen(ManInTheMiddle::ToServer) >= 4 + i
                            || countOf<Abandoned>(*victim) + countOf<Closed>(*victim) > 0);
            }
        }
        QTRY_VERIFY(countOf<Abandoned>(*victim) + countOf<Closed>(*victim) == 1);
    }
    if (!serverSees.isEmpty()) {
        QTRY_COMPARE(warningsWith(*m_serverLog, serverSees), 1);
        if (afterHandshake) {
            // The server's controller hears one typed Closed; nothing after the violation
            // was dispatched (a swap or a drop can let the first record through).
            QTRY_COMPARE(countOf<Closed>(*m_server), 1);
            const Closed closed = first<Closed>(*m_server).message.get<Closed>();
            QVERIFY2(closed.reason == EndOfTransport::SecurityViolation, qPrintable(closed.note));
            QVERIFY(isSecurityFailure(closed.reason));
            QVERIFY(countOf<Query>(*m_server) <= 1);
        }
    }
    // Only one connection was refused: the healthy one still answers.
    query(healthy, 7);
    QTRY_COMPARE(countOf<Answer>(*healthy), 1);
    QCOMPARE(countOf<Abandoned>(*healthy), 0);
    QVERIFY(countOf<Accepted>(*m_server) <= 2);
}

void tst_Secure::aSilentEncryptedPeerGoesStale()
{
    // Heartbeats are records like any frame: once the relay stops passing the server's records,
    // the client's pings go unanswered and it declares the server gone.
    const quint16 port = startServer(encrypted({.identityFile = m_serverKey}));
    ManInTheMiddle mitm(
        port, [](ManInTheMiddle::Direction d, int index, QByteArray unit, QByteArrayList &out) {
            if (d == ManInTheMiddle::ToServer || index <= 1)
                out << unit;
        });
    ConnectionOptions o = encrypted({.identityFile = m_clientKey});
    o.heartbeatInterval = 100ms;
    o.heartbeatTimeout = 400ms;
    auto victim = startClient(mitm.port(), o);
    QTRY_COMPARE(countOf<Connected>(*victim), 1);
    QTRY_COMPARE(countOf<Abandoned>(*victim), 1);
    QCOMPARE(first<Abandoned>(*victim).message.get<Abandoned>().reason, EndOfTransport::WentStale);
}

void tst_Secure::aStalledHandshakeTimesOut_data()
{
    QTest::addColumn<bool>("serverFirst");
    QTest::newRow("the connecting side's deadline") << false;
    QTest::newRow("the accepting side's deadline") << true;
}

void tst_Secure::aStalledHandshakeTimesOut()
{
    QFETCH(bool, serverFirst);
    ConnectionOptions so = encrypted({.identityFile = m_serverKey});
    so.greetingTimeout = serverFirst ? 300ms : 10000ms;
    const quint16 port = startServer(so);
    // Message 2 never reaches the client, so message 3 never reaches the server.
    ManInTheMiddle mitm(
        port, [](ManInTheMiddle::Direction d, int index, QByteArray unit, QByteArrayList &out) {
            if (!(d == ManInTheMiddle::ToClient && index == 1))
                out << unit;
        });
    ConnectionOptions o = encrypted({.identityFile = m_clientKey});
    o.connectTimeout = serverFirst ? 10000ms : 300ms;
    auto victim = startClient(mitm.port(), o);
    QTRY_COMPARE(countOf<NotConnected>(*victim), 1);
    const NotConnected nc = first<NotConnected>(*victim).message.get<NotConnected>();
    if (serverFirst) {
        // The server gave up and closed: the client hears it during its handshake.
        QCOMPARE(nc.reason, ConnectError::HandshakeFailed);
        QTRY_COMPARE(warningsWith(*m_serverLog, QStringLiteral("no completed handshake")), 1);
    } else {
        // A slow peer is a network error: a reconnecting group tries again.
        QCOMPARE(nc.reason, ConnectError::Timeout);
        QVERIFY2(nc.text.contains(QStringLiteral("handshake")), qPrintable(nc.text));
    }
    QCOMPARE(countOf<Accepted>(*m_server), 0);
}

QTEST_GUILESS_MAIN(tst_Secure)
#include "tst_secure.moc"
