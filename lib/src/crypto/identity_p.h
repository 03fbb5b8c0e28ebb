// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "noise_p.h"

#include <parley/parley_export.h>
#include <parley/security.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QStringView>

namespace Parley::Crypto {

/// \internal
/// A program's static key pair on disk, and the judgement of a peer's key after a handshake
/// (docs/security.md, "Keys and fingerprints" and "Known hosts"). Socket-free: the connection
/// calls these with what the SecureChannel learned.

/// Reads the key pair in \a path into \a keys. Refuses, with a one-line \a error, a file that
/// group or others may read or write, a file that isn't a key file, and a public key that
/// doesn't belong to the secret key.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT bool loadIdentity(const QString &path, KeyPair &keys,
                                                       QString &error);
/// Reads the key pair in \a path, or generates one and stores it there with mode 0600 when the
/// file doesn't exist (creating its directory). \a created, when given, says which happened.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT bool
loadOrCreateIdentity(const QString &path, KeyPair &keys, QString &error, bool *created = nullptr);
/// Sets \a keys to the identity for \a path: the key pair in that file (created when missing),
/// or, when \a path is empty, the default identity file's, or without one a key pair generated
/// once per process in memory. Files are read once per process and path, then cached, so a
/// handshake does not touch the disk.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT bool identityFor(const QString &path, KeyPair &keys,
                                                      QString &error);
/// Returns the fingerprint of \a key, "SHA256:" and 43 base64 characters.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT QString fingerprint(const PublicKey &key);
/// Returns \a key as a 32-byte QByteArray.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT QByteArray toByteArray(const PublicKey &key);
/// Sets \a key from \a bytes; false unless \a bytes holds exactly 32 bytes.
[[nodiscard]] PARLEY_AUTOTEST_EXPORT bool fromByteArray(QByteArrayView bytes, PublicKey &key);

/// Reads and appends to a known-hosts file: one "host:port key" line per peer, the key in
/// base64; blank lines and lines starting with '#' are ignored.
class PARLEY_AUTOTEST_EXPORT KnownHosts
{
public:
    /// What the file says about a host and a key.
    enum class Status {
        Unknown, ///< no line for the host
        Known,   ///< a line for the host with this key
        Changed, ///< lines for the host, none with this key
    };
    /// A line that could not be read; it is skipped.
    struct Problem
    {
        int line = 0; ///< counted from 1
        QString text; ///< what is wrong with it
    };

    explicit KnownHosts(QString path) : m_path(std::move(path)) {}

    /// Reads the file; a missing file is an empty one. Returns false, with \a error, when it
    /// can't be read, is too large, or group or others may write it. Malformed lines are not
    /// errors: they are skipped and listed in problems().
    [[nodiscard]] bool load(QString &error);
    [[nodiscard]] const QList<Problem> &problems() const { return m_problems; }
    /// Returns what the file says about \a host and \a key; \a line, when given, receives the
    /// line that decided it (0 for Unknown).
    [[nodiscard]] Status check(QStringView host, const PublicKey &key, int *line = nullptr) const;
    /// Appends a line for \a host and \a key, creating the file (mode 0600) when missing.
    [[nodiscard]] bool remember(QStringView host, const PublicKey &key, QString &error);
    /// Returns true when \a host is "name:port", "address:port" or "[IPv6]:port".
    [[nodiscard]] static bool isValidHost(QStringView host);

private:
    struct Entry
    {
        QString host;
        PublicKey key{};
        int line = 0;
    };
    QString m_path;
    QList<Entry> m_entries;
    QList<Problem> m_problems;
};

/// What PeerKeyVerifier decided about a peer's key.
enum class PeerKeyVerdict {
    Accepted,           ///< pinned, on the allowlist, or the known host's key
    AcceptedFirstUse,   ///< a host seen for the first time; its key is now remembered
    AcceptedUnverified, ///< policy Any: accepted without any check (log a warning)
    Refused,            ///< not the pinned key, or not on the allowlist
    KeyChanged,         ///< a known host presented another key: refuse loudly
    StoreFailed,        ///< the known-hosts file could not be read or written: refused
};

/// A verdict and the line that says why, for the log.
struct PeerKeyCheck
{
    PeerKeyVerdict verdict = PeerKeyVerdict::Refused;
    QString text;
    QStringList warnings; ///< known-hosts lines skipped as malformed, with their numbers

    [[nodiscard]] bool isAccepted() const
    {
        return verdict == PeerKeyVerdict::Accepted || verdict == PeerKeyVerdict::AcceptedFirstUse
            || verdict == PeerKeyVerdict::AcceptedUnverified;
    }
};

/// Applies a SecurityOptions' peer-key policy to the key a peer proved during the handshake.
/// Keys are compared in constant time; known-hosts files are read afresh on each verify() and
/// accessed by one verify() at a time in the process.
class PARLEY_AUTOTEST_EXPORT PeerKeyVerifier
{
public:
    /// Prepares the policy of \a options; isValid() says whether its keys and files make sense.
    explicit PeerKeyVerifier(const SecurityOptions &options);

    [[nodiscard]] bool isValid() const { return m_error.isEmpty(); }
    /// Returns what is wrong with the options, e.g. a pinned key that doesn't parse.
    [[nodiscard]] QString error() const { return m_error; }
    /// Judges \a key presented by the peer at \a hostPort ("host:port", used by KnownHosts).
    [[nodiscard]] PeerKeyCheck verify(QStringView hostPort, const PublicKey &key) const;

private:
    /// A trusted key, or the SHA-256 of one when given as a fingerprint.
    struct Trusted
    {
        bool isDigest = false;
        PublicKey bytes{};
    };
    [[nodiscard]] bool isTrusted(const PublicKey &key) const;

    PeerKeyPolicy m_policy;
    QList<Trusted> m_trusted;
    QString m_knownHostsFile;
    QString m_error;
};

} // namespace Parley::Crypto
