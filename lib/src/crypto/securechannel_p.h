// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "noise_p.h"

#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>
#include <QtCore/QString>

#include <memory>

namespace Parley::Crypto {

/// Why a SecureChannel refused bytes or a call. docs/security.md lists when each occurs.
enum class ChannelError {
    None,
    HandshakeMalformed,  ///< a handshake message of the wrong size for its place in the pattern
    HandshakeTooLarge,   ///< a handshake message announced above the handshake cap
    InvalidPublicKey,    ///< a peer key giving an all-zero DH result (zero or low-order point)
    HandshakeFailed,     ///< a handshake message failed authentication
    DecryptFailed,       ///< a transport record failed authentication
    RecordMalformed,     ///< a record too short, reserved flag bits, or chunks off their total
    FrameTooLarge,       ///< a frame above the maximum frame size
    NonceExhausted,      ///< a direction's 64-bit nonce counter would reach 2^64-1
    HandshakeIncomplete, ///< application data before the handshake completed
    UnexpectedData,      ///< bytes from the peer before this initiator started its handshake
    InvalidCall,         ///< start() on a responder or twice, or a handshake payload too large
};

/// Returns the enumerator's name, e.g. "DecryptFailed".
[[nodiscard]] PARLEY_AUTOTEST_EXPORT const char *channelErrorName(ChannelError error);

/// Bounds what a peer can make a SecureChannel hold.
struct ChannelLimits
{
    /// The largest frame accepted from the peer and sent to it, in bytes (at most 64 MiB).
    qsizetype maxFrameSize = 1 << 20;
    /// The largest handshake message accepted from the peer, in bytes.
    qsizetype maxHandshakeMessage = 1024;
};

/// Runs Noise_XX_25519_ChaChaPoly_SHA256 over a byte stream and then carries frames encrypted,
/// with no socket and no event loop: the connection feeds it what the peer sent and writes
/// what it produces.
///
/// On the wire every Noise message, handshake or transport, is a 2-byte big-endian length and
/// that many bytes of ciphertext. A transport record's plaintext is one chunk of a frame and a
/// trailing flags byte; a frame above one record's room is split into chunks whose first
/// announces the frame's total length. docs/security.md gives the bytes.
///
/// Any error in the peer's bytes is final: the channel keeps its first error and decrypts
/// nothing more. Secrets and buffered plaintext are zeroed when the channel is destroyed.
class PARLEY_AUTOTEST_EXPORT SecureChannel
{
public:
    /// Which end of the connection this is: the initiator is the connecting side.
    enum class Role { Initiator, Responder };

    using Limits = ChannelLimits;

    /// What one feed() produced. feed() appends, so one Output can collect several calls.
    struct Output
    {
        QByteArray toSend;        ///< handshake messages to write to the peer, framed
        QList<QByteArray> frames; ///< decrypted frames, in the order the peer sent them
        bool opened = false;      ///< the handshake completed during this call
    };

    /// Bytes a record adds to its chunk: the length, the flags byte and the tag.
    static constexpr qsizetype RecordOverhead = 2 + 1 + TagSize;
    /// The most frame bytes one record carries (a first chunk carries 4 fewer).
    static constexpr qsizetype MaxChunkSize = MaxMessageSize - TagSize - 1;
    /// The flags byte's bit saying more chunks of the frame follow; the others must be zero.
    static constexpr quint8 MoreFlag = 0x01;
    /// The largest maxFrameSize a channel takes: the total travels as 32 bits.
    static constexpr qsizetype MaxFrameLimit = qsizetype(64) << 20;

    /// Creates one end with the local static key pair \a localStatic and the \a prologue both
    /// ends must agree on (the connection passes "parley/1", then the initiator's preamble,
    /// then the responder's).
    SecureChannel(Role role, const KeyPair &localStatic, QByteArrayView prologue,
                  Limits limits = {});
    ~SecureChannel();
    SecureChannel(const SecureChannel &) = delete;
    SecureChannel &operator=(const SecureChannel &) = delete;

    /// Sets the payload this end sends inside its encrypted handshake message (the responder's
    /// second, the initiator's third): metadata, never application data. Returns InvalidCall
    /// when it is called after the handshake began or would exceed the handshake cap.
    [[nodiscard]] ChannelError setHandshakePayload(QByteArrayView payload);

    /// Appends the initiator's first handshake message to \a out. Only for the initiator, once.
    [[nodiscard]] ChannelError start(QByteArray &out);

    /// Consumes \a in, bytes from the peer split anyhow, and appends what they produce to
    /// \a output. Frames decrypted before an error in the same call stay in \a output; nothing
    /// after it is decrypted, now or later.
    [[nodiscard]] ChannelError feed(QByteArrayView in, Output &output);

    /// Appends the records carrying \a frame to \a out. Refuses a frame above the maximum
    /// (FrameTooLarge) and a call before the handshake completed (HandshakeIncomplete) without
    /// harm to the channel; NonceExhausted is final. \a out is unchanged on any error.
    [[nodiscard]] ChannelError encrypt(QByteArrayView frame, QByteArray &out);

    // -- state ----------------------------------------------------------------------------------

    [[nodiscard]] Role role() const { return m_role; }
    /// Returns true once the handshake has completed and no error occurred.
    [[nodiscard]] bool isOpen() const { return m_state == State::Open; }
    /// Returns the first error from the peer's bytes (or NonceExhausted), or None.
    [[nodiscard]] ChannelError error() const { return m_error; }
    /// Returns one line saying what was wrong, for the log.
    [[nodiscard]] QString errorText() const { return m_errorText; }
    [[nodiscard]] const Limits &limits() const { return m_limits; }
    /// Returns the bytes of the peer's held until they form a whole record or frame, for the
    /// connection's budget of unfinished frames.
    [[nodiscard]] qsizetype bufferedBytes() const { return m_pending.size() + m_frame.size(); }

    /// Returns the peer's static public key; valid once open.
    [[nodiscard]] const PublicKey &peerStaticKey() const { return m_peerStatic; }
    /// Returns the handshake hash h (32 bytes) for channel binding; valid once open.
    [[nodiscard]] QByteArray handshakeHash() const { return m_handshakeHash; }
    /// Returns the payload the peer sent in its encrypted handshake message; valid once open.
    [[nodiscard]] QByteArray peerHandshakePayload() const { return m_peerPayload; }

    /// Sets the nonce counters of an open channel; tests use it to reach the end of the range.
    void setNoncesForTesting(quint64 send, quint64 receive);

private:
    enum class State { Idle, Handshake, Open, Failed };

    ChannelError fail(ChannelError error, const QString &text);
    ChannelError checkLength(qsizetype length);
    ChannelError processRecord(QByteArrayView record, Output &output);
    ChannelError processHandshake(QByteArrayView message, Output &output);
    ChannelError processTransport(QByteArrayView record, Output &output);
    ChannelError writeHandshake(QByteArray &out);
    void appendRecord(QByteArray &out, const char *data, qsizetype size, const char *trailer,
                      qsizetype trailerSize);
    void open(Output &output);
    void resetFrame();

    Role m_role;
    State m_state = State::Idle;
    Limits m_limits;
    ChannelError m_error = ChannelError::None;
    QString m_errorText;

    std::unique_ptr<HandshakeState> m_handshake;
    QByteArray m_localPayload;
    CipherState m_send;
    CipherState m_receive;
    PublicKey m_peerStatic{};
    QByteArray m_handshakeHash;
    QByteArray m_peerPayload;

    QByteArray m_pending;       ///< a record that has not yet arrived whole
    QByteArray m_frame;         ///< the chunks of a frame so far
    qsizetype m_frameTotal = 0; ///< the announced total of a chunked frame; 0 between frames
    quint64 m_recordsIn = 0;    ///< transport records received, for the error text
};

} // namespace Parley::Crypto
