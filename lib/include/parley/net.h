// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_NET
#error "<parley/net.h> is in the net layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/object.h>
#include <parley/security.h>

#include <chrono>
#include <functional>

/// \file
/// Networking: listen(), connect(), the messages they produce, and sessions.
///
/// Every connection has a proxy object at each end. Connected and Accepted come from the
/// proxy, so their return address is the remote peer: sending to the bare proxy address reaches
/// the remote controller (or session), and replies to messages that came over the connection
/// find their way back through it. See docs/protocol.md for the wire format and the address
/// rules, and docs/net.md for the behaviour.

namespace Parley {

class Routine;

/// Names a TCP endpoint: a host name or address literal (IPv4 or IPv6) and a port.
struct HostPort
{
    QString host;
    quint16 port = 0;

    /// Returns "host:port" ("[::1]:80" for IPv6 literals).
    [[nodiscard]] PARLEY_EXPORT QString toString() const;
    friend bool operator==(const HostPort &, const HostPort &) = default;
};

// -- listening ----------------------------------------------------------------------------------

/// Why a listen failed.
enum class ListenError {
    AddressInUse,     ///< another socket holds the port
    PermissionDenied, ///< e.g. a port below 1024 without privileges
    BadAddress,       ///< not an address of this host, or a host name that doesn't resolve
    Other,            ///< anything else; see the text
};
/// Tells the controller its listener is accepting connections; comes from the listener.
struct Listening
{
    HostPort requested; ///< what listen() was asked for
    HostPort bound;     ///< the address actually bound, with the real port when 0 was asked
};
/// Tells the controller a listen failed; the listener is gone.
struct NotListening
{
    HostPort requested;
    ListenError reason = ListenError::Other;
    QString text; ///< the system's words, e.g. "The bound address is already in use"
};
/// Tells the controller a connection was accepted; comes from the connection's proxy (or from
/// the session, when the listen has one).
struct Accepted
{
    HostPort listening; ///< the listener's bound address
    HostPort remote;    ///< the peer's address
    /// The fingerprint ("SHA256:...") of the static key the peer proved it holds, when the
    /// connection is encrypted; empty for a plain one.
    QString peerKey;
};

// -- connecting ---------------------------------------------------------------------------------

/// Why a connect failed.
enum class ConnectError {
    Refused,          ///< nothing listens there
    Unreachable,      ///< no route to the host or network
    Timeout,          ///< no answer within ConnectionOptions::connectTimeout
    NameNotFound,     ///< the host name does not resolve
    ProtocolMismatch, ///< the peer answered with something other than a Parley preamble
    SecurityMismatch, ///< the peer wants encryption and this end does not (or the reverse)
    HandshakeFailed,  ///< the encrypted handshake failed: tampered with, or not the peer's keys
    PeerKeyMismatch,  ///< the peer's key is refused by SecurityOptions::peerKeyPolicy
    Other,            ///< anything else; see the text
};
/// Tells the controller the connection is up; comes from the proxy (or the session).
struct Connected
{
    HostPort requested; ///< what connect() was asked for
    HostPort local;     ///< this end's address
    HostPort remote;    ///< the peer's address
    /// The fingerprint ("SHA256:...") of the static key the peer proved it holds, when the
    /// connection is encrypted; empty for a plain one.
    QString peerKey;
};
/// Tells the controller a connect failed; nothing is left behind.
struct NotConnected
{
    HostPort requested;
    ConnectError reason = ConnectError::Other;
    QString text;
};

// -- ending -------------------------------------------------------------------------------------

/// Says why a connection ended.
enum class EndOfTransport {
    OnRequest,         ///< this end sent Close (or Stop) to the proxy
    SessionCompleted,  ///< the connection's session completed
    AbandonedByRemote, ///< the peer closed the connection, or its process ended
    WentStale,         ///< the peer stayed silent past the heartbeat timeout
    InboundStreaming,  ///< the peer sent something this end could not accept (see the note)
    OutboundStreaming, ///< this end could not encode a message for the peer
    StoppedReading,    ///< the peer stopped reading while messages for it waited
    ProtocolMismatch,  ///< the peer's preamble is not Parley's, or another version
    SecurityMismatch,  ///< the peer's preamble asks for another security mode
    NotFlushed,        ///< a close could not confirm that what was sent before it arrived
    FrameTimedOut,     ///< a frame the peer began did not arrive whole within frameTimeout
    HandshakeFailed,   ///< the encrypted handshake failed (see docs/security.md)
    PeerKeyMismatch,   ///< the peer's key is refused by SecurityOptions::peerKeyPolicy
    /// an encrypted record failed authentication or broke the record rules: tampered with,
    /// replayed, reordered, dropped, or cleartext where a record belongs
    SecurityViolation,
};

/// Returns true for the reasons that are security failures rather than network errors
/// (SecurityMismatch, HandshakeFailed, PeerKeyMismatch): trying again will not help, and a
/// reconnecting group stops (errorClassOf() makes them Hard).
[[nodiscard]] constexpr bool isSecurityFailure(ConnectError reason)
{
    return reason == ConnectError::SecurityMismatch || reason == ConnectError::HandshakeFailed
        || reason == ConnectError::PeerKeyMismatch;
}
/// Returns true for the reasons that are security failures rather than network errors
/// (SecurityMismatch, HandshakeFailed, PeerKeyMismatch, SecurityViolation).
[[nodiscard]] constexpr bool isSecurityFailure(EndOfTransport reason)
{
    return reason == EndOfTransport::SecurityMismatch || reason == EndOfTransport::HandshakeFailed
        || reason == EndOfTransport::PeerKeyMismatch || reason == EndOfTransport::SecurityViolation;
}
/// Closes a connection after what was already queued on it has been sent; send it to the proxy.
struct Close
{
    Value value; ///< handed back in Closed::value
};
/// Tells the controller that this end closed the connection (on request, because its session
/// completed, or because of the peer's bad input); comes from the proxy.
///
/// A close on request waits until the peer confirms it has read everything sent before the
/// Close (reason OnRequest). When the peer does not confirm within
/// ConnectionOptions::closeTimeout, or the connection breaks first, the reason is NotFlushed and
/// unsentMessages/unsentBytes say what never left this process. A Closed is a fault unless its
/// reason is OnRequest or SessionCompleted.
struct Closed
{
    EndOfTransport reason = EndOfTransport::OnRequest;
    QString note;              ///< details, e.g. the decode error that closed it
    HostPort remote;           ///< the peer's address
    Value value;               ///< Close::value, or the completion value of the session
    qint64 unsentMessages = 0; ///< NotFlushed: messages that were never written to the peer
    qint64 unsentBytes = 0;    ///< NotFlushed: bytes that were never written to the peer
};
/// Tells the controller that the peer went away: it closed, its process ended, or it went
/// silent; comes from the proxy.
struct Abandoned
{
    EndOfTransport reason = EndOfTransport::AbandonedByRemote;
    QString note;
    HostPort remote;
};

/// Tells a local object that a connection it sent messages through has ended, so a request it
/// still waits for will not be answered (DESIGN.md section 8, E5): every object that sent
/// through the connection gets one, once, whether it was a local object or a requester in
/// another process whose messages this process relayed. Comes from the proxy. A fault and a
/// notice: an object that no longer cares drops it quietly.
struct ConnectionLost
{
    EndOfTransport reason = EndOfTransport::AbandonedByRemote;
    QString note;
    HostPort remote;
};

/// Tells a sender that a connection refused its message, and hands the message back: the send
/// queue was full, the connection was closing, or the message was too large or could not be
/// encoded. Comes from the proxy.
///
/// After a QueueFull refusal every later message from the same sender is refused too, so that
/// nothing is reordered, until the sender is told Drained. To pace itself exactly, a producer
/// stops at the first QueueFull, keeps the messages handed back (they arrive in the order they
/// were sent), sends WhenDrained to the proxy, and on Drained sends them again, then goes on.
/// A sender that never asks is told Drained a second after the queue has drained.
struct SendFailed
{
    DropReason reason = DropReason::QueueFull;
    QString type;    ///< the refused message's wire name
    HostPort remote; ///< the peer the message was for
    QString note;    ///< details, e.g. the queue's size and limits
    Value message;   ///< the refused message (empty for a frame relayed for another process)
};

/// Asks a proxy to send Drained once its send queue is below half its limits; send it after
/// a QueueFull refusal. Everything the sender sent before it has been refused by then, so what
/// it sends after Drained keeps its order.
struct WhenDrained
{
};

/// Tells a sender refused with QueueFull that the connection's send queue has drained below half
/// its limits: its messages are accepted again.
struct Drained
{
    HostPort remote;
};

// -- sessions -----------------------------------------------------------------------------------

/// What a session object learns when it is created for a connection.
struct SessionInfo
{
    Address remoteAddress;     ///< the proxy: send here to reach the peer's controller/session
    Address controllerAddress; ///< the object that called listen() or connect()
    HostPort remote;           ///< the peer's network address
    /// The fingerprint ("SHA256:...") of the peer's static key on an encrypted connection (it
    /// was judged by the peer-key policy before the session was created; every message on the
    /// connection comes from the holder of that key); empty for a plain connection.
    QString peerKey;
};

/// Describes a session object to create for each connection (see createFrame()).
class CreateFrame
{
public:
    using Factory = std::function<Address(Object &proxy, const SessionInfo &info)>;
    CreateFrame() = default;
    explicit CreateFrame(Factory factory) : m_factory(std::move(factory)) {}
    /// Returns true when a session is described.
    [[nodiscard]] explicit operator bool() const { return bool(m_factory); }
    /// Creates the session as a child of \a proxy; returns its address.
    Address operator()(Object &proxy, const SessionInfo &info) const
    {
        return m_factory(proxy, info);
    }

private:
    Factory m_factory;
};

/// Describes a session of class \a T, constructed from copies of \a args followed by the
/// connection's SessionInfo: `T(args..., const SessionInfo &)`.
template <std::derived_from<Object> T, class... Args>
CreateFrame createFrame(Args... args)
{
    static_assert(std::is_constructible_v<T, Args &..., const SessionInfo &>,
                  "a session class needs a constructor T(args..., const SessionInfo &)");
    return CreateFrame([... args = std::move(args)](Object &proxy, const SessionInfo &info) {
        return proxy.create<T>(args..., info);
    });
}
/// Describes a session routine running \a F with copies of \a args followed by the
/// connection's SessionInfo: `R F(Routine &, args..., SessionInfo)`.
template <auto F, class... Args>
CreateFrame createFrame(Args... args)
{
    return CreateFrame([... args = std::move(args)](Object &proxy, const SessionInfo &info) {
        return proxy.create<F>(args..., info);
    });
}

// -- options ------------------------------------------------------------------------------------

/// Tunes a listen or a connect; the defaults suit most uses. Fields that apply to one side only
/// say so.
struct ConnectionOptions
{
    using Milliseconds = std::chrono::milliseconds;

    /// Creates a session object per connection (see createFrame()).
    CreateFrame session;
    /// Encrypts the connection (docs/security.md). Both ends must agree: a connection whose
    /// ends differ is refused on both sides with SecurityMismatch, never carried in plain text.
    bool encrypted = false;
    /// The identity of this end and the trust given to the peer's key, when encrypted.
    SecurityOptions security;
    /// Largest frame accepted from the peer (and sent to it), in bytes; at most 64 MiB.
    qsizetype maxFrameSize = 1 << 20;
    /// Sends a ping when nothing has arrived from the peer for this long; 0 turns heartbeats off.
    /// An accepting side waits half as long again (at most halfway to heartbeatTimeout), so
    /// that between two quiet ends only the connecting side's ping and its pong go by.
    Milliseconds heartbeatInterval{5000};
    /// Declares the peer gone (Abandoned, WentStale) after this long without a byte from it.
    Milliseconds heartbeatTimeout{15000};
    /// Bytes waiting to be written above which new sends fail fast with Faulted.
    qsizetype sendQueueBytes = 16 << 20;
    /// Frames waiting to be written above which new sends fail fast with Faulted.
    qsizetype sendQueueFrames = 100000;
    /// Closes the connection (Closed, StoppedReading) when bytes wait this long without the peer
    /// taking any.
    Milliseconds stallTimeout{30000};
    /// How long a Close waits for the peer to confirm that everything sent before it arrived;
    /// then the connection is cut and the controller gets Closed with reason NotFlushed.
    Milliseconds closeTimeout{10000};
    /// Closes the connection (Closed, FrameTimedOut) when a frame the peer has begun does not
    /// arrive whole within this long (a peer that trickles a body byte by byte).
    Milliseconds frameTimeout{30000};
    /// connect() only: gives up (NotConnected, Timeout) after this long.
    Milliseconds connectTimeout{10000};
    /// listen() only: the most connections open at once; more are accepted and closed at once
    /// (the client hears NotConnected, Refused).
    int maxConnections = 16384;
    /// listen() only: the most connections that have not yet sent their preamble. At the limit
    /// the listener stops accepting and the kernel's queue holds the rest; it resumes as
    /// greetings finish, so a burst of honest clients all connect.
    int maxPending = 256;
    /// listen() only: closes a connection that sends no preamble for this long.
    Milliseconds greetingTimeout{5000};
    /// listen() only: spreads accepted connections over the runtime's workers instead of
    /// keeping them on the listener's thread (which keeps request and reply on one thread).
    bool spreadOverWorkers = false;
};

/// Sets the most bytes the connections of this process together hold in frames that have not
/// fully arrived (default 256 MiB). A connection whose unfinished frame would take the total
/// over it is closed (Closed, InboundStreaming), so slow senders can't exhaust memory together.
PARLEY_EXPORT void setIncompleteFrameBudget(qint64 bytes);
/// Returns the bytes the connections of this process now hold in frames not fully arrived.
PARLEY_EXPORT qint64 incompleteFrameBytes();

/// Starts listening at \a at for \a self: \a self receives Listening or NotListening from the
/// listener, then Accepted per connection. Returns the listener's address; send it Stop to stop
/// listening (its connections are closed with it: they are its children).
PARLEY_EXPORT Address listenAt(Object &self, const HostPort &at, ConnectionOptions options = {});
/// Connects \a self to \a to: \a self receives Connected or NotConnected from the connection's
/// proxy. Returns the proxy's address. (Named connectTo, not connect, so that it is not hidden
/// by QObject::connect inside a class.)
PARLEY_EXPORT Address connectTo(Object &self, const HostPort &to, ConnectionOptions options = {});

// -- faults -------------------------------------------------------------------------------------

// A program whose main object ends with one of these exits with a line and status 71.
template <>
struct FaultTraits<NotListening>
{
    static constexpr bool isFault = true;
    static FaultView view(const NotListening &f)
    {
        return {QStringLiteral("cannot listen at \"%1\"").arg(f.requested.toString()), f.text, 0};
    }
};
template <>
struct FaultTraits<NotConnected>
{
    static constexpr bool isFault = true;
    static FaultView view(const NotConnected &f)
    {
        return {QStringLiteral("cannot connect to \"%1\"").arg(f.requested.toString()), f.text, 0};
    }
};
template <>
struct FaultTraits<Closed>
{
    static constexpr bool isFault = true;
    static bool holds(const Closed &c)
    {
        return c.reason != EndOfTransport::OnRequest
            && c.reason != EndOfTransport::SessionCompleted;
    }
    static FaultView view(const Closed &c)
    {
        return {QStringLiteral("connection to \"%1\" closed").arg(c.remote.toString()), c.note, 0};
    }
};
// The end of a connection is news for its controller, not something it must handle: one that
// has ended or has no handler drops it quietly.
template <>
struct NoticeTraits<Closed>
{
    static constexpr bool isNotice = true;
};
template <>
struct NoticeTraits<Abandoned>
{
    static constexpr bool isNotice = true;
};
template <>
struct FaultTraits<ConnectionLost>
{
    static constexpr bool isFault = true;
    static FaultView view(const ConnectionLost &f)
    {
        return {QStringLiteral("connection to \"%1\" lost").arg(f.remote.toString()), f.note, 0};
    }
};
template <>
struct NoticeTraits<ConnectionLost>
{
    static constexpr bool isNotice = true;
};
template <>
struct FaultTraits<SendFailed>
{
    static constexpr bool isFault = true;
    static FaultView view(const SendFailed &f)
    {
        return {QStringLiteral("cannot send %1 to \"%2\"").arg(f.type, f.remote.toString()), f.note,
                0};
    }
};
template <>
struct NoticeTraits<SendFailed>
{
    static constexpr bool isNotice = true;
};
template <>
struct NoticeTraits<Drained>
{
    static constexpr bool isNotice = true;
};
template <>
struct FaultTraits<Abandoned>
{
    static constexpr bool isFault = true;
    static FaultView view(const Abandoned &f)
    {
        return {QStringLiteral("connection to \"%1\" lost").arg(f.remote.toString()), f.note, 0};
    }
};

// -- wire names -----------------------------------------------------------------------------------

PARLEY_ENUM(ListenError, AddressInUse, PermissionDenied, BadAddress, Other)
PARLEY_ENUM(ConnectError, Refused, Unreachable, Timeout, NameNotFound, ProtocolMismatch,
            SecurityMismatch, HandshakeFailed, PeerKeyMismatch, Other)
PARLEY_ENUM(EndOfTransport, OnRequest, SessionCompleted, AbandonedByRemote, WentStale,
            InboundStreaming, OutboundStreaming, StoppedReading, ProtocolMismatch, SecurityMismatch,
            NotFlushed, FrameTimedOut, HandshakeFailed, PeerKeyMismatch, SecurityViolation)

PARLEY_DECLARE_MESSAGE_AS(HostPort, "parley.HostPort", host, port)
PARLEY_DECLARE_MESSAGE_AS(Listening, "parley.Listening", requested, bound)
PARLEY_DECLARE_MESSAGE_AS(NotListening, "parley.NotListening", requested, reason, text)
PARLEY_DECLARE_MESSAGE_AS(Accepted, "parley.Accepted", listening, remote, peerKey)
PARLEY_DECLARE_MESSAGE_AS(Connected, "parley.Connected", requested, local, remote, peerKey)
PARLEY_DECLARE_MESSAGE_AS(NotConnected, "parley.NotConnected", requested, reason, text)
PARLEY_DECLARE_MESSAGE_AS(Close, "parley.Close", value)
PARLEY_DECLARE_MESSAGE_AS(Closed, "parley.Closed", reason, note, remote, value, unsentMessages,
                          unsentBytes)
PARLEY_DECLARE_MESSAGE_AS(Abandoned, "parley.Abandoned", reason, note, remote)
PARLEY_DECLARE_MESSAGE_AS(ConnectionLost, "parley.ConnectionLost", reason, note, remote)
PARLEY_DECLARE_MESSAGE_AS(SendFailed, "parley.SendFailed", reason, type, remote, note, message)
PARLEY_DECLARE_MESSAGE_AS(WhenDrained, "parley.WhenDrained")
PARLEY_DECLARE_MESSAGE_AS(Drained, "parley.Drained", remote)

} // namespace Parley
