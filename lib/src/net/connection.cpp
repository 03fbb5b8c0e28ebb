// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "connection_p.h"

#include "transport_p.h"

#include "identity_p.h"
#include "securechannel_p.h"

#include <parley/codec.h>

#include <QtCore/QtEndian>

#include <algorithm>
#include <array>

#include <unistd.h>

namespace Parley {

namespace {
/// The bytes all connections of this process hold in unfinished frames, and the cap.
std::atomic<qint64> g_incompleteBytes{0};
std::atomic<qint64> g_incompleteBudget{qint64(256) << 20};
} // namespace

void setIncompleteFrameBudget(qint64 bytes)
{
    g_incompleteBudget.store(std::max<qint64>(bytes, 0), std::memory_order_relaxed);
}

qint64 incompleteFrameBytes()
{
    return g_incompleteBytes.load(std::memory_order_relaxed);
}

namespace Internal {

namespace {

using Clock = std::chrono::steady_clock;

/// The first read of a burst (Connection::onReadyRead()): on the stack when m_in has less room
/// than this, and at most FirstReadMost into m_in's room.
constexpr std::size_t FirstRead = 4096;
constexpr qsizetype FirstReadMost = 256 << 10;

/// The words every end uses for a peer that closed its side (Qt says "The remote host closed
/// the connection" in some places and nothing in others).
QString peerClosedText()
{
    return QStringLiteral("the peer closed the connection");
}

QString errorText(const Socket *socket)
{
    return socket->error() == QAbstractSocket::RemoteHostClosedError ? peerClosedText()
                                                                     : socket->errorString();
}

HostPort hostPortOf(const QHostAddress &address, quint16 port)
{
    return HostPort{address.toString(), port};
}

/// The interval of the connection's housekeeping timer: a quarter of the shortest deadline it
/// watches, so each is noticed within a quarter of its length.
std::chrono::milliseconds tickFor(const ConnectionOptions &o, bool accepted)
{
    std::chrono::milliseconds shortest = std::min({o.stallTimeout, o.closeTimeout, o.frameTimeout});
    if (o.heartbeatInterval.count() > 0)
        shortest = std::min({shortest, o.heartbeatInterval, o.heartbeatTimeout});
    shortest = std::min(shortest, accepted ? o.greetingTimeout : o.connectTimeout);
    return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
}

ConnectError connectErrorOf(QAbstractSocket::SocketError e)
{
    switch (e) {
    case QAbstractSocket::ConnectionRefusedError:
        return ConnectError::Refused;
    case QAbstractSocket::HostNotFoundError:
        return ConnectError::NameNotFound;
    case QAbstractSocket::NetworkError:
        return ConnectError::Unreachable;
    case QAbstractSocket::SocketTimeoutError:
        return ConnectError::Timeout;
    default:
        return ConnectError::Other;
    }
}

/// The trace a message leaves with: its id, and the runtime that assigned it (this one unless
/// it arrived from another process); empty when it was not recorded.
Wire::Trace traceOf(const detail::Envelope &envelope, quint64 self)
{
    if (envelope.stamp().messageId == 0)
        return {};
    return {envelope.stamp().messageId, envelope.stamp().origin ? envelope.stamp().origin : self};
}

} // namespace

// -- SenderTracker ------------------------------------------------------------------------------

qsizetype SenderTracker::note(const Address &from, IsAlive isAlive, void *context)
{
    // Repeats are the common case (one sender, many messages) and cost one comparison.
    if (from == m_last)
        return 0;
    m_last = from;
    m_senders.insert(from, ++m_stamp);
    if (m_senders.size() < m_compactAt)
        return 0;
    const qsizetype forgotten = compact(isAlive, context);
    m_compactAt = std::max<qsizetype>(1024, m_senders.size() * 2);
    return forgotten;
}

qsizetype SenderTracker::compact(IsAlive isAlive, void *context)
{
    // Drop who can no longer be told: a local object that ended, or a remote requester whose
    // connection to this process (the last id of its address) ended.
    qsizetype remote = 0;
    for (auto it = m_senders.begin(); it != m_senders.end();) {
        if (!isAlive(context, it.key().last())) {
            it = m_senders.erase(it);
            continue;
        }
        if (it.key().size() > 1)
            ++remote;
        ++it;
    }
    if (remote <= MaxRemote)
        return 0;
    // Too many live remote requesters: forget the least recently seen.
    std::vector<quint64> stamps;
    stamps.reserve(size_t(remote));
    for (auto it = m_senders.cbegin(); it != m_senders.cend(); ++it) {
        if (it.key().size() > 1)
            stamps.push_back(it.value());
    }
    const qsizetype excess = remote - MaxRemote;
    std::nth_element(stamps.begin(), stamps.begin() + excess, stamps.end());
    const quint64 cut = stamps[size_t(excess)];
    qsizetype forgotten = 0;
    for (auto it = m_senders.begin(); it != m_senders.end();) {
        if (it.key().size() > 1 && it.value() < cut) {
            it = m_senders.erase(it);
            ++forgotten;
        } else {
            ++it;
        }
    }
    return forgotten;
}

std::vector<Address> SenderTracker::take()
{
    std::vector<Address> out;
    out.reserve(size_t(m_senders.size()));
    for (auto it = m_senders.cbegin(); it != m_senders.cend(); ++it)
        out.push_back(it.key());
    m_senders.clear();
    m_last = {};
    m_compactAt = 1024;
    return out;
}

// -- Connection ---------------------------------------------------------------------------------

Connection::Connection(ConnectionSetup setup) : m_setup(std::move(setup))
{
    m_accepted = m_setup.descriptor >= 0;
    // A connect()ing proxy ends without a Completed: its controller hears Closed or Abandoned.
    // An accepted one tells its listener, which counts them.
    const Internal::TransportHost host(this);
    host.setQuiet(!m_accepted);
    // What a batch of mail encodes is written when the batch ends (parleyBatchDone).
    host.wantBatchDone();
    // What it ships is received across the connection; it records only its own controls.
    host.setPassesOn();
}

Connection::~Connection()
{
    Ticker::remove(this);
    m_channel.reset(); // zeroes the keys now, not after the socket
    releaseIncomplete();
    if (!m_socket)
        return;
    // Ended with messages still queued (the runtime shut down while the peer was not reading):
    // say what is lost instead of dropping it silently.
    const qsizetype frames = queuedFrames() + m_pendingFrames;
    if (frames > 0 && m_state != State::Done)
        warning("dropping ", frames, " messages (", queuedBytes(), " bytes) queued for ",
                m_remote.toString(), ": the connection ended before they were written");
    m_socket->abort();
}

QString Connection::parleyStateName() const
{
    switch (m_state) {
    case State::Idle:
        return QStringLiteral("INITIAL");
    case State::Connecting:
        return QStringLiteral("CONNECTING");
    case State::Greeting:
        return m_channel ? QStringLiteral("HANDSHAKE") : QStringLiteral("GREETING");
    case State::Open:
        return QStringLiteral("NORMAL");
    case State::Closing:
        return QStringLiteral("CLOSING");
    case State::Done:
        return QStringLiteral("CLOSED");
    }
    return {};
}

// -- setting up ---------------------------------------------------------------------------------

void Connection::begin()
{
    m_socket = std::make_unique<Socket>(static_cast<SocketEvents *>(this));
    // The socket reads straight from the kernel into m_in and writes straight to the kernel
    // while it takes the bytes; it holds only what the kernel refused (socket_p.h).
    // Deadlines are checked on a tick shared by this thread's connections (ticker_p.h).
    Ticker::add(this, tickFor(m_setup.options, m_accepted));

    if (m_accepted) {
        if (!m_socket->setSocketDescriptor(m_setup.descriptor)) {
            warning("cannot adopt an accepted socket: ", m_socket->errorString());
            ::close(int(m_setup.descriptor)); // still ours: the socket did not take it
            m_state = State::Done;
            finishLater();
            return;
        }
        onTcpUp();
        return;
    }
    m_state = State::Connecting;
    m_deadline = Clock::now() + m_setup.options.connectTimeout;
    m_socket->connectToHost(m_setup.requested.host, m_setup.requested.port);
}

void Connection::onTcpUp()
{
    m_socket->setLowDelay();
    m_remote = hostPortOf(m_socket->peerAddress(), m_socket->peerPort());
    m_state = State::Greeting;
    const auto now = Clock::now();
    if (m_accepted)
        m_deadline = now + m_setup.options.greetingTimeout;
    m_lastReceived = m_lastProgress = m_lastPing = now;
    QByteArray preamble;
    Wire::appendPreamble(preamble, isSealed() ? Wire::Mode::Encrypted : Wire::Mode::Plain);
    m_preamble = preamble;
    if (m_socket->write(preamble) < 0)
        return onSocketError(m_socket->error());
    m_queuedTotal += preamble.size();
    // Encrypted, what was sent early waits for the handshake (onOpen()).
    if (!m_pending.isEmpty() && !isSealed()) {
        // Sent before the connection was up; they follow the preamble, in order.
        QByteArray pending = std::exchange(m_pending, {});
        const qsizetype frames = std::exchange(m_pendingFrames, 0);
        writeFrames(pending, frames);
    }
    // The peer may have been quicker.
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void Connection::onOpen()
{
    m_state = State::Open;
    m_lastReceived = Clock::now();
    const Address self = address();
    if (m_setup.options.session) {
        m_session = m_setup.options.session(
            *this, SessionInfo{self, m_setup.controller, m_remote, m_peerKey});
    }
    if (m_accepted) {
        tellController(Value(Accepted{m_setup.requested, m_remote, m_peerKey}));
        send(Greeted{}, parentAddress());
    } else {
        const HostPort local = hostPortOf(m_socket->localAddress(), m_socket->localPort());
        tellController(Value(Connected{m_setup.requested, local, m_remote, m_peerKey}));
    }
    if (m_channel && !m_pending.isEmpty()) {
        // Sent before the handshake completed: encrypted now, in order.
        QByteArray pending = std::exchange(m_pending, {});
        const qsizetype frames = std::exchange(m_pendingFrames, 0);
        writeFrames(pending, frames);
    }
}

void Connection::onSocketError(QAbstractSocket::SocketError error)
{
    switch (m_state) {
    case State::Connecting:
        endNotConnected(connectErrorOf(error), m_socket->errorString());
        return;
    case State::Greeting:
        if (!m_accepted) {
            if (error != QAbstractSocket::RemoteHostClosedError)
                endNotConnected(connectErrorOf(error), m_socket->errorString());
            else if (m_channel)
                // The peer accepted the mode and then gave up on the handshake: it could not
                // authenticate what it received (or a man in the middle cut it).
                endNotConnected(ConnectError::HandshakeFailed,
                                QStringLiteral("HandshakeFailed: the peer closed the connection "
                                               "during the handshake"));
            else if (m_in.isEmpty())
                // Closed with nothing said: typically a listener at its connection limit.
                endNotConnected(ConnectError::Refused,
                                QStringLiteral("the peer closed the connection before greeting "
                                               "(it may be at its connection limit)"));
            else
                endNotConnected(ConnectError::ProtocolMismatch,
                                QStringLiteral("the peer closed before its preamble was "
                                               "complete"));
            return;
        }
        debug("a connection from ", m_remote.toString(), " ended before its ",
              m_channel ? "handshake completed: " : "preamble: ", errorText(m_socket.get()));
        m_state = State::Done;
        finishLater();
        return;
    case State::Open:
        endAbandoned(EndOfTransport::AbandonedByRemote, errorText(m_socket.get()));
        return;
    case State::Closing:
        // The peer went away before it confirmed the close: what was in flight may be lost.
        endClosed(false, errorText(m_socket.get()));
        return;
    case State::Idle:
    case State::Done:
        if (m_finishing)
            finishLater(); // lingering after confirming the peer's close: the socket is done
        return;
    }
}

void Connection::onDisconnected()
{
    switch (m_state) {
    case State::Open:
        endAbandoned(EndOfTransport::AbandonedByRemote, peerClosedText());
        return;
    case State::Closing:
        endClosed(false, peerClosedText());
        return;
    case State::Connecting:
    case State::Greeting:
        onSocketError(QAbstractSocket::RemoteHostClosedError);
        return;
    case State::Idle:
    case State::Done:
        if (m_finishing)
            finishLater(); // the close confirmation went out; nothing more to wait for
        return;
    }
}

// -- mail ---------------------------------------------------------------------------------------

void Connection::parleyReceive(Envelope &envelope)
{
    const Value &m = envelope.message;
    const Internal::TransportHost host(this);
    if (m_state == State::Idle && m.is<Start>()) {
        host.received(envelope);
        begin();
        return;
    }
    // Addressed to this proxy itself (not through it): the local controls.
    if (envelope.to.size() == 1
        && (m.is<Close>() || m.is<Stop>() || m.is<WhenDrained>()
            || (m.is<Completed>() && !m_session.isNull() && envelope.from == m_session)))
        host.received(envelope);
    if (envelope.to.size() == 1) {
        if (m.is<Close>()) {
            closeOnRequest(EndOfTransport::OnRequest,
                           std::move(envelope.message.get<Close>().value));
            return;
        }
        if (m.is<Stop>()) {
            closeOnRequest(EndOfTransport::OnRequest, {});
            return;
        }
        if (m.is<WhenDrained>()) {
            if (m_refused.contains(envelope.from))
                m_refused[envelope.from].asked = true;
            else
                m_refused.insert(envelope.from, Refused{true});
            tellDrained();
            return;
        }
        if (m.is<Completed>() && !m_session.isNull() && envelope.from == m_session) {
            closeOnRequest(EndOfTransport::SessionCompleted,
                           std::move(envelope.message.get<Completed>().value));
            return;
        }
    }
    ship(envelope);
}

// -- sending ------------------------------------------------------------------------------------

qsizetype Connection::queuedBytes() const
{
    return m_pending.size() + m_plain.size() + m_out.size()
        + (m_socket ? qsizetype(m_socket->bytesToWrite()) : 0);
}

void Connection::refuse(Envelope &envelope, DropReason reason, const QString &why)
{
    const auto *relay = envelope.message.getIf<RelayFrame>();
    const QString type = relay
        ? QString::fromUtf8(relay->type)
        : QString::fromUtf8(envelope.message.type() ? envelope.message.type()->wireName
                                                    : "(empty)");
    const Internal::TransportHost host(this);
    if (envelope.message.type() && envelope.message.type()->notice) {
        // A notice for a peer that can no longer take it (a bounce, a lost connection's news):
        // nobody waits for it.
        debug("dropped ", envelope.message.typeName(), " for ", m_remote.toString(), ": ", why);
        return;
    }
    // One line per burst of like refusals, with a count.
    host.warnThrottled(qHashMulti(0x7e7, address().last(), int(reason)),
                       QStringLiteral("cannot send %1 to %2: %3")
                           .arg(relay ? type : QString::fromUtf8(envelope.message.typeName()),
                                m_remote.toString(), why));
    if (envelope.from.isNull() || envelope.from.last() == address().last())
        return;
    Value failed(SendFailed{reason, type, m_remote.host.isEmpty() ? m_setup.requested : m_remote,
                            why, relay ? Value() : std::move(envelope.message)});
    host.deliverIfThere(envelope.from, address(), failed);
}

void Connection::ship(Envelope &envelope)
{
    switch (m_state) {
    case State::Closing:
    case State::Done:
        refuse(envelope, DropReason::ConnectionClosing,
               QStringLiteral("the connection is closing"));
        return;
    case State::Idle:
    case State::Connecting:
    case State::Greeting:
    case State::Open:
        break;
    }
    const ConnectionOptions &o = m_setup.options;
    noteSender(envelope.from);
    if (!m_refused.isEmpty() && m_refused.contains(envelope.from))
        tellDrained(); // it may have drained since
    if (!m_refused.isEmpty() && m_refused.contains(envelope.from)) {
        // Refused for a full queue and not yet told Drained: later messages are refused too, so
        // that what the sender sends again after Drained keeps its order.
        refuse(envelope, DropReason::QueueFull,
               QStringLiteral("the send queue was full; waiting for Drained"));
        return;
    }
    settleWritten();
    const qsizetype bytes = queuedBytes();
    const qsizetype frames = queuedFrames() + m_pendingFrames;
    if (bytes >= o.sendQueueBytes || frames >= o.sendQueueFrames) {
        if (!envelope.from.isNull() && m_refused.size() < SenderTracker::MaxRemote
            && !m_refused.contains(envelope.from))
            m_refused.insert(envelope.from, Refused{});
        m_drainedSince.reset();
        refuse(envelope, DropReason::QueueFull,
               QStringLiteral("the send queue is full (%1 bytes and %2 frames wait; limits %3 and "
                              "%4)")
                   .arg(bytes)
                   .arg(frames)
                   .arg(o.sendQueueBytes)
                   .arg(o.sendQueueFrames));
        return;
    }

    // Encoded straight into the outgoing buffer (or, before the connection is up, the pending
    // one): no copy of the frame between the encoder and the system call.
    // Encrypted, frames gather in m_plain and are sealed together (seal()); before the
    // handshake completes they wait in m_pending, in clear, never on the wire.
    const bool early = !m_socket || m_state == State::Connecting
        || (isSealed() && (m_state != State::Open || !m_channel));
    QByteArray &out = early ? m_pending : (isSealed() ? m_plain : m_out);
    const qsizetype before = out.size();
    QString error;
    bool ok;
    if (const auto *relay = envelope.message.getIf<RelayFrame>())
        ok = Wire::appendEncoded(out, envelope.to, envelope.from, relay->type, relay->body,
                                 relay->book, address().last(), o.maxFrameSize, error,
                                 traceOf(envelope, Internal::TransportHost(this).runtimeId()));
    else
        ok = Wire::appendMessage(out, envelope.to, envelope.from, envelope.message,
                                 address().last(), o.maxFrameSize, error,
                                 traceOf(envelope, Internal::TransportHost(this).runtimeId()));
    if (!ok) {
        // Only this message is refused: the connection stays up.
        const bool encodable = envelope.message.is<RelayFrame>()
            || (envelope.message.type() && envelope.message.type()->encode);
        refuse(envelope, encodable ? DropReason::TooLarge : DropReason::NotEncodable, error);
        return;
    }
    // A message from another process passing through this one: the hop is recorded here (a
    // relayed frame was recorded where it arrived; a local sender's Sent says the rest).
    if (envelope.stamp().origin != 0 && !envelope.message.is<RelayFrame>())
        Internal::TransportHost(this).passedOn(envelope);
    if (&out == &m_pending) {
        ++m_pendingFrames;
        return;
    }
    queued(out.size() - before, 1);
    if (&out == &m_plain) {
        ++m_unsealedFrames;
        // A record holds up to MaxChunkSize bytes: small frames share one, a large frame is
        // sealed alone (split over records), never together with others past the channel's
        // frame limit.
        if (before > 0 && m_plain.size() > Crypto::SecureChannel::MaxChunkSize)
            seal(before);
        if (m_plain.size() >= Crypto::SecureChannel::MaxChunkSize)
            seal();
    }
}

void Connection::queued(qsizetype bytes, qsizetype frames)
{
    m_queuedTotal += bytes;
    for (qsizetype i = 0; i < frames; ++i)
        m_frameEnds.push_back(m_queuedTotal);
    // Frames gather in m_out and go to the socket in one write once the current batch of mail
    // has been handled (parleyBatchDone): one system call for many frames. Frames made outside
    // a handler (pings, pongs from a read) are written once control is back in the event loop.
    if (!m_flushPending && !Internal::TransportHost(this).dispatching()) {
        m_flushPending = true;
        QMetaObject::invokeMethod(
            this, [this] { flush(); }, Qt::QueuedConnection);
    }
}
void Connection::writeFrames(QByteArray &frames, qsizetype count)
{
    if (!m_channel) {
        m_out.append(frames);
        queued(frames.size(), count);
    } else if (m_channel->isOpen() && !m_mute) {
        // Sealed with the frames before them, in order, one at a time so that a batch stays
        // within a record (or is one large frame alone).
        Q_UNUSED(count);
        constexpr qsizetype room = Crypto::SecureChannel::MaxChunkSize;
        for (qsizetype at = 0; at + Wire::LengthSize <= frames.size();) {
            const qsizetype size = std::min<qsizetype>(
                Wire::LengthSize + qsizetype(qFromBigEndian<quint32>(frames.constData() + at)),
                frames.size() - at);
            if (!m_plain.isEmpty() && m_plain.size() + size > room)
                seal();
            m_plain.append(frames.constData() + at, size);
            ++m_unsealedFrames;
            queued(size, 1);
            if (m_plain.size() >= room)
                seal();
            at += size;
        }
    } else {
        // Never cleartext once the handshake has begun: before it completes (a close for a
        // failed handshake) nothing is written.
        queued(0, count);
    }
    frames.clear();
}

void Connection::seal(qsizetype size)
{
    // The frames in m_plain (the first \a size bytes of them) become one channel frame: one
    // record for up to MaxChunkSize bytes, so a burst of small messages costs one AEAD
    // operation per 64 KiB instead of one per message. The receiver parses the frames back
    // out of it (handleDecrypted()).
    if (size < 0 || size > m_plain.size())
        size = m_plain.size();
    if (size == 0 || !m_channel)
        return;
    const qsizetype before = m_out.size();
    const Crypto::ChannelError error
        = m_channel->encrypt(QByteArrayView(m_plain).first(size), m_out);
    if (error != Crypto::ChannelError::None) {
        // The frames fit the limits, so this is the nonce counter at its end (after 2^64
        // records): nothing more can be sent on this connection.
        m_plain.clear();
        m_unsealedFrames = 0;
        failInbound(EndOfTransport::SecurityViolation,
                    QStringLiteral("%1: cannot encrypt more")
                        .arg(QString::fromLatin1(Crypto::channelErrorName(error))));
        return;
    }
    // The queue counted these frames in clear: add the records' overhead, and move the ends
    // of the frames not yet written by it (conservatively: a frame counts as written once
    // everything up to its record's end has gone).
    const qint64 overhead = (m_out.size() - before) - size;
    m_queuedTotal += overhead;
    const qsizetype first
        = std::max<qsizetype>(m_frameHead, qsizetype(m_frameEnds.size()) - m_unsealedFrames);
    for (qsizetype i = first; i < qsizetype(m_frameEnds.size()); ++i)
        m_frameEnds[size_t(i)] += overhead;
    if (size == m_plain.size()) {
        m_unsealedFrames = 0;
        if (m_plain.capacity() > (4 << 20))
            m_plain = QByteArray();
        else
            m_plain.truncate(0);
    } else {
        m_plain.remove(0, size);
        m_unsealedFrames = 1; // seal(before) in ship(): the frame just encoded stays
    }
}

void Connection::flush()
{
    m_flushPending = false;
    seal();
    if (m_out.isEmpty() || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (m_socket->bytesToWrite() == 0)
        m_lastProgress = Clock::now(); // the stall clock starts when bytes start to wait
    // Unbuffered, a write that meets a reset only records the error (no signal): look.
    if (m_socket->write(m_out.constData(), m_out.size()) < 0) {
        m_out.truncate(0);
        onSocketError(m_socket->error());
        return;
    }
    if (m_out.capacity() > (4 << 20))
        m_out = QByteArray(); // don't keep a large buffer per connection
    else
        m_out.truncate(0);
}

void Connection::onBytesWritten(qint64)
{
    m_lastProgress = Clock::now();
    settleWritten();
    tellDrained();
}

void Connection::tellDrained()
{
    if (m_refused.isEmpty() || m_state != State::Open)
        return;
    const ConnectionOptions &o = m_setup.options;
    if (queuedBytes() >= o.sendQueueBytes / 2 || queuedFrames() >= o.sendQueueFrames / 2) {
        m_drainedSince.reset();
        return;
    }
    const auto now = Clock::now();
    if (!m_drainedSince)
        m_drainedSince = now;
    const bool graceOver = now - *m_drainedSince >= DrainedGrace;
    const Internal::TransportHost host(this);
    const Address self = address();
    for (auto it = m_refused.begin(); it != m_refused.end();) {
        if (!it->asked && !graceOver) {
            ++it;
            continue;
        }
        Value drained(Drained{m_remote});
        host.deliverIfThere(it.key(), self, drained);
        it = m_refused.erase(it);
    }
}

void Connection::settleWritten()
{
    // What the socket no longer holds has gone to the kernel (written directly or flushed).
    const qint64 written
        = m_queuedTotal - m_plain.size() - m_out.size() - (m_socket ? m_socket->bytesToWrite() : 0);
    while (m_frameHead < qsizetype(m_frameEnds.size()) && m_frameEnds[m_frameHead] <= written)
        ++m_frameHead;
    if (m_frameHead == qsizetype(m_frameEnds.size())) {
        m_frameEnds.clear();
        m_frameHead = 0;
    } else if (m_frameHead > 4096 && m_frameHead * 2 > qsizetype(m_frameEnds.size())) {
        m_frameEnds.erase(m_frameEnds.begin(), m_frameEnds.begin() + m_frameHead);
        m_frameHead = 0;
    }
}

// -- receiving ----------------------------------------------------------------------------------

void Connection::onReadyRead()
{
    // Unbuffered: reads go straight from the kernel into m_in, at most a frame and some at a
    // time, each parsed before the next, so what this connection buffers stays bounded. It reads
    // until the kernel has nothing more. The first read always happens (it is also how the end
    // of the stream shows); it goes into the room m_in has kept from earlier bursts, or, when
    // that is less than 4 KiB, into 4 KiB on the stack (an idle connection keeps no read room
    // of its own), without asking the kernel how much there is: when it comes back short the
    // kernel had no more, so a frame or a burst that fits costs one system call per wake-up.
    // When it comes back full, the following reads are sized by what the kernel holds, and an
    // empty kernel buffer ends the burst.
    // What the frames bring is mostly for objects on this thread: it is handled right after the
    // burst (drainNow), not after another turn of the event loop, so a request and its reply
    // take one pass. (This connection never completes inside a handler, so it outlives the
    // drain.)
    const Internal::TransportHost host(this);
    const bool hold = host.holdWakes();
    bool readSome = false;
    while (m_state == State::Greeting || m_state == State::Open || m_state == State::Closing) {
        qint64 want = 0;
        if (readSome) {
            const qint64 available = m_socket->bytesAvailable();
            if (available == 0)
                break;
            want = std::min<qint64>(available, m_setup.options.maxFrameSize + (256 << 10));
        }
        if (m_inStart == m_in.size()) {
            if (m_in.capacity() > (1 << 20))
                m_in = QByteArray(); // a large frame went by; don't keep its buffer
            m_in.truncate(0);
            m_inStart = 0;
        } else if (m_inStart > 0 && m_inStart >= m_in.size() - m_inStart) {
            // Move the unparsed tail to the front once it is no longer than what was parsed.
            m_in.remove(0, m_inStart);
            m_inStart = 0;
        }
        // The first read goes into the room after m_in's bytes, at most FirstReadMost of it
        // (not capacity() - size(): that counts the room before them too, left by parsed
        // frames, and sizing reads by it made the buffer double at every burst until an
        // allocation failed), or into FirstRead bytes on the stack when there is less room.
        const qsizetype room = m_in.data_ptr().freeSpaceAtEnd();
        const bool onStack = !readSome && room < qsizetype(FirstRead);
        if (!readSome)
            want = onStack ? qint64(FirstRead) : std::min<qint64>(room, FirstReadMost);
        qint64 got;
        if (onStack) {
            std::array<char, FirstRead> first;
            got = m_socket->read(first.data(), want);
            if (got > 0)
                m_in.append(first.data(), got);
        } else {
            const qsizetype at = m_in.size();
            m_in.resize(at + want);
            got = m_socket->read(m_in.data() + at, want);
            m_in.truncate(at + std::max<qint64>(got, 0));
        }
        if (got < 0) {
            // The end of the stream: a peer that closed or whose process ended. The socket
            // records it without a callback, so it is handled here.
            if (m_state == State::Closing)
                endClosed(false, errorText(m_socket.get()));
            else if (m_state == State::Greeting)
                onSocketError(QAbstractSocket::RemoteHostClosedError);
            else
                endAbandoned(EndOfTransport::AbandonedByRemote, errorText(m_socket.get()));
            break;
        }
        if (got == 0)
            break; // nothing more for now
        const bool shortRead = !readSome && got < want;
        readSome = true;
        m_lastReceived = Clock::now();
        if (!parseReceived())
            break;
        if (!accountIncomplete())
            break;
        if (shortRead)
            break; // the kernel had no more; a new arrival is reported again
    }
    if (hold)
        host.releaseWakes();
}

bool Connection::accountIncomplete()
{
    // Bytes held for a frame that has not fully arrived: timed (frameTimeout) and counted
    // against the process's budget.
    const qint64 held = heldBytes();
    if (held == 0) {
        m_frameOpen = false;
        releaseIncomplete();
        return true;
    }
    if (!m_frameOpen) {
        m_frameOpen = true;
        m_frameSince = Clock::now();
    }
    const qint64 grow = held - m_incomplete;
    if (grow > 0) {
        const qint64 total = g_incompleteBytes.fetch_add(grow, std::memory_order_relaxed) + grow;
        m_incomplete = held;
        const qint64 budget = g_incompleteBudget.load(std::memory_order_relaxed);
        if (total > budget) {
            failInbound(EndOfTransport::InboundStreaming,
                        QStringLiteral("the connections of this process hold %1 bytes of "
                                       "unfinished frames, over the budget of %2")
                            .arg(total)
                            .arg(budget));
            return false;
        }
    } else if (grow < 0) {
        g_incompleteBytes.fetch_add(grow, std::memory_order_relaxed);
        m_incomplete = held;
    }
    return true;
}

void Connection::releaseIncomplete()
{
    if (m_incomplete) {
        g_incompleteBytes.fetch_sub(m_incomplete, std::memory_order_relaxed);
        m_incomplete = 0;
    }
}

bool Connection::parseReceived()
{
    if (m_state == State::Greeting && !m_channel) {
        const QByteArrayView view(m_in.constData() + m_inStart, m_in.size() - m_inStart);
        switch (Wire::checkPreamble(view, isSealed() ? Wire::Mode::Encrypted : Wire::Mode::Plain)) {
        case Wire::PreambleCheck::NeedMore:
            return true;
        case Wire::PreambleCheck::NotParley:
            failInbound(EndOfTransport::ProtocolMismatch,
                        QStringLiteral("the peer does not speak Parley (bad preamble)"));
            return false;
        case Wire::PreambleCheck::WrongVersion:
            failInbound(EndOfTransport::ProtocolMismatch,
                        QStringLiteral("the peer speaks Parley protocol version %1, this end %2")
                            .arg(quint8(view[4]))
                            .arg(Wire::Version));
            return false;
        case Wire::PreambleCheck::WrongMode:
            failInbound(EndOfTransport::SecurityMismatch,
                        isSealed() ? QStringLiteral("SecurityMismatch: the peer asks for a plain "
                                                    "connection; this end is encrypted")
                                   : QStringLiteral("SecurityMismatch: the peer asks for an "
                                                    "encrypted connection; this end is plain"));
            return false;
        case Wire::PreambleCheck::Ok:
            break;
        }
        m_inStart += Wire::PreambleSize;
        if (!isSealed())
            onOpen();
        else if (!startHandshake(view.first(Wire::PreambleSize)))
            return false;
    }
    if (m_channel) {
        const QByteArrayView view(m_in.constData() + m_inStart, m_in.size() - m_inStart);
        m_inStart = m_in.size();
        return feedChannel(view);
    }

    Wire::Frame frame;
    while (m_state == State::Open || m_state == State::Closing) {
        const QByteArrayView view(m_in.constData() + m_inStart, m_in.size() - m_inStart);
        qsizetype consumed = 0, needed = 0;
        QString error;
        switch (
            Wire::parseFrame(view, m_setup.options.maxFrameSize, frame, consumed, needed, error)) {
        case Wire::ParseStatus::NeedMore:
            // Nothing is reserved for the announced length: a frame's buffer grows as its bytes
            // actually arrive, so a peer that announces much and sends little holds little.
            return true;
        case Wire::ParseStatus::Error:
            failInbound(EndOfTransport::InboundStreaming, error);
            return false;
        case Wire::ParseStatus::Ok:
            break;
        }
        m_frameOpen = false; // a frame completed; the next one's clock starts with its bytes
        if (!handleFrame(frame))
            return false;
        m_inStart += consumed;
    }
    return false;
}

Address Connection::home() const
{
    return m_session.isNull() ? m_setup.controller : m_session;
}

const TypeInfo *Connection::lookupType(QByteArrayView name)
{
    for (const auto &entry : m_types) {
        if (QByteArrayView(entry.name) == name)
            return entry.type;
    }
    const TypeInfo *type = findType(QString::fromUtf8(name));
    if (type && m_types.size() < 32)
        m_types.push_back({name.toByteArray(), type});
    return type;
}

bool Connection::handleFrame(Wire::Frame &frame)
{
    switch (frame.kind) {
    case Wire::Kind::Ping: {
        QByteArray pong;
        Wire::appendControl(pong, Wire::Kind::Pong);
        writeFrames(pong, 1);
        return true;
    }
    case Wire::Kind::Pong:
        return true;
    case Wire::Kind::Close:
        onPeerClose(frame.body);
        return m_state == State::Closing; // still reading for the confirmation of our own
    case Wire::Kind::Confirm:
        if (m_state == State::Closing) {
            endClosed(true);
            return false;
        }
        failInbound(EndOfTransport::InboundStreaming,
                    QStringLiteral("a close confirmation without a close"));
        return false;
    case Wire::Kind::Message:
    case Wire::Kind::TracedMessage: // parseFrame() reports it as a Message with its trace
        break;
    }

    const Address::Id self = address().last();
    const Address homeAddress = home();
    frame.to.removeLast();
    Wire::aliasIncoming(frame.from, self, homeAddress);
    for (Address &a : frame.book)
        Wire::aliasIncoming(a, self, homeAddress);
    const Internal::TransportHost host(this);

    if (frame.to.size() > 1) {
        // For a further hop: pass the body on untouched.
        Value relay(
            RelayFrame{frame.type.toByteArray(), frame.body.toByteArray(), std::move(frame.book)});
        const detail::Stamp stamp
            = host.relayed(QString::fromUtf8(frame.type.data(), frame.type.size()), frame.to,
                           frame.from, frame.trace.messageId, frame.trace.origin);
        if (!host.deliverIfThere(frame.to, frame.from, relay, stamp))
            relayFailed(frame);
        return true;
    }
    const Address &to = frame.to.isNull() ? homeAddress : frame.to;
    const TypeInfo *type = lookupType(frame.type);
    // The framework's own messages between its objects never travel: a peer naming one is
    // refused like an unknown type (a relay frame decoded from the wire would let a small body
    // build a large message).
    if (type == typeOf<RelayFrame>() || type == typeOf<Greeted>())
        type = nullptr;
    if (!type || !type->decode)
        return unknownType(frame, to);
    const DecodeContext context = Wire::bodyContext(frame, m_setup.options.maxFrameSize);
    DecodeResult decoded = decodeBody(frame.body, type, context);
    if (!decoded) {
        failInbound(EndOfTransport::InboundStreaming,
                    QStringLiteral("cannot decode %1: %2")
                        .arg(QString::fromUtf8(frame.type.data(), frame.type.size()),
                             decoded.error().toString()));
        return false;
    }
    host.deliver(to, frame.from, std::move(*decoded),
                 host.arrived(frame.trace.messageId, frame.trace.origin));
    return true;
}

void Connection::relayFailed(const Wire::Frame &frame)
{
    // The next hop (a proxy of this process) has ended. The runtime's own bounce would name the
    // relay, not the message: tell the sender here, with the message's type.
    const QString type = QString::fromUtf8(frame.type.data(), frame.type.size());
    const TypeInfo *known = lookupType(frame.type);
    const Internal::TransportHost host(this);
    if (known && known->notice) {
        debug("Dropped ", type, " to ", frame.to.toString(), " (no such object)");
        return;
    }
    host.warnThrottled(
        qHashMulti(0x5e1a, address().last(), frame.to.last()),
        QStringLiteral("Dropped %1 to %2 (no such object)").arg(type, frame.to.toString()));
    if (frame.from.isNull())
        return;
    Value notice(
        Undeliverable{frame.to, type, DropReason::NoSuchObject, QStringLiteral("no such object")});
    host.deliver(frame.from, frame.to, std::move(notice));
}

bool Connection::unknownType(const Wire::Frame &frame, const Address &to)
{
    // The frame is well formed (its length and type name are known): only this message is
    // refused, and its sender is told; a peer that keeps doing it is closed.
    const QString type = QString::fromUtf8(frame.type.data(), frame.type.size());
    const auto now = Clock::now();
    if (m_unknownTypes == 0 || now - m_unknownSince >= UnknownTypeWindow) {
        m_unknownTypes = 0;
        m_unknownSince = now;
    }
    if (++m_unknownTypes > MaxUnknownTypes) {
        failInbound(EndOfTransport::InboundStreaming,
                    QStringLiteral("more than %1 messages of unknown types within %2 s (the last "
                                   "\"%3\")")
                        .arg(MaxUnknownTypes)
                        .arg(UnknownTypeWindow.count())
                        .arg(type));
        return false;
    }
    const Internal::TransportHost host(this);
    host.warnThrottled(qHashMulti(0xbad7, address().last()),
                       QStringLiteral("dropped a message of unknown type \"%1\" from %2")
                           .arg(type, m_remote.toString()));
    if (!frame.from.isNull()) {
        Value notice(Undeliverable{to, type, DropReason::UnknownType,
                                   QStringLiteral("the receiving process does not know the type")});
        host.deliver(frame.from, to, std::move(notice));
    }
    return true;
}

// -- encryption ---------------------------------------------------------------------------------

qint64 Connection::heldBytes() const
{
    if (m_state != State::Open && m_state != State::Closing)
        return 0;
    return m_channel ? qint64(m_channel->bufferedBytes()) : qint64(m_in.size() - m_inStart);
}

bool Connection::startHandshake(QByteArrayView peerPreamble)
{
    Crypto::KeyPair keys;
    QString error;
    if (!Crypto::identityFor(m_setup.options.security.identityFile, keys, error)) {
        // This end's fault, not the peer's: said once per connection, as the reason.
        failInbound(EndOfTransport::HandshakeFailed,
                    QStringLiteral("HandshakeFailed: this end has no identity: %1").arg(error));
        return false;
    }
    // The prologue binds both preambles, as sent: "parley/1", the initiator's, the responder's.
    QByteArray prologue("parley/1");
    prologue += m_accepted ? peerPreamble.toByteArray() : m_preamble;
    prologue += m_accepted ? m_preamble : peerPreamble.toByteArray();
    Crypto::ChannelLimits limits;
    // A record carries a whole frame, its length field included.
    limits.maxFrameSize = std::min<qsizetype>(m_setup.options.maxFrameSize + Wire::LengthSize,
                                              Crypto::SecureChannel::MaxFrameLimit);
    m_channel = std::make_unique<Crypto::SecureChannel>(
        m_accepted ? Crypto::SecureChannel::Role::Responder
                   : Crypto::SecureChannel::Role::Initiator,
        keys, prologue, limits);
    if (!m_accepted) {
        QByteArray first;
        if (m_channel->start(first) != Crypto::ChannelError::None) {
            failChannel();
            return false;
        }
        m_out.append(first);
        queued(first.size(), 0);
    }
    return true;
}

bool Connection::feedChannel(QByteArrayView bytes)
{
    Crypto::SecureChannel::Output out;
    const Crypto::ChannelError error = m_channel->feed(bytes, out);
    // The key is judged before the initiator's last handshake message leaves: a refused
    // responder never completes its handshake, so it never reports the connection.
    if (out.opened && !channelOpened())
        return false;
    if (!out.toSend.isEmpty()) {
        m_out.append(out.toSend);
        queued(out.toSend.size(), 0);
    }
    if (out.opened)
        onOpen();
    // Frames decrypted before an error came before the bad record: they are the peer's.
    for (const QByteArray &plain : std::as_const(out.frames)) {
        if (m_state != State::Open && m_state != State::Closing)
            return false;
        if (!handleDecrypted(plain))
            return false;
    }
    if (error != Crypto::ChannelError::None) {
        failChannel();
        return false;
    }
    return m_state == State::Greeting || m_state == State::Open || m_state == State::Closing;
}

bool Connection::channelOpened()
{
    const Crypto::PublicKey &key = m_channel->peerStaticKey();
    const QString fingerprint = Crypto::fingerprint(key);
    // Known hosts are remembered by the name connect() was given, as SSH does; an accepting
    // end has only the peer's address (its port changes with every connection).
    const QString hostPort = m_accepted ? m_remote.toString() : m_setup.requested.toString();
    const Crypto::PeerKeyVerifier verifier(m_setup.options.security);
    Crypto::PeerKeyCheck check;
    if (m_accepted && m_setup.options.security.peerKeyPolicy == PeerKeyPolicy::KnownHosts)
        // It would remember every client port as a new host, a line per connection.
        check.text = QStringLiteral("policy KnownHosts is for connecting sides (a client's port "
                                    "changes with every connection); a listener uses Allowlist");
    else
        check = verifier.verify(hostPort, key);
    for (const QString &line : check.warnings)
        warning(line);
    if (!check.isAccepted()) {
        // The initiator refuses before its message 3: nothing more goes to that peer. The
        // responder tells the initiator why, encrypted, in its close frame.
        m_mute = !m_accepted;
        failInbound(EndOfTransport::PeerKeyMismatch,
                    check.text.contains(fingerprint)
                        ? QStringLiteral("PeerKeyMismatch: %1").arg(check.text)
                        : QStringLiteral("PeerKeyMismatch: %1 (%2)").arg(check.text, fingerprint));
        return false;
    }
    if (check.verdict == Crypto::PeerKeyVerdict::AcceptedUnverified) {
        // One line per listener or connect burst: a server taking many clients under policy
        // Any would otherwise log a line per connection.
        Internal::TransportHost(this).warnThrottled(
            qHashMulti(0xa11, m_accepted ? parentAddress().last() : address().last()),
            QStringLiteral("encrypted connection with %1 accepts any key (%2): a man in the "
                           "middle would go unnoticed; set a peer-key policy")
                .arg(m_remote.toString(), fingerprint));
    } else if (check.verdict == Crypto::PeerKeyVerdict::AcceptedFirstUse) {
        warning(check.text);
    }
    m_peerKey = fingerprint;
    return true;
}

bool Connection::handleDecrypted(QByteArrayView plain)
{
    // One channel frame holds whole wire frames, back to back (seal()).
    Wire::Frame frame;
    QString error;
    while (!plain.isEmpty()) {
        qsizetype consumed = 0, needed = 0;
        switch (
            Wire::parseFrame(plain, m_setup.options.maxFrameSize, frame, consumed, needed, error)) {
        case Wire::ParseStatus::NeedMore:
            failInbound(EndOfTransport::InboundStreaming,
                        QStringLiteral("an encrypted record ends inside a frame (%1 of %2 bytes)")
                            .arg(plain.size())
                            .arg(needed));
            return false;
        case Wire::ParseStatus::Error:
            failInbound(EndOfTransport::InboundStreaming, error);
            return false;
        case Wire::ParseStatus::Ok:
            break;
        }
        if (!handleFrame(frame))
            return false;
        if (m_state != State::Open && m_state != State::Closing)
            return false;
        plain = plain.sliced(consumed);
    }
    return true;
}

void Connection::failChannel()
{
    using Crypto::ChannelError;
    const ChannelError error = m_channel->error();
    EndOfTransport reason = EndOfTransport::SecurityViolation;
    if (m_state == State::Greeting)
        reason = EndOfTransport::HandshakeFailed;
    else if (error == ChannelError::FrameTooLarge)
        reason = EndOfTransport::InboundStreaming; // a limit, as for a plain frame
    failInbound(reason,
                QStringLiteral("%1: %2").arg(QString::fromLatin1(Crypto::channelErrorName(error)),
                                             m_channel->errorText()));
}

// -- timers -------------------------------------------------------------------------------------

void Connection::onTick()
{
    const auto now = Clock::now();
    const ConnectionOptions &o = m_setup.options;
    switch (m_state) {
    case State::Connecting:
        if (now >= m_deadline)
            endNotConnected(
                ConnectError::Timeout,
                QStringLiteral("no connection within %1 ms").arg(o.connectTimeout.count()));
        return;
    case State::Greeting:
        if (now >= m_deadline) {
            if (m_accepted) {
                // One line per burst of silent peers at this listener, with a count.
                Internal::TransportHost(this).warnThrottled(
                    qHashMulti(0x9ee7, parentAddress().last()),
                    QStringLiteral("closing a connection from %1: no %2 within %3 ms")
                        .arg(m_remote.toString(),
                             m_channel ? QStringLiteral("completed handshake")
                                       : QStringLiteral("preamble"))
                        .arg(o.greetingTimeout.count()));
                m_state = State::Done;
                m_socket->abort();
                finishLater();
            } else if (m_channel) {
                // A slow or overloaded peer as likely as a hostile one: a network error, which a
                // reconnecting group retries.
                endNotConnected(ConnectError::Timeout,
                                QStringLiteral("the encrypted handshake did not complete within "
                                               "%1 ms")
                                    .arg(o.connectTimeout.count()));
            } else {
                endNotConnected(ConnectError::ProtocolMismatch,
                                QStringLiteral("no preamble from the peer within %1 ms")
                                    .arg(o.connectTimeout.count()));
            }
        }
        return;
    case State::Closing:
        if (now >= m_deadline) {
            endClosed(false,
                      QStringLiteral("the peer did not confirm the close within %1 ms")
                          .arg(o.closeTimeout.count()));
            return;
        }
        break;
    case State::Open:
        break;
    case State::Idle:
    case State::Done:
        if (m_finishing && now >= m_deadline)
            finishLater(); // a confirmation that could not be written in time
        return;
    }
    if (m_frameOpen && now - m_frameSince >= o.frameTimeout) {
        failInbound(
            EndOfTransport::FrameTimedOut,
            QStringLiteral("a frame began %1 ms ago and has not arrived whole (%2 bytes "
                           "so far)")
                .arg(std::chrono::duration_cast<std::chrono::milliseconds>(now - m_frameSince)
                         .count())
                .arg(heldBytes()));
        return;
    }
    settleWritten();
    tellDrained();
    if (m_socket->bytesToWrite() > 0 && now - m_lastProgress >= o.stallTimeout) {
        const QString note = QStringLiteral("the peer took no bytes for %1 ms (%2 bytes wait)")
                                 .arg(o.stallTimeout.count())
                                 .arg(m_socket->bytesToWrite());
        warning("closing the connection to ", m_remote.toString(), ": ", note);
        const qint64 unsentMessages = queuedFrames(), unsentBytes = queuedBytes();
        m_state = State::Done;
        m_socket->abort();
        Closed closed{EndOfTransport::StoppedReading, note, m_remote, std::move(m_closeValue)};
        closed.unsentMessages = unsentMessages;
        closed.unsentBytes = unsentBytes;
        tellController(Value(std::move(closed)));
        tellSenders(EndOfTransport::StoppedReading, note);
        finishLater();
        return;
    }
    if (o.heartbeatInterval.count() <= 0)
        return;
    auto silence = now - m_lastReceived;
    if (silence >= o.heartbeatTimeout && m_socket->bytesAvailable() > 0) {
        // This thread was too busy to read, not the peer silent: read, then judge.
        onReadyRead();
        if (m_state != State::Open && m_state != State::Closing)
            return;
        silence = Clock::now() - m_lastReceived;
    }
    if (silence >= o.heartbeatTimeout) {
        const QString note
            = QStringLiteral("nothing from the peer for %1 ms")
                  .arg(std::chrono::duration_cast<std::chrono::milliseconds>(silence).count());
        if (m_state == State::Closing)
            endClosed(false, note);
        else
            endAbandoned(EndOfTransport::WentStale, note);
        return;
    }
    // The connecting side pings after an interval of silence; the accepting side waits half an
    // interval longer (never past halfway to the timeout), so when both ends are quiet only the
    // connecting side's ping and its pong cross the link. Pinging at the same silence, two ends
    // that tick together (one process, or one tick apart) both pinged and both answered: four
    // frames per interval where two do (bench_net, idle_cpu). A connecting side that does not
    // ping (heartbeats off there) still gets the accepting side's pings, answered.
    const auto pingAfter = m_accepted
        ? std::min(o.heartbeatInterval * 3 / 2, (o.heartbeatInterval + o.heartbeatTimeout) / 2)
        : o.heartbeatInterval;
    if (silence >= pingAfter && now - m_lastPing >= pingAfter && m_state == State::Open) {
        m_lastPing = now;
        QByteArray ping;
        Wire::appendControl(ping, Wire::Kind::Ping);
        writeFrames(ping, 1);
    }
}

// -- ending -------------------------------------------------------------------------------------

void Connection::recordEnd(const Internal::TransportHost &host, const Value &message) const
{
    // The connection events of docs/events.md, one per notice the controller hears.
    const bool encrypted = m_channel != nullptr;
    if (const auto *m = message.getIf<Accepted>())
        host.connectionEvent(EventKind::Accepted, LogLevel::Object, m->remote.toString(),
                             QStringLiteral("at %1").arg(m->listening.toString()), encrypted,
                             m->peerKey);
    else if (const auto *m = message.getIf<Connected>())
        host.connectionEvent(EventKind::Connected, LogLevel::Object, m->remote.toString(),
                             QStringLiteral("from %1").arg(m->local.toString()), encrypted,
                             m->peerKey);
    else if (const auto *m = message.getIf<NotConnected>())
        host.connectionEvent(EventKind::NotConnected, LogLevel::Object, m->requested.toString(),
                             m->text);
    else if (const auto *m = message.getIf<Closed>())
        host.connectionEvent(EventKind::Closed, LogLevel::Object, m->remote.toString(),
                             m->note.isEmpty()
                                 ? QString::fromUtf8(enumeratorName(m->reason))
                                 : QStringLiteral("%1: %2").arg(
                                     QString::fromUtf8(enumeratorName(m->reason)), m->note));
    else if (const auto *m = message.getIf<Abandoned>())
        host.connectionEvent(EventKind::Abandoned, LogLevel::Object, m->remote.toString(),
                             m->note.isEmpty()
                                 ? QString::fromUtf8(enumeratorName(m->reason))
                                 : QStringLiteral("%1: %2").arg(
                                     QString::fromUtf8(enumeratorName(m->reason)), m->note));
}

void Connection::tellController(Value message)
{
    // The controller may have ended (completing it is what stopped this connection): then the
    // notice is dropped with a DEBUG line, not a warning.
    const Address from = m_session.isNull() ? address() : m_session;
    const Internal::TransportHost host(this);
    if (host.wants(LogLevel::Object))
        recordEnd(host, message);
    const detail::Stamp stamp = host.forwarded(message, m_setup.controller, from);
    host.deliverIfThere(m_setup.controller, from, message, stamp);
}

void Connection::noteSender(const Address &from)
{
    // Local objects and remote requesters that sent through this connection, so that a request
    // still waiting for its answer hears when the connection ends (DESIGN.md section 8, E5).
    if (from.isNull() || from == m_setup.controller || from == m_session
        || from.last() == address().last())
        return; // they hear from the connection itself
    Internal::TransportHost host(this);
    const qsizetype forgotten = m_senders.note(from, &Internal::TransportHost::isAlive, &host);
    if (forgotten > 0)
        host.warnThrottled(qHashMulti(0xf07, address().last()),
                           QStringLiteral("forgot %1 remote senders (more than %2 relayed through "
                                          "this connection); they will not hear if it breaks")
                               .arg(forgotten)
                               .arg(SenderTracker::MaxRemote));
}

void Connection::tellSenders(EndOfTransport reason, const QString &note)
{
    // Each gets ConnectionLost once; one that already has its answer (or has ended) drops it
    // quietly (it is a notice), so a request completes exactly once.
    const Internal::TransportHost host(this);
    const Address from = address();
    const HostPort remote = m_remote.host.isEmpty() ? m_setup.requested : m_remote;
    for (const Address &to : m_senders.take()) {
        Value lost(ConnectionLost{reason, note, remote});
        host.deliverIfThere(to, from, lost);
    }
    m_refused.clear();
}

QString Connection::unsentText() const
{
    const qint64 frames = std::max<qint64>(0, queuedFrames() - (m_state == State::Closing ? 1 : 0))
        + m_pendingFrames;
    if (frames == 0)
        return QStringLiteral("every message was written; the peer did not confirm reading them");
    return QStringLiteral("%1 messages (%2 bytes) were never written")
        .arg(frames)
        .arg(queuedBytes());
}

void Connection::finishLater(bool linger)
{
    if (linger && !m_finishing && m_socket
        && m_socket->state() != QAbstractSocket::UnconnectedState) {
        // Let the socket write what it holds (a close confirmation), within closeTimeout; the
        // socket's disconnected() or the tick completes the proxy.
        m_finishing = true;
        m_deadline = Clock::now() + m_setup.options.closeTimeout;
        return;
    }
    Ticker::remove(this);
    // Never complete inside a socket's signal: completing deletes the socket.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!isCompleted())
                complete(Ack{});
        },
        Qt::QueuedConnection);
}

void Connection::closeOnRequest(EndOfTransport reason, Value value)
{
    switch (m_state) {
    case State::Closing:
    case State::Done:
        return;
    case State::Idle:
    case State::Connecting:
    case State::Greeting: {
        // Nothing was promised to the controller yet; what waited is dropped with a line.
        const qint64 unsent = m_pendingFrames, unsentBytes = m_pending.size();
        if (unsent)
            warning("closing before the connection was up: ", unsent, " messages were not sent");
        m_state = State::Done;
        if (m_socket)
            m_socket->abort();
        Closed closed{unsent ? EndOfTransport::NotFlushed : reason,
                      QStringLiteral("closed before it was open"), m_setup.requested,
                      std::move(value)};
        closed.unsentMessages = unsent;
        closed.unsentBytes = unsentBytes;
        tellController(Value(std::move(closed)));
        tellSenders(reason, QStringLiteral("closed before it was open"));
        finishLater();
        return;
    }
    case State::Open:
        break;
    }
    m_state = State::Closing;
    m_closeReason = reason;
    m_closeValue = std::move(value);
    m_deadline = Clock::now() + m_setup.options.closeTimeout;
    QByteArray close;
    Wire::appendControl(close, Wire::Kind::Close,
                        reason == EndOfTransport::SessionCompleted ? "session completed"
                                                                   : "closed on request");
    writeFrames(close, 1);
    flush();
    // Keeps reading: what the peer sent before it saw the close is still delivered, and its
    // confirmation ends the close (endClosed).
}

void Connection::onPeerClose(QByteArrayView note)
{
    // Confirm: everything the peer sent before its close has been read.
    QByteArray confirm;
    Wire::appendControl(confirm, Wire::Kind::Confirm);
    writeFrames(confirm, 1);
    flush();
    if (m_state == State::Closing)
        return; // both ends closed at once: this end still waits for its own confirmation
    if (m_state == State::Done)
        return; // the confirmation met the peer's reset: that already ended the connection
    const QString why = note.isEmpty()
        ? QStringLiteral("closed by the peer")
        : QStringLiteral("closed by the peer: %1").arg(QString::fromUtf8(note.data(), note.size()));
    m_state = State::Done;
    tellController(Value(Abandoned{EndOfTransport::AbandonedByRemote, why, m_remote}));
    tellSenders(EndOfTransport::AbandonedByRemote, why);
    m_socket->disconnectFromHost(); // writes the confirmation, then closes
    finishLater(true);
}

void Connection::failInbound(EndOfTransport reason, const QString &note)
{
    if (m_state == State::Done)
        return;
    const State before = m_state;
    const bool wasOpen = m_state == State::Open || m_state == State::Closing;
    warning("closing the connection from ", m_remote.toString(), ": ", note);
    // Done before the close frame is written: a write that meets the peer's reset (a peer that
    // sent its bad frame and went) must not end the connection a second time, as Abandoned. The
    // controller hears one end, and the bad input is why.
    m_state = State::Done;
    QByteArray close;
    Wire::appendControl(close, Wire::Kind::Close, note.toUtf8());
    writeFrames(close, 1);
    flush();
    m_socket->flush();
    if (!m_accepted && before == State::Greeting) {
        m_state = before;
        ConnectError error = ConnectError::ProtocolMismatch;
        if (reason == EndOfTransport::SecurityMismatch)
            error = ConnectError::SecurityMismatch;
        else if (reason == EndOfTransport::HandshakeFailed)
            error = ConnectError::HandshakeFailed;
        else if (reason == EndOfTransport::PeerKeyMismatch)
            error = ConnectError::PeerKeyMismatch;
        endNotConnected(error, note);
        return;
    }
    m_socket->abort();
    releaseIncomplete();
    if (wasOpen)
        tellController(Value(Closed{reason, note, m_remote, std::move(m_closeValue)}));
    tellSenders(reason, note);
    finishLater();
}

void Connection::endAbandoned(EndOfTransport reason, const QString &note)
{
    if (m_state == State::Done)
        return;
    if (m_state == State::Closing) {
        endClosed(false, note);
        return;
    }
    m_state = State::Done;
    m_socket->abort();
    tellController(Value(Abandoned{reason, note, m_remote}));
    tellSenders(reason, note);
    finishLater();
}

void Connection::endClosed(bool confirmed, const QString &why)
{
    if (m_state == State::Done)
        return;
    settleWritten();
    Closed closed{m_closeReason, {}, m_remote, std::move(m_closeValue)};
    if (!confirmed) {
        closed.reason = EndOfTransport::NotFlushed;
        // The close frame is the last one queued: it is unsent whenever anything is.
        closed.unsentMessages = std::max<qint64>(0, queuedFrames() - 1);
        closed.unsentBytes = queuedBytes();
        closed.note = QStringLiteral("%1: %2").arg(why, unsentText());
        warning("the close of the connection to ", m_remote.toString(),
                " was not confirmed: ", closed.note);
    }
    m_state = State::Done;
    m_socket->abort();
    tellController(Value(std::move(closed)));
    tellSenders(confirmed ? m_closeReason : EndOfTransport::NotFlushed,
                confirmed ? QStringLiteral("closed on request") : why);
    finishLater();
}

void Connection::endNotConnected(ConnectError reason, const QString &text)
{
    if (m_state == State::Done)
        return;
    m_state = State::Done;
    m_socket->abort();
    if (m_pendingFrames)
        warning(m_pendingFrames, " messages sent before the connection was up are dropped");
    tellController(Value(NotConnected{m_setup.requested, reason, text})); // no session yet
    tellSenders(EndOfTransport::AbandonedByRemote, text);
    finishLater();
}

} // namespace Internal
} // namespace Parley
