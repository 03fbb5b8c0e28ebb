// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "noise_p.h"

#include <QtCore/QtEndian>
#include <QtCore/QtGlobal>

#include <sodium.h>

#include <cstring>
#include <initializer_list>

namespace Parley::Crypto {

void ensureSodium()
{
    // sodium_init() is itself thread-safe; the static only saves the call after the first.
    static const bool ready = [] {
        if (sodium_init() < 0)
            qFatal("Parley: libsodium could not be initialized (no source of randomness?)");
        return true;
    }();
    Q_UNUSED(ready);
}

void secureZero(void *data, size_t size)
{
    sodium_memzero(data, size);
}

bool equalConstantTime(const void *a, const void *b, size_t size)
{
    return sodium_memcmp(a, b, size) == 0;
}

KeyPair KeyPair::generate()
{
    ensureSodium();
    SecretBytes<KeySize> secret;
    randombytes_buf(secret.data(), KeySize);
    return fromSecretKey(secret.data());
}

KeyPair KeyPair::fromSecretKey(const quint8 *secret)
{
    ensureSodium();
    KeyPair pair;
    std::memcpy(pair.secretKey.data(), secret, KeySize);
    crypto_scalarmult_curve25519_base(pair.publicKey.data(), pair.secretKey.data());
    return pair;
}

namespace {

// -- hashing ------------------------------------------------------------------------------------

int hashSizeOf(HashKind kind)
{
    return kind == HashKind::Sha256 ? crypto_hash_sha256_BYTES : crypto_generichash_BYTES_MAX;
}

/// A piece of input for the hash helpers below.
struct Part
{
    const quint8 *data;
    size_t size;
};

/// Writes HASH(parts...) to \a out (HASHLEN bytes).
void hashParts(HashKind kind, std::initializer_list<Part> parts, quint8 *out)
{
    if (kind == HashKind::Sha256) {
        crypto_hash_sha256_state state;
        crypto_hash_sha256_init(&state);
        for (const Part &p : parts)
            crypto_hash_sha256_update(&state, p.data, p.size);
        crypto_hash_sha256_final(&state, out);
        secureZero(&state, sizeof state);
    } else {
        crypto_generichash_state state;
        crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES_MAX);
        for (const Part &p : parts)
            crypto_generichash_update(&state, p.data, p.size);
        crypto_generichash_final(&state, out, crypto_generichash_BYTES_MAX);
        secureZero(&state, sizeof state);
    }
}

/// Writes HMAC-HASH(key, parts...) to \a out (HASHLEN bytes). SHA256 uses libsodium's HMAC;
/// BLAKE2b's HMAC is built as Noise section 4.3 and RFC 2104 define it, with a 128-byte block.
void hmac(HashKind kind, const quint8 *key, size_t keySize, std::initializer_list<Part> parts,
          quint8 *out)
{
    if (kind == HashKind::Sha256) {
        crypto_auth_hmacsha256_state state;
        crypto_auth_hmacsha256_init(&state, key, keySize);
        for (const Part &p : parts)
            crypto_auth_hmacsha256_update(&state, p.data, p.size);
        crypto_auth_hmacsha256_final(&state, out);
        secureZero(&state, sizeof state);
        return;
    }
    constexpr size_t BlockSize = 128;
    constexpr size_t HashSize = crypto_generichash_BYTES_MAX;
    SecretBytes<BlockSize> block;
    if (keySize > BlockSize)
        hashParts(kind, {{key, keySize}}, block.data());
    else
        std::memcpy(block.data(), key, keySize);
    SecretBytes<BlockSize> pad;
    for (size_t i = 0; i < BlockSize; ++i)
        pad.data()[i] = block.data()[i] ^ 0x36;
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, HashSize);
    crypto_generichash_update(&state, pad.data(), BlockSize);
    for (const Part &p : parts)
        crypto_generichash_update(&state, p.data, p.size);
    SecretBytes<HashSize> inner;
    crypto_generichash_final(&state, inner.data(), HashSize);
    for (size_t i = 0; i < BlockSize; ++i)
        pad.data()[i] = block.data()[i] ^ 0x5c;
    crypto_generichash_init(&state, nullptr, 0, HashSize);
    crypto_generichash_update(&state, pad.data(), BlockSize);
    crypto_generichash_update(&state, inner.data(), HashSize);
    crypto_generichash_final(&state, out, HashSize);
    secureZero(&state, sizeof state);
}

/// Noise's HKDF (section 4.3) with two outputs of HASHLEN bytes each.
void hkdf2(HashKind kind, const quint8 *chainingKey, const quint8 *input, size_t inputSize,
           quint8 *out1, quint8 *out2)
{
    const size_t n = size_t(hashSizeOf(kind));
    SecretBytes<MaxHashSize> tempKey;
    hmac(kind, chainingKey, n, {{input, inputSize}}, tempKey.data());
    const quint8 one = 1, two = 2;
    hmac(kind, tempKey.data(), n, {{&one, 1}}, out1);
    hmac(kind, tempKey.data(), n, {{out1, n}, {&two, 1}}, out2);
}

/// Computes DH(secret, peer) into \a out; false for a result of all zeros (a zero or
/// low-order public key), which libsodium reports as -1.
bool dh(const KeyPair &local, const PublicKey &peer, SecretBytes<KeySize> &out)
{
    if (crypto_scalarmult_curve25519(out.data(), local.secretKey.data(), peer.data()) != 0)
        return false;
    return sodium_is_zero(out.data(), KeySize) == 0;
}

// -- patterns -----------------------------------------------------------------------------------

enum Token : quint8 { None = 0, E, S, EE, ES, SE, SS };

/// One handshake pattern: which statics are known in advance, then up to three messages of up
/// to four tokens, alternating from the initiator.
struct PatternSpec
{
    bool initiatorPreS;
    bool responderPreS;
    int messageCount;
    Token messages[3][4];
};

const PatternSpec &specOf(Pattern pattern)
{
    static const PatternSpec nn{false, false, 2, {{E}, {E, EE}, {}}};
    static const PatternSpec xx{false, false, 3, {{E}, {E, EE, S, ES}, {S, SE}}};
    static const PatternSpec ik{false, true, 2, {{E, ES, S, SS}, {E, EE, SE}, {}}};
    static const PatternSpec kk{true, true, 2, {{E, ES, SS}, {E, EE, SE}, {}}};
    switch (pattern) {
    case Pattern::NN:
        return nn;
    case Pattern::XX:
        return xx;
    case Pattern::IK:
        return ik;
    case Pattern::KK:
        return kk;
    }
    return xx;
}

const char *patternName(Pattern pattern)
{
    switch (pattern) {
    case Pattern::NN:
        return "NN";
    case Pattern::XX:
        return "XX";
    case Pattern::IK:
        return "IK";
    case Pattern::KK:
        return "KK";
    }
    return "XX";
}

} // namespace

// -- CipherState --------------------------------------------------------------------------------

void CipherState::initializeKey(const quint8 *key)
{
    std::memcpy(m_key.data(), key, KeySize);
    m_nonce = 0;
    m_hasKey = true;
}

void CipherState::clear()
{
    m_key.clear();
    m_nonce = 0;
    m_hasKey = false;
}

NoiseError CipherState::encryptWithAd(QByteArrayView ad, const quint8 *plain, size_t size,
                                      quint8 *out)
{
    if (!m_hasKey) {
        if (size != 0 && out != plain) // an empty view may carry a null pointer
            std::memmove(out, plain, size);
        return NoiseError::None;
    }
    if (m_nonce == ReservedNonce)
        return NoiseError::NonceExhausted;
    quint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
    qToLittleEndian<quint64>(m_nonce, nonce + 4);
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        out, out + size, nullptr, plain, size, reinterpret_cast<const unsigned char *>(ad.data()),
        size_t(ad.size()), nullptr, nonce, m_key.data());
    ++m_nonce;
    return NoiseError::None;
}

NoiseError CipherState::decryptWithAd(QByteArrayView ad, const quint8 *cipher, size_t size,
                                      quint8 *out)
{
    if (!m_hasKey) {
        if (size != 0 && out != cipher)
            std::memmove(out, cipher, size);
        return NoiseError::None;
    }
    if (m_nonce == ReservedNonce)
        return NoiseError::NonceExhausted;
    if (size < size_t(TagSize))
        return NoiseError::DecryptFailed;
    quint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
    qToLittleEndian<quint64>(m_nonce, nonce + 4);
    const size_t plainSize = size - TagSize;
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
            out, nullptr, cipher, plainSize, cipher + plainSize,
            reinterpret_cast<const unsigned char *>(ad.data()), size_t(ad.size()), nonce,
            m_key.data())
        != 0)
        return NoiseError::DecryptFailed;
    ++m_nonce;
    return NoiseError::None;
}

// -- SymmetricState -----------------------------------------------------------------------------

SymmetricState::SymmetricState(HashKind hash, QByteArrayView protocolName)
    : m_hash(hash), m_hashSize(hashSizeOf(hash))
{
    ensureSodium();
    if (protocolName.size() <= m_hashSize)
        std::memcpy(m_hashValue.data(), protocolName.data(), size_t(protocolName.size()));
    else
        hashParts(
            m_hash,
            {{reinterpret_cast<const quint8 *>(protocolName.data()), size_t(protocolName.size())}},
            m_hashValue.data());
    std::memcpy(m_chainingKey.data(), m_hashValue.data(), size_t(m_hashSize));
}

SymmetricState::~SymmetricState()
{
    secureZero(m_hashValue.data(), m_hashValue.size());
}

void SymmetricState::mixKey(const quint8 *inputKeyMaterial, size_t size)
{
    SecretBytes<MaxHashSize> tempKey;
    hkdf2(m_hash, m_chainingKey.data(), inputKeyMaterial, size, m_chainingKey.data(),
          tempKey.data());
    // A 64-byte temp_k is truncated to the cipher's 32 (Noise section 5.2).
    m_cipher.initializeKey(tempKey.data());
}

void SymmetricState::mixHash(const quint8 *data, size_t size)
{
    hashParts(m_hash, {{m_hashValue.data(), size_t(m_hashSize)}, {data, size}}, m_hashValue.data());
}

NoiseError SymmetricState::encryptAndHash(QByteArrayView plain, QByteArray &out)
{
    const qsizetype at = out.size();
    const qsizetype cipherSize = plain.size() + (m_cipher.hasKey() ? TagSize : 0);
    out.resize(at + cipherSize);
    quint8 *cipher = reinterpret_cast<quint8 *>(out.data()) + at;
    const QByteArrayView ad(reinterpret_cast<const char *>(m_hashValue.data()), m_hashSize);
    const NoiseError error = m_cipher.encryptWithAd(
        ad, reinterpret_cast<const quint8 *>(plain.data()), size_t(plain.size()), cipher);
    if (error != NoiseError::None) {
        out.truncate(at);
        return error;
    }
    mixHash(cipher, size_t(cipherSize));
    return NoiseError::None;
}

NoiseError SymmetricState::decryptAndHash(QByteArrayView cipher, QByteArray &out)
{
    const bool keyed = m_cipher.hasKey();
    if (keyed && cipher.size() < TagSize)
        return NoiseError::ShortMessage;
    const qsizetype at = out.size();
    const qsizetype plainSize = cipher.size() - (keyed ? TagSize : 0);
    out.resize(at + plainSize);
    const QByteArrayView ad(reinterpret_cast<const char *>(m_hashValue.data()), m_hashSize);
    const NoiseError error = m_cipher.decryptWithAd(
        ad, reinterpret_cast<const quint8 *>(cipher.data()), size_t(cipher.size()),
        reinterpret_cast<quint8 *>(out.data()) + at);
    if (error != NoiseError::None) {
        out.truncate(at);
        return error;
    }
    mixHash(reinterpret_cast<const quint8 *>(cipher.data()), size_t(cipher.size()));
    return NoiseError::None;
}

void SymmetricState::split(CipherState &first, CipherState &second)
{
    SecretBytes<MaxHashSize> key1, key2;
    hkdf2(m_hash, m_chainingKey.data(), nullptr, 0, key1.data(), key2.data());
    first.initializeKey(key1.data());
    second.initializeKey(key2.data());
    m_chainingKey.clear();
    m_cipher.clear();
}

QByteArray SymmetricState::handshakeHash() const
{
    return QByteArray(reinterpret_cast<const char *>(m_hashValue.data()), m_hashSize);
}

// -- HandshakeState -----------------------------------------------------------------------------

HandshakeState::HandshakeState(const Setup &setup)
    : m_pattern(setup.pattern), m_initiator(setup.initiator),
      m_symmetric(setup.hash, protocolName(setup.pattern, setup.hash)), m_static(setup.localStatic),
      m_ephemeral(setup.localEphemeral), m_remoteStatic(setup.remoteStatic)
{
    m_symmetric.mixHash(reinterpret_cast<const quint8 *>(setup.prologue.constData()),
                        size_t(setup.prologue.size()));
    // Pre-messages (section 7.1): the initiator's keys first, then the responder's.
    const PatternSpec &spec = specOf(m_pattern);
    const auto mixPre = [this](bool mine) {
        const PublicKey *key = nullptr;
        if (mine && m_static)
            key = &m_static->publicKey;
        else if (!mine && m_remoteStatic)
            key = &*m_remoteStatic;
        if (!key) {
            m_failed = true; // a pattern that needs a key it wasn't given
            return;
        }
        m_symmetric.mixHash(key->data(), KeySize);
    };
    if (spec.initiatorPreS)
        mixPre(m_initiator);
    if (spec.responderPreS)
        mixPre(!m_initiator);
}

HandshakeState::~HandshakeState() = default;

QByteArray HandshakeState::protocolName(Pattern pattern, HashKind hash)
{
    return QByteArray("Noise_") + patternName(pattern) + "_25519_ChaChaPoly_"
        + (hash == HashKind::Sha256 ? "SHA256" : "BLAKE2b");
}

bool HandshakeState::isMyTurn() const
{
    return !isComplete() && (m_index % 2 == 0) == m_initiator;
}

bool HandshakeState::isComplete() const
{
    return m_index >= specOf(m_pattern).messageCount;
}

qsizetype HandshakeState::nextMessageMinimumSize() const
{
    if (isComplete())
        return 0;
    bool keyed = m_symmetric.hasKey();
    qsizetype size = 0;
    for (Token t : specOf(m_pattern).messages[m_index]) {
        if (t == E)
            size += KeySize;
        else if (t == S)
            size += KeySize + (keyed ? TagSize : 0);
        else if (t != None)
            keyed = true;
    }
    return size + (keyed ? TagSize : 0);
}

bool HandshakeState::nextPayloadEncrypted() const
{
    if (isComplete())
        return true;
    bool keyed = m_symmetric.hasKey();
    for (Token t : specOf(m_pattern).messages[m_index]) {
        if (t == EE || t == ES || t == SE || t == SS)
            keyed = true;
    }
    return keyed;
}

NoiseError HandshakeState::mixDh(int token)
{
    // Which of our keys meets which of the peer's (section 5.3, WriteMessage).
    const KeyPair *local = nullptr;
    const std::optional<PublicKey> *remote = nullptr;
    switch (token) {
    case EE:
        local = m_ephemeral ? &*m_ephemeral : nullptr;
        remote = &m_remoteEphemeral;
        break;
    case SS:
        local = m_static ? &*m_static : nullptr;
        remote = &m_remoteStatic;
        break;
    case ES:
        local = m_initiator ? (m_ephemeral ? &*m_ephemeral : nullptr)
                            : (m_static ? &*m_static : nullptr);
        remote = m_initiator ? &m_remoteStatic : &m_remoteEphemeral;
        break;
    case SE:
        local = m_initiator ? (m_static ? &*m_static : nullptr)
                            : (m_ephemeral ? &*m_ephemeral : nullptr);
        remote = m_initiator ? &m_remoteEphemeral : &m_remoteStatic;
        break;
    default:
        return NoiseError::WrongState;
    }
    if (!local || !remote->has_value())
        return NoiseError::MissingKey;
    SecretBytes<KeySize> shared;
    if (!dh(*local, **remote, shared))
        return NoiseError::InvalidPublicKey;
    m_symmetric.mixKey(shared.data(), KeySize);
    return NoiseError::None;
}

NoiseError HandshakeState::writeMessage(QByteArrayView payload, QByteArray &out)
{
    if (m_failed || !isMyTurn())
        return NoiseError::WrongState;
    const qsizetype start = out.size();
    const auto fail = [&](NoiseError error) {
        out.truncate(start);
        m_failed = true;
        return error;
    };
    for (Token t : specOf(m_pattern).messages[m_index]) {
        NoiseError error = NoiseError::None;
        switch (t) {
        case None:
            break;
        case E:
            if (!m_ephemeral)
                m_ephemeral = KeyPair::generate();
            out.append(reinterpret_cast<const char *>(m_ephemeral->publicKey.data()), KeySize);
            m_symmetric.mixHash(m_ephemeral->publicKey.data(), KeySize);
            break;
        case S:
            if (!m_static)
                return fail(NoiseError::MissingKey);
            error = m_symmetric.encryptAndHash(
                QByteArrayView(reinterpret_cast<const char *>(m_static->publicKey.data()), KeySize),
                out);
            break;
        default:
            error = mixDh(t);
            break;
        }
        if (error != NoiseError::None)
            return fail(error);
    }
    if (const NoiseError error = m_symmetric.encryptAndHash(payload, out);
        error != NoiseError::None)
        return fail(error);
    if (out.size() - start > MaxMessageSize)
        return fail(NoiseError::MessageTooLarge);
    ++m_index;
    return NoiseError::None;
}

NoiseError HandshakeState::readMessage(QByteArrayView message, QByteArray &payload)
{
    if (m_failed || isComplete() || isMyTurn())
        return NoiseError::WrongState;
    const auto fail = [this](NoiseError error) {
        m_failed = true;
        return error;
    };
    if (message.size() > MaxMessageSize)
        return fail(NoiseError::MessageTooLarge);
    if (message.size() < nextMessageMinimumSize())
        return fail(NoiseError::ShortMessage);
    qsizetype at = 0;
    for (Token t : specOf(m_pattern).messages[m_index]) {
        NoiseError error = NoiseError::None;
        switch (t) {
        case None:
            break;
        case E: {
            PublicKey key;
            std::memcpy(key.data(), message.data() + at, KeySize);
            at += KeySize;
            m_remoteEphemeral = key;
            m_symmetric.mixHash(key.data(), KeySize);
            break;
        }
        case S: {
            const qsizetype size = KeySize + (m_symmetric.hasKey() ? TagSize : 0);
            QByteArray key;
            error = m_symmetric.decryptAndHash(message.sliced(at, size), key);
            at += size;
            if (error == NoiseError::None) {
                PublicKey rs;
                std::memcpy(rs.data(), key.constData(), KeySize);
                m_remoteStatic = rs;
            }
            break;
        }
        default:
            error = mixDh(t);
            break;
        }
        if (error != NoiseError::None)
            return fail(error);
    }
    if (const NoiseError error = m_symmetric.decryptAndHash(message.sliced(at), payload);
        error != NoiseError::None)
        return fail(error);
    ++m_index;
    return NoiseError::None;
}

void HandshakeState::split(CipherState &send, CipherState &receive)
{
    Q_ASSERT(isComplete() && !m_failed);
    if (m_initiator)
        m_symmetric.split(send, receive);
    else
        m_symmetric.split(receive, send);
    // The ephemeral secret has done its work; forget it now rather than with the object.
    if (m_ephemeral)
        m_ephemeral->secretKey.clear();
}

} // namespace Parley::Crypto
