// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The Noise layer against the published test vectors (noise-vectors.json, from noise-c): every
// handshake message, the handshake hash and the transport messages after it, byte for byte,
// for NN, XX, KK and IK with SHA256 and BLAKE2b. Then the parts the vectors can't reach: the
// reserved nonce, invalid public keys, tampering, and secrets zeroed on destruction.

#include "crypto/noise_p.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

#include <memory>
#include <new>

using namespace Parley::Crypto;

namespace {

QByteArray hex(const QJsonValue &value)
{
    return QByteArray::fromHex(value.toString().toLatin1());
}

KeyPair keyPairFrom(const QByteArray &secret)
{
    return KeyPair::fromSecretKey(reinterpret_cast<const quint8 *>(secret.constData()));
}

PublicKey publicKeyFrom(const QByteArray &bytes)
{
    PublicKey key{};
    std::memcpy(key.data(), bytes.constData(), KeySize);
    return key;
}

QJsonArray loadVectors()
{
    QFile file(QStringLiteral(NOISE_VECTORS_FILE));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(u"vectors").toArray();
}

/// The two sides of a vector's handshake, set up from its fields.
struct VectorSides
{
    std::unique_ptr<HandshakeState> initiator;
    std::unique_ptr<HandshakeState> responder;
};

VectorSides sidesOf(const QJsonObject &v, QByteArray responderPrologue = {})
{
    const QString pattern = v.value(u"pattern").toString();
    HandshakeState::Setup init, resp;
    init.pattern = resp.pattern = pattern == u"NN" ? Pattern::NN
        : pattern == u"XX"                         ? Pattern::XX
        : pattern == u"IK"                         ? Pattern::IK
                                                   : Pattern::KK;
    init.hash = resp.hash
        = v.value(u"hash").toString() == u"SHA256" ? HashKind::Sha256 : HashKind::Blake2b;
    init.initiator = true;
    resp.initiator = false;
    init.prologue = hex(v.value(u"init_prologue"));
    resp.prologue = responderPrologue.isNull() ? hex(v.value(u"resp_prologue")) : responderPrologue;
    init.localEphemeral = keyPairFrom(hex(v.value(u"init_ephemeral")));
    resp.localEphemeral = keyPairFrom(hex(v.value(u"resp_ephemeral")));
    if (v.contains(u"init_static"))
        init.localStatic = keyPairFrom(hex(v.value(u"init_static")));
    if (v.contains(u"resp_static"))
        resp.localStatic = keyPairFrom(hex(v.value(u"resp_static")));
    if (v.contains(u"init_remote_static"))
        init.remoteStatic = publicKeyFrom(hex(v.value(u"init_remote_static")));
    if (v.contains(u"resp_remote_static"))
        resp.remoteStatic = publicKeyFrom(hex(v.value(u"resp_remote_static")));
    return {std::make_unique<HandshakeState>(init), std::make_unique<HandshakeState>(resp)};
}

QByteArray encrypt(CipherState &cipher, const QByteArray &plain)
{
    QByteArray out(plain.size() + TagSize, Qt::Uninitialized);
    if (cipher.encryptWithAd({}, reinterpret_cast<const quint8 *>(plain.constData()),
                             size_t(plain.size()), reinterpret_cast<quint8 *>(out.data()))
        != NoiseError::None)
        return {};
    return out;
}

std::optional<QByteArray> decrypt(CipherState &cipher, const QByteArray &sealed)
{
    QByteArray out(sealed.size() - TagSize, Qt::Uninitialized);
    if (cipher.decryptWithAd({}, reinterpret_cast<const quint8 *>(sealed.constData()),
                             size_t(sealed.size()), reinterpret_cast<quint8 *>(out.data()))
        != NoiseError::None)
        return std::nullopt;
    return out;
}

} // namespace

Q_DECLARE_METATYPE(NoiseError)

class tst_Noise : public QObject
{
    Q_OBJECT

private slots:
    void vectorFileHoldsEveryPatternAndHash();
    void replaysVectorByteForByte_data();
    void replaysVectorByteForByte();
    void protocolNameMatchesVectors();
    void flippedBitInHandshakeMessageFailsDecryption();
    void differentPrologueFailsHandshake();
    void refusesLowOrderPublicKeys_data();
    void refusesLowOrderPublicKeys();
    void reservedNonceRefusesEncryptAndDecrypt();
    void decryptFailureLeavesNonceUnchanged();
    void cipherStateZeroesKeyWhenDestroyed();
    void keyPairZeroesSecretWhenDestroyed();
    void readingOutOfTurnIsRefused();
};

void tst_Noise::vectorFileHoldsEveryPatternAndHash()
{
    const QJsonArray vectors = loadVectors();
    QStringList names;
    for (const QJsonValue &v : vectors)
        names.append(v.toObject().value(u"name").toString());
    names.sort();
    QCOMPARE(names,
             (QStringList{QStringLiteral("Noise_IK_25519_ChaChaPoly_BLAKE2b"),
                          QStringLiteral("Noise_IK_25519_ChaChaPoly_SHA256"),
                          QStringLiteral("Noise_KK_25519_ChaChaPoly_SHA256"),
                          QStringLiteral("Noise_NN_25519_ChaChaPoly_SHA256"),
                          QStringLiteral("Noise_XX_25519_ChaChaPoly_BLAKE2b"),
                          QStringLiteral("Noise_XX_25519_ChaChaPoly_SHA256")}));
}

void tst_Noise::replaysVectorByteForByte_data()
{
    QTest::addColumn<QJsonObject>("vector");
    for (const QJsonValue &v : loadVectors()) {
        const QJsonObject o = v.toObject();
        QTest::newRow(qPrintable(o.value(u"name").toString())) << o;
    }
}

void tst_Noise::replaysVectorByteForByte()
{
    QFETCH(QJsonObject, vector);
    VectorSides sides = sidesOf(vector);
    const QJsonArray messages = vector.value(u"messages").toArray();
    QVERIFY(messages.size() >= 4);

    CipherState initSend, initReceive, respSend, respReceive;
    int handshakeMessages = 0;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QByteArray payload = hex(messages[i].toObject().value(u"payload"));
        const QByteArray expected = hex(messages[i].toObject().value(u"ciphertext"));
        // Messages alternate from the initiator, through the handshake and after it.
        const bool fromInitiator = i % 2 == 0;
        if (!sides.initiator->isComplete()) {
            HandshakeState &writer = fromInitiator ? *sides.initiator : *sides.responder;
            HandshakeState &reader = fromInitiator ? *sides.responder : *sides.initiator;
            QVERIFY(writer.isMyTurn());
            QVERIFY(!reader.isMyTurn());
            QCOMPARE(expected.size() >= writer.nextMessageMinimumSize(), true);
            QByteArray written;
            QCOMPARE(writer.writeMessage(payload, written), NoiseError::None);
            QCOMPARE(written.toHex(), expected.toHex());
            QByteArray read;
            QCOMPARE(reader.readMessage(written, read), NoiseError::None);
            QCOMPARE(read, payload);
            ++handshakeMessages;
            if (sides.initiator->isComplete()) {
                QVERIFY(sides.responder->isComplete());
                const QByteArray hash = hex(vector.value(u"handshake_hash"));
                QCOMPARE(sides.initiator->handshakeHash().toHex(), hash.toHex());
                QCOMPARE(sides.responder->handshakeHash().toHex(), hash.toHex());
                sides.initiator->split(initSend, initReceive);
                sides.responder->split(respSend, respReceive);
            }
            continue;
        }
        CipherState &sender = fromInitiator ? initSend : respSend;
        CipherState &receiver = fromInitiator ? respReceive : initReceive;
        const QByteArray sealed = encrypt(sender, payload);
        QCOMPARE(sealed.toHex(), expected.toHex());
        const std::optional<QByteArray> opened = decrypt(receiver, sealed);
        QVERIFY(opened.has_value());
        QCOMPARE(*opened, payload);
    }
    const QString pattern = vector.value(u"pattern").toString();
    QCOMPARE(handshakeMessages, pattern == u"XX" ? 3 : 2);
    QVERIFY(initSend.nonce() > 0 && respSend.nonce() > 0); // both directions were exercised
}

void tst_Noise::protocolNameMatchesVectors()
{
    for (const QJsonValue &v : loadVectors()) {
        const QJsonObject o = v.toObject();
        const Pattern p = o.value(u"pattern").toString() == u"NN" ? Pattern::NN
            : o.value(u"pattern").toString() == u"XX"             ? Pattern::XX
            : o.value(u"pattern").toString() == u"IK"             ? Pattern::IK
                                                                  : Pattern::KK;
        const HashKind h
            = o.value(u"hash").toString() == u"SHA256" ? HashKind::Sha256 : HashKind::Blake2b;
        QCOMPARE(QString::fromLatin1(HandshakeState::protocolName(p, h)),
                 o.value(u"name").toString());
    }
}

void tst_Noise::flippedBitInHandshakeMessageFailsDecryption()
{
    // XX message 2 carries the responder's encrypted static key and payload: any flipped bit
    // in it must fail at the initiator.
    for (const QJsonValue &v : loadVectors()) {
        const QJsonObject o = v.toObject();
        if (o.value(u"pattern").toString() != u"XX")
            continue;
        const QJsonArray messages = o.value(u"messages").toArray();
        const QByteArray message2 = hex(messages[1].toObject().value(u"ciphertext"));
        for (qsizetype byte : {qsizetype(0), qsizetype(40), message2.size() - 1}) {
            VectorSides sides = sidesOf(o);
            QByteArray m1, m2, payload;
            QCOMPARE(
                sides.initiator->writeMessage(hex(messages[0].toObject().value(u"payload")), m1),
                NoiseError::None);
            QCOMPARE(sides.responder->readMessage(m1, payload), NoiseError::None);
            QCOMPARE(
                sides.responder->writeMessage(hex(messages[1].toObject().value(u"payload")), m2),
                NoiseError::None);
            QCOMPARE(m2, message2);
            m2[byte] = char(m2[byte] ^ 0x01);
            QCOMPARE(sides.initiator->readMessage(m2, payload), NoiseError::DecryptFailed);
            // The failed handshake stays failed.
            QCOMPARE(sides.initiator->readMessage(message2, payload), NoiseError::WrongState);
            QCOMPARE(sides.initiator->writeMessage({}, m1), NoiseError::WrongState);
        }
    }
}

void tst_Noise::differentPrologueFailsHandshake()
{
    const QJsonArray vectors = loadVectors();
    QVERIFY(!vectors.isEmpty());
    for (const QJsonValue &v : vectors) {
        const QJsonObject o = v.toObject();
        QByteArray prologue = hex(o.value(u"resp_prologue"));
        prologue[prologue.size() - 1] = char(prologue.back() ^ 0x01);
        VectorSides sides = sidesOf(o, prologue);
        QByteArray m1, m2, payload;
        QCOMPARE(sides.initiator->writeMessage("x", m1), NoiseError::None);
        const NoiseError read1 = sides.responder->readMessage(m1, payload);
        if (read1 == NoiseError::None) { // NN and XX message 1 carry nothing encrypted
            QCOMPARE(sides.responder->writeMessage("y", m2), NoiseError::None);
            QCOMPARE(sides.initiator->readMessage(m2, payload), NoiseError::DecryptFailed);
        } else {
            QCOMPARE(read1, NoiseError::DecryptFailed);
        }
    }
}

void tst_Noise::refusesLowOrderPublicKeys_data()
{
    QTest::addColumn<QByteArray>("key");
    // Points of small order on Curve25519 (and non-canonical encodings of them).
    QTest::newRow("zero") << QByteArray(32, '\0');
    QTest::newRow("one") << QByteArray::fromHex(
        "0100000000000000000000000000000000000000000000000000000000000000");
    QTest::newRow("order 8 (a)") << QByteArray::fromHex(
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    QTest::newRow("order 8 (b)") << QByteArray::fromHex(
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157");
    QTest::newRow("p - 1") << QByteArray::fromHex(
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    QTest::newRow("p") << QByteArray::fromHex(
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    QTest::newRow("p + 1") << QByteArray::fromHex(
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
}

void tst_Noise::refusesLowOrderPublicKeys()
{
    QFETCH(QByteArray, key);
    // NN: the responder reads the initiator's ephemeral, then fails its ee while writing.
    HandshakeState::Setup setup;
    setup.pattern = Pattern::NN;
    setup.initiator = false;
    HandshakeState responder(setup);
    QByteArray payload;
    QCOMPARE(responder.readMessage(key, payload), NoiseError::None);
    QByteArray out("kept");
    QCOMPARE(responder.writeMessage({}, out), NoiseError::InvalidPublicKey);
    QCOMPARE(out, QByteArray("kept"));
    // A valid key in the same place succeeds, so the refusal is about the key.
    HandshakeState control(setup);
    const KeyPair good = KeyPair::generate();
    QCOMPARE(
        control.readMessage(
            QByteArray(reinterpret_cast<const char *>(good.publicKey.data()), KeySize), payload),
        NoiseError::None);
    QCOMPARE(control.writeMessage({}, out), NoiseError::None);
}

void tst_Noise::reservedNonceRefusesEncryptAndDecrypt()
{
    const quint8 key[KeySize] = {1, 2, 3};
    CipherState sender, receiver;
    sender.initializeKey(key);
    receiver.initializeKey(key);
    sender.setNonce(CipherState::ReservedNonce - 1);
    receiver.setNonce(CipherState::ReservedNonce - 1);
    QCOMPARE(sender.remaining(), quint64(1));
    const QByteArray last = encrypt(sender, "last");
    QVERIFY(!last.isEmpty());
    QCOMPARE(decrypt(receiver, last).value_or(QByteArray()), QByteArray("last"));
    QCOMPARE(sender.remaining(), quint64(0));
    QVERIFY(encrypt(sender, "one more").isEmpty());
    quint8 out[64];
    QCOMPARE(receiver.decryptWithAd({}, reinterpret_cast<const quint8 *>(last.constData()),
                                    size_t(last.size()), out),
             NoiseError::NonceExhausted);
}

void tst_Noise::decryptFailureLeavesNonceUnchanged()
{
    const quint8 key[KeySize] = {9};
    CipherState sender, receiver;
    sender.initializeKey(key);
    receiver.initializeKey(key);
    QByteArray sealed = encrypt(sender, "hello");
    sealed[0] = char(sealed[0] ^ 0x80);
    QVERIFY(!decrypt(receiver, sealed).has_value());
    QCOMPARE(receiver.nonce(), quint64(0));
    sealed[0] = char(sealed[0] ^ 0x80);
    QCOMPARE(decrypt(receiver, sealed).value_or(QByteArray()), QByteArray("hello"));
    QCOMPARE(receiver.nonce(), quint64(1));
}

void tst_Noise::cipherStateZeroesKeyWhenDestroyed()
{
    alignas(CipherState) unsigned char storage[sizeof(CipherState)];
    quint8 key[KeySize];
    for (int i = 0; i < KeySize; ++i)
        key[i] = quint8(0xa0 + i);
    auto *cipher = new (storage) CipherState;
    cipher->initializeKey(key);
    const QByteArrayView keyBytes(reinterpret_cast<const char *>(key), KeySize);
    QVERIFY(
        QByteArrayView(reinterpret_cast<const char *>(storage), sizeof storage).indexOf(keyBytes)
        >= 0);
    cipher->~CipherState();
    QCOMPARE(
        QByteArrayView(reinterpret_cast<const char *>(storage), sizeof storage).indexOf(keyBytes),
        -1);
}

void tst_Noise::keyPairZeroesSecretWhenDestroyed()
{
    alignas(KeyPair) unsigned char storage[sizeof(KeyPair)];
    quint8 secret[KeySize];
    for (int i = 0; i < KeySize; ++i)
        secret[i] = quint8(0x40 + i);
    auto *pair = new (storage) KeyPair(KeyPair::fromSecretKey(secret));
    const QByteArrayView secretBytes(reinterpret_cast<const char *>(secret), KeySize);
    QVERIFY(
        QByteArrayView(reinterpret_cast<const char *>(storage), sizeof storage).indexOf(secretBytes)
        >= 0);
    pair->~KeyPair();
    QCOMPARE(QByteArrayView(reinterpret_cast<const char *>(storage), sizeof storage)
                 .indexOf(secretBytes),
             -1);
}

void tst_Noise::readingOutOfTurnIsRefused()
{
    HandshakeState::Setup setup;
    setup.pattern = Pattern::XX;
    setup.localStatic = KeyPair::generate();
    HandshakeState initiator(setup);
    QByteArray payload;
    QCOMPARE(initiator.readMessage(QByteArray(32, 'x'), payload), NoiseError::WrongState);
    setup.initiator = false;
    HandshakeState responder(setup);
    QByteArray out;
    QCOMPARE(responder.writeMessage({}, out), NoiseError::WrongState);
    QVERIFY(out.isEmpty());
    QCOMPARE(responder.readMessage(QByteArray(31, 'x'), payload), NoiseError::ShortMessage);
}

QTEST_GUILESS_MAIN(tst_Noise)
#include "tst_noise.moc"
