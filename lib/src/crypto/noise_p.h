// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

#include <array>
#include <cstddef>
#include <optional>

namespace Parley::Crypto {

/// \internal
/// The Noise Protocol Framework (revision 34) for DH 25519, cipher ChaChaPoly and the hashes
/// SHA256 and BLAKE2b, built only from libsodium primitives: CipherState, SymmetricState and
/// HandshakeState of the specification's section 5, for the patterns NN, XX, IK and KK.
/// Nothing here touches a socket; SecureChannel (securechannel_p.h) frames it for a connection.

inline constexpr int KeySize = 32;                 ///< X25519 keys, DH results and cipher keys
inline constexpr int TagSize = 16;                 ///< the Poly1305 tag after every ciphertext
inline constexpr int MaxHashSize = 64;             ///< BLAKE2b's HASHLEN; SHA256's is 32
inline constexpr qsizetype MaxMessageSize = 65535; ///< Noise's limit on any message

/// An X25519 public key.
using PublicKey = std::array<quint8, KeySize>;

/// Initializes libsodium once per process; safe to call from any thread, any number of times.
PARLEY_AUTOTEST_EXPORT void ensureSodium();
/// Overwrites \a size bytes at \a data with zeros in a way the compiler can't elide.
PARLEY_AUTOTEST_EXPORT void secureZero(void *data, size_t size);
/// Returns true when the \a size bytes at \a a and \a b are equal, in time independent of them.
PARLEY_AUTOTEST_EXPORT bool equalConstantTime(const void *a, const void *b, size_t size);

/// Holds \a N secret bytes and zeroes them when destroyed or overwritten.
template <size_t N>
class SecretBytes
{
public:
    SecretBytes() = default;
    SecretBytes(const SecretBytes &other) = default;
    SecretBytes &operator=(const SecretBytes &other) = default;
    ~SecretBytes() { secureZero(m_bytes.data(), N); }

    quint8 *data() { return m_bytes.data(); }
    const quint8 *data() const { return m_bytes.data(); }
    static constexpr size_t size() { return N; }
    void clear() { secureZero(m_bytes.data(), N); }

private:
    std::array<quint8, N> m_bytes{};
};

/// Holds an X25519 key pair; the secret half is zeroed when the pair is destroyed.
struct PARLEY_AUTOTEST_EXPORT KeyPair
{
    PublicKey publicKey{};
    SecretBytes<KeySize> secretKey;

    /// Returns a fresh key pair from libsodium's random generator.
    [[nodiscard]] static KeyPair generate();
    /// Returns the pair whose secret key is the \a KeySize bytes at \a secret.
    [[nodiscard]] static KeyPair fromSecretKey(const quint8 *secret);
};

/// The hash function of a Noise protocol name.
enum class HashKind { Sha256, Blake2b };
/// The handshake patterns implemented (Noise section 7.4).
enum class Pattern { NN, XX, IK, KK };

/// Why a Noise operation failed.
enum class NoiseError {
    None,
    ShortMessage,     ///< a handshake message too short for its tokens
    InvalidPublicKey, ///< a DH result of all zeros: a zero or low-order public key
    DecryptFailed,    ///< the AEAD tag did not verify
    NonceExhausted,   ///< the nonce reached 2^64-1, which Noise reserves
    MessageTooLarge,  ///< a message above 65535 bytes
    MissingKey,       ///< the pattern needs a key that was not given
    WrongState,       ///< not this side's turn, or the handshake is over or failed
};

/// Encrypts and decrypts with one ChaCha20-Poly1305 key and a 64-bit counter nonce (Noise
/// section 5.1): the 96-bit IETF nonce is 32 zero bits then the counter, little-endian.
class PARLEY_AUTOTEST_EXPORT CipherState
{
public:
    /// The counter value Noise reserves: reaching it refuses any further message.
    static constexpr quint64 ReservedNonce = ~quint64(0);

    /// Sets the key to the \a KeySize bytes at \a key and the nonce to 0.
    void initializeKey(const quint8 *key);
    [[nodiscard]] bool hasKey() const { return m_hasKey; }
    /// Sets the counter (Noise's SetNonce()); tests use it to reach the end of the range.
    void setNonce(quint64 nonce) { m_nonce = nonce; }
    [[nodiscard]] quint64 nonce() const { return m_nonce; }
    /// Returns how many more messages this state may encrypt or decrypt.
    [[nodiscard]] quint64 remaining() const { return ReservedNonce - m_nonce; }

    /// Encrypts the \a size bytes at \a plain with associated data \a ad into \a out, which
    /// receives size + TagSize bytes (size without a key) and may equal \a plain.
    [[nodiscard]] NoiseError encryptWithAd(QByteArrayView ad, const quint8 *plain, size_t size,
                                           quint8 *out);
    /// Decrypts the \a size bytes at \a cipher into \a out, which receives size - TagSize bytes
    /// (size without a key) and may equal \a cipher. The nonce advances only on success.
    [[nodiscard]] NoiseError decryptWithAd(QByteArrayView ad, const quint8 *cipher, size_t size,
                                           quint8 *out);
    /// Forgets the key.
    void clear();

private:
    SecretBytes<KeySize> m_key;
    quint64 m_nonce = 0;
    bool m_hasKey = false;
};

/// Holds the chaining key and the handshake hash of a handshake (Noise section 5.2).
class PARLEY_AUTOTEST_EXPORT SymmetricState
{
public:
    SymmetricState(HashKind hash, QByteArrayView protocolName);
    ~SymmetricState();
    SymmetricState(const SymmetricState &) = delete;
    SymmetricState &operator=(const SymmetricState &) = delete;

    [[nodiscard]] int hashSize() const { return m_hashSize; }
    [[nodiscard]] bool hasKey() const { return m_cipher.hasKey(); }
    void mixKey(const quint8 *inputKeyMaterial, size_t size);
    void mixHash(const quint8 *data, size_t size);
    /// Appends the encryption of \a plain to \a out and mixes it into the hash.
    [[nodiscard]] NoiseError encryptAndHash(QByteArrayView plain, QByteArray &out);
    /// Appends the decryption of \a cipher to \a out and mixes \a cipher into the hash.
    [[nodiscard]] NoiseError decryptAndHash(QByteArrayView cipher, QByteArray &out);
    /// Derives the two transport CipherStates: \a first for initiator to responder.
    void split(CipherState &first, CipherState &second);
    /// Returns h, the handshake hash (HASHLEN bytes).
    [[nodiscard]] QByteArray handshakeHash() const;

private:
    HashKind m_hash;
    int m_hashSize;
    SecretBytes<MaxHashSize> m_chainingKey;
    std::array<quint8, MaxHashSize> m_hashValue{};
    CipherState m_cipher;
};

/// Runs one side of a Noise handshake (Noise section 5.3): writes and reads the handshake
/// messages of its pattern in turn, then splits into the two transport CipherStates.
class PARLEY_AUTOTEST_EXPORT HandshakeState
{
public:
    /// What a handshake starts from.
    struct Setup
    {
        Pattern pattern = Pattern::XX;
        HashKind hash = HashKind::Sha256;
        bool initiator = true;
        QByteArray prologue;
        std::optional<KeyPair> localStatic;
        /// A fixed ephemeral key pair, for test vectors only; otherwise one is generated.
        std::optional<KeyPair> localEphemeral;
        /// The peer's static key known in advance (IK initiator, KK both sides).
        std::optional<PublicKey> remoteStatic;
    };

    explicit HandshakeState(const Setup &setup);
    ~HandshakeState();
    HandshakeState(const HandshakeState &) = delete;
    HandshakeState &operator=(const HandshakeState &) = delete;

    /// Returns the protocol name, e.g. "Noise_XX_25519_ChaChaPoly_SHA256".
    [[nodiscard]] static QByteArray protocolName(Pattern pattern, HashKind hash);

    /// Appends the next handshake message, carrying \a payload, to \a out.
    [[nodiscard]] NoiseError writeMessage(QByteArrayView payload, QByteArray &out);
    /// Reads the peer's next handshake message \a message and appends its payload to \a payload.
    /// After an error the handshake is over: every later call returns WrongState.
    [[nodiscard]] NoiseError readMessage(QByteArrayView message, QByteArray &payload);

    /// Returns true when the next message is this side's to write.
    [[nodiscard]] bool isMyTurn() const;
    /// Returns true when every message of the pattern has been written or read.
    [[nodiscard]] bool isComplete() const;
    /// Returns the index of the next message (0 for the first).
    [[nodiscard]] int messageIndex() const { return m_index; }
    /// Returns the smallest size the next message can have: its keys and tags.
    [[nodiscard]] qsizetype nextMessageMinimumSize() const;
    /// Returns true when the next message's payload will be encrypted.
    [[nodiscard]] bool nextPayloadEncrypted() const;

    /// Derives the transport states once complete: \a send for this side's messages.
    void split(CipherState &send, CipherState &receive);
    /// Returns h, the handshake hash, for channel binding.
    [[nodiscard]] QByteArray handshakeHash() const { return m_symmetric.handshakeHash(); }
    /// Returns the peer's static key once known.
    [[nodiscard]] const std::optional<PublicKey> &remoteStatic() const { return m_remoteStatic; }

private:
    [[nodiscard]] NoiseError mixDh(int token);

    Pattern m_pattern;
    bool m_initiator;
    SymmetricState m_symmetric;
    std::optional<KeyPair> m_static;
    std::optional<KeyPair> m_ephemeral;
    std::optional<PublicKey> m_remoteStatic;
    std::optional<PublicKey> m_remoteEphemeral;
    int m_index = 0;
    bool m_failed = false;
};

} // namespace Parley::Crypto
