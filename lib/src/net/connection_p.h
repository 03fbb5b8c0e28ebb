// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "frame_p.h"
#include "socket_p.h"
#include "ticker_p.h"

#include <parley/net.h>

#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QSet>
#include <QtNetwork/QAbstractSocket>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
class QTcpServer;
QT_END_NAMESPACE

namespace Parley {

namespace Crypto {
class SecureChannel;
}

namespace Internal {

using detail::Envelope;
class TransportHost;

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
/// Remembers who sent through a connection, so that each hears once when it ends (DESIGN.md
/// section 8, E5): local objects, and requesters in other processes whose messages this process
/// relays (their addresses end with the proxy of the connection they came through).
///
/// Nothing is forgotten while it can still be told: when the set doubles, senders that can no
/// longer be reached (a local object that has ended; a remote one whose connection has ended)
/// are removed. Local senders are bounded by the live objects; remote ones are capped at
/// MaxRemote, beyond which the least recently seen are forgotten (with a warning).
class PARLEY_AUTOTEST_EXPORT SenderTracker
{
public:
    static constexpr qsizetype MaxRemote = 65536;
    using IsAlive = bool (*)(void *context, quint64 id);

    /// Records \a from; \a isAlive answers whether a local object still exists.
    /// Returns the number of remote senders forgotten by this call (for a warning).
    qsizetype note(const Address &from, IsAlive isAlive, void *context);
    /// Returns every sender recorded, and forgets them.
    std::vector<Address> take();
    [[nodiscard]] qsizetype size() const { return m_senders.size(); }

private:
    qsizetype compact(IsAlive isAlive, void *context);

    QHash<Address, quint64> m_senders; ///< sender -> when last seen
    Address m_last;
    quint64 m_stamp = 0;
    qsizetype m_compactAt = 1024;
};

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
class Connection final : public Object, private SocketEvents, private Ticked
{
public:
    explicit Connection(ConnectionSetup setup);
    ~Connection() override;

    [[nodiscard]] QString parleyStateName() const override;

private:
    enum class State { Idle, Connecting, Greeting, Open, Closing, Done };

    void parleyReceive(Envelope &envelope) override;
    void parleyBatchDone() override { flush(); }

    // -- what the socket says
    void socketConnected() override { onTcpUp(); }
    void socketReadyRead() override { onReadyRead(); }
    void socketBytesWritten(qint64 bytes) override { onBytesWritten(bytes); }
    void socketError(QAbstractSocket::SocketError error) override { onSocketError(error); }
    void socketDisconnected() override { onDisconnected(); }
    void tick() override { onTick(); }

    // -- setting up
    void begin();
    void onTcpUp();
    void onOpen();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();

    // -- sending
    void ship(Envelope &envelope);
    void writeFrames(QByteArray &frames, qsizetype count);
    /// Answers the sender of \a envelope with SendFailed (\a reason, \a why), handing the
    /// message back; the warning line is throttled to one per burst.
    void refuse(Envelope &envelope, DropReason reason, const QString &why);
    void onBytesWritten(qint64 bytes);
    void settleWritten();
    void flush();
    void queued(qsizetype bytes, qsizetype frames);
    [[nodiscard]] qsizetype queuedBytes() const;
    [[nodiscard]] qsizetype queuedFrames() const
    {
        return qsizetype(m_frameEnds.size()) - m_frameHead;
    }
    /// Tells the senders refused for a full queue that it has drained (Drained): at once those
    /// that asked (WhenDrained), after DrainedGrace those that did not.
    void tellDrained();

    // -- encryption (docs/security.md, "Connection behaviour")
    /// Creates the channel once the peer's preamble is accepted; the initiator sends message 1.
    /// Returns false (the connection ended) when this end's identity can't be loaded.
    bool startHandshake(QByteArrayView peerPreamble);
    /// Feeds the peer's bytes to the channel: writes what the handshake produces, judges the
    /// peer's key when it completes, and handles the frames it decrypts. False once ending.
    bool feedChannel(QByteArrayView bytes);
    /// Judges the peer's key; false (the connection ended with PeerKeyMismatch) when refused.
    bool channelOpened();
    /// Handles the wire frames of one decrypted channel frame. False once ending.
    bool handleDecrypted(QByteArrayView plain);
    /// Ends the connection for the channel's error.
    void failChannel();
    /// Encrypts the first \a size bytes of m_plain (all when negative) into m_out.
    void seal(qsizetype size = -1);
    [[nodiscard]] bool isSealed() const { return m_setup.options.encrypted; }
    /// Bytes of the peer's held for a frame that has not fully arrived.
    [[nodiscard]] qint64 heldBytes() const;

    // -- receiving
    void onReadyRead();
    /// Handles the preamble and the frames in m_in; false once the connection is ending.
    bool parseReceived();
    bool handleFrame(Wire::Frame &frame);
    /// Answers a frame of a type this process does not know with Undeliverable; closes the
    /// connection when the peer keeps doing it. Returns false once closing.
    bool unknownType(const Wire::Frame &frame, const Address &to);
    /// Tells the sender of \a frame, a frame for a further hop whose proxy has ended, that it
    /// could not be delivered (Undeliverable, naming the message's type).
    void relayFailed(const Wire::Frame &frame);
    [[nodiscard]] const TypeInfo *lookupType(QByteArrayView name);
    [[nodiscard]] Address home() const;
    /// Counts the bytes of an unfinished frame against the process's budget; false (and the
    /// connection closed) when they don't fit.
    bool accountIncomplete();
    void releaseIncomplete();

    // -- timers
    void onTick();

    // -- ending
    void closeOnRequest(EndOfTransport reason, Value value);
    /// The peer's close frame arrived: confirm it, and end (Abandoned; or Closed when this end
    /// was closing too).
    void onPeerClose(QByteArrayView note);
    void failInbound(EndOfTransport reason, const QString &note);
    void endAbandoned(EndOfTransport reason, const QString &note);
    /// Ends a close this end asked for: \a confirmed when the peer confirmed it.
    void endClosed(bool confirmed, const QString &why = {});
    void endNotConnected(ConnectError reason, const QString &text);
    /// Completes the proxy soon (never inside a socket signal); \a linger lets the socket
    /// write what it holds first (a close confirmation), within closeTimeout.
    void finishLater(bool linger = false);
    void tellController(Value message);
    /// Records the connection event (docs/events.md) that \a message, a notice for the
    /// controller, stands for.
    void recordEnd(const Internal::TransportHost &host, const Value &message) const;
    /// Remembers a sender that sent through this connection (see SenderTracker).
    void noteSender(const Address &from);
    /// Tells every remembered sender that the connection ended (ConnectionLost), so requests
    /// waiting for answers through it end instead of hanging.
    void tellSenders(EndOfTransport reason, const QString &note);
    /// Describes what never left this process (for a close that could not flush).
    [[nodiscard]] QString unsentText() const;

    ConnectionSetup m_setup;
    State m_state = State::Idle;
    bool m_accepted = false;
    std::unique_ptr<Socket> m_socket;
    Address m_session;
    HostPort m_remote;

    QByteArray m_in; ///< bytes received and not yet parsed, from m_inStart on
    qsizetype m_inStart = 0;
    qint64 m_incomplete = 0; ///< bytes of m_in counted against the process's budget
    std::chrono::steady_clock::time_point m_frameSince; ///< when the unfinished frame began
    bool m_frameOpen = false;                           ///< an unfinished frame is in m_in
    QByteArray m_pending;                               ///< frames encoded before the socket was up
    qsizetype m_pendingFrames = 0;
    QByteArray m_out; ///< frames waiting for the end of the batch, then one write
    bool m_flushPending = false;
    std::vector<qint64> m_frameEnds; ///< where each unwritten frame ends, in m_queuedTotal terms
    qsizetype m_frameHead = 0;
    qint64 m_queuedTotal = 0; ///< bytes ever handed to the socket
    /// A sender refused for a full queue: it waits for Drained.
    struct Refused
    {
        bool asked = false; ///< it sent WhenDrained: Drained goes out as soon as the queue allows
    };
    QHash<Address, Refused> m_refused;
    std::optional<std::chrono::steady_clock::time_point> m_drainedSince; ///< below low water
    static constexpr std::chrono::seconds DrainedGrace{1}; ///< for senders that did not ask
    bool m_finishing = false;

    std::chrono::steady_clock::time_point m_deadline; ///< connect, greeting or close deadline
    std::chrono::steady_clock::time_point m_lastReceived;
    std::chrono::steady_clock::time_point m_lastPing;
    std::chrono::steady_clock::time_point m_lastProgress;

    EndOfTransport m_closeReason = EndOfTransport::OnRequest;
    Value m_closeValue;

    struct TypeCacheEntry
    {
        QByteArray name;
        const TypeInfo *type;
    };
    std::vector<TypeCacheEntry> m_types;
    /// Frames of unknown types accepted per window before the connection is closed.
    static constexpr int MaxUnknownTypes = 10;
    static constexpr std::chrono::seconds UnknownTypeWindow{60};
    int m_unknownTypes = 0;
    std::chrono::steady_clock::time_point m_unknownSince;
    SenderTracker m_senders;

    std::unique_ptr<Crypto::SecureChannel> m_channel; ///< encrypted: from the peer's preamble on
    QByteArray m_preamble;                            ///< this end's, as sent
    QByteArray m_plain;             ///< encrypted: frames of this batch in clear, sealed at its end
    qsizetype m_unsealedFrames = 0; ///< frames in m_plain (the last entries of m_frameEnds)
    QString m_peerKey;              ///< the peer's fingerprint, once judged
    bool m_mute = false;            ///< a refused peer is sent nothing more
};

/// \internal
/// Accepts connections for listen() and hands each to a Connection.
class Listener final : public Object
{
public:
    Listener(HostPort at, ConnectionOptions options);
    ~Listener() override;

    /// Hands an accepted \a descriptor to a new connection (or closes it at maxConnections).
    void accept(qintptr descriptor);

private:
    void parleyReceive(Envelope &envelope) override;
    void begin();
    /// Accepts what the kernel holds, up to maxPending connections not yet greeted.
    void acceptReady();
    /// Accepts again once fewer than maxPending connections wait for their greeting.
    void resumeIfBelowPending();

    HostPort m_requested;
    HostPort m_bound;
    ConnectionOptions m_options;
    QTcpServer *m_server = nullptr;
    QSocketNotifier *m_notifier = nullptr; ///< the listening socket: accepts are Parley's own
    QSet<quint64> m_live;
    QSet<quint64> m_pending;
    bool m_paused = false; ///< at maxPending: the kernel queues the rest
    bool m_refusalWarned = false;
    bool m_acceptErrorWarned = false;
};

} // namespace Internal
} // namespace Parley
