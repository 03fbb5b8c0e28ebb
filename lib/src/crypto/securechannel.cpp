// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "securechannel_p.h"

#include <QtCore/QtEndian>

#include <algorithm>
#include <cstring>

namespace Parley::Crypto {

namespace {

constexpr qsizetype LengthSize = 2;
constexpr qsizetype TotalSize = 4; ///< the frame total a first chunk carries before its flags

quint16 lengthAt(const char *p)
{
    return qFromBigEndian<quint16>(p);
}

void zeroBytes(QByteArray &bytes)
{
    if (!bytes.isEmpty() && !bytes.isDetached())
        bytes.clear(); // shared with someone else, who keeps the bytes: just let go
    else if (!bytes.isEmpty())
        secureZero(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

} // namespace

const char *channelErrorName(ChannelError error)
{
    switch (error) {
    case ChannelError::None:
        return "None";
    case ChannelError::HandshakeMalformed:
        return "HandshakeMalformed";
    case ChannelError::HandshakeTooLarge:
        return "HandshakeTooLarge";
    case ChannelError::InvalidPublicKey:
        return "InvalidPublicKey";
    case ChannelError::HandshakeFailed:
        return "HandshakeFailed";
    case ChannelError::DecryptFailed:
        return "DecryptFailed";
    case ChannelError::RecordMalformed:
        return "RecordMalformed";
    case ChannelError::FrameTooLarge:
        return "FrameTooLarge";
    case ChannelError::NonceExhausted:
        return "NonceExhausted";
    case ChannelError::HandshakeIncomplete:
        return "HandshakeIncomplete";
    case ChannelError::UnexpectedData:
        return "UnexpectedData";
    case ChannelError::InvalidCall:
        return "InvalidCall";
    }
    return "Unknown";
}

SecureChannel::SecureChannel(Role role, const KeyPair &localStatic, QByteArrayView prologue,
                             Limits limits)
    : m_role(role), m_limits(limits)
{
    ensureSodium();
    m_limits.maxFrameSize = std::clamp<qsizetype>(m_limits.maxFrameSize, 0, MaxFrameLimit);
    m_limits.maxHandshakeMessage
        = std::clamp<qsizetype>(m_limits.maxHandshakeMessage, 0, MaxMessageSize);
    HandshakeState::Setup setup;
    setup.pattern = Pattern::XX;
    setup.hash = HashKind::Sha256;
    setup.initiator = role == Role::Initiator;
    setup.prologue = prologue.toByteArray();
    setup.localStatic = localStatic;
    m_handshake = std::make_unique<HandshakeState>(setup);
    // The responder waits for the initiator's first message from the start.
    if (role == Role::Responder)
        m_state = State::Handshake;
}

SecureChannel::~SecureChannel()
{
    zeroBytes(m_pending);
    zeroBytes(m_frame);
}

ChannelError SecureChannel::setHandshakePayload(QByteArrayView payload)
{
    if (!m_handshake || m_handshake->messageIndex() != 0 || m_state == State::Failed)
        return ChannelError::InvalidCall;
    // The payload rides in the responder's message 2 (e, s and two tags: 96 bytes) or the
    // initiator's message 3 (s and two tags: 64 bytes).
    const qsizetype keys
        = m_role == Role::Responder ? 2 * KeySize + 2 * TagSize : KeySize + 2 * TagSize;
    if (keys + payload.size() > m_limits.maxHandshakeMessage)
        return ChannelError::InvalidCall;
    m_localPayload = payload.toByteArray();
    return ChannelError::None;
}

ChannelError SecureChannel::start(QByteArray &out)
{
    if (m_role != Role::Initiator || m_state != State::Idle)
        return ChannelError::InvalidCall;
    m_state = State::Handshake;
    return writeHandshake(out);
}

ChannelError SecureChannel::fail(ChannelError error, const QString &text)
{
    m_state = State::Failed;
    m_error = error;
    m_errorText = text;
    m_handshake.reset();
    m_send.clear();
    m_receive.clear();
    zeroBytes(m_pending);
    resetFrame();
    return error;
}

void SecureChannel::resetFrame()
{
    zeroBytes(m_frame);
    m_frameTotal = 0;
}

ChannelError SecureChannel::writeHandshake(QByteArray &out)
{
    const int number = m_handshake->messageIndex() + 1;
    const QByteArrayView payload
        = m_handshake->nextPayloadEncrypted() ? QByteArrayView(m_localPayload) : QByteArrayView();
    const qsizetype at = out.size();
    out.resize(at + LengthSize);
    const NoiseError error = m_handshake->writeMessage(payload, out);
    if (error != NoiseError::None) {
        out.truncate(at);
        if (error == NoiseError::InvalidPublicKey)
            return fail(ChannelError::InvalidPublicKey,
                        QStringLiteral("handshake message %1 carries an invalid public key (zero "
                                       "or low order)")
                            .arg(number - 1));
        return fail(ChannelError::HandshakeFailed,
                    QStringLiteral("handshake message %1 could not be written").arg(number));
    }
    qToBigEndian<quint16>(quint16(out.size() - at - LengthSize), out.data() + at);
    return ChannelError::None;
}

void SecureChannel::open(Output &output)
{
    m_handshake->split(m_send, m_receive);
    m_peerStatic = *m_handshake->remoteStatic();
    m_handshakeHash = m_handshake->handshakeHash();
    m_handshake.reset();
    m_state = State::Open;
    output.opened = true;
}

ChannelError SecureChannel::checkLength(qsizetype length)
{
    if (m_state == State::Handshake) {
        const int number = m_handshake->messageIndex() + 1;
        if (length > m_limits.maxHandshakeMessage)
            return fail(ChannelError::HandshakeTooLarge,
                        QStringLiteral("handshake message %1 announces %2 bytes; at most %3")
                            .arg(number)
                            .arg(length)
                            .arg(m_limits.maxHandshakeMessage));
        const qsizetype minimum = m_handshake->nextMessageMinimumSize();
        // A payload that would travel in clear (XX's first message) must be empty.
        const bool exact = !m_handshake->nextPayloadEncrypted();
        if (length < minimum || (exact && length != minimum))
            return fail(ChannelError::HandshakeMalformed,
                        QStringLiteral("handshake message %1 has %2 bytes; it must have %3 %4")
                            .arg(number)
                            .arg(length)
                            .arg(exact ? QStringLiteral("exactly") : QStringLiteral("at least"))
                            .arg(minimum));
        return ChannelError::None;
    }
    if (length < TagSize + 1)
        return fail(ChannelError::RecordMalformed,
                    QStringLiteral("record %1 has %2 bytes; a record has at least %3")
                        .arg(m_recordsIn + 1)
                        .arg(length)
                        .arg(TagSize + 1));
    // Bounds the chunk before its bytes are buffered: a record starting a frame holds at most
    // the frame, its total and its flags; a later one at most what the total still allows.
    const qsizetype plain = length - TagSize;
    if (m_frameTotal == 0 && plain > m_limits.maxFrameSize + TotalSize + 1)
        return fail(ChannelError::FrameTooLarge,
                    QStringLiteral("record %1 carries %2 bytes; frames are at most %3")
                        .arg(m_recordsIn + 1)
                        .arg(plain - 1)
                        .arg(m_limits.maxFrameSize));
    if (m_frameTotal != 0 && plain > m_frameTotal - m_frame.size() + 1)
        return fail(ChannelError::RecordMalformed,
                    QStringLiteral("record %1 overruns its frame's announced %2 bytes")
                        .arg(m_recordsIn + 1)
                        .arg(m_frameTotal));
    return ChannelError::None;
}

ChannelError SecureChannel::feed(QByteArrayView in, Output &output)
{
    if (m_state == State::Failed)
        return m_error;
    if (in.isEmpty())
        return ChannelError::None;
    if (m_state == State::Idle)
        return fail(ChannelError::UnexpectedData,
                    QStringLiteral("%1 bytes arrived before the handshake started").arg(in.size()));

    qsizetype pos = 0;
    // 1. Completes a record that earlier calls left unfinished.
    if (!m_pending.isEmpty()) {
        if (m_pending.size() < LengthSize) {
            const qsizetype take = std::min(LengthSize - m_pending.size(), in.size());
            m_pending.append(in.data(), take);
            pos += take;
            if (m_pending.size() < LengthSize)
                return ChannelError::None;
            if (const ChannelError e = checkLength(lengthAt(m_pending.constData()));
                e != ChannelError::None)
                return e;
        }
        const qsizetype whole = LengthSize + lengthAt(m_pending.constData());
        const qsizetype take = std::min(whole - m_pending.size(), in.size() - pos);
        m_pending.append(in.data() + pos, take);
        pos += take;
        if (m_pending.size() < whole)
            return ChannelError::None;
        const ChannelError e = processRecord(QByteArrayView(m_pending).sliced(LengthSize), output);
        if (e != ChannelError::None)
            return e;
        m_pending.resize(0); // keeps the room for the next record that straddles a call
    }
    // 2. Whole records straight from the input, without copying them.
    while (in.size() - pos >= LengthSize) {
        const qsizetype length = lengthAt(in.data() + pos);
        if (const ChannelError e = checkLength(length); e != ChannelError::None)
            return e;
        if (in.size() - pos - LengthSize < length)
            break;
        if (const ChannelError e = processRecord(in.sliced(pos + LengthSize, length), output);
            e != ChannelError::None)
            return e;
        pos += LengthSize + length;
    }
    // 3. Keeps the start of the next record (its length already checked when complete).
    if (pos < in.size()) {
        m_pending.reserve(LengthSize + MaxMessageSize);
        m_pending.append(in.data() + pos, in.size() - pos);
    }
    return ChannelError::None;
}

ChannelError SecureChannel::processRecord(QByteArrayView record, Output &output)
{
    if (m_state == State::Handshake)
        return processHandshake(record, output);
    return processTransport(record, output);
}

ChannelError SecureChannel::processHandshake(QByteArrayView message, Output &output)
{
    const int number = m_handshake->messageIndex() + 1;
    const bool encryptedPayload = m_handshake->nextPayloadEncrypted();
    QByteArray payload;
    switch (m_handshake->readMessage(message, payload)) {
    case NoiseError::None:
        break;
    case NoiseError::InvalidPublicKey:
        return fail(ChannelError::InvalidPublicKey,
                    QStringLiteral("handshake message %1 carries an invalid public key (zero or "
                                   "low order)")
                        .arg(number));
    case NoiseError::ShortMessage:
        return fail(ChannelError::HandshakeMalformed,
                    QStringLiteral("handshake message %1 is too short (%2 bytes)")
                        .arg(number)
                        .arg(message.size()));
    default:
        return fail(ChannelError::HandshakeFailed,
                    QStringLiteral("handshake message %1 failed authentication (tampered, "
                                   "prologues that differ, or not a handshake message)")
                        .arg(number));
    }
    if (encryptedPayload && !payload.isEmpty())
        m_peerPayload = payload;
    if (!m_handshake->isComplete() && m_handshake->isMyTurn()) {
        if (const ChannelError e = writeHandshake(output.toSend); e != ChannelError::None)
            return e;
    }
    if (m_handshake->isComplete())
        open(output);
    return ChannelError::None;
}

ChannelError SecureChannel::processTransport(QByteArrayView record, Output &output)
{
    const quint64 number = ++m_recordsIn;
    const qsizetype plain = record.size() - TagSize; // at least the flags byte (checkLength)
    const auto decryptInto = [&](char *to) -> ChannelError {
        switch (m_receive.decryptWithAd({}, reinterpret_cast<const quint8 *>(record.data()),
                                        size_t(record.size()), reinterpret_cast<quint8 *>(to))) {
        case NoiseError::None:
            return ChannelError::None;
        case NoiseError::NonceExhausted:
            return fail(ChannelError::NonceExhausted,
                        QStringLiteral("the receiving nonce counter is exhausted at record %1")
                            .arg(number));
        default:
            return fail(ChannelError::DecryptFailed,
                        QStringLiteral("record %1 failed authentication (tampered, replayed, "
                                       "reordered, dropped, or not a transport record)")
                            .arg(number));
        }
    };
    const auto badFlags = [&](quint8 flags) {
        return fail(ChannelError::RecordMalformed,
                    QStringLiteral("record %1 has reserved flag bits set (0x%2)")
                        .arg(number)
                        .arg(flags, 2, 16, QLatin1Char('0')));
    };

    if (m_frameTotal == 0) {
        // The first (or only) chunk of a frame: decrypted straight into the frame's bytes.
        QByteArray chunk(plain, Qt::Uninitialized);
        if (const ChannelError e = decryptInto(chunk.data()); e != ChannelError::None)
            return e;
        const quint8 flags = quint8(chunk.at(plain - 1));
        if (flags & ~MoreFlag) {
            zeroBytes(chunk);
            return badFlags(flags);
        }
        if (!(flags & MoreFlag)) {
            if (plain - 1 > m_limits.maxFrameSize) {
                zeroBytes(chunk);
                return fail(ChannelError::FrameTooLarge,
                            QStringLiteral("record %1 carries a frame of %2 bytes; at most %3")
                                .arg(number)
                                .arg(plain - 1)
                                .arg(m_limits.maxFrameSize));
            }
            chunk.truncate(plain - 1);
            output.frames.append(std::move(chunk));
            return ChannelError::None;
        }
        if (plain < TotalSize + 1) {
            zeroBytes(chunk);
            return fail(
                ChannelError::RecordMalformed,
                QStringLiteral("record %1 starts a chunked frame without its total").arg(number));
        }
        const qsizetype size = plain - TotalSize - 1;
        const quint32 total = qFromBigEndian<quint32>(chunk.constData() + size);
        if (qsizetype(total) > m_limits.maxFrameSize) {
            zeroBytes(chunk);
            return fail(ChannelError::FrameTooLarge,
                        QStringLiteral("record %1 announces a frame of %2 bytes; at most %3")
                            .arg(number)
                            .arg(total)
                            .arg(m_limits.maxFrameSize));
        }
        if (qsizetype(total) <= size) {
            zeroBytes(chunk);
            return fail(ChannelError::RecordMalformed,
                        QStringLiteral("record %1 announces %2 bytes but carries %3 and more")
                            .arg(number)
                            .arg(total)
                            .arg(size));
        }
        // Room for the whole frame and the flags byte of its last chunk, reserved only now that
        // the total is authenticated and within the limit.
        m_frame.reserve(qsizetype(total) + 1);
        m_frame.append(chunk.constData(), size);
        zeroBytes(chunk);
        m_frameTotal = total;
        return ChannelError::None;
    }

    // A later chunk: decrypted in place at the end of the frame (checkLength kept it within
    // the total, so the reserved room holds it).
    const qsizetype at = m_frame.size();
    m_frame.resize(at + plain);
    if (const ChannelError e = decryptInto(m_frame.data() + at); e != ChannelError::None)
        return e;
    const quint8 flags = quint8(m_frame.at(at + plain - 1));
    m_frame.resize(at + plain - 1);
    if (flags & ~MoreFlag)
        return badFlags(flags);
    const qsizetype received = m_frame.size();
    if (flags & MoreFlag) {
        if (plain == 1 || received >= m_frameTotal)
            return fail(ChannelError::RecordMalformed,
                        QStringLiteral("record %1 is an empty or surplus chunk of a %2-byte frame")
                            .arg(number)
                            .arg(m_frameTotal));
        return ChannelError::None;
    }
    if (received != m_frameTotal)
        return fail(ChannelError::RecordMalformed,
                    QStringLiteral("record %1 ends a frame at %2 of its announced %3 bytes")
                        .arg(number)
                        .arg(received)
                        .arg(m_frameTotal));
    output.frames.append(std::move(m_frame));
    m_frame = QByteArray();
    m_frameTotal = 0;
    return ChannelError::None;
}

ChannelError SecureChannel::encrypt(QByteArrayView frame, QByteArray &out)
{
    if (m_state == State::Failed)
        return m_error;
    if (m_state != State::Open)
        return ChannelError::HandshakeIncomplete;
    const qsizetype size = frame.size();
    if (size > m_limits.maxFrameSize)
        return ChannelError::FrameTooLarge;
    const qsizetype firstChunk = size <= MaxChunkSize ? size : MaxChunkSize - TotalSize;
    const qsizetype records = 1 + (size - firstChunk + MaxChunkSize - 1) / MaxChunkSize;
    if (m_send.remaining() < quint64(records))
        return fail(ChannelError::NonceExhausted,
                    QStringLiteral("the sending nonce counter is exhausted"));

    out.reserve(out.size() + size + records * RecordOverhead + TotalSize);
    if (records == 1) {
        const char flags = 0;
        appendRecord(out, frame.data(), size, &flags, 1);
        return ChannelError::None;
    }
    char first[TotalSize + 1];
    qToBigEndian<quint32>(quint32(size), first);
    first[TotalSize] = char(MoreFlag);
    appendRecord(out, frame.data(), firstChunk, first, sizeof first);
    for (qsizetype at = firstChunk; at < size; at += MaxChunkSize) {
        const qsizetype chunk = std::min(MaxChunkSize, size - at);
        const char flags = at + chunk < size ? char(MoreFlag) : char(0);
        appendRecord(out, frame.data() + at, chunk, &flags, 1);
    }
    return ChannelError::None;
}

void SecureChannel::appendRecord(QByteArray &out, const char *data, qsizetype size,
                                 const char *trailer, qsizetype trailerSize)
{
    const qsizetype plain = size + trailerSize;
    const qsizetype at = out.size();
    out.resize(at + LengthSize + plain + TagSize);
    char *p = out.data() + at;
    qToBigEndian<quint16>(quint16(plain + TagSize), p);
    p += LengthSize;
    if (size != 0) // an empty frame's view may carry a null pointer
        std::memcpy(p, data, size_t(size));
    std::memcpy(p + size, trailer, size_t(trailerSize));
    auto *bytes = reinterpret_cast<quint8 *>(p);
    const NoiseError error = m_send.encryptWithAd({}, bytes, size_t(plain), bytes);
    Q_ASSERT(error == NoiseError::None); // encrypt() checked the remaining nonces
    Q_UNUSED(error);
}

void SecureChannel::setNoncesForTesting(quint64 send, quint64 receive)
{
    m_send.setNonce(send);
    m_receive.setNonce(receive);
}

} // namespace Parley::Crypto
