// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Fuzz target for the encrypted channel (lib/src/crypto/securechannel_p.h, docs/security.md).
// The first input byte picks what the rest drives:
//   0  a responder that has read an honest message 1, then fed the bytes (message 3, records);
//   1  an initiator after start(), fed the bytes (message 2, records);
//   2  an open channel fed the bytes as transport records, in pieces the input sizes;
//   3  a script: an honest sender encrypts frames, the network flips, drops, duplicates, swaps
//      and injects records and delivers them in pieces; the receiver must deliver a prefix of
//      what was sent, and all of it when nothing was tampered with;
//   4  an honest handshake whose messages the input edits; an edit must never leave both ends
//      open.
// Always: no crash, no hang, no frame before the handshake, nothing after an error. Randomness
// comes from a seeded generator reset per input, so every input replays the same way. Built
// with -fsanitize=fuzzer under clang; otherwise fuzz_decode_replay.cpp replays corpus files.

#include "crypto/securechannel_p.h"

#include <QtCore/QList>
#include <QtCore/QtEndian>

#include <sodium.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace Parley::Crypto;
using Role = SecureChannel::Role;
using Output = SecureChannel::Output;

namespace {

void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

// -- deterministic randomness -----------------------------------------------------------------

quint64 randomCounter = 0;

const char *randomName()
{
    return "parley-fuzz";
}
void randomBuf(void *buf, size_t size)
{
    unsigned char seed[randombytes_SEEDBYTES] = {};
    std::memcpy(seed, &randomCounter, sizeof randomCounter);
    ++randomCounter;
    randombytes_buf_deterministic(buf, size, seed);
}
uint32_t randomWord()
{
    uint32_t v;
    randomBuf(&v, sizeof v);
    return v;
}
uint32_t randomUniform(uint32_t upper)
{
    return upper < 2 ? 0 : randomWord() % upper;
}
void randomStir() {}

randombytes_implementation deterministicRandom
    = {randomName, randomWord, randomStir, randomUniform, randomBuf, nullptr};

// libsodium takes another generator only before sodium_init(), which the library calls lazily.
const bool randomInstalled = [] {
    randombytes_set_implementation(&deterministicRandom);
    return true;
}();

// -- input ------------------------------------------------------------------------------------

/// Reads the input front to back; past the end it yields zeros.
struct Input
{
    const uint8_t *data;
    size_t size;
    size_t at = 0;

    bool atEnd() const { return at >= size; }
    uint8_t byte() { return at < size ? data[at++] : 0; }
    uint16_t word() { return uint16_t(byte() << 8 | byte()); }
    QByteArrayView bytes(size_t n)
    {
        n = std::min(n, size - std::min(at, size));
        const QByteArrayView v(reinterpret_cast<const char *>(data + at), qsizetype(n));
        at += n;
        return v;
    }
    QByteArrayView rest() { return bytes(size); }
};

QByteArray prologue()
{
    return QByteArrayLiteral("parley/1PRLY\x01\x01\x00\x00PRLY\x01\x01\x00\x00");
}

ChannelLimits smallLimits()
{
    return {.maxFrameSize = 256 * 1024, .maxHandshakeMessage = 1024};
}

/// Feeds \a bytes and checks what feed() promises whatever the bytes.
ChannelError feedChecked(SecureChannel &channel, QByteArrayView bytes, Output &output)
{
    const bool wasOpen = channel.isOpen();
    const ChannelError before = channel.error();
    const qsizetype framesBefore = output.frames.size();
    const ChannelError error = channel.feed(bytes, output);
    if (before != ChannelError::None) {
        // Dead: the same error, and nothing at all.
        check(error == before && output.frames.size() == framesBefore);
        return error;
    }
    check(error == channel.error());
    check(error == ChannelError::None || !channel.errorText().isEmpty());
    check(error == ChannelError::None || !channel.isOpen());
    if (!wasOpen && !output.opened)
        check(output.frames.size() == framesBefore);
    for (qsizetype i = framesBefore; i < output.frames.size(); ++i)
        check(output.frames[i].size() <= channel.limits().maxFrameSize);
    return error;
}

/// Feeds \a bytes in pieces whose sizes come from \a sizes (1 to 256 bytes, 0 meaning all).
ChannelError feedInPieces(SecureChannel &channel, QByteArrayView bytes, Input &sizes,
                          Output &output)
{
    ChannelError error = ChannelError::None;
    while (!bytes.isEmpty()) {
        const uint8_t n = sizes.byte();
        const qsizetype piece = n == 0 ? bytes.size() : std::min<qsizetype>(n, bytes.size());
        error = feedChecked(channel, bytes.first(piece), output);
        bytes = bytes.sliced(piece);
    }
    return error;
}

/// Feeds a little more: dead or not, the channel must keep every promise.
void feedMore(SecureChannel &channel, Output &output)
{
    feedChecked(channel, QByteArrayView("\x00\x11\x22", 3), output);
}

/// Runs an honest handshake; both ends open.
void openPair(SecureChannel &initiator, SecureChannel &responder)
{
    QByteArray m1;
    check(initiator.start(m1) == ChannelError::None);
    Output r1, i2, r3;
    check(responder.feed(m1, r1) == ChannelError::None);
    check(initiator.feed(r1.toSend, i2) == ChannelError::None && i2.opened);
    check(responder.feed(i2.toSend, r3) == ChannelError::None && r3.opened);
}

// -- the modes --------------------------------------------------------------------------------

void responderAfterMessage1(Input &in)
{
    SecureChannel initiator(Role::Initiator, KeyPair::generate(), prologue(), smallLimits());
    SecureChannel responder(Role::Responder, KeyPair::generate(), prologue(), smallLimits());
    QByteArray m1;
    check(initiator.start(m1) == ChannelError::None);
    Output output;
    check(responder.feed(m1, output) == ChannelError::None && !output.toSend.isEmpty());
    Input sizes{in.data, in.size, in.at};
    feedInPieces(responder, in.rest(), sizes, output);
    feedMore(responder, output);
}

void initiatorAfterStart(Input &in)
{
    SecureChannel initiator(Role::Initiator, KeyPair::generate(), prologue(), smallLimits());
    QByteArray m1;
    check(initiator.start(m1) == ChannelError::None);
    Output output;
    Input sizes{in.data, in.size, in.at};
    feedInPieces(initiator, in.rest(), sizes, output);
    feedMore(initiator, output);
}

void openChannelFedRecords(Input &in)
{
    SecureChannel initiator(Role::Initiator, KeyPair::generate(), prologue(), smallLimits());
    SecureChannel responder(Role::Responder, KeyPair::generate(), prologue(), smallLimits());
    openPair(initiator, responder);
    const uint8_t pieceSeed = in.byte();
    const QByteArrayView bytes = in.rest();
    Input sizes{&pieceSeed, 1};
    Output output;
    feedInPieces(responder, bytes, sizes, output);
    feedMore(responder, output);
    check(output.frames.isEmpty()); // records nobody with the key wrote never decrypt
}

void transportScript(Input &in)
{
    SecureChannel sender(Role::Initiator, KeyPair::generate(), prologue(),
                         {.maxFrameSize = 256 * 1024});
    SecureChannel receiver(Role::Responder, KeyPair::generate(), prologue(), smallLimits());
    openPair(sender, receiver);

    QList<QByteArray> sent;
    QList<QByteArray> wire; // records in flight, in order
    Output output;
    bool tampered = false;
    const auto deliver = [&](qsizetype count, Input &sizes) {
        QByteArray bytes;
        for (qsizetype i = 0; i < count && !wire.isEmpty(); ++i)
            bytes += wire.takeFirst();
        feedInPieces(receiver, bytes, sizes, output);
    };
    for (int ops = 0; ops < 64 && !in.atEnd(); ++ops) {
        switch (in.byte() % 8) {
        case 0: { // encrypt a frame: mostly small, sometimes up to 256 KiB (chunked)
            const uint8_t scale = in.byte();
            const uint16_t word = in.word();
            const qsizetype size = scale % 8 == 0 ? qsizetype(word) * (1 + scale % 3) : word % 600;
            const QByteArray frame(size, char(sent.size())); // frames differ by their index
            QByteArray out;
            const ChannelError e = sender.encrypt(frame, out);
            if (e == ChannelError::None) {
                sent.append(frame);
                QList<QByteArray> records;
                for (qsizetype at = 0; at < out.size();) {
                    const qsizetype length = 2 + qFromBigEndian<quint16>(out.constData() + at);
                    records.append(out.sliced(at, length));
                    at += length;
                }
                wire += records;
            } else {
                check(e == ChannelError::FrameTooLarge && out.isEmpty());
            }
            break;
        }
        case 1: { // flip a bit in a record in flight
            if (wire.isEmpty())
                break;
            QByteArray &r = wire[in.byte() % wire.size()];
            const qsizetype at = in.word() % r.size();
            const uint8_t mask = uint8_t(1u << (in.byte() % 8));
            r[at] = char(r[at] ^ mask);
            tampered = true;
            break;
        }
        case 2: // drop a record
            if (!wire.isEmpty()) {
                wire.removeAt(in.byte() % wire.size());
                tampered = true;
            }
            break;
        case 3: // duplicate a record
            if (!wire.isEmpty()) {
                const qsizetype i = in.byte() % wire.size();
                wire.insert(i, wire[i]);
                tampered = true;
            }
            break;
        case 4: // swap two records
            if (wire.size() >= 2) {
                const qsizetype i = in.byte() % (wire.size() - 1);
                wire.swapItemsAt(i, i + 1);
                tampered = true;
            }
            break;
        case 5: { // inject a record made of input bytes
            const QByteArrayView body = in.bytes(in.byte());
            QByteArray r(2, Qt::Uninitialized);
            qToBigEndian<quint16>(quint16(body.size()), r.data());
            r.append(body);
            wire.insert(wire.isEmpty() ? 0 : in.byte() % (wire.size() + 1), r);
            tampered = true;
            break;
        }
        default: // deliver some records, in pieces
            deliver(1 + in.byte() % 8, in);
            break;
        }
    }
    Input none{nullptr, 0};
    deliver(wire.size(), none);
    // What arrived is always a prefix of what was sent: never a forged or reordered frame.
    check(output.frames.size() <= sent.size());
    for (qsizetype i = 0; i < output.frames.size(); ++i)
        check(output.frames[i] == sent[i]);
    if (!tampered)
        check(receiver.error() == ChannelError::None && output.frames.size() == sent.size());
}

void editedHandshake(Input &in)
{
    SecureChannel initiator(Role::Initiator, KeyPair::generate(), prologue(), smallLimits());
    SecureChannel responder(Role::Responder, KeyPair::generate(), prologue(), smallLimits());
    // Up to eight edits (message, offset, xor), then piece sizes.
    struct Edit
    {
        int message;
        uint16_t offset;
        uint8_t mask;
    };
    QList<Edit> edits;
    for (int n = in.byte() % 9; n > 0; --n)
        edits.append({1 + in.byte() % 3, in.word(), in.byte()});
    bool edited = false;
    const auto apply = [&](const QByteArray &message, int number) {
        QByteArray changed = message;
        for (const Edit &e : edits) {
            if (e.message == number && e.offset < changed.size())
                changed[e.offset] = char(changed[e.offset] ^ e.mask);
        }
        // Edits may cancel out: only a message that differs counts as edited.
        edited = edited || changed != message;
        return changed;
    };
    QByteArray m1;
    check(initiator.start(m1) == ChannelError::None);
    Output r1, i2, r3;
    feedInPieces(responder, apply(m1, 1), in, r1);
    feedInPieces(initiator, apply(r1.toSend, 2), in, i2);
    feedInPieces(responder, apply(i2.toSend, 3), in, r3);
    if (!edited) {
        check(initiator.isOpen() && responder.isOpen());
        check(initiator.handshakeHash() == responder.handshakeHash());
        return;
    }
    // The ends never both believe in a handshake someone edited.
    check(!(initiator.isOpen() && responder.isOpen()));
    feedMore(initiator, i2);
    feedMore(responder, r3);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(randomInstalled);
    randomCounter = 0;
    Input in{data, size};
    switch (in.byte() % 5) {
    case 0:
        responderAfterMessage1(in);
        break;
    case 1:
        initiatorAfterStart(in);
        break;
    case 2:
        openChannelFedRecords(in);
        break;
    case 3:
        transportScript(in);
        break;
    default:
        editedHandshake(in);
        break;
    }
    return 0;
}
