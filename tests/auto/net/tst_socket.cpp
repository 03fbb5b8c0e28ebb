// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The connection's socket (lib/src/net/socket_p.h): what the kernel refuses waits and goes in
// order, a close waits for it, the end of the stream and errors read as an unbuffered
// QTcpSocket's do, a connected descriptor is taken over from QTcpSocket, bad descriptors are
// refused.

#include <net/socket_p.h>

#include <QtCore/QSocketNotifier>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Parley::Internal;

namespace {

/// Counts what a Socket says.
struct Events : SocketEvents
{
    int connected = 0;
    int readyRead = 0;
    qint64 written = 0;
    int writtenCalls = 0;
    QList<QAbstractSocket::SocketError> errors;
    int disconnected = 0;
    std::function<void()> onReadyRead;

    void socketConnected() override { ++connected; }
    void socketReadyRead() override
    {
        ++readyRead;
        if (onReadyRead)
            onReadyRead();
    }
    void socketBytesWritten(qint64 bytes) override
    {
        written += bytes;
        ++writtenCalls;
    }
    void socketError(QAbstractSocket::SocketError error) override { errors.append(error); }
    void socketDisconnected() override { ++disconnected; }
};

/// A connected pair of stream descriptors with small kernel buffers, so that writes are
/// refused early.
struct Pair
{
    int ours = -1;
    int theirs = -1;
    Pair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            return;
        ours = fds[0];
        theirs = fds[1];
        const int small = 4096;
        ::setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        ::setsockopt(theirs, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    ~Pair()
    {
        reader.reset();
        if (theirs >= 0)
            ::close(theirs);
    }
    /// Reads what arrives at the other end into received, as it arrives.
    void readTheirs()
    {
        reader = std::make_unique<QSocketNotifier>(theirs, QSocketNotifier::Read);
        QObject::connect(reader.get(), &QSocketNotifier::activated, reader.get(),
                         [this] { received += drainTheirs(); });
    }
    std::unique_ptr<QSocketNotifier> reader;
    QByteArray received;
    /// Reads what the other end has now.
    QByteArray drainTheirs()
    {
        QByteArray out;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::read(theirs, buffer, sizeof buffer);
            if (n <= 0)
                break;
            out.append(buffer, n);
        }
        return out;
    }
};

QByteArray pattern(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char((i * 7 + i / 251) & 0xff);
    return out;
}

} // namespace

class tst_Socket : public QObject
{
    Q_OBJECT

private slots:
    void whatTheKernelRefusesWaitsAndGoesInOrder()
    {
        Pair pair;
        QVERIFY(pair.ours >= 0);
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);

        const QByteArray data = pattern(1 << 20);
        QCOMPARE(socket.write(data.left(1000)), qint64(1000)); // taken at once
        QCOMPARE(socket.bytesToWrite(), qint64(0));
        QCOMPARE(socket.write(data.mid(1000)), qint64(data.size() - 1000));
        const qint64 waiting = socket.bytesToWrite();
        QVERIFY(waiting > 0); // the kernel's buffers are small: most waits

        pair.readTheirs();
        QTRY_VERIFY_WITH_TIMEOUT(pair.received.size() == data.size(), 20000);
        QCOMPARE(pair.received, data);
        QCOMPARE(socket.bytesToWrite(), qint64(0));
        QVERIFY(events.writtenCalls > 0);
        QCOMPARE(events.written, waiting); // each byte that waited is reported once
        QVERIFY(events.errors.isEmpty());
        QCOMPARE(events.disconnected, 0);
    }

    void aPeerThatNeverCatchesUpDoesNotGrowTheBuffer()
    {
        // The peer reads, but never everything: bytes always wait. What was written from the
        // front of the buffer must not pile up.
        Pair pair;
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        const QByteArray chunk = pattern(16 << 10);
        qint64 total = 0;
        qsizetype largest = 0;
        char sink[8192];
        while (total < (16 << 20)) {
            QCOMPARE(socket.write(chunk), qint64(chunk.size()));
            total += chunk.size();
            // Half a chunk read per chunk written: the backlog grows to the cap below, then the
            // writer waits for the socket as a connection's send queue would.
            for (qsizetype got = 0; got < chunk.size() / 2;) {
                const ssize_t n = ::read(pair.theirs, sink, sizeof sink);
                if (n <= 0) {
                    QCoreApplication::processEvents(); // let the socket write what waits
                    continue;
                }
                got += n;
            }
            while (socket.bytesToWrite() > (1 << 20)) {
                const ssize_t n = ::read(pair.theirs, sink, sizeof sink);
                if (n <= 0)
                    QCoreApplication::processEvents();
            }
            QCoreApplication::processEvents();
            largest = std::max(largest, socket.bufferSize());
        }
        QVERIFY2(largest <= 2 * ((1 << 20) + chunk.size()) + (64 << 10),
                 qPrintable(QStringLiteral("the buffer reached %1 bytes").arg(largest)));
        QVERIFY(events.errors.isEmpty());
    }

    void aCloseWaitsForWhatWaitsThenSaysSo()
    {
        Pair pair;
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        const QByteArray data = pattern(256 << 10);
        QCOMPARE(socket.write(data), qint64(data.size()));
        QVERIFY(socket.bytesToWrite() > 0);
        socket.disconnectFromHost();
        QCOMPARE(socket.state(), QAbstractSocket::ClosingState);
        QCOMPARE(events.disconnected, 0);

        pair.readTheirs();
        QTRY_VERIFY_WITH_TIMEOUT(pair.received.size() == data.size() && events.disconnected == 1,
                                 20000);
        QCOMPARE(pair.received, data);
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        char c;
        QCOMPARE(::read(pair.theirs, &c, 1), ssize_t(0)); // the end of the stream
    }

    void readsAreSaidOnceUntilReadAndTheEndOfTheStreamIsAnError()
    {
        Pair pair;
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        QCOMPARE(::write(pair.theirs, "hello", 5), ssize_t(5));
        QTRY_COMPARE(events.readyRead, 1);
        QCOMPARE(socket.bytesAvailable(), qint64(5));
        // Not read: the socket stays quiet although the bytes are there (an armed notifier
        // would fire in the first of these turns of the loop).
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
        QCOMPARE(events.readyRead, 1);

        char buffer[16];
        QCOMPARE(socket.read(buffer, sizeof buffer), qint64(5));
        QCOMPARE(QByteArray(buffer, 5), QByteArray("hello"));
        QCOMPARE(socket.read(buffer, sizeof buffer), qint64(0)); // nothing more for now

        ::close(pair.theirs);
        pair.theirs = -1;
        QTRY_COMPARE(events.readyRead, 2);
        QCOMPARE(socket.read(buffer, sizeof buffer), qint64(-1));
        QCOMPARE(socket.error(), QAbstractSocket::RemoteHostClosedError);
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(events.disconnected, 0); // read, not said: as an unbuffered QTcpSocket
        QCOMPARE(socket.write("x", 1), qint64(-1));
    }

    void abortDropsWhatWaitsAndSaysSoOnce()
    {
        Pair pair;
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        QCOMPARE(socket.write(pattern(256 << 10)), qint64(256 << 10));
        QVERIFY(socket.bytesToWrite() > 0);
        socket.abort();
        QCOMPARE(events.disconnected, 1);
        QCOMPARE(socket.bytesToWrite(), qint64(0));
        socket.abort();
        QCOMPARE(events.disconnected, 1);
        QCOMPARE(socket.socketDescriptor(), qintptr(-1));
    }

    void aWriteToAPeerThatWentIsAnError()
    {
        Pair pair;
        Events events;
        Socket socket(&events);
        QVERIFY(socket.setSocketDescriptor(pair.ours));
        ::close(pair.theirs);
        pair.theirs = -1;
        // No SIGPIPE: the error is returned.
        QCOMPARE(socket.write("x", 1), qint64(-1));
        QCOMPARE(socket.error(), QAbstractSocket::RemoteHostClosedError);
    }

    void connectingTakesTheDescriptorOverFromQTcpSocket()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        Events events;
        Socket socket(&events);
        socket.connectToHost(QStringLiteral("127.0.0.1"), server.serverPort());
        QCOMPARE(socket.state(), QAbstractSocket::ConnectingState);
        QTRY_COMPARE(events.connected, 1);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(socket.peerPort(), server.serverPort());
        QCOMPARE(socket.peerAddress(), QHostAddress(QHostAddress::LocalHost));
        QVERIFY(socket.localPort() != 0);
        QTRY_VERIFY(server.hasPendingConnections());
        std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());

        // The QTcpSocket that connected is gone, and its copy of the descriptor with it: the
        // peer sees no end of the stream, and bytes go both ways.
        QCOMPARE(socket.write("ping", 4), qint64(4));
        QTRY_COMPARE(peer->bytesAvailable(), qint64(4));
        QCOMPARE(peer->readAll(), QByteArray("ping"));
        QCOMPARE(peer->state(), QAbstractSocket::ConnectedState);
        peer->write("pong");
        QTRY_COMPARE(events.readyRead, 1);
        char buffer[8];
        QCOMPARE(socket.read(buffer, sizeof buffer), qint64(4));
        QCOMPARE(QByteArray(buffer, 4), QByteArray("pong"));
        QVERIFY(events.errors.isEmpty());
    }

    void aRefusedConnectionIsAnError()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        Events events;
        Socket socket(&events);
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        QTRY_COMPARE(events.errors.size(), 1);
        QCOMPARE(events.errors.first(), QAbstractSocket::ConnectionRefusedError);
        QVERIFY(!socket.errorString().isEmpty());
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(events.connected, 0);
    }

    void aDescriptorThatIsNoStreamSocketIsRefused()
    {
        int fds[2];
        QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
        Events events;
        Socket socket(&events);
        QVERIFY(!socket.setSocketDescriptor(fds[0]));
        QVERIFY(!socket.errorString().isEmpty());
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        ::close(fds[0]); // still the caller's
        ::close(fds[1]);
    }
};

QTEST_GUILESS_MAIN(tst_Socket)
#include "tst_socket.moc"
