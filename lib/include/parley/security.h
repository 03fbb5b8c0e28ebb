// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CRYPTO
#error "<parley/security.h> is in the crypto layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QStringView>

namespace Parley {

/// Decides which peers an encrypted connection trusts, judged by the static public key the
/// peer proved it holds during the handshake. docs/security.md explains how to choose.
enum class PeerKeyPolicy {
    /// Accepts any key: protects against eavesdroppers, not against a man in the middle.
    /// Each connection logs a warning with the peer's fingerprint.
    Any,
    /// Accepts only the key in SecurityOptions::pinnedKey.
    Pinned,
    /// Trusts a host's key on first use and remembers it in SecurityOptions::knownHostsFile;
    /// a different key from that host later is refused, as SSH does.
    KnownHosts,
    /// Accepts only the keys in SecurityOptions::allowlist (typically on the listening side).
    Allowlist,
};

/// Configures the identity of this program and the trust it gives to peers' keys.
struct SecurityOptions
{
    /// The file holding this program's static key pair. It is created with mode 0600 on first
    /// use, and refused when group or others may read it. Empty: the process's default identity
    /// (see setDefaultIdentityFile()).
    QString identityFile;
    /// How the peer's key is judged after the handshake.
    PeerKeyPolicy peerKeyPolicy = PeerKeyPolicy::Any;
    /// Pinned: the peer's public key (base64 or hex) or its fingerprint ("SHA256:...").
    QString pinnedKey;
    /// KnownHosts: the file of remembered "host:port key" lines; created on first use.
    QString knownHostsFile;
    /// Allowlist: public keys (base64 or hex) or fingerprints ("SHA256:...").
    QStringList allowlist;
};

/// The size of a public key in bytes (X25519).
inline constexpr int PublicKeySize = 32;

/// Returns the 32-byte key written in \a text as standard base64 (44 characters, or 43
/// without the padding) or as 64 hex digits, ignoring surrounding white space. Returns an
/// empty array, and sets \a error when given, for anything else.
[[nodiscard]] PARLEY_EXPORT QByteArray parsePublicKey(QStringView text, QString *error = nullptr);
/// Returns \a key (32 bytes) as standard base64 with padding, the form key files and the
/// known-hosts file use.
[[nodiscard]] PARLEY_EXPORT QString publicKeyToBase64(QByteArrayView key);
/// Returns \a key (32 bytes) as 64 lowercase hex digits.
[[nodiscard]] PARLEY_EXPORT QString publicKeyToHex(QByteArrayView key);
/// Returns the fingerprint people compare: "SHA256:" and the unpadded base64 of the SHA-256
/// of \a key, like OpenSSH's (e.g. "SHA256:jZP2...").
[[nodiscard]] PARLEY_EXPORT QString publicKeyFingerprint(QByteArrayView key);

/// Sets the identity file used by encrypted connections whose SecurityOptions::identityFile is
/// empty. Parley::run() sets it to `identity.key` beside the program's stored settings (or to
/// `--identity=PATH`). When no default is set either, the process uses a key pair generated in
/// memory at first use: encrypted, but a peer can't pin a key that changes with every run.
PARLEY_EXPORT void setDefaultIdentityFile(const QString &path);
/// Returns the file set by setDefaultIdentityFile(), or an empty string.
[[nodiscard]] PARLEY_EXPORT QString defaultIdentityFile();
/// Returns the fingerprint of the key pair in \a identityFile (the default identity when empty),
/// creating the file first when it doesn't exist; an empty string, and \a error when given,
/// when the file can't be read or created. What `--print-fingerprint` prints.
[[nodiscard]] PARLEY_EXPORT QString identityFingerprint(const QString &identityFile = {},
                                                        QString *error = nullptr);

} // namespace Parley
