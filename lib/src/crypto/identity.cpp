// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "identity_p.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QRegularExpression>

#include <sodium.h>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <cstring>

namespace Parley {

namespace {

constexpr qsizetype Base64Size = 44; ///< 32 bytes in padded base64
constexpr qsizetype HexSize = 64;
constexpr QLatin1StringView FingerprintPrefix("SHA256:");

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool isBase64Char(QChar c)
{
    return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')
        || c == u'+' || c == u'/';
}

/// Decodes 43 or 44 characters of standard base64 holding 32 bytes; empty on anything else.
QByteArray decodeBase64Key(QStringView text)
{
    if (text.size() == Base64Size && text.back() == u'=')
        text.chop(1);
    if (text.size() != Base64Size - 1)
        return {};
    for (QChar c : text) {
        if (!isBase64Char(c))
            return {};
    }
    auto decoded
        = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != PublicKeySize)
        return {};
    return decoded.decoded;
}

} // namespace

QByteArray parsePublicKey(QStringView text, QString *error)
{
    text = text.trimmed();
    QByteArray key;
    if (text.size() == HexSize) {
        bool hex = true;
        for (QChar c : text)
            hex = hex && isHexDigit(c);
        if (hex)
            key = QByteArray::fromHex(text.toLatin1());
    } else {
        key = decodeBase64Key(text);
    }
    if (key.size() != PublicKeySize) {
        if (error)
            *error = QStringLiteral("not a public key (expected 44 base64 characters or 64 hex "
                                    "digits): '%1'")
                         .arg(text.left(80).toString());
        return {};
    }
    return key;
}

QString publicKeyToBase64(QByteArrayView key)
{
    return QString::fromLatin1(key.toByteArray().toBase64());
}

QString publicKeyToHex(QByteArrayView key)
{
    return QString::fromLatin1(key.toByteArray().toHex());
}

QString publicKeyFingerprint(QByteArrayView key)
{
    Crypto::ensureSodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char *>(key.data()),
                       size_t(key.size()));
    return FingerprintPrefix
        + QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), sizeof digest)
                                  .toBase64(QByteArray::OmitTrailingEquals));
}

} // namespace Parley

namespace Parley::Crypto {

namespace {

constexpr qint64 MaxIdentityFileSize = 4096;
constexpr qint64 MaxKnownHostsFileSize = 16 << 20;

void zero(QByteArray &bytes)
{
    if (!bytes.isEmpty() && bytes.isDetached())
        secureZero(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

/// Checks the mode of the open \a file: refuses what group or others may access (any of
/// \a forbidden's bits). Returns an empty string when acceptable.
QString modeProblem(QFile &file, unsigned forbidden, const char *what)
{
#ifdef Q_OS_UNIX
    struct stat st;
    if (::fstat(file.handle(), &st) != 0)
        return QStringLiteral("%1 %2 cannot be examined").arg(QLatin1String(what), file.fileName());
    if (!S_ISREG(st.st_mode))
        return QStringLiteral("%1 %2 is not a regular file")
            .arg(QLatin1String(what), file.fileName());
    if (st.st_mode & forbidden)
        return QStringLiteral("%1 %2 has mode %3, open to group or others; make it private "
                              "with: chmod 600 %2")
            .arg(QLatin1String(what), file.fileName())
            .arg(unsigned(st.st_mode & 07777), 4, 8, QLatin1Char('0'));
#else
    Q_UNUSED(file);
    Q_UNUSED(forbidden);
    Q_UNUSED(what);
#endif
    return {};
}

constexpr unsigned GroupOrOthersAny = 0077;
constexpr unsigned GroupOrOthersWrite = 0022;

QByteArray identityText(const KeyPair &keys)
{
    QByteArray secret(reinterpret_cast<const char *>(keys.secretKey.data()), KeySize);
    QByteArray text = "# Parley identity: an X25519 key pair. Keep this file private (mode 0600).\n"
                      "public "
        + toByteArray(keys.publicKey).toBase64() + "\nsecret " + secret.toBase64() + "\n";
    zero(secret);
    return text;
}

bool parseIdentity(const QByteArray &text, KeyPair &keys, QString &why)
{
    QByteArray publicKey, secretKey;
    const auto fail = [&](const QString &reason) {
        zero(secretKey);
        why = reason;
        return false;
    };
    int lineNumber = 0;
    for (qsizetype start = 0; start < text.size();) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        QByteArrayView line = QByteArrayView(text).sliced(start, end - start).trimmed();
        start = end + 1;
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.indexOf(' ');
        const QByteArrayView name = space < 0 ? line : line.first(space);
        const QByteArrayView value
            = space < 0 ? QByteArrayView() : line.sliced(space + 1).trimmed();
        QByteArray *target = name == "public" ? &publicKey
            : name == "secret"                ? &secretKey
                                              : nullptr;
        if (!target || !target->isEmpty())
            return fail(
                QStringLiteral("line %1 is not 'public <key>' or 'secret <key>', or repeats one")
                    .arg(lineNumber));
        auto decoded = QByteArray::fromBase64Encoding(value.toByteArray(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != KeySize) {
            zero(decoded.decoded);
            return fail(
                QStringLiteral("line %1 does not hold a 32-byte base64 key").arg(lineNumber));
        }
        *target = decoded.decoded;
        zero(decoded.decoded);
    }
    if (publicKey.isEmpty() || secretKey.isEmpty())
        return fail(QStringLiteral("it lacks the 'public' or the 'secret' line"));
    keys = KeyPair::fromSecretKey(reinterpret_cast<const quint8 *>(secretKey.constData()));
    zero(secretKey);
    if (!equalConstantTime(keys.publicKey.data(), publicKey.constData(), KeySize))
        return fail(QStringLiteral("its public key does not belong to its secret key"));
    return true;
}

/// Serializes the read-modify-write of known-hosts files within the process.
QMutex &knownHostsMutex()
{
    static QMutex mutex;
    return mutex;
}

} // namespace

QByteArray toByteArray(const PublicKey &key)
{
    return QByteArray(reinterpret_cast<const char *>(key.data()), KeySize);
}

bool fromByteArray(QByteArrayView bytes, PublicKey &key)
{
    if (bytes.size() != KeySize)
        return false;
    std::memcpy(key.data(), bytes.data(), KeySize);
    return true;
}

QString fingerprint(const PublicKey &key)
{
    return publicKeyFingerprint(
        QByteArrayView(reinterpret_cast<const char *>(key.data()), KeySize));
}

bool loadIdentity(const QString &path, KeyPair &keys, QString &error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("identity file %1 cannot be read: %2").arg(path, file.errorString());
        return false;
    }
    if (const QString problem = modeProblem(file, GroupOrOthersAny, "identity file");
        !problem.isEmpty()) {
        error = problem;
        return false;
    }
    if (file.size() > MaxIdentityFileSize) {
        error = QStringLiteral("identity file %1 is too large to be a key file").arg(path);
        return false;
    }
    QByteArray text = file.read(MaxIdentityFileSize + 1);
    QString why;
    const bool ok = parseIdentity(text, keys, why);
    zero(text);
    if (!ok)
        error = QStringLiteral("identity file %1 is not a Parley key file: %2").arg(path, why);
    return ok;
}

bool loadOrCreateIdentity(const QString &path, KeyPair &keys, QString &error, bool *created)
{
    if (created)
        *created = false;
    if (QFileInfo::exists(path))
        return loadIdentity(path, keys, error);

    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        error = QStringLiteral("cannot create the directory of identity file %1").arg(path);
        return false;
    }
    // Written under a temporary name with mode 0600 from its first byte, then renamed into
    // place without replacing a file another process may have created meanwhile.
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    const QString temporary = path + QStringLiteral(".tmp-")
        + QString::fromLatin1(QByteArray(reinterpret_cast<char *>(random), sizeof random).toHex());
    KeyPair fresh = KeyPair::generate();
    {
        QFile file(temporary);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                       QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            error = QStringLiteral("cannot create identity file %1: %2")
                        .arg(path, file.errorString());
            return false;
        }
        QByteArray text = identityText(fresh);
        const bool written = file.write(text) == text.size() && file.flush();
        zero(text);
#ifdef Q_OS_UNIX
        const bool synced = written && ::fsync(file.handle()) == 0;
#else
        const bool synced = written;
#endif
        file.close();
        if (!synced) {
            QFile::remove(temporary);
            error = QStringLiteral("cannot write identity file %1").arg(path);
            return false;
        }
    }
    if (!QFile::rename(temporary, path)) {
        QFile::remove(temporary);
        if (QFileInfo::exists(path)) // another process was first: use its key
            return loadIdentity(path, keys, error);
        error = QStringLiteral("cannot store identity file %1").arg(path);
        return false;
    }
    keys = fresh;
    if (created)
        *created = true;
    return true;
}

// -- the process's identities -------------------------------------------------------------------

namespace {

struct Identities
{
    QMutex mutex;
    QString defaultFile;
    QHash<QString, KeyPair> loaded; ///< by path; "" is the in-memory key
};

Identities &identities()
{
    static Identities instance;
    return instance;
}

} // namespace

bool identityFor(const QString &path, KeyPair &keys, QString &error)
{
    Identities &ids = identities();
    const QMutexLocker lock(&ids.mutex);
    const QString file = path.isEmpty() ? ids.defaultFile : path;
    if (const auto it = ids.loaded.constFind(file); it != ids.loaded.cend()) {
        keys = *it;
        return true;
    }
    KeyPair fresh;
    if (file.isEmpty()) {
        ensureSodium();
        fresh = KeyPair::generate();
    } else if (!loadOrCreateIdentity(file, fresh, error)) {
        return false; // not cached: a fixed file is read again next time
    }
    ids.loaded.insert(file, fresh);
    keys = fresh;
    return true;
}

} // namespace Parley::Crypto

namespace Parley {

void setDefaultIdentityFile(const QString &path)
{
    Crypto::Identities &ids = Crypto::identities();
    const QMutexLocker lock(&ids.mutex);
    ids.defaultFile = path;
}

QString defaultIdentityFile()
{
    Crypto::Identities &ids = Crypto::identities();
    const QMutexLocker lock(&ids.mutex);
    return ids.defaultFile;
}

QString identityFingerprint(const QString &identityFile, QString *error)
{
    Crypto::KeyPair keys;
    QString why;
    if (!Crypto::identityFor(identityFile, keys, why)) {
        if (error)
            *error = why;
        return {};
    }
    return Crypto::fingerprint(keys.publicKey);
}

} // namespace Parley

namespace Parley::Crypto {

// -- KnownHosts ---------------------------------------------------------------------------------

bool KnownHosts::isValidHost(QStringView host)
{
    const qsizetype colon = host.lastIndexOf(u':');
    if (colon <= 0 || colon == host.size() - 1 || host.size() > 300)
        return false;
    const QStringView name = host.first(colon);
    const QStringView port = host.sliced(colon + 1);
    bool ok = false;
    const uint number = port.toUInt(&ok);
    if (!ok || number == 0 || number > 65535 || port.startsWith(u'+'))
        return false;
    for (QChar c : name) {
        if (c.isSpace() || c == u'#' || c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    if (name.startsWith(u'['))
        return name.size() > 2 && name.endsWith(u']') && !name.sliced(1).contains(u'[');
    return !name.contains(u':') && !name.contains(u'[') && !name.contains(u']');
}

bool KnownHosts::load(QString &error)
{
    m_entries.clear();
    m_problems.clear();
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("known-hosts file %1 cannot be read: %2")
                    .arg(m_path, file.errorString());
        return false;
    }
    if (const QString problem = modeProblem(file, GroupOrOthersWrite, "known-hosts file");
        !problem.isEmpty()) {
        error = problem;
        return false;
    }
    if (file.size() > MaxKnownHostsFileSize) {
        error = QStringLiteral("known-hosts file %1 is larger than %2 bytes")
                    .arg(m_path)
                    .arg(MaxKnownHostsFileSize);
        return false;
    }
    const QString text = QString::fromUtf8(file.read(MaxKnownHostsFileSize + 1));
    int number = 0;
    for (QStringView line : QStringView(text).split(u'\n')) {
        ++number;
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const auto fields = line.split(u' ', Qt::SkipEmptyParts);
        if (fields.size() != 2) {
            m_problems.append(
                {number,
                 QStringLiteral("expected 'host:port key', found %1 fields").arg(fields.size())});
            continue;
        }
        if (!isValidHost(fields[0])) {
            m_problems.append(
                {number,
                 QStringLiteral("'%1' is not a host:port").arg(fields[0].left(80).toString())});
            continue;
        }
        QString why;
        const QByteArray key = parsePublicKey(fields[1], &why);
        if (key.isEmpty()) {
            m_problems.append({number, why});
            continue;
        }
        Entry entry;
        entry.host = fields[0].toString();
        entry.line = number;
        std::memcpy(entry.key.data(), key.constData(), KeySize);
        m_entries.append(entry);
    }
    return true;
}

KnownHosts::Status KnownHosts::check(QStringView host, const PublicKey &key, int *line) const
{
    Status status = Status::Unknown;
    int decisive = 0;
    for (const Entry &e : m_entries) {
        if (host.compare(e.host, Qt::CaseInsensitive) != 0)
            continue;
        if (equalConstantTime(e.key.data(), key.data(), KeySize)) {
            status = Status::Known;
            decisive = e.line;
            break;
        }
        if (status == Status::Unknown) {
            status = Status::Changed;
            decisive = e.line;
        }
    }
    if (line)
        *line = decisive;
    return status;
}

bool KnownHosts::remember(QStringView host, const PublicKey &key, QString &error)
{
    if (!isValidHost(host)) {
        error = QStringLiteral("'%1' is not a host:port to remember").arg(host.left(80).toString());
        return false;
    }
    QFile file(m_path);
    const bool fresh = !file.exists();
    if (fresh && !QDir().mkpath(QFileInfo(m_path).absolutePath())) {
        error = QStringLiteral("cannot create the directory of known-hosts file %1").arg(m_path);
        return false;
    }
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        error = QStringLiteral("known-hosts file %1 cannot be written: %2")
                    .arg(m_path, file.errorString());
        return false;
    }
    if (const QString problem = modeProblem(file, GroupOrOthersWrite, "known-hosts file");
        !problem.isEmpty()) {
        error = problem;
        return false;
    }
    QByteArray text;
    if (fresh)
        text = "# Parley known hosts: one 'host:port key' line per peer, the key in base64.\n";
    // One write with O_APPEND, so lines from other processes don't interleave within it.
    text += host.toUtf8() + ' ' + toByteArray(key).toBase64() + '\n';
    if (file.write(text) != text.size() || !file.flush()) {
        error = QStringLiteral("known-hosts file %1 cannot be written: %2")
                    .arg(m_path, file.errorString());
        return false;
    }
    return true;
}

// -- PeerKeyVerifier ----------------------------------------------------------------------------

namespace {

/// Parses a key, or a "SHA256:" fingerprint into the digest it names.
bool parseTrusted(QStringView text, bool &isDigest, PublicKey &bytes)
{
    text = text.trimmed();
    if (text.startsWith(FingerprintPrefix)) {
        const QByteArray digest = decodeBase64Key(text.sliced(FingerprintPrefix.size()));
        isDigest = true;
        return fromByteArray(digest, bytes);
    }
    isDigest = false;
    return fromByteArray(parsePublicKey(text), bytes);
}

} // namespace

PeerKeyVerifier::PeerKeyVerifier(const SecurityOptions &options)
    : m_policy(options.peerKeyPolicy), m_knownHostsFile(options.knownHostsFile)
{
    ensureSodium();
    const auto addTrusted = [this](const QString &text, const char *what) {
        Trusted t;
        if (!parseTrusted(text, t.isDigest, t.bytes)) {
            m_error = QStringLiteral("the %1 '%2' is not a public key (base64 or hex) or a "
                                     "fingerprint (SHA256:...)")
                          .arg(QLatin1String(what), text.left(80));
            return;
        }
        m_trusted.append(t);
    };
    switch (m_policy) {
    case PeerKeyPolicy::Any:
        break;
    case PeerKeyPolicy::Pinned:
        addTrusted(options.pinnedKey, "pinned key");
        break;
    case PeerKeyPolicy::KnownHosts:
        if (m_knownHostsFile.isEmpty())
            m_error = QStringLiteral("the knownHosts policy needs a known-hosts file");
        break;
    case PeerKeyPolicy::Allowlist:
        for (const QString &entry : options.allowlist) {
            addTrusted(entry, "allowlist entry");
            if (!m_error.isEmpty())
                break;
        }
        if (m_error.isEmpty() && m_trusted.isEmpty())
            m_error = QStringLiteral("the allowlist policy needs at least one key");
        break;
    }
}

bool PeerKeyVerifier::isTrusted(const PublicKey &key) const
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, key.data(), KeySize);
    // Every entry is compared, each in constant time, so the time says nothing about which.
    bool match = false;
    for (const Trusted &t : m_trusted) {
        const unsigned char *candidate = t.isDigest ? digest : key.data();
        match |= crypto_verify_32(t.bytes.data(), candidate) == 0;
    }
    return match;
}

PeerKeyCheck PeerKeyVerifier::verify(QStringView hostPort, const PublicKey &key) const
{
    PeerKeyCheck check;
    const QString print = fingerprint(key);
    const QString host = hostPort.toString();
    if (!isValid()) {
        check.verdict = PeerKeyVerdict::Refused;
        check.text = QStringLiteral("peer %1 refused: %2").arg(host, m_error);
        return check;
    }
    switch (m_policy) {
    case PeerKeyPolicy::Any:
        check.verdict = PeerKeyVerdict::AcceptedUnverified;
        check.text = QStringLiteral("peer %1 has key %2, accepted unverified (policy any: a man "
                                    "in the middle would go unnoticed)")
                         .arg(host, print);
        return check;
    case PeerKeyPolicy::Pinned:
    case PeerKeyPolicy::Allowlist: {
        const bool pinned = m_policy == PeerKeyPolicy::Pinned;
        if (isTrusted(key)) {
            check.verdict = PeerKeyVerdict::Accepted;
            check.text = QStringLiteral("peer %1 has key %2, %3")
                             .arg(host, print,
                                  pinned ? QStringLiteral("the pinned key")
                                         : QStringLiteral("on the allowlist"));
        } else {
            check.verdict = PeerKeyVerdict::Refused;
            check.text = QStringLiteral("peer %1 refused: its key %2 is %3")
                             .arg(host, print,
                                  pinned ? QStringLiteral("not the pinned key")
                                         : QStringLiteral("not on the allowlist"));
        }
        return check;
    }
    case PeerKeyPolicy::KnownHosts:
        break;
    }

    QMutexLocker locker(&knownHostsMutex());
    KnownHosts hosts(m_knownHostsFile);
    QString error;
    if (!hosts.load(error)) {
        check.verdict = PeerKeyVerdict::StoreFailed;
        check.text = QStringLiteral("peer %1 refused: %2").arg(host, error);
        return check;
    }
    for (const KnownHosts::Problem &p : hosts.problems())
        check.warnings.append(QStringLiteral("known-hosts file %1, line %2 skipped: %3")
                                  .arg(m_knownHostsFile)
                                  .arg(p.line)
                                  .arg(p.text));
    int line = 0;
    switch (hosts.check(hostPort, key, &line)) {
    case KnownHosts::Status::Known:
        check.verdict = PeerKeyVerdict::Accepted;
        check.text = QStringLiteral("peer %1 has key %2, as remembered in %3 line %4")
                         .arg(host, print, m_knownHostsFile)
                         .arg(line);
        return check;
    case KnownHosts::Status::Changed:
        check.verdict = PeerKeyVerdict::KeyChanged;
        check.text = QStringLiteral("peer %1 refused: ITS KEY HAS CHANGED to %2 since %3 line %4 "
                                    "was written. Someone may be intercepting the connection; if "
                                    "the peer's key was replaced on purpose, delete that line")
                         .arg(host, print, m_knownHostsFile)
                         .arg(line);
        return check;
    case KnownHosts::Status::Unknown:
        break;
    }
    if (!hosts.remember(hostPort, key, error)) {
        check.verdict = PeerKeyVerdict::StoreFailed;
        check.text = QStringLiteral("peer %1 refused: its key %2 cannot be remembered: %3")
                         .arg(host, print, error);
        return check;
    }
    check.verdict = PeerKeyVerdict::AcceptedFirstUse;
    check.text = QStringLiteral("peer %1 seen for the first time: its key %2 is now remembered "
                                "in %3")
                     .arg(host, print, m_knownHostsFile);
    return check;
}

} // namespace Parley::Crypto
