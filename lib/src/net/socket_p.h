// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "poller_p.h"

#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QAbstractSocket>
#include <QtNetwork/QHostAddress>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Parley::Internal {

/// \internal
/// What a Socket tells its owner, on the socket's thread, as QTcpSocket's signals would.
class SocketEvents
{
public:
    /// The connection asked for with connectToHost() is up.
    virtual void socketConnected() = 0;
    /// Bytes can be read; until read() is called the socket does not say so again.
    virtual void socketReadyRead() = 0;
    /// \a bytes that waited in the socket went to the kernel.
    virtual void socketBytesWritten(qint64 bytes) = 0;
    /// Connecting failed, or writing what waited failed (the socket aborts right after).
    virtual void socketError(QAbstractSocket::SocketError error) = 0;
    /// A connected socket was closed: by disconnectFromHost() once everything was written, or
    /// by abort().
    virtual void socketDisconnected() = 0;

protected:
    ~SocketEvents() = default;
};

/// \internal
/// A TCP stream on a descriptor of Parley's own, watched by its thread's Poller (write interest
/// only while bytes wait), reads straight into the caller's buffer and writes straight to the
/// kernel, and nothing buffered but what the kernel refused (released once written). It has the
/// part of QTcpSocket's interface, and the unbuffered semantics, that a connection uses.
///
/// Why not QTcpSocket: Qt 6.4 opens a socket made from an accepted descriptor buffered whatever
/// the mode asked, and each such socket keeps Qt's 16 KiB read and write chunks once used, most
/// of what an idle connection cost (docs/design-notes.md, "Sockets"). Connecting (name lookup,
/// trying each address, the errors) is still QTcpSocket's; once connected, the descriptor is
/// taken over.
///
/// Semantics kept from an unbuffered QTcpSocket: a read notification disarms it until the next
/// read(); read() returns 0 when nothing is there and -1 at the end of the stream or on
/// an error (error() says which: RemoteHostClosedError for the peer's close or reset), with no
/// callback; write() returns -1 on an error with no callback; abort() and a finished
/// disconnectFromHost() call socketDisconnected() when the socket was connected.
class PARLEY_AUTOTEST_EXPORT Socket : private PollWatcher
{
public:
    explicit Socket(SocketEvents *owner);
    ~Socket();
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;

    /// Connects to \a host (a name or an address) at \a port, without any proxy.
    void connectToHost(const QString &host, quint16 port);
    /// Takes over \a descriptor, a connected TCP socket. False, with error(), when it isn't
    /// usable (the descriptor is then still the caller's).
    bool setSocketDescriptor(qintptr descriptor);

    [[nodiscard]] QAbstractSocket::SocketState state() const { return m_state; }
    [[nodiscard]] QAbstractSocket::SocketError error() const { return m_error; }
    [[nodiscard]] QString errorString() const { return m_errorString; }
    [[nodiscard]] qintptr socketDescriptor() const { return m_fd; }

    /// Bytes the kernel holds for reading now.
    [[nodiscard]] qint64 bytesAvailable() const;
    /// Bytes written but refused by the kernel so far, waiting here.
    [[nodiscard]] qint64 bytesToWrite() const { return m_out.size() - m_outStart; }
    /// Bytes the waiting buffer holds, those already written from its front included (tests:
    /// it stays within about twice what waits).
    [[nodiscard]] qsizetype bufferSize() const { return m_out.size(); }
    /// Reads at most \a max bytes into \a data: their count, 0 when none are there, -1 at the
    /// end of the stream or on an error.
    qint64 read(char *data, qint64 max);
    /// Writes \a size bytes: what the kernel doesn't take now waits here. Returns \a size, or
    /// -1 on an error.
    qint64 write(const char *data, qint64 size);
    qint64 write(const QByteArray &data) { return write(data.constData(), data.size()); }
    /// Writes what waits, as far as the kernel takes it now. True when anything was written.
    bool flush();
    /// Closes once what waits is written.
    void disconnectFromHost();
    /// Closes now; what waits is dropped.
    void abort();
    /// Sends small writes at once (TCP_NODELAY).
    void setLowDelay();

    [[nodiscard]] QHostAddress peerAddress() const;
    [[nodiscard]] quint16 peerPort() const;
    [[nodiscard]] QHostAddress localAddress() const;
    [[nodiscard]] quint16 localPort() const;

private:
    /// Takes \a fd (non-blocking, connected) into the thread's poller; false, with the error
    /// set and the descriptor still the caller's, when it can't be watched.
    bool adopt(int fd);
    void onConnectorUp();
    void onConnectorError(QAbstractSocket::SocketError error);
    void pollReadable() override;
    void pollWritable() override;
    /// Writes what waits; false (with the error set) on an error.
    bool writeWaiting(qint64 &written);
    void setErrorFromErrno(int error);
    void closeDescriptor();
    void setWriteNotification(bool on);

    struct ConnectorDeleter
    {
        void operator()(QTcpSocket *socket) const;
    };

    static constexpr qsizetype CompactAt = 64 << 10;

    SocketEvents *m_owner;
    std::unique_ptr<QTcpSocket, ConnectorDeleter> m_connector; ///< while connecting
    Poller::Handle m_poll = 0;                                 ///< while the descriptor is open
    QByteArray m_out;                                          ///< what the kernel refused
    qsizetype m_outStart = 0;                                  ///< written from the front of m_out
    int m_fd = -1;
    QAbstractSocket::SocketState m_state = QAbstractSocket::UnconnectedState;
    QAbstractSocket::SocketError m_error = QAbstractSocket::UnknownSocketError;
    QString m_errorString;
};

} // namespace Parley::Internal
