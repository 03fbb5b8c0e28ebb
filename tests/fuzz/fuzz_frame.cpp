// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Fuzz target for the frame layer of docs/protocol.md: a peer's preamble, then a stream of
// frames, each message decoded against its address book when its type is registered, as a
// connection does. Any bytes must parse or fail with a message, never crash, hang or allocate
// from a forged length or count; what parses must write back the same way. Built with
// -fsanitize=fuzzer under clang; otherwise fuzz_decode_replay.cpp supplies a main() that
// replays corpus files.

#include "fuzzmessages.h"

#include "net/frame_p.h"

#include <parley/codec.h>
#include <parley/net.h>

#include <cstddef>
#include <cstdint>

using namespace Parley;

namespace {

void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

constexpr Address::Id Proxy = 0x2a; ///< the proxy the frames arrive through and leave by

/// The outgoing rule: an address whose last id is the proxy goes out with 0 in its place.
Address outgoing(Address a, Address::Id proxy)
{
    if (!a.isNull() && a.last() == proxy)
        a.setLast(0);
    return a;
}

bool withinLimits(const Wire::Frame &f)
{
    if (f.to.size() > Wire::MaxAddressLength || f.from.size() > Wire::MaxAddressLength
        || f.book.size() > size_t(Wire::MaxBookEntries))
        return false;
    for (const Address &a : f.book) {
        if (a.size() > Wire::MaxAddressLength)
            return false;
    }
    return true;
}

/// Relays \a frame as a proxy does: the body, type and trace go out byte for byte, only the
/// addresses ending in the proxy change, and the frame is as long as the one that came in.
void relayAgain(const Wire::Frame &frame, qsizetype frameSize, qsizetype maxFrameSize)
{
    // Through a proxy named by an id the input chose, so the rewrite is exercised.
    const Address::Id proxy
        = frame.book.empty() || frame.book.front().isNull() ? Proxy : frame.book.front().last();
    QByteArray out("x");
    QString error;
    check(Wire::appendEncoded(out, frame.to, frame.from, frame.type, frame.body, frame.book, proxy,
                              maxFrameSize, error, frame.trace));
    check(out.size() == 1 + frameSize);
    Wire::Frame again;
    qsizetype consumed = 0, needed = 0;
    check(Wire::parseFrame(QByteArrayView(out).sliced(1), maxFrameSize, again, consumed, needed,
                           error)
          == Wire::ParseStatus::Ok);
    check(consumed == frameSize);
    check(again.kind == Wire::Kind::Message && again.to == frame.to);
    check(again.from == outgoing(frame.from, proxy));
    check(again.type == frame.type && again.body == frame.body);
    check(again.trace.messageId == frame.trace.messageId
          && (frame.trace.messageId == 0 || again.trace.origin == frame.trace.origin));
    check(again.book.size() == frame.book.size());
    for (size_t i = 0; i < frame.book.size(); ++i)
        check(again.book[i] == outgoing(frame.book[i], proxy));
}

/// Decodes a message frame as a connection does and, when it decodes, checks it encodes again
/// to a frame that parses and decodes to the same body.
void decodeMessage(Wire::Frame &frame, qsizetype maxFrameSize)
{
    const TypeInfo *type = findType(QString::fromUtf8(frame.type.data(), frame.type.size()));
    if (!type || !type->decode)
        return;
    const Address home{7};
    Wire::aliasIncoming(frame.from, Proxy, home);
    for (Address &a : frame.book)
        Wire::aliasIncoming(a, Proxy, home);
    DecodeResult decoded = decodeBody(frame.body, type, Wire::bodyContext(frame, maxFrameSize));
    if (!decoded) {
        check(decoded.error().kind != DecodeError::Kind::None);
        return;
    }
    (void)toText(decoded.value());
    // Addresses may have grown past 64 hops or the book past its limit: then it is refused,
    // with the buffer left alone.
    QByteArray out("x");
    QString error;
    if (!Wire::appendMessage(out, Address(Proxy), frame.from, decoded.value(), Proxy,
                             Wire::MaxFrameLimit, error)) {
        check(out == "x" && !error.isEmpty());
        return;
    }
    Wire::Frame again;
    qsizetype consumed = 0, needed = 0;
    check(Wire::parseFrame(QByteArrayView(out).sliced(1), Wire::MaxFrameLimit, again, consumed,
                           needed, error)
          == Wire::ParseStatus::Ok);
    check(consumed == out.size() - 1);
    DecodeResult twice
        = decodeBody(again.body, type, Wire::bodyContext(again, Wire::MaxFrameLimit));
    check(twice.hasValue());
    // Canonical: the value decoded twice encodes to the same body, and its addresses are the
    // first value's as they went out (those ending in the proxy with 0 in its place: `again` is
    // decoded as it was written, without the incoming rules).
    std::vector<Address> bookA, bookB;
    EncodeContext ea, eb;
    ea.addressBook = &bookA;
    eb.addressBook = &bookB;
    check(encodeBody(decoded.value(), ea) == encodeBody(twice.value(), eb));
    check(bookA.size() == bookB.size());
    for (size_t i = 0; i < bookA.size(); ++i)
        check(bookB[i] == outgoing(bookA[i], Proxy));
}

/// Parses frames from \a data until it needs more or fails, checking what parseFrame promises.
void parseStream(QByteArrayView data, qsizetype maxFrameSize)
{
    for (int frames = 0; frames < 4096; ++frames) {
        Wire::Frame frame;
        qsizetype consumed = -1, needed = -1;
        QString error;
        switch (Wire::parseFrame(data, maxFrameSize, frame, consumed, needed, error)) {
        case Wire::ParseStatus::NeedMore:
            check(consumed == 0 && error.isEmpty());
            // It asks for at most one frame within the limit, and for more than it has.
            check(needed == 0 ? data.size() < Wire::LengthSize
                              : needed > data.size() && needed <= Wire::LengthSize + maxFrameSize);
            return;
        case Wire::ParseStatus::Error:
            check(consumed == 0 && !error.isEmpty());
            return;
        case Wire::ParseStatus::Ok:
            break;
        }
        check(consumed >= Wire::LengthSize + Wire::MinFrameSize && consumed <= data.size());
        check(consumed <= Wire::LengthSize + maxFrameSize && needed == consumed);
        check(withinLimits(frame));
        // The views point inside the frame.
        const char *begin = data.data(), *end = data.data() + consumed;
        check(frame.body.isEmpty() || (frame.body.data() >= begin && frame.body.end() <= end));
        check(frame.type.isEmpty() || (frame.type.data() >= begin && frame.type.end() <= end));
        switch (frame.kind) {
        case Wire::Kind::Ping:
        case Wire::Kind::Pong:
        case Wire::Kind::Confirm:
            check(frame.body.isEmpty() && frame.to.isNull() && frame.from.isNull());
            break;
        case Wire::Kind::Close:
            check(frame.body.size() <= Wire::MaxCloseNote && frame.to.isNull());
            break;
        case Wire::Kind::Message:
            check(!frame.type.isEmpty());
            relayAgain(frame, consumed, maxFrameSize);
            decodeMessage(frame, maxFrameSize);
            break;
        default:
            check(false);
        }
        data = data.sliced(consumed);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    // The preamble, as it arrives a byte at a time: every prefix agrees with the whole.
    const Wire::PreambleCheck whole = Wire::checkPreamble(bytes);
    for (qsizetype n = 1; n < std::min<qsizetype>(bytes.size(), Wire::PreambleSize); ++n) {
        const Wire::PreambleCheck part = Wire::checkPreamble(bytes.first(n));
        check(part == Wire::PreambleCheck::NeedMore || part == Wire::PreambleCheck::NotParley);
        if (part == Wire::PreambleCheck::NotParley)
            check(whole == Wire::PreambleCheck::NotParley);
    }
    (void)Wire::checkPreamble(bytes, Wire::Mode::Encrypted);

    // Then frames: after a valid preamble as a connection reads them; otherwise the whole input
    // is taken as frames, so the corpus needs no preamble to reach the parser.
    const QByteArrayView frames
        = whole == Wire::PreambleCheck::Ok ? bytes.sliced(Wire::PreambleSize) : bytes;
    // With the smallest limit a connection allows, and with the default.
    parseStream(frames, 1024);
    parseStream(frames, 1 << 20);
    return 0;
}
