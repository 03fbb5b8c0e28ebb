// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The fault proxy's toxics, each checked with plain QTcpSockets through the proxy to an echo
// server (and, where RST and FIN must be told apart, with raw sockets).

#include "faultproxy.h"

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <cerrno>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using TestSupport::FaultProxy;
using Direction = FaultProxy::Direction;

namespace {

// Generous: a loaded CI machine under ASan is slow, a hang is still caught.
constexpr int kWait = 20000;

/// Returns \a size bytes of a pattern that makes reordering, loss and duplication visible.
QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 31 + i / 251) % 251);
    return bytes;
}

/// Records what one socket receives and how it ends.
struct Recorder
{
    QByteArray received;
    int reads = 0;
    std::chrono::steady_clock::time_point lastReadAt; ///< when the newest bytes were read
    std::optional<QAbstractSocket::SocketError> error;
    bool ended = false;

    /// Records \a socket; \a onRead sees each new piece of bytes after it was recorded.
    void attach(QTcpSocket *socket, std::function<void(const QByteArray &)> onRead = {})
    {
        QObject::connect(socket, &QIODevice::readyRead, socket, [this, socket, onRead] {
            const QByteArray bytes = socket->readAll();
            received += bytes;
            ++reads;
            lastReadAt = std::chrono::steady_clock::now();
            if (onRead)
                onRead(bytes);
        });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, socket,
                         [this](QAbstractSocket::SocketError e) {
                             if (!error)
                                 error = e;
                         });
        QObject::connect(socket, &QAbstractSocket::disconnected, socket, [this] { ended = true; });
    }
};

/// A client socket in the test thread.
struct Client
{
    Recorder record; // outlives the socket, which reports its end when destroyed
    QTcpSocket socket;

    Client() { record.attach(&socket); }
    void open(quint16 port) { socket.connectToHost(QHostAddress::LocalHost, port); }
};

/// Echoes what each connection sends (unless echo is off) and records it.
class EchoServer
{
public:
    struct Peer
    {
        QTcpSocket *socket = nullptr;
        Recorder record;
    };

    EchoServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                auto peer = std::make_unique<Peer>();
                peer->socket = s;
                peer->record.attach(s, [this, s](const QByteArray &bytes) {
                    if (echo)
                        s->write(bytes);
                });
                m_peers.push_back(std::move(peer));
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    int count() const { return int(m_peers.size()); }
    Peer &peer(int i) { return *m_peers.at(size_t(i)); }

    bool echo = true;

private:
    std::vector<std::unique_ptr<Peer>> m_peers; // outlive the sockets the server owns
    QTcpServer m_server;
};

// -- raw sockets, where an RST must be told from a FIN -------------------------------------------

/// Owns a file descriptor.
struct Fd
{
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd &&o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd &operator=(Fd &&o) noexcept
    {
        std::swap(fd, o.fd);
        return *this;
    }
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

sockaddr_in loopback(quint16 port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

Fd rawListen(quint16 &port)
{
    Fd s(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a = loopback(0);
    if (::bind(s.fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(s.fd, 8) != 0)
        return {};
    socklen_t length = sizeof a;
    ::getsockname(s.fd, reinterpret_cast<sockaddr *>(&a), &length);
    port = ntohs(a.sin_port);
    return s;
}

Fd rawConnect(quint16 port)
{
    Fd s(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a = loopback(port);
    if (::connect(s.fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
        return {};
    return s;
}

bool readable(int fd, int timeoutMs)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeoutMs) == 1;
}

Fd rawAccept(const Fd &listener)
{
    if (!readable(listener.fd, kWait))
        return {};
    return Fd(::accept(listener.fd, nullptr, nullptr));
}

/// Says how a raw connection ended: 0 for a FIN, the errno for an error, -1 for no end in time.
int rawEnding(const Fd &s)
{
    char buffer[256];
    for (;;) {
        if (!readable(s.fd, kWait))
            return -1;
        const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
        if (n == 0)
            return 0;
        if (n < 0)
            return errno;
    }
}

} // namespace

class tst_FaultProxy : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void forwardsBytesIntactAndInOrder_data();
    void forwardsBytesIntactAndInOrder();
    void slicerSplitsTheStreamIntoSpacedChunks();
    void aToxicAppliesToOpenLinksAndNewOnes();
    void limitDataForwardsExactlyNBytesThenResets_data();
    void limitDataForwardsExactlyNBytesThenResets();
    void resetLinksResetsBothSides_data();
    void resetLinksResetsBothSides();
    void resetSendsAnRstWhereCloseSendsAFin_data();
    void resetSendsAnRstWhereCloseSendsAFin();
    void blackHoleHoldsBytesAndKeepsBothSocketsOpen();
    void blackHoleHoldsACloseUntilLifted();
    void dropAfterEndsEveryLink_data();
    void dropAfterEndsEveryLink();
    void refuseModeRefusesUntilForwardingAgain();
    void closeAtOnceAcceptsAndCloses();
    void anUnreachableUpstreamClosesTheClient();
    void countersCountLinksAndBytes();

private:
    /// Connects \a c through the proxy and waits until the echo server has its peer.
    void connectThrough(Client &c);
    /// Sends \a payload from \a c and waits for its echo.
    void echoThrough(Client &c, const QByteArray &payload);
    /// Connects \a c and echoes \a hello through the proxy; returns false if that failed.
    bool openLink(Client &c, const QByteArray &hello);

    std::unique_ptr<EchoServer> m_echo;
    std::unique_ptr<FaultProxy> m_proxy;
};

void tst_FaultProxy::init()
{
    m_echo = std::make_unique<EchoServer>();
    QVERIFY(m_echo->listen());
    m_proxy = std::make_unique<FaultProxy>(QStringLiteral("127.0.0.1"), m_echo->port());
    QVERIFY2(m_proxy->listen(), qPrintable(m_proxy->errorString()));
    QVERIFY(m_proxy->port() != 0);
}

void tst_FaultProxy::cleanup()
{
    m_proxy.reset();
    m_echo.reset();
}

void tst_FaultProxy::connectThrough(Client &c)
{
    const int before = m_echo->count();
    c.open(m_proxy->port());
    QTRY_COMPARE_WITH_TIMEOUT(c.socket.state(), QAbstractSocket::ConnectedState, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(m_echo->count(), before + 1, kWait);
}

void tst_FaultProxy::echoThrough(Client &c, const QByteArray &payload)
{
    const qsizetype expected = c.record.received.size() + payload.size();
    c.socket.write(payload);
    QTRY_COMPARE_WITH_TIMEOUT(c.record.received.size(), expected, kWait);
    QCOMPARE(c.record.received.right(payload.size()), payload);
}

bool tst_FaultProxy::openLink(Client &c, const QByteArray &hello)
{
    connectThrough(c);
    if (!QTest::currentTestFailed())
        echoThrough(c, hello);
    return !QTest::currentTestFailed();
}

// -- forwarding ----------------------------------------------------------------------------------

void tst_FaultProxy::forwardsBytesIntactAndInOrder_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<std::function<void(FaultProxy &)>>("toxics");
    QTest::addColumn<int>("minimumMs");

    QTest::newRow("no toxic") << (256 << 10) << std::function<void(FaultProxy &)>() << 0;
    QTest::newRow("latency 100 ms each way")
        << (64 << 10)
        << std::function([](FaultProxy &p) { p.setLatency(Direction::Both, 100ms); })
        // Every byte waits 100 ms on the way there and 100 ms on the way back.
        << 195;
    QTest::newRow("latency 40 ms with 30 ms jitter")
        << (64 << 10)
        << std::function([](FaultProxy &p) { p.setLatency(Direction::Both, 40ms, 30ms); }) << 15;
    QTest::newRow("slicer of 16 +- 8 bytes every 0.5 ms")
        << 4000
        << std::function([](FaultProxy &p) { p.setSlicer(Direction::Upstream, 16, 8, 500us); })
        // At least 4000 / 24 slices, 0.5 ms apart.
        << 80;
    QTest::newRow("bandwidth 256 kB/s each way")
        << (128 << 10)
        << std::function([](FaultProxy &p) { p.setBandwidth(Direction::Both, 256000); })
        // The echo overlaps the two directions: one pass, less the 50 ms bucket.
        << 350;
    QTest::newRow("all together") << (32 << 10) << std::function([](FaultProxy &p) {
        p.setLatency(Direction::Both, 20ms, 10ms);
        p.setSlicer(Direction::Both, 1024, 512, 200us);
        p.setBandwidth(Direction::Downstream, 1 << 20);
    }) << 20;
}

void tst_FaultProxy::forwardsBytesIntactAndInOrder()
{
    QFETCH(int, size);
    QFETCH(std::function<void(FaultProxy &)>, toxics);
    QFETCH(int, minimumMs);

    if (toxics)
        toxics(*m_proxy);
    Client c;
    connectThrough(c);
    if (QTest::currentTestFailed())
        return;
    const QByteArray payload = pattern(size);
    const auto start = std::chrono::steady_clock::now();
    echoThrough(c, payload);
    if (QTest::currentTestFailed())
        return;
    // From the write to the arrival of the last echoed byte (not to the end of QTRY's wait).
    const auto elapsed
        = std::chrono::duration_cast<std::chrono::milliseconds>(c.record.lastReadAt - start)
              .count();
    QVERIFY2(elapsed >= minimumMs, qPrintable(QStringLiteral("%1 ms").arg(elapsed)));
    QCOMPARE(m_echo->peer(0).record.received, payload);
    QCOMPARE(m_proxy->counters().bytesUpstream, qint64(size));
    QCOMPARE(m_proxy->counters().bytesDownstream, qint64(size));
}

void tst_FaultProxy::slicerSplitsTheStreamIntoSpacedChunks()
{
    // Raw sockets: the receiver waits in poll() and sees each chunk as it comes, where a Qt
    // test's event loop would batch them.
    quint16 upstreamPort = 0;
    const Fd listener = rawListen(upstreamPort);
    QVERIFY(listener.fd >= 0);
    m_proxy->setUpstream(QStringLiteral("127.0.0.1"), upstreamPort);
    m_proxy->setSlicer(Direction::Upstream, 16, 8, 2ms);
    const Fd client = rawConnect(m_proxy->port());
    QVERIFY(client.fd >= 0);
    const Fd server = rawAccept(listener);
    QVERIFY(server.fd >= 0);

    const QByteArray payload = pattern(1000);
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::send(client.fd, payload.constData(), size_t(payload.size()), 0),
             ssize_t(payload.size()));
    QByteArray received;
    int reads = 0;
    char buffer[4096];
    while (received.size() < payload.size() && readable(server.fd, kWait)) {
        const ssize_t n = ::recv(server.fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            break;
        received.append(buffer, n);
        ++reads;
    }
    QCOMPARE(received, payload);
    // At least 1000 / 24 = 42 chunks, 2 ms apart: the receiver sees many of them one by one.
    QVERIFY2(reads >= 20, qPrintable(QStringLiteral("%1 reads").arg(reads)));
    QVERIFY2(clock.elapsed() >= 80, qPrintable(QString::number(clock.elapsed())));
}

void tst_FaultProxy::aToxicAppliesToOpenLinksAndNewOnes()
{
    Client before;
    connectThrough(before);
    echoThrough(before, "warm");
    if (QTest::currentTestFailed())
        return;

    m_proxy->setLatency(Direction::Upstream, 150ms);
    Client after;
    connectThrough(after);
    for (Client *c : {&before, &after}) {
        const auto start = std::chrono::steady_clock::now();
        echoThrough(*c, "slow");
        if (QTest::currentTestFailed())
            return;
        const auto elapsed
            = std::chrono::duration_cast<std::chrono::milliseconds>(c->record.lastReadAt - start);
        QVERIFY2(elapsed >= 150ms, qPrintable(QString::number(elapsed.count())));
    }
}

// -- limit-data and resets -----------------------------------------------------------------------

void tst_FaultProxy::limitDataForwardsExactlyNBytesThenResets_data()
{
    QTest::addColumn<Direction>("direction");
    QTest::newRow("upstream") << Direction::Upstream;
    QTest::newRow("downstream") << Direction::Downstream;
}

void tst_FaultProxy::limitDataForwardsExactlyNBytesThenResets()
{
    QFETCH(Direction, direction);
    constexpr qint64 limit = 1234;
    m_proxy->setLimitData(direction, limit);
    Client c;
    connectThrough(c);
    if (QTest::currentTestFailed())
        return;
    const QByteArray payload = pattern(10000);
    c.socket.write(payload);

    EchoServer::Peer &server = m_echo->peer(0);
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended && server.record.ended, kWait);
    QCOMPARE(c.record.error, QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(server.record.error, QAbstractSocket::RemoteHostClosedError);
    // The direction with the limit carried exactly `limit` bytes, the start of the stream.
    const QByteArray &cut
        = direction == Direction::Upstream ? server.record.received : c.record.received;
    QCOMPARE(cut.size(), limit);
    QCOMPARE(cut, payload.left(limit));
    if (direction == Direction::Upstream)
        QVERIFY(c.record.received.size() <= limit);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 0, kWait);
}

void tst_FaultProxy::resetLinksResetsBothSides_data()
{
    QTest::addColumn<int>("afterMs");
    QTest::newRow("now") << 0;
    QTest::newRow("after 200 ms") << 200;
}

void tst_FaultProxy::resetLinksResetsBothSides()
{
    QFETCH(int, afterMs);
    Client c;
    if (!openLink(c, "hello"))
        return;
    QElapsedTimer clock;
    clock.start();
    m_proxy->resetLinks(std::chrono::milliseconds(afterMs));
    EchoServer::Peer &server = m_echo->peer(0);
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended && server.record.ended, kWait);
    QVERIFY2(clock.elapsed() >= afterMs - 5, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(c.record.error, QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(server.record.error, QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(m_proxy->counters().open, 0);
}

void tst_FaultProxy::resetSendsAnRstWhereCloseSendsAFin_data()
{
    QTest::addColumn<bool>("reset");
    QTest::addColumn<int>("ending");
    QTest::newRow("resetLinks") << true << int(ECONNRESET);
    QTest::newRow("closeLinks") << false << 0;
}

void tst_FaultProxy::resetSendsAnRstWhereCloseSendsAFin()
{
    QFETCH(bool, reset);
    QFETCH(int, ending);
    // Both ends are raw sockets here: Qt reports an RST and a FIN alike.
    quint16 upstreamPort = 0;
    const Fd listener = rawListen(upstreamPort);
    QVERIFY(listener.fd >= 0);
    m_proxy->setUpstream(QStringLiteral("127.0.0.1"), upstreamPort);
    const Fd client = rawConnect(m_proxy->port());
    QVERIFY(client.fd >= 0);
    const Fd server = rawAccept(listener);
    QVERIFY(server.fd >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 1, kWait);

    if (reset)
        m_proxy->resetLinks();
    else
        m_proxy->closeLinks();
    QCOMPARE(rawEnding(client), ending);
    QCOMPARE(rawEnding(server), ending);
}

// -- black hole ----------------------------------------------------------------------------------

void tst_FaultProxy::blackHoleHoldsBytesAndKeepsBothSocketsOpen()
{
    Client c;
    if (!openLink(c, "before"))
        return;
    EchoServer::Peer &server = m_echo->peer(0);
    const qsizetype serverHad = server.record.received.size();
    const qsizetype clientHad = c.record.received.size();
    const FaultProxy::Counters had = m_proxy->counters();

    m_proxy->setBlackHole(Direction::Both, true);
    const QByteArray up = pattern(3000);
    const QByteArray down = pattern(2000).toUpper();
    c.socket.write(up);
    server.socket->write(down);
    // The proxy took both in ...
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().bytesReadUpstream, had.bytesReadUpstream + 3000,
                              kWait);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().bytesReadDownstream,
                              had.bytesReadDownstream + 2000, kWait);
    // ... and passes none of it, however long one looks. A sleep on purpose: the claim is
    // about time passing (nothing arrives during it), so no state can be waited for instead.
    QTest::qWait(300);
    QCOMPARE(m_proxy->counters().bytesUpstream, had.bytesUpstream);
    QCOMPARE(m_proxy->counters().bytesDownstream, had.bytesDownstream);
    QCOMPARE(server.record.received.size(), serverHad);
    QCOMPARE(c.record.received.size(), clientHad);
    QCOMPARE(c.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(server.socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_proxy->counters().open, 1);

    m_proxy->setBlackHole(Direction::Both, false);
    // What was held arrives, then the echo of it.
    QTRY_COMPARE_WITH_TIMEOUT(server.record.received.size(), serverHad + up.size(), kWait);
    QCOMPARE(server.record.received.mid(serverHad), up);
    QTRY_COMPARE_WITH_TIMEOUT(c.record.received.size(), clientHad + down.size() + up.size(), kWait);
    QCOMPARE(c.record.received.mid(clientHad, down.size()), down);
    QCOMPARE(c.record.received.mid(clientHad + down.size()), up);
    QVERIFY(!c.record.error);
}

void tst_FaultProxy::blackHoleHoldsACloseUntilLifted()
{
    Client c;
    if (!openLink(c, "before"))
        return;
    EchoServer::Peer &server = m_echo->peer(0);
    m_proxy->setBlackHole(Direction::Upstream, true);
    c.socket.write("last words");
    c.socket.disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended, kWait);
    // A sleep on purpose: the claim is that the close stays held while time passes.
    QTest::qWait(300);
    QCOMPARE(server.socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(server.record.received, QByteArray("before"));

    m_proxy->setBlackHole(Direction::Upstream, false);
    QTRY_VERIFY_WITH_TIMEOUT(server.record.ended, kWait);
    QCOMPARE(server.record.received, QByteArray("beforelast words"));
    QCOMPARE(server.record.error, QAbstractSocket::RemoteHostClosedError);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 0, kWait);
}

// -- drop-after, accept modes --------------------------------------------------------------------

void tst_FaultProxy::dropAfterEndsEveryLink_data()
{
    QTest::addColumn<bool>("linkOpenBefore");
    QTest::addColumn<FaultProxy::Ending>("ending");
    QTest::newRow("new link, close") << false << FaultProxy::Ending::Close;
    QTest::newRow("new link, reset") << false << FaultProxy::Ending::Reset;
    QTest::newRow("link older than the delay") << true << FaultProxy::Ending::Close;
}

void tst_FaultProxy::dropAfterEndsEveryLink()
{
    QFETCH(bool, linkOpenBefore);
    QFETCH(FaultProxy::Ending, ending);
    constexpr auto after = 300ms;
    Client c;
    QElapsedTimer clock;
    clock.start();
    if (!linkOpenBefore)
        m_proxy->setDropAfter(after, ending);
    if (!openLink(c, "hello"))
        return;
    if (linkOpenBefore) {
        // Wait until the link is older than the delay, then turn the toxic on.
        QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() > 2 * after.count(), kWait);
        QVERIFY(c.socket.state() == QAbstractSocket::ConnectedState);
        m_proxy->setDropAfter(after, ending);
    }
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended && m_echo->peer(0).record.ended, kWait);
    QVERIFY2(clock.elapsed() >= after.count() - 5, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(c.record.error, QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(m_proxy->counters().open, 0);

    // Links made later are dropped too.
    if (!linkOpenBefore) {
        Client again;
        connectThrough(again);
        QTRY_VERIFY_WITH_TIMEOUT(again.record.ended, kWait);
        QCOMPARE(m_proxy->counters().accepted, 2);
    }
}

void tst_FaultProxy::refuseModeRefusesUntilForwardingAgain()
{
    const quint16 port = m_proxy->port();
    m_proxy->setAcceptMode(FaultProxy::AcceptMode::Refuse);
    Client refused;
    refused.open(port);
    QTRY_COMPARE_WITH_TIMEOUT(refused.record.error, QAbstractSocket::ConnectionRefusedError, kWait);
    QCOMPARE(m_proxy->counters().accepted, 0);

    m_proxy->setAcceptMode(FaultProxy::AcceptMode::Forward);
    QCOMPARE(m_proxy->port(), port);
    Client c;
    connectThrough(c);
    echoThrough(c, "back again");
    QCOMPARE(m_proxy->counters().accepted, 1);
}

void tst_FaultProxy::closeAtOnceAcceptsAndCloses()
{
    m_proxy->setAcceptMode(FaultProxy::AcceptMode::CloseAtOnce);
    QSignalSpy accepted(m_proxy.get(), &FaultProxy::linkAccepted);
    Client c;
    c.open(m_proxy->port());
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended, kWait);
    QCOMPARE(c.record.error, QAbstractSocket::RemoteHostClosedError);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kWait);
    QCOMPARE(m_proxy->counters().accepted, 1);
    QCOMPARE(m_proxy->counters().open, 0);
    // The upstream was never contacted.
    QCOMPARE(m_echo->count(), 0);
}

void tst_FaultProxy::anUnreachableUpstreamClosesTheClient()
{
    quint16 closedPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        closedPort = s.serverPort();
    }
    m_proxy->setUpstream(QStringLiteral("127.0.0.1"), closedPort);
    Client c;
    c.open(m_proxy->port());
    QTRY_VERIFY_WITH_TIMEOUT(c.record.ended, kWait);
    QCOMPARE(m_proxy->counters().accepted, 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 0, kWait);
}

// -- counters ------------------------------------------------------------------------------------

void tst_FaultProxy::countersCountLinksAndBytes()
{
    QSignalSpy accepted(m_proxy.get(), &FaultProxy::linkAccepted);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<Client>());
        connectThrough(*clients.back());
        echoThrough(*clients.back(), pattern(100 * (i + 1)));
        if (QTest::currentTestFailed())
            return;
    }
    FaultProxy::Counters n = m_proxy->counters();
    QCOMPARE(n.accepted, 3);
    QCOMPARE(n.open, 3);
    QCOMPARE(n.bytesReadUpstream, 600);
    QCOMPARE(n.bytesUpstream, 600);
    QCOMPARE(n.bytesReadDownstream, 600);
    QCOMPARE(n.bytesDownstream, 600);

    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 3, kWait);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(accepted.at(i).at(0).toInt(), i + 1);
    const QList<std::chrono::milliseconds> times = m_proxy->acceptTimes();
    QCOMPARE(times.size(), 3);
    QVERIFY(std::is_sorted(times.begin(), times.end()));
    QCOMPARE(accepted.at(2).at(1).toLongLong(), times.at(2).count());
    const QList<int> histogram = m_proxy->acceptHistogram(100ms);
    QCOMPARE(std::accumulate(histogram.begin(), histogram.end(), 0), 3);
    QCOMPARE(histogram.size(), int(times.last().count() / 100 + 1));

    clients.front()->socket.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 2, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(m_echo->peer(0).record.ended, kWait);
    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->counters().open, 0, kWait);
    QCOMPARE(m_proxy->counters().accepted, 3);
}

QTEST_GUILESS_MAIN(tst_FaultProxy)
#include "tst_faultproxy.moc"
