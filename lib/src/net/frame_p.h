// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/address.h>
#include <parley/codec.h>
#include <parley/message.h>
#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <vector>

namespace Parley::Wire {

/// \internal
/// The wire format of docs/protocol.md: an 8-byte preamble each way, then frames.

inline constexpr char Magic[4] = {'P', 'R', 'L', 'Y'};
inline constexpr quint8 Version = 2;
inline constexpr int PreambleSize = 8;
inline constexpr int LengthSize = 4;
inline constexpr int HeaderSize = 12;        ///< length, kind, counts, body length
inline constexpr int TraceSize = 16;         ///< a traced message's id and origin runtime
inline constexpr qsizetype MinFrameSize = 8; ///< the header after the length field
inline constexpr qsizetype MaxFrameLimit = qsizetype(64) << 20;
inline constexpr int MaxAddressLength = 64;  ///< ids in one address (to, from, a book entry)
inline constexpr int MaxBookEntries = 65536; ///< addresses carried inside one body
inline constexpr int MaxCloseNote = 1024;    ///< bytes of text in a close frame

/// The security mode of the preamble.
enum class Mode : quint8 { Plain = 0, Encrypted = 1 };

/// The kind byte of a frame. Close asks the peer to end the connection; Confirm answers a Close:
/// everything the peer sent before its Close has been read. A traced message is a message that
/// carries its message id and the id of the runtime that assigned it (docs/events.md), so that
/// the receiving runtime's events name the sending runtime's.
enum class Kind : quint8 {
    Message = 1,
    Ping = 2,
    Pong = 3,
    Close = 4,
    Confirm = 5,
    TracedMessage = 6
};

/// A message's identity in the event stream: zero when it was not recorded.
struct Trace
{
    quint64 messageId = 0;
    quint64 origin = 0; ///< the runtime that assigned messageId
};

/// Writes this end's preamble into \a out.
PARLEY_AUTOTEST_EXPORT void appendPreamble(QByteArray &out, Mode mode = Mode::Plain);

/// What checking a peer's preamble found.
enum class PreambleCheck { NeedMore, Ok, NotParley, WrongVersion, WrongMode };
/// Checks the peer's preamble at the start of \a data.
PARLEY_AUTOTEST_EXPORT PreambleCheck checkPreamble(QByteArrayView data, Mode mode = Mode::Plain);

/// One parsed frame; the views point into the parser's input.
struct Frame
{
    Kind kind = Kind::Message; ///< Message also for a traced message (see trace)
    Trace trace;
    Address to;
    Address from;
    QByteArrayView type; ///< the message's wire name
    QByteArrayView body; ///< CBOR body, or the note of a close frame
    std::vector<Address> book;
};

/// What parseFrame() found.
enum class ParseStatus { NeedMore, Ok, Error };

/// Parses one frame from the start of \a data. On Ok, fills \a frame and sets \a consumed; on
/// NeedMore nothing is consumed (\a needed says how many bytes the frame needs in all, when
/// its length is known); on Error, \a error says what is wrong. Every count is checked before
/// anything is allocated from it: the length against \a maxFrameSize, addresses against
/// MaxAddressLength, the book against MaxBookEntries.
PARLEY_AUTOTEST_EXPORT ParseStatus parseFrame(QByteArrayView data, qsizetype maxFrameSize,
                                              Frame &frame, qsizetype &consumed, qsizetype &needed,
                                              QString &error);

/// Appends a message frame carrying \a message from \a from to \a to, leaving through the proxy
/// \a proxyId: `from` and every address in the body whose last id is the proxy go out with a 0
/// in its place (they "go home"). Returns false, with \a error set and \a out unchanged, when
/// the frame would exceed \a maxFrameSize or the message can't be encoded.
/// With a non-zero \a trace the frame is a traced message.
PARLEY_AUTOTEST_EXPORT bool appendMessage(QByteArray &out, const Address &to, const Address &from,
                                          const Value &message, Address::Id proxyId,
                                          qsizetype maxFrameSize, QString &error,
                                          const Trace &trace = {});
/// Appends a message frame whose type name, CBOR body and address book are already encoded
/// (a relayed frame): the body is copied byte for byte; the book is rewritten as above.
PARLEY_AUTOTEST_EXPORT bool appendEncoded(QByteArray &out, const Address &to, const Address &from,
                                          QByteArrayView type, QByteArrayView body,
                                          const std::vector<Address> &book, Address::Id proxyId,
                                          qsizetype maxFrameSize, QString &error,
                                          const Trace &trace = {});
/// Appends a ping, pong or close frame (\a note only for close).
PARLEY_AUTOTEST_EXPORT void appendControl(QByteArray &out, Kind kind, QByteArrayView note = {});

/// Returns the decoder settings for \a frame's body: its address book, and limits derived from
/// the frame (strings and containers within \a maxFrameSize; long addresses copied out of the
/// book within about one id per body byte, so a small body can't decode into a huge message).
PARLEY_AUTOTEST_EXPORT DecodeContext bodyContext(const Frame &frame, qsizetype maxFrameSize);

/// Applies the incoming rules to a `from` or book address that arrived through the proxy
/// \a proxyId: a trailing 0 is removed (an address with nothing left names \a home, the
/// connection's controller or session); otherwise the proxy is appended as the last hop.
PARLEY_AUTOTEST_EXPORT void aliasIncoming(Address &address, Address::Id proxyId,
                                          const Address &home);

} // namespace Parley::Wire
