// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "socket_p.h"

#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpSocket>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Parley::Internal {

namespace {

QString peerClosedString()
{
    return QStringLiteral("The remote host closed the connection");
}

/// The address and port in \a address, as QHostAddress and a port number.
QHostAddress addressOf(const sockaddr_storage &address, quint16 *port)
{
    QHostAddress out(reinterpret_cast<const sockaddr *>(&address));
    if (port) {
        *port = 0;
        if (address.ss_family == AF_INET)
            *port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
        else if (address.ss_family == AF_INET6)
            *port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    }
    return out;
}

/// The peer's (\a peer) or this end's address of \a fd, and its port in \a port when given;
/// null and 0 when there is none.
QHostAddress endpointOf(int fd, bool peer, quint16 *port)
{
    sockaddr_storage a{};
    socklen_t length = sizeof a;
    auto *name = reinterpret_cast<sockaddr *>(&a);
    if (fd < 0
        || (peer ? ::getpeername(fd, name, &length) : ::getsockname(fd, name, &length)) != 0) {
        if (port)
            *port = 0;
        return {};
    }
    return addressOf(a, port);
}

} // namespace

void Socket::ConnectorDeleter::operator()(QTcpSocket *socket) const
{
    // It may be the one whose signal is running now.
    socket->disconnect();
    socket->deleteLater();
}

Socket::Socket(SocketEvents *owner) : m_owner(owner) {}

Socket::~Socket()
{
    closeDescriptor();
}

void Socket::connectToHost(const QString &host, quint16 port)
{
    m_connector.reset(new QTcpSocket);
    m_connector->setProxy(QNetworkProxy::NoProxy); // direct TCP; no system proxy lookups
    QObject::connect(m_connector.get(), &QTcpSocket::connected, m_connector.get(),
                     [this] { onConnectorUp(); });
    QObject::connect(m_connector.get(), &QTcpSocket::errorOccurred, m_connector.get(),
                     [this](QAbstractSocket::SocketError e) { onConnectorError(e); });
    m_state = QAbstractSocket::ConnectingState;
    // Unbuffered: nothing is read or written through it; the descriptor is taken over when up.
    m_connector->connectToHost(host, port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void Socket::onConnectorUp()
{
    // The descriptor is duplicated and the QTcpSocket dropped: closing its copy sends nothing
    // while this one stays open.
    const int fd = ::fcntl(int(m_connector->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        const int e = errno;
        m_connector.reset();
        m_state = QAbstractSocket::UnconnectedState;
        setErrorFromErrno(e);
        m_owner->socketError(m_error);
        return;
    }
    m_connector->disconnect();
    m_connector->abort();
    m_connector.reset();
    if (!adopt(fd)) {
        ::close(fd);
        m_owner->socketError(m_error);
        return;
    }
    m_owner->socketConnected();
}

void Socket::onConnectorError(QAbstractSocket::SocketError error)
{
    m_error = error;
    m_errorString = m_connector->errorString();
    if (m_connector->state() == QAbstractSocket::UnconnectedState) {
        m_connector.reset();
        m_state = QAbstractSocket::UnconnectedState;
    }
    m_owner->socketError(error);
}

bool Socket::setSocketDescriptor(qintptr descriptor)
{
    const int fd = int(descriptor);
    const int flags = ::fcntl(fd, F_GETFL);
    int type = 0;
    socklen_t length = sizeof type;
    if (flags < 0 || ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0
        || type != SOCK_STREAM) {
        m_error = QAbstractSocket::UnsupportedSocketOperationError;
        m_errorString = flags < 0 ? QString::fromLocal8Bit(std::strerror(errno))
                                  : QStringLiteral("not a stream socket");
        return false;
    }
    if (!(flags & O_NONBLOCK) && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        setErrorFromErrno(errno);
        return false;
    }
    return adopt(fd);
}

bool Socket::adopt(int fd)
{
    // Non-blocking already: setSocketDescriptor() made it so, and a duplicate of QTcpSocket's
    // descriptor shares its flags.
    m_poll = Poller::add(fd, this);
    if (m_poll == 0) {
        setErrorFromErrno(errno);
        m_state = QAbstractSocket::UnconnectedState;
        return false;
    }
    m_fd = fd;
    m_state = QAbstractSocket::ConnectedState;
    return true;
}

qint64 Socket::bytesAvailable() const
{
    if (m_fd < 0)
        return 0;
    int n = 0;
    return ::ioctl(m_fd, FIONREAD, &n) == 0 ? qint64(n) : 0;
}

void Socket::pollReadable()
{
    // As an unbuffered QTcpSocket: told once (the poller has turned read interest off), then
    // quiet until the owner reads.
    m_owner->socketReadyRead();
}

qint64 Socket::read(char *data, qint64 max)
{
    if (m_state != QAbstractSocket::ConnectedState && m_state != QAbstractSocket::ClosingState) {
        if (m_state == QAbstractSocket::UnconnectedState && m_errorString.isEmpty()) {
            m_error = QAbstractSocket::UnknownSocketError;
            m_errorString = QStringLiteral("the socket is not connected");
        }
        return -1;
    }
    if (max <= 0)
        return 0;
    ssize_t got;
    do {
        got = ::recv(m_fd, data, size_t(max), 0);
    } while (got < 0 && errno == EINTR);
    if (got > 0) {
        Poller::setRead(m_poll, true);
        return got;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Poller::setRead(m_poll, true);
        return 0;
    }
    // The end of the stream, or an error: recorded, not signalled (the owner reads it).
    if (got == 0) {
        m_error = QAbstractSocket::RemoteHostClosedError;
        m_errorString = peerClosedString();
    } else {
        setErrorFromErrno(errno);
    }
    closeDescriptor();
    m_state = QAbstractSocket::UnconnectedState;
    return -1;
}

qint64 Socket::write(const char *data, qint64 size)
{
    if (m_state != QAbstractSocket::ConnectedState) {
        m_error = QAbstractSocket::UnknownSocketError;
        m_errorString = QStringLiteral("the socket is not connected");
        return -1;
    }
    if (size <= 0)
        return 0;
    qint64 sent = 0;
    if (bytesToWrite() == 0) {
        ssize_t n;
        do {
            n = ::send(m_fd, data, size_t(size), MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                setErrorFromErrno(errno);
                return -1;
            }
            n = 0;
        }
        sent = n;
        if (sent == size)
            return size;
        m_out.clear();
        m_outStart = 0;
    }
    // What was written from the front is dropped once it is half the buffer (and worth a
    // move): a peer that always has some bytes waiting must not make the buffer grow forever.
    if (m_outStart >= CompactAt && m_outStart * 2 >= m_out.size()) {
        m_out.remove(0, m_outStart);
        m_outStart = 0;
    }
    m_out.append(data + sent, size - sent);
    setWriteNotification(true);
    return size;
}

bool Socket::writeWaiting(qint64 &written)
{
    written = 0;
    while (bytesToWrite() > 0) {
        ssize_t n;
        do {
            n = ::send(m_fd, m_out.constData() + m_outStart, size_t(bytesToWrite()), MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            setErrorFromErrno(errno);
            return false;
        }
        m_outStart += n;
        written += n;
    }
    // All written: the buffer goes, so an idle connection holds none.
    m_out = QByteArray();
    m_outStart = 0;
    return true;
}

bool Socket::flush()
{
    if (m_fd < 0 || bytesToWrite() == 0)
        return false;
    qint64 written = 0;
    if (!writeWaiting(written)) {
        m_owner->socketError(m_error);
        abort();
        return false;
    }
    if (bytesToWrite() == 0)
        setWriteNotification(false);
    if (written > 0)
        m_owner->socketBytesWritten(written);
    return written > 0;
}

void Socket::pollWritable()
{
    qint64 written = 0;
    if (!writeWaiting(written)) {
        m_owner->socketError(m_error);
        abort();
        return;
    }
    if (bytesToWrite() == 0)
        setWriteNotification(false);
    if (written > 0)
        m_owner->socketBytesWritten(written);
    if (m_state == QAbstractSocket::ClosingState && bytesToWrite() == 0) {
        closeDescriptor();
        m_state = QAbstractSocket::UnconnectedState;
        m_owner->socketDisconnected();
    }
}

void Socket::disconnectFromHost()
{
    if (m_state == QAbstractSocket::ConnectingState) {
        abort();
        return;
    }
    if (m_state != QAbstractSocket::ConnectedState)
        return;
    Poller::setRead(m_poll, false);
    if (bytesToWrite() > 0) {
        m_state = QAbstractSocket::ClosingState;
        setWriteNotification(true);
        return;
    }
    closeDescriptor();
    m_state = QAbstractSocket::UnconnectedState;
    m_owner->socketDisconnected();
}

void Socket::abort()
{
    m_connector.reset();
    const QAbstractSocket::SocketState before = m_state;
    closeDescriptor();
    m_out = QByteArray();
    m_outStart = 0;
    m_state = QAbstractSocket::UnconnectedState;
    if (before == QAbstractSocket::ConnectedState || before == QAbstractSocket::ClosingState)
        m_owner->socketDisconnected();
}

void Socket::setLowDelay()
{
    if (m_fd < 0)
        return;
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

QHostAddress Socket::peerAddress() const
{
    return endpointOf(m_fd, true, nullptr);
}

quint16 Socket::peerPort() const
{
    quint16 port = 0;
    endpointOf(m_fd, true, &port);
    return port;
}

QHostAddress Socket::localAddress() const
{
    return endpointOf(m_fd, false, nullptr);
}

quint16 Socket::localPort() const
{
    quint16 port = 0;
    endpointOf(m_fd, false, &port);
    return port;
}

void Socket::setErrorFromErrno(int error)
{
    switch (error) {
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN:
        m_error = QAbstractSocket::RemoteHostClosedError;
        m_errorString = peerClosedString();
        return;
    case ETIMEDOUT:
        m_error = QAbstractSocket::SocketTimeoutError;
        break;
    default:
        m_error = QAbstractSocket::NetworkError;
        break;
    }
    m_errorString = QString::fromLocal8Bit(std::strerror(error));
}

void Socket::closeDescriptor()
{
    // Out of the poller before the descriptor closes (nothing more is reported for it, not even
    // from the round in progress).
    Poller::remove(std::exchange(m_poll, 0));
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void Socket::setWriteNotification(bool on)
{
    Poller::setWrite(m_poll, on);
}

} // namespace Parley::Internal
