// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "frame_p.h"

#include <parley/net.h>

#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QSet>
#include <QtNetwork/QAbstractSocket>

#include <chrono>
#include <vector>

QT_BEGIN_NAMESPACE
class QTcpSocket;
class QTimer;
QT_END_NAMESPACE

namespace Parley {

namespace detail {

/// \internal
/// A frame passing through this process to a further hop: its body is never decoded here.
struct RelayFrame
{
    QByteArray type;
    QByteArray body;
    std::vector<Address> book;
};
/// \internal
/// Tells a listener that one of its connections has sent its preamble.
struct Greeted
{
};

PARLEY_MESSAGE_AS(RelayFrame, "parley.Relay", type, body, book)
PARLEY_MESSAGE_AS(Greeted, "parley.Greeted")

/// \internal
/// What a connection object is created with.
struct ConnectionSetup
{
    ConnectionOptions options;
    Address controller;      ///< the object that called listen() or connect()
    HostPort requested;      ///< connect: the target; accept: the listener's bound address
    qintptr descriptor = -1; ///< accept: the socket handed over by the listener
};

/// \internal
/// The proxy of one connection: owns the socket, ships what is sent to it, delivers what
/// arrives, and applies the address rules of docs/protocol.md on both ways.
///
/// Lives on a worker thread with an event loop; the socket, its timer and every byte buffer are
/// touched on that thread only.
class Connection final : public Object
{
public:
    explicit Connection(ConnectionSetup setup);
    ~Connection() override;

    [[nodiscard]] QString parleyStateName() const override;

private:
    enum class State { Idle, Connecting, Greeting, Open, Closing, Done };

    void parleyReceive(Envelope &envelope) override;
    void parleyBatchDone() override { flush(); }

    // -- setting up
    void begin();
    void onTcpUp();
    void onOpen();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();

    // -- sending
    void ship(Envelope &envelope);
    void writeFrames(QByteArray &frames, qsizetype count);
    /// Answers the sender of \a envelope with Faulted (and a warning line when \a logIt).
    void refuse(const Envelope &envelope, const QString &why, bool logIt = true);
    void onBytesWritten(qint64 bytes);
    void settleWritten();
    void flush();
    void queued(qsizetype bytes, qsizetype frames);
    [[nodiscard]] qsizetype queuedBytes() const;
    [[nodiscard]] qsizetype queuedFrames() const
    {
        return qsizetype(m_frameEnds.size()) - m_frameHead;
    }

    // -- receiving
    void onReadyRead();
    /// Handles the preamble and the frames in m_in; false once the connection is ending.
    bool parseReceived();
    bool handleFrame(Wire::Frame &frame);
    [[nodiscard]] const TypeInfo *lookupType(QByteArrayView name);
    [[nodiscard]] Address home() const;

    // -- timers
    void onTick();

    // -- ending
    void closeOnRequest(EndOfTransport reason, Value value);
    void failInbound(EndOfTransport reason, const QString &note);
    void endAbandoned(EndOfTransport reason, const QString &note);
    void endClosed(EndOfTransport reason, const QString &note);
    void endNotConnected(ConnectError reason, const QString &text);
    void finishLater();
    void tellController(Value message);
    /// Remembers a local object that sent through this connection.
    void noteSender(const Address &from);
    /// Tells every remembered sender that the connection broke (\a notice: what the
    /// controller got), so requests waiting for answers through it end instead of hanging.
    void tellSenders(const Value &notice);

    ConnectionSetup m_setup;
    State m_state = State::Idle;
    bool m_accepted = false;
    QTcpSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    Address m_session;
    HostPort m_remote;

    QByteArray m_in; ///< bytes received and not yet parsed, from m_inStart on
    qsizetype m_inStart = 0;
    QByteArray m_pending; ///< frames encoded before the socket was up
    qsizetype m_pendingFrames = 0;
    QByteArray m_out; ///< frames waiting for the end of the batch, then one write
    bool m_flushPending = false;
    std::vector<qint64> m_frameEnds; ///< where each unwritten frame ends, in m_queuedTotal terms
    qsizetype m_frameHead = 0;
    qint64 m_queuedTotal = 0; ///< bytes ever handed to the socket
    bool m_overflowWarned = false;

    std::chrono::steady_clock::time_point m_deadline; ///< connect or greeting deadline
    std::chrono::steady_clock::time_point m_lastReceived;
    std::chrono::steady_clock::time_point m_lastPing;
    std::chrono::steady_clock::time_point m_lastProgress;

    EndOfTransport m_closeReason = EndOfTransport::OnRequest;
    QString m_closeNote;
    Value m_closeValue;

    struct TypeCacheEntry
    {
        QByteArray name;
        const TypeInfo *type;
    };
    std::vector<TypeCacheEntry> m_types;
    static constexpr qsizetype MaxSenders = 4096;
    QSet<quint64> m_senders;
    quint64 m_lastSender = 0;
};

/// \internal
/// Accepts connections for listen() and hands each to a Connection.
class Listener final : public Object
{
public:
    Listener(HostPort at, ConnectionOptions options);
    ~Listener() override;

    /// Called by the server socket for each accepted descriptor.
    void accept(qintptr descriptor);

private:
    void parleyReceive(Envelope &envelope) override;
    void begin();

    HostPort m_requested;
    HostPort m_bound;
    ConnectionOptions m_options;
    class Server;
    Server *m_server = nullptr;
    QSet<quint64> m_live;
    QSet<quint64> m_pending;
    bool m_refusalWarned = false;
};

} // namespace detail
} // namespace Parley
