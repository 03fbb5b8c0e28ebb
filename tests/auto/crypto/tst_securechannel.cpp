// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// SecureChannel without sockets: two channels run Noise XX and carry frames of every size, fed
// whole, one byte at a time and split at random; then an attacker in the middle edits the
// bytes between them, and a peer speaking raw Noise sends records no honest channel writes.
// Every attack is refused with its typed error and nothing is decrypted after it.

#include "crypto/securechannel_p.h"

#include <QtCore/QRandomGenerator>
#include <QtCore/QtEndian>
#include <QtTest/QtTest>

using namespace Parley::Crypto;
using Role = SecureChannel::Role;
using Output = SecureChannel::Output;

Q_DECLARE_METATYPE(ChannelError)

namespace QTest {
template <>
char *toString(const ChannelError &error)
{
    return qstrdup(channelErrorName(error));
}
} // namespace QTest

namespace {

constexpr qsizetype MiB = 1 << 20;
constexpr quint64 LastNonce = CipherState::ReservedNonce - 1;

/// What a connection passes: "parley/1", the initiator's preamble, the responder's.
QByteArray prologue()
{
    return QByteArray("parley/1") + QByteArray::fromHex("50524c5901010000")
        + QByteArray::fromHex("50524c5901010000");
}

QByteArray patterned(qsizetype size, int seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + seed * 7 + (i >> 8)) & 0xff);
    return bytes;
}

/// Splits a stream of records into the records, each with its 2-byte length.
QList<QByteArray> splitRecords(const QByteArray &wire)
{
    QList<QByteArray> records;
    qsizetype at = 0;
    while (at + 2 <= wire.size()) {
        const qsizetype length = qFromBigEndian<quint16>(wire.constData() + at);
        records.append(wire.sliced(at, 2 + length));
        at += 2 + length;
    }
    return records;
}

QByteArray framed(const QByteArray &message)
{
    QByteArray out(2, Qt::Uninitialized);
    qToBigEndian<quint16>(quint16(message.size()), out.data());
    return out + message;
}

/// Records needed for a frame of \a size bytes.
qsizetype recordsFor(qsizetype size)
{
    if (size <= SecureChannel::MaxChunkSize)
        return 1;
    const qsizetype rest = size - (SecureChannel::MaxChunkSize - 4);
    return 1 + (rest + SecureChannel::MaxChunkSize - 1) / SecureChannel::MaxChunkSize;
}

/// Two channels, the handshake between them, and the messages it put on the wire.
struct Pair
{
    KeyPair initiatorKeys = KeyPair::generate();
    KeyPair responderKeys = KeyPair::generate();
    SecureChannel initiator;
    SecureChannel responder;
    QByteArray message1, message2, message3; ///< as framed on the wire

    explicit Pair(ChannelLimits initiatorLimits = {}, ChannelLimits responderLimits = {},
                  const QByteArray &initiatorPrologue = prologue(),
                  const QByteArray &responderPrologue = prologue())
        : initiator(Role::Initiator, initiatorKeys, initiatorPrologue, initiatorLimits),
          responder(Role::Responder, responderKeys, responderPrologue, responderLimits)
    {
    }

    /// Runs the handshake; true when both ends opened, each exactly once.
    bool handshake()
    {
        if (initiator.start(message1) != ChannelError::None)
            return false;
        Output r1, i2, r3;
        if (responder.feed(message1, r1) != ChannelError::None || r1.opened)
            return false;
        message2 = r1.toSend;
        if (initiator.feed(message2, i2) != ChannelError::None || !i2.opened)
            return false;
        message3 = i2.toSend;
        if (responder.feed(message3, r3) != ChannelError::None || !r3.opened)
            return false;
        return r3.toSend.isEmpty() && initiator.isOpen() && responder.isOpen();
    }
};

/// Feeds \a bytes to \a channel and returns what came out.
struct Fed
{
    ChannelError error = ChannelError::None;
    Output output;
};
Fed feed(SecureChannel &channel, QByteArrayView bytes)
{
    Fed fed;
    fed.error = channel.feed(bytes, fed.output);
    return fed;
}
Fed feedByteByByte(SecureChannel &channel, QByteArrayView bytes)
{
    Fed fed;
    for (qsizetype i = 0; i < bytes.size() && fed.error == ChannelError::None; ++i)
        fed.error = channel.feed(bytes.sliced(i, 1), fed.output);
    return fed;
}

QByteArray encrypted(SecureChannel &channel, const QByteArray &frame)
{
    QByteArray out;
    if (channel.encrypt(frame, out) != ChannelError::None)
        return {};
    return out;
}

/// A Noise XX initiator driven by hand, to send records an honest channel never writes.
struct RawInitiator
{
    HandshakeState handshake;
    CipherState send, receive;

    explicit RawInitiator(const QByteArray &withPrologue = prologue())
        : handshake([&] {
              HandshakeState::Setup setup;
              setup.pattern = Pattern::XX;
              setup.initiator = true;
              setup.prologue = withPrologue;
              setup.localStatic = KeyPair::generate();
              return setup;
          }())
    {
    }

    /// Runs the handshake with \a responder; true once both are open.
    bool connect(SecureChannel &responder)
    {
        QByteArray m1, m3, payload;
        if (handshake.writeMessage({}, m1) != NoiseError::None)
            return false;
        Fed r1 = feed(responder, framed(m1));
        if (r1.error != ChannelError::None)
            return false;
        if (handshake.readMessage(QByteArrayView(r1.output.toSend).sliced(2), payload)
                != NoiseError::None
            || handshake.writeMessage({}, m3) != NoiseError::None)
            return false;
        Fed r3 = feed(responder, framed(m3));
        if (r3.error != ChannelError::None || !r3.output.opened)
            return false;
        handshake.split(send, receive);
        return true;
    }

    /// Returns a record whose plaintext is exactly \a plain (chunk bytes and trailer).
    QByteArray record(const QByteArray &plain)
    {
        QByteArray sealed(plain.size() + TagSize, Qt::Uninitialized);
        if (send.encryptWithAd({}, reinterpret_cast<const quint8 *>(plain.constData()),
                               size_t(plain.size()), reinterpret_cast<quint8 *>(sealed.data()))
            != NoiseError::None)
            return {};
        return framed(sealed);
    }
};

QByteArray firstChunk(const QByteArray &data, quint32 total)
{
    QByteArray trailer(5, Qt::Uninitialized);
    qToBigEndian<quint32>(total, trailer.data());
    trailer[4] = char(SecureChannel::MoreFlag);
    return data + trailer;
}

} // namespace

class tst_SecureChannel : public QObject
{
    Q_OBJECT

private slots:
    // -- the honest path ------------------------------------------------------------------------
    void handshakeAuthenticatesBothStaticKeys();
    void handshakeMessagesHaveTheirDocumentedSizes();
    void handshakePayloadsReachThePeer();
    void carriesFramesOfEverySize_data();
    void carriesFramesOfEverySize();
    void acceptsBytesOneAtATime();
    void acceptsAnySplit();
    void refusesToSendFrameAboveMaximumWithoutHarm();
    void refusesAnnouncedFrameAboveMaximumAtOnce();
    void refusesSingleRecordAboveMaximumBeforeItsBody();

    // -- an attacker between the channels ------------------------------------------------------
    void refusesFlippedBitInHandshake_data();
    void refusesFlippedBitInHandshake();
    void refusesFlippedBitInRecord_data();
    void refusesFlippedBitInRecord();
    void refusesReplayedRecord();
    void refusesSwappedRecords();
    void refusesDroppedRecord();
    void refusesGarbageAfterHandshake_data();
    void refusesGarbageAfterHandshake();
    void refusesApplicationRecordBeforeHandshake();
    void refusesApplicationDataBeforeHandshakeLocally();
    void refusesHandshakeMessageAfterCompletion_data();
    void refusesHandshakeMessageAfterCompletion();
    void refusesInvalidPublicKeys_data();
    void refusesInvalidPublicKeys();
    void refusesOversizedOrMisshapenHandshakeMessage_data();
    void refusesOversizedOrMisshapenHandshakeMessage();
    void refusesProloguesThatDifferByOneByte_data();
    void refusesProloguesThatDifferByOneByte();

    // -- a peer that writes records by hand ----------------------------------------------------
    void refusesMalformedChunks_data();
    void refusesMalformedChunks();

    // -- counters and calls --------------------------------------------------------------------
    void refusesToSendWhenNonceExhausted();
    void refusesToReceiveWhenNonceExhausted();
    void refusesBytesBeforeStart();
    void refusesMisplacedCalls();
};

void tst_SecureChannel::handshakeAuthenticatesBothStaticKeys()
{
    Pair pair;
    QVERIFY(pair.handshake());
    QCOMPARE(pair.initiator.peerStaticKey(), pair.responderKeys.publicKey);
    QCOMPARE(pair.responder.peerStaticKey(), pair.initiatorKeys.publicKey);
    QCOMPARE(pair.initiator.handshakeHash().size(), 32);
    QCOMPARE(pair.initiator.handshakeHash(), pair.responder.handshakeHash());
    // A second handshake between the same keys has fresh ephemerals: another hash.
    Pair again;
    QVERIFY(again.handshake());
    QVERIFY(again.initiator.handshakeHash() != pair.initiator.handshakeHash());
    QCOMPARE(pair.initiator.error(), ChannelError::None);
    QVERIFY(pair.initiator.errorText().isEmpty());
}

void tst_SecureChannel::handshakeMessagesHaveTheirDocumentedSizes()
{
    Pair pair;
    QVERIFY(pair.handshake());
    QCOMPARE(pair.message1.size(), 2 + 32);
    QCOMPARE(pair.message2.size(), 2 + 32 + 48 + 16);
    QCOMPARE(pair.message3.size(), 2 + 48 + 16);
    QCOMPARE(qFromBigEndian<quint16>(pair.message2.constData()), quint16(96));
}

void tst_SecureChannel::handshakePayloadsReachThePeer()
{
    Pair pair;
    QCOMPARE(pair.responder.setHandshakePayload("responder metadata"), ChannelError::None);
    QCOMPARE(pair.initiator.setHandshakePayload("initiator metadata"), ChannelError::None);
    QVERIFY(pair.handshake());
    QCOMPARE(pair.initiator.peerHandshakePayload(), QByteArray("responder metadata"));
    QCOMPARE(pair.responder.peerHandshakePayload(), QByteArray("initiator metadata"));
    QCOMPARE(pair.message3.size(), 2 + 48 + 18 + 16);
    // A payload that would push its message past the handshake cap is refused up front.
    Pair big;
    QCOMPARE(big.responder.setHandshakePayload(QByteArray(1024 - 96 + 1, 'x')),
             ChannelError::InvalidCall);
    QCOMPARE(big.responder.setHandshakePayload(QByteArray(1024 - 96, 'x')), ChannelError::None);
    QVERIFY(big.handshake());
    QCOMPARE(big.initiator.peerHandshakePayload().size(), 1024 - 96);
}

void tst_SecureChannel::carriesFramesOfEverySize_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::newRow("0 B") << qsizetype(0);
    QTest::newRow("1 B") << qsizetype(1);
    QTest::newRow("64 B") << qsizetype(64);
    QTest::newRow("one full record") << SecureChannel::MaxChunkSize;
    QTest::newRow("one record too many") << SecureChannel::MaxChunkSize + 1;
    QTest::newRow("65535 B") << qsizetype(65535);
    QTest::newRow("65536 B") << qsizetype(65536);
    QTest::newRow("1 MiB (the maximum)") << MiB;
}

void tst_SecureChannel::carriesFramesOfEverySize()
{
    QFETCH(qsizetype, size);
    Pair pair;
    QVERIFY(pair.handshake());
    for (bool fromInitiator : {true, false}) {
        SecureChannel &sender = fromInitiator ? pair.initiator : pair.responder;
        SecureChannel &receiver = fromInitiator ? pair.responder : pair.initiator;
        const QByteArray frame = patterned(size, fromInitiator ? 1 : 2);
        QByteArray wire("prefix");
        QCOMPARE(sender.encrypt(frame, wire), ChannelError::None);
        QVERIFY(wire.startsWith("prefix"));
        wire.remove(0, 6);
        const QList<QByteArray> records = splitRecords(wire);
        QCOMPARE(records.size(), recordsFor(size));
        qsizetype total = 0;
        for (const QByteArray &r : records) {
            QVERIFY(r.size() <= 2 + 65535);
            total += r.size();
        }
        QCOMPARE(total, wire.size());
        QVERIFY(!wire.contains(frame.left(64)) || size < 16); // not in clear
        const Fed fed = feed(receiver, wire);
        QCOMPARE(fed.error, ChannelError::None);
        QCOMPARE(fed.output.frames.size(), 1);
        QCOMPARE(fed.output.frames.front().size(), size);
        QVERIFY(fed.output.frames.front() == frame);
        QVERIFY(fed.output.toSend.isEmpty());
    }
}

void tst_SecureChannel::acceptsBytesOneAtATime()
{
    Pair pair;
    QByteArray m1;
    QCOMPARE(pair.initiator.start(m1), ChannelError::None);
    Fed r1 = feedByteByByte(pair.responder, m1);
    QCOMPARE(r1.error, ChannelError::None);
    QVERIFY(!r1.output.opened);
    Fed i2 = feedByteByByte(pair.initiator, r1.output.toSend);
    QCOMPARE(i2.error, ChannelError::None);
    QVERIFY(i2.output.opened);
    Fed r3 = feedByteByByte(pair.responder, i2.output.toSend);
    QCOMPARE(r3.error, ChannelError::None);
    QVERIFY(r3.output.opened);

    const QList<qsizetype> sizes{0, 1, 100, 65536, 0, 70000};
    QByteArray wire;
    for (qsizetype i = 0; i < sizes.size(); ++i)
        QCOMPARE(pair.initiator.encrypt(patterned(sizes[i], int(i)), wire), ChannelError::None);
    const Fed fed = feedByteByByte(pair.responder, wire);
    QCOMPARE(fed.error, ChannelError::None);
    QCOMPARE(fed.output.frames.size(), sizes.size());
    for (qsizetype i = 0; i < sizes.size(); ++i)
        QVERIFY(fed.output.frames[i] == patterned(sizes[i], int(i)));
}

void tst_SecureChannel::acceptsAnySplit()
{
    QRandomGenerator random(20260101);
    for (int round = 0; round < 20; ++round) {
        Pair pair;
        QVERIFY(pair.handshake());
        QList<QByteArray> frames;
        QByteArray wire;
        for (int i = 0; i < 12; ++i) {
            const qsizetype size
                = random.bounded(4) == 0 ? random.bounded(200000) : random.bounded(300);
            frames.append(patterned(size, round * 100 + i));
            QCOMPARE(pair.responder.encrypt(frames.back(), wire), ChannelError::None);
        }
        Output output;
        for (qsizetype at = 0; at < wire.size();) {
            const qsizetype piece = std::min<qsizetype>(
                wire.size() - at, 1 + random.bounded(random.bounded(2) ? 7 : 90000));
            QCOMPARE(pair.initiator.feed(QByteArrayView(wire).sliced(at, piece), output),
                     ChannelError::None);
            at += piece;
        }
        QCOMPARE(output.frames, frames);
    }
}

void tst_SecureChannel::refusesToSendFrameAboveMaximumWithoutHarm()
{
    Pair pair;
    QVERIFY(pair.handshake());
    QByteArray wire("kept");
    QCOMPARE(pair.initiator.encrypt(QByteArray(MiB + 1, 'x'), wire), ChannelError::FrameTooLarge);
    QCOMPARE(wire, QByteArray("kept"));
    // The refusal costs no nonce and leaves the channel open.
    QVERIFY(pair.initiator.isOpen());
    const Fed fed = feed(pair.responder, encrypted(pair.initiator, "after"));
    QCOMPARE(fed.error, ChannelError::None);
    QCOMPARE(fed.output.frames, QList<QByteArray>{"after"});
}

void tst_SecureChannel::refusesAnnouncedFrameAboveMaximumAtOnce()
{
    // The sender allows 2 MiB, the receiver 1 MiB: a frame of 1 MiB + 1 byte is refused at
    // its first record, which announces the total, before any further chunk is buffered.
    Pair pair({.maxFrameSize = 2 * MiB}, {.maxFrameSize = MiB});
    QVERIFY(pair.handshake());
    const QByteArray wire = encrypted(pair.initiator, patterned(MiB + 1, 3));
    const QList<QByteArray> records = splitRecords(wire);
    QCOMPARE(records.size(), recordsFor(MiB + 1));
    const Fed fed = feed(pair.responder, records.front());
    QCOMPARE(fed.error, ChannelError::FrameTooLarge);
    QVERIFY(pair.responder.errorText().contains(QString::number(MiB + 1)));
    const Fed after = feed(pair.responder, QByteArrayView(wire).sliced(records.front().size()));
    QCOMPARE(after.error, ChannelError::FrameTooLarge);
    QVERIFY(after.output.frames.isEmpty());
    // The same frame at exactly the receiver's maximum passes.
    Pair control({.maxFrameSize = 2 * MiB}, {.maxFrameSize = MiB});
    QVERIFY(control.handshake());
    const Fed ok = feed(control.responder, encrypted(control.initiator, patterned(MiB, 3)));
    QCOMPARE(ok.error, ChannelError::None);
    QCOMPARE(ok.output.frames.size(), 1);
}

void tst_SecureChannel::refusesSingleRecordAboveMaximumBeforeItsBody()
{
    Pair pair({}, {.maxFrameSize = 1000});
    QVERIFY(pair.handshake());
    const QByteArray wire = encrypted(pair.initiator, QByteArray(2000, 'y'));
    QCOMPARE(splitRecords(wire).size(), 1);
    // Its 2-byte length alone is enough to refuse it, even when it comes a byte at a time.
    const Fed fed = feedByteByByte(pair.responder, wire.first(2));
    QCOMPARE(fed.error, ChannelError::FrameTooLarge);
    QCOMPARE(feed(pair.responder, wire.sliced(2)).output.frames.size(), 0);
    // A frame that fits in one record under the limit still passes in a fresh pair.
    Pair control({}, {.maxFrameSize = 1000});
    QVERIFY(control.handshake());
    QCOMPARE(feed(control.responder, encrypted(control.initiator, QByteArray(1000, 'y')))
                 .output.frames.size(),
             1);
}

// -- an attacker between the channels ----------------------------------------------------------

void tst_SecureChannel::refusesFlippedBitInHandshake_data()
{
    QTest::addColumn<int>("message");
    QTest::addColumn<int>("offset"); ///< into the message, after its 2-byte length
    QTest::addColumn<bool>("initiatorDetects");
    // Message 1 travels in clear, but its key is hashed: the initiator fails on message 2.
    QTest::newRow("message 1, first byte") << 1 << 0 << true;
    QTest::newRow("message 1, last byte") << 1 << 31 << true;
    QTest::newRow("message 2, ephemeral key") << 2 << 5 << true;
    QTest::newRow("message 2, static key") << 2 << 40 << true;
    QTest::newRow("message 2, tag") << 2 << 95 << true;
    QTest::newRow("message 3, static key") << 3 << 0 << false;
    QTest::newRow("message 3, tag") << 3 << 63 << false;
}

void tst_SecureChannel::refusesFlippedBitInHandshake()
{
    QFETCH(int, message);
    QFETCH(int, offset);
    QFETCH(bool, initiatorDetects);
    Pair pair;
    const auto flip = [&](QByteArray bytes, int number) {
        if (number == message)
            bytes[2 + offset] = char(bytes[2 + offset] ^ 0x04);
        return bytes;
    };
    QByteArray m1;
    QCOMPARE(pair.initiator.start(m1), ChannelError::None);
    Fed r1 = feed(pair.responder, flip(m1, 1));
    QCOMPARE(r1.error, ChannelError::None); // nothing in message 1 can be checked yet
    Fed i2 = feed(pair.initiator, flip(r1.output.toSend, 2));
    if (initiatorDetects) {
        QCOMPARE(i2.error, ChannelError::HandshakeFailed);
        QVERIFY(!i2.output.opened);
        QVERIFY(i2.output.toSend.isEmpty());
        QVERIFY(pair.initiator.errorText().contains(QLatin1String("handshake message 2")));
        QCOMPARE(pair.initiator.encrypt("x", m1), ChannelError::HandshakeFailed);
        return;
    }
    QCOMPARE(i2.error, ChannelError::None);
    QVERIFY(i2.output.opened); // the initiator can't know yet
    Fed r3 = feed(pair.responder, flip(i2.output.toSend, 3));
    QCOMPARE(r3.error, ChannelError::HandshakeFailed);
    QVERIFY(!r3.output.opened);
    // The initiator's first frame is never decrypted.
    const Fed after = feed(pair.responder, encrypted(pair.initiator, "secret"));
    QCOMPARE(after.error, ChannelError::HandshakeFailed);
    QVERIFY(after.output.frames.isEmpty());
}

void tst_SecureChannel::refusesFlippedBitInRecord_data()
{
    QTest::addColumn<int>("offset"); ///< into the record, counting its 2-byte length
    QTest::addColumn<int>("mask");
    QTest::addColumn<ChannelError>("error");
    QTest::newRow("first ciphertext byte") << 2 << 0x80 << ChannelError::DecryptFailed;
    QTest::newRow("middle of the ciphertext") << 60 << 0x01 << ChannelError::DecryptFailed;
    QTest::newRow("flags byte") << 2 + 100 << 0x01 << ChannelError::DecryptFailed;
    QTest::newRow("first tag byte") << 2 + 101 << 0x10 << ChannelError::DecryptFailed;
    QTest::newRow("last tag byte") << 2 + 116 << 0x80 << ChannelError::DecryptFailed;
    QTest::newRow("length, low bit") << 1 << 0x01 << ChannelError::DecryptFailed;
    QTest::newRow("length, high bit") << 0 << 0x80 << ChannelError::FrameTooLarge;
}

void tst_SecureChannel::refusesFlippedBitInRecord()
{
    QFETCH(int, offset);
    QFETCH(int, mask);
    QFETCH(ChannelError, error);
    Pair pair({}, {.maxFrameSize = 1000});
    QVERIFY(pair.handshake());
    QByteArray record = encrypted(pair.initiator, patterned(100, 5));
    QCOMPARE(record.size(), 2 + 100 + 1 + 16);
    record[offset] = char(record[offset] ^ mask);
    // The next honest record follows, so a length that now reaches into it is resolved too.
    const QByteArray next = encrypted(pair.initiator, "next");
    const Fed fed = feed(pair.responder, record + next + encrypted(pair.initiator, "more"));
    QCOMPARE(fed.error, error);
    QVERIFY(fed.output.frames.isEmpty());
    QVERIFY(!pair.responder.isOpen());
    QCOMPARE(pair.responder.error(), error);
    const Fed after = feed(pair.responder, encrypted(pair.initiator, "later"));
    QCOMPARE(after.error, error);
    QVERIFY(after.output.frames.isEmpty());
}

void tst_SecureChannel::refusesReplayedRecord()
{
    Pair pair;
    QVERIFY(pair.handshake());
    const QByteArray a = encrypted(pair.initiator, "pay 100");
    const QByteArray b = encrypted(pair.initiator, "then this");
    QCOMPARE(feed(pair.responder, a).output.frames, QList<QByteArray>{"pay 100"});
    const Fed replay = feed(pair.responder, a);
    QCOMPARE(replay.error, ChannelError::DecryptFailed);
    QVERIFY(replay.output.frames.isEmpty());
    QVERIFY(pair.responder.errorText().contains(QLatin1String("record 2")));
    const Fed after = feed(pair.responder, b);
    QCOMPARE(after.error, ChannelError::DecryptFailed);
    QVERIFY(after.output.frames.isEmpty());
}

void tst_SecureChannel::refusesSwappedRecords()
{
    Pair pair;
    QVERIFY(pair.handshake());
    const QByteArray a = encrypted(pair.responder, "first");
    const QByteArray b = encrypted(pair.responder, "second");
    const Fed fed = feed(pair.initiator, b + a);
    QCOMPARE(fed.error, ChannelError::DecryptFailed);
    QVERIFY(fed.output.frames.isEmpty());
    QCOMPARE(feed(pair.initiator, a).output.frames.size(), 0);
}

void tst_SecureChannel::refusesDroppedRecord()
{
    Pair pair;
    QVERIFY(pair.handshake());
    const QByteArray a = encrypted(pair.initiator, "one");
    encrypted(pair.initiator, "two (dropped)");
    const QByteArray c = encrypted(pair.initiator, "three");
    const QByteArray d = encrypted(pair.initiator, "four");
    const Fed fed = feed(pair.responder, a + c + d);
    QCOMPARE(fed.error, ChannelError::DecryptFailed);
    QCOMPARE(fed.output.frames, QList<QByteArray>{"one"}); // only what came before the gap
    // A dropped chunk of a large frame fails the same way.
    Pair big;
    QVERIFY(big.handshake());
    QList<QByteArray> records = splitRecords(encrypted(big.initiator, patterned(200000, 1)));
    QCOMPARE(records.size(), 4);
    records.removeAt(2);
    const Fed gap = feed(big.responder, records.join());
    QCOMPARE(gap.error, ChannelError::DecryptFailed);
    QVERIFY(gap.output.frames.isEmpty());
}

void tst_SecureChannel::refusesGarbageAfterHandshake_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ChannelError>("error");
    QByteArray random(300, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(random.data()), 300 / 4);
    QTest::newRow("random record") << framed(random) << ChannelError::DecryptFailed;
    // A peer that skipped encryption: a plain ping frame (docs/protocol.md) padded to look
    // like a record.
    QTest::newRow("cleartext frame in a record")
        << framed(QByteArray::fromHex("080000000200000000000000") + QByteArray(8, '\0'))
        << ChannelError::DecryptFailed;
    // The same ping sent raw: its little-endian length reads as a 2048-byte record.
    QTest::newRow("cleartext frame, raw") << QByteArray::fromHex("080000000200000000000000")
            + QByteArray(2048, '\0') << ChannelError::DecryptFailed;
    QTest::newRow("record shorter than a tag")
        << framed(QByteArray(16, 'x')) << ChannelError::RecordMalformed;
    QTest::newRow("empty record") << framed({}) << ChannelError::RecordMalformed;
}

void tst_SecureChannel::refusesGarbageAfterHandshake()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ChannelError, error);
    Pair pair;
    QVERIFY(pair.handshake());
    const Fed fed = feed(pair.responder, bytes + encrypted(pair.initiator, "honest"));
    QCOMPARE(fed.error, error);
    QVERIFY(fed.output.frames.isEmpty());
    QCOMPARE(feed(pair.responder, encrypted(pair.initiator, "later")).output.frames.size(), 0);
}

void tst_SecureChannel::refusesApplicationRecordBeforeHandshake()
{
    // An application record from another, open connection, in place of message 1.
    Pair other;
    QVERIFY(other.handshake());
    const QByteArray record = encrypted(other.initiator, patterned(100, 1));
    Pair early;
    const Fed before = feed(early.responder, record);
    QCOMPARE(before.error, ChannelError::HandshakeMalformed);
    QVERIFY(before.output.toSend.isEmpty());

    // The initiator's first frame, with its message 3 held back.
    Pair pair;
    QByteArray m1;
    QCOMPARE(pair.initiator.start(m1), ChannelError::None);
    Fed r1 = feed(pair.responder, m1);
    Fed i2 = feed(pair.initiator, r1.output.toSend);
    QVERIFY(i2.output.opened);
    const Fed instead = feed(pair.responder, encrypted(pair.initiator, patterned(100, 2)));
    QCOMPARE(instead.error, ChannelError::HandshakeFailed);
    QVERIFY(!instead.output.opened);
    QVERIFY(instead.output.frames.isEmpty());
    const Fed late = feed(pair.responder, i2.output.toSend + encrypted(pair.initiator, "x"));
    QCOMPARE(late.error, ChannelError::HandshakeFailed);
    QVERIFY(!late.output.opened);
    QVERIFY(late.output.frames.isEmpty());
}

void tst_SecureChannel::refusesApplicationDataBeforeHandshakeLocally()
{
    Pair pair;
    QByteArray out("kept");
    QCOMPARE(pair.initiator.encrypt("too early", out), ChannelError::HandshakeIncomplete);
    QCOMPARE(pair.responder.encrypt("too early", out), ChannelError::HandshakeIncomplete);
    QCOMPARE(out, QByteArray("kept"));
    // A refused call leaves the channel able to complete its handshake.
    QCOMPARE(pair.initiator.error(), ChannelError::None);
    QVERIFY(pair.handshake());
}

void tst_SecureChannel::refusesHandshakeMessageAfterCompletion_data()
{
    QTest::addColumn<int>("replayed");
    QTest::newRow("message 2 again, to the initiator") << 2;
    QTest::newRow("message 3 again, to the responder") << 3;
    QTest::newRow("a new message 1, to the responder") << 1;
}

void tst_SecureChannel::refusesHandshakeMessageAfterCompletion()
{
    QFETCH(int, replayed);
    Pair pair;
    QVERIFY(pair.handshake());
    QByteArray bytes;
    if (replayed == 1) {
        Pair fresh;
        QCOMPARE(fresh.initiator.start(bytes), ChannelError::None);
    } else {
        bytes = replayed == 2 ? pair.message2 : pair.message3;
    }
    SecureChannel &target = replayed == 2 ? pair.initiator : pair.responder;
    SecureChannel &sender = replayed == 2 ? pair.responder : pair.initiator;
    const Fed fed = feed(target, bytes + encrypted(sender, "honest"));
    QCOMPARE(fed.error, ChannelError::DecryptFailed);
    QVERIFY(!fed.output.opened);
    QVERIFY(fed.output.toSend.isEmpty());
    QVERIFY(fed.output.frames.isEmpty());
}

void tst_SecureChannel::refusesInvalidPublicKeys_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QByteArray>("key");
    const QByteArray zero(32, '\0');
    const QByteArray order8
        = QByteArray::fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    QTest::newRow("all-zero ephemeral in message 1") << QStringLiteral("e1") << zero;
    QTest::newRow("low-order ephemeral in message 1") << QStringLiteral("e1") << order8;
    QTest::newRow("all-zero ephemeral in message 2") << QStringLiteral("e2") << zero;
    QTest::newRow("low-order ephemeral in message 2") << QStringLiteral("e2") << order8;
    QTest::newRow("all-zero responder static") << QStringLiteral("s2") << zero;
    QTest::newRow("low-order responder static") << QStringLiteral("s2") << order8;
    QTest::newRow("all-zero initiator static") << QStringLiteral("s3") << zero;
    QTest::newRow("low-order initiator static") << QStringLiteral("s3") << order8;
}

void tst_SecureChannel::refusesInvalidPublicKeys()
{
    QFETCH(QString, where);
    QFETCH(QByteArray, key);
    // A peer whose static key is invalid: its own channel doesn't check what it is given.
    KeyPair bad = KeyPair::generate();
    std::memcpy(bad.publicKey.data(), key.constData(), KeySize);
    const KeyPair good = KeyPair::generate();
    SecureChannel initiator(Role::Initiator, where == u"s3" ? bad : good, prologue());
    SecureChannel responder(Role::Responder, where == u"s2" ? bad : good, prologue());

    QByteArray m1;
    QCOMPARE(initiator.start(m1), ChannelError::None);
    if (where == u"e1")
        m1.replace(2, 32, key);
    Fed r1 = feed(responder, m1);
    if (where == u"e1") {
        QCOMPARE(r1.error, ChannelError::InvalidPublicKey);
        QVERIFY(r1.output.toSend.isEmpty());
        QVERIFY(responder.errorText().contains(QLatin1String("invalid public key")));
        return;
    }
    QCOMPARE(r1.error, ChannelError::None);
    QByteArray m2 = r1.output.toSend;
    if (where == u"e2")
        m2.replace(2, 32, key);
    Fed i2 = feed(initiator, m2);
    if (where == u"e2" || where == u"s2") {
        QCOMPARE(i2.error, ChannelError::InvalidPublicKey);
        QVERIFY(!i2.output.opened);
        QVERIFY(i2.output.toSend.isEmpty());
        return;
    }
    QCOMPARE(i2.error, ChannelError::None);
    Fed r3 = feed(responder, i2.output.toSend + encrypted(initiator, "hello"));
    QCOMPARE(r3.error, ChannelError::InvalidPublicKey);
    QVERIFY(!r3.output.opened);
    QVERIFY(r3.output.frames.isEmpty());
}

void tst_SecureChannel::refusesOversizedOrMisshapenHandshakeMessage_data()
{
    QTest::addColumn<int>("message"); ///< which message is replaced
    QTest::addColumn<int>("length");  ///< the length it announces
    QTest::addColumn<ChannelError>("error");
    QTest::newRow("message 1 of 1025 bytes") << 1 << 1025 << ChannelError::HandshakeTooLarge;
    QTest::newRow("message 1 of 65535 bytes") << 1 << 65535 << ChannelError::HandshakeTooLarge;
    QTest::newRow("message 2 of 1 MB node name") << 2 << 65535 << ChannelError::HandshakeTooLarge;
    QTest::newRow("message 3 of 1025 bytes") << 3 << 1025 << ChannelError::HandshakeTooLarge;
    QTest::newRow("message 1 of 33 bytes") << 1 << 33 << ChannelError::HandshakeMalformed;
    QTest::newRow("message 1 of 31 bytes") << 1 << 31 << ChannelError::HandshakeMalformed;
    QTest::newRow("message 1 empty") << 1 << 0 << ChannelError::HandshakeMalformed;
    QTest::newRow("message 2 of 95 bytes") << 2 << 95 << ChannelError::HandshakeMalformed;
    QTest::newRow("message 3 of 63 bytes") << 3 << 63 << ChannelError::HandshakeMalformed;
}

void tst_SecureChannel::refusesOversizedOrMisshapenHandshakeMessage()
{
    QFETCH(int, message);
    QFETCH(int, length);
    QFETCH(ChannelError, error);
    for (bool byteByByte : {false, true}) {
        Pair pair;
        QByteArray m1;
        QCOMPARE(pair.initiator.start(m1), ChannelError::None);
        SecureChannel &target = message == 2 ? pair.initiator : pair.responder;
        if (message == 3) {
            Fed r1 = feed(pair.responder, m1);
            QCOMPARE(feed(pair.initiator, r1.output.toSend).error, ChannelError::None);
        }
        // Refused on its 2-byte length, before any of its body arrives.
        QByteArray header(2, Qt::Uninitialized);
        qToBigEndian<quint16>(quint16(length), header.data());
        const Fed fed = byteByByte ? feedByteByByte(target, header) : feed(target, header);
        QCOMPARE(fed.error, error);
        QVERIFY(fed.output.toSend.isEmpty());
        QVERIFY(!target.isOpen());
        QVERIFY(!target.errorText().isEmpty());
        QCOMPARE(feed(target, QByteArray(length, 'x')).error, error);
    }
}

void tst_SecureChannel::refusesProloguesThatDifferByOneByte_data()
{
    QTest::addColumn<int>("index");
    QTest::newRow("first byte of \"parley/1\"") << 0;
    QTest::newRow("initiator preamble, mode byte") << 8 + 5;
    QTest::newRow("responder preamble, mode byte") << 16 + 5;
    QTest::newRow("last byte") << 23;
}

void tst_SecureChannel::refusesProloguesThatDifferByOneByte()
{
    QFETCH(int, index);
    QByteArray edited = prologue();
    QCOMPARE(edited.size(), 24);
    edited[index] = char(edited[index] ^ 0x01); // e.g. mode 1 (encrypted) read as 0
    Pair pair({}, {}, prologue(), edited);
    QByteArray m1;
    QCOMPARE(pair.initiator.start(m1), ChannelError::None);
    Fed r1 = feed(pair.responder, m1);
    QCOMPARE(r1.error, ChannelError::None);
    Fed i2 = feed(pair.initiator, r1.output.toSend);
    QCOMPARE(i2.error, ChannelError::HandshakeFailed);
    QVERIFY(!i2.output.opened);
    QVERIFY(pair.initiator.errorText().contains(QLatin1String("prologues")));
    // The responder never opens either: no message 3 will come, and a forged one fails.
    QCOMPARE(feed(pair.responder, framed(QByteArray(64, 'z'))).error,
             ChannelError::HandshakeFailed);
}

// -- a peer that writes records by hand --------------------------------------------------------

void tst_SecureChannel::refusesMalformedChunks_data()
{
    QTest::addColumn<QList<QByteArray>>("plaintexts"); ///< one per record, trailer included
    QTest::addColumn<ChannelError>("error");
    QTest::addColumn<QByteArray>("frame"); ///< the frame delivered when there is no error
    const QByteArray data = patterned(3000, 9);
    QTest::newRow("control: a frame in two chunks")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000), data.sliced(1000) + '\0'}
        << ChannelError::None << data;
    QTest::newRow("control: a frame in three chunks")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000),
                             data.sliced(1000, 1000) + char(SecureChannel::MoreFlag),
                             data.sliced(2000) + '\0'}
        << ChannelError::None << data;
    QTest::newRow("reserved flag bit 1") << QList<QByteArray>{QByteArray("abc\x02")}
                                         << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("reserved flag bit 7") << QList<QByteArray>{QByteArray("abc\x80")}
                                         << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("first chunk without its total")
        << QList<QByteArray>{QByteArray("\x01")} << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("total not above the first chunk")
        << QList<QByteArray>{firstChunk(data.first(1000), 1000)} << ChannelError::RecordMalformed
        << QByteArray();
    QTest::newRow("total above the maximum")
        << QList<QByteArray>{firstChunk(data.first(1000), quint32(MiB + 1))}
        << ChannelError::FrameTooLarge << QByteArray();
    QTest::newRow("total of 4 GiB - 1")
        << QList<QByteArray>{firstChunk(data.first(10), 0xffffffffu)} << ChannelError::FrameTooLarge
        << QByteArray();
    QTest::newRow("last chunk short of the total")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000), data.sliced(1000, 1999) + '\0'}
        << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("chunk beyond the total")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000), data.sliced(1000) + "xx" + '\0'}
        << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("more chunks after the total is reached")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000),
                             data.sliced(1000) + char(SecureChannel::MoreFlag)}
        << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("empty chunk with more to come")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000),
                             QByteArray(1, char(SecureChannel::MoreFlag))}
        << ChannelError::RecordMalformed << QByteArray();
    QTest::newRow("reserved bit in a later chunk")
        << QList<QByteArray>{firstChunk(data.first(1000), 3000), data.sliced(1000) + '\x40'}
        << ChannelError::RecordMalformed << QByteArray();
}

void tst_SecureChannel::refusesMalformedChunks()
{
    QFETCH(QList<QByteArray>, plaintexts);
    QFETCH(ChannelError, error);
    QFETCH(QByteArray, frame);
    SecureChannel responder(Role::Responder, KeyPair::generate(), prologue());
    RawInitiator peer;
    QVERIFY(peer.connect(responder));
    QByteArray wire;
    for (const QByteArray &plain : plaintexts)
        wire += peer.record(plain);
    wire += peer.record(QByteArray("after\0", 6));
    const Fed fed = feed(responder, wire);
    QCOMPARE(fed.error, error);
    if (error == ChannelError::None) {
        QCOMPARE(fed.output.frames, (QList<QByteArray>{frame, "after"}));
        return;
    }
    QVERIFY(fed.output.frames.isEmpty());
    QVERIFY(!responder.errorText().isEmpty());
}

// -- counters and calls ------------------------------------------------------------------------

void tst_SecureChannel::refusesToSendWhenNonceExhausted()
{
    Pair pair;
    QVERIFY(pair.handshake());
    pair.initiator.setNoncesForTesting(LastNonce, 0);
    pair.responder.setNoncesForTesting(0, LastNonce);
    // The last nonce carries one more record; a frame needing two is refused whole.
    QByteArray out("kept");
    QCOMPARE(pair.initiator.encrypt(QByteArray(70000, 'x'), out), ChannelError::NonceExhausted);
    QCOMPARE(out, QByteArray("kept"));
    QCOMPARE(pair.initiator.error(), ChannelError::NonceExhausted);
    QCOMPARE(pair.initiator.encrypt("x", out), ChannelError::NonceExhausted);

    Pair second;
    QVERIFY(second.handshake());
    second.initiator.setNoncesForTesting(LastNonce, 0);
    second.responder.setNoncesForTesting(0, LastNonce);
    const Fed last = feed(second.responder, encrypted(second.initiator, "last one"));
    QCOMPARE(last.error, ChannelError::None);
    QCOMPARE(last.output.frames, QList<QByteArray>{"last one"});
    QCOMPARE(second.initiator.encrypt("one too many", out), ChannelError::NonceExhausted);
    QVERIFY(!second.initiator.isOpen());
    QVERIFY(second.initiator.errorText().contains(QLatin1String("nonce")));
}

void tst_SecureChannel::refusesToReceiveWhenNonceExhausted()
{
    Pair pair;
    QVERIFY(pair.handshake());
    pair.responder.setNoncesForTesting(LastNonce, 0);
    pair.initiator.setNoncesForTesting(0, CipherState::ReservedNonce);
    const Fed fed = feed(pair.initiator, encrypted(pair.responder, "past the end"));
    QCOMPARE(fed.error, ChannelError::NonceExhausted);
    QVERIFY(fed.output.frames.isEmpty());
}

void tst_SecureChannel::refusesBytesBeforeStart()
{
    Pair pair;
    const Fed fed = feed(pair.initiator, QByteArray(34, 'x'));
    QCOMPARE(fed.error, ChannelError::UnexpectedData);
    QByteArray out;
    QCOMPARE(pair.initiator.start(out), ChannelError::InvalidCall);
    QVERIFY(out.isEmpty());
    // Nothing fed is nothing wrong.
    Pair quiet;
    QCOMPARE(feed(quiet.initiator, {}).error, ChannelError::None);
    QVERIFY(quiet.handshake());
}

void tst_SecureChannel::refusesMisplacedCalls()
{
    Pair pair;
    QByteArray out;
    QCOMPARE(pair.responder.start(out), ChannelError::InvalidCall);
    QVERIFY(out.isEmpty());
    QCOMPARE(pair.initiator.start(out), ChannelError::None);
    QCOMPARE(pair.initiator.start(out), ChannelError::InvalidCall);
    QCOMPARE(pair.initiator.setHandshakePayload("late"), ChannelError::InvalidCall);
    // Misplaced calls are refused without breaking the channel.
    QCOMPARE(pair.responder.error(), ChannelError::None);
    QCOMPARE(pair.initiator.error(), ChannelError::None);
    Fed r1 = feed(pair.responder, out);
    Fed i2 = feed(pair.initiator, r1.output.toSend);
    Fed r3 = feed(pair.responder, i2.output.toSend);
    QVERIFY(i2.output.opened && r3.output.opened);
    QCOMPARE(QString::fromLatin1(channelErrorName(ChannelError::DecryptFailed)),
             QStringLiteral("DecryptFailed"));
}

QTEST_GUILESS_MAIN(tst_SecureChannel)
#include "tst_securechannel.moc"
