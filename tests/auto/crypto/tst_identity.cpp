// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Identity keys and peer-key policies without sockets: the key file created private and read
// back, files open to others refused, fingerprints and key text, the known-hosts store (first
// use, same key, changed key, malformed lines), and the pinned and allowlist decisions.

#include "crypto/identity_p.h"

#include <parley/security.h>

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <sys/stat.h>

using namespace Parley;
using namespace Parley::Crypto;

Q_DECLARE_METATYPE(PeerKeyVerdict)
Q_DECLARE_METATYPE(Parley::SecurityOptions)

namespace QTest {
template <>
char *toString(const PeerKeyVerdict &verdict)
{
    static const char *const names[] = {"Accepted", "AcceptedFirstUse", "AcceptedUnverified",
                                        "Refused",  "KeyChanged",       "StoreFailed"};
    return qstrdup(names[int(verdict)]);
}
} // namespace QTest

namespace {

/// The key 00 01 02 ... 1f, whose encodings and fingerprint were computed independently.
const QByteArray CountingKey
    = QByteArray::fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const QString CountingBase64 = QStringLiteral("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const QString CountingFingerprint
    = QStringLiteral("SHA256:Yw3NKWbEM2aRElRIu7JbT/QSpJxzLbLIq8G4WBvXEN0");

unsigned modeOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0xffff;
    return unsigned(st.st_mode & 07777);
}

bool writeFile(const QString &path, const QByteArray &bytes, unsigned mode)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        return false;
    file.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

PublicKey keyOf(const KeyPair &pair)
{
    return pair.publicKey;
}

QByteArray bytesOf(const PublicKey &key)
{
    return toByteArray(key);
}

} // namespace

class tst_Identity : public QObject
{
    Q_OBJECT

private slots:
    void init();

    // -- the key file ---------------------------------------------------------------------------
    void generatesKeyFilePrivateAndReloadsIt();
    void refusesKeyFileOpenToOthers_data();
    void refusesKeyFileOpenToOthers();
    void refusesMalformedKeyFile_data();
    void refusesMalformedKeyFile();
    void reportsUnreadableKeyFile();

    // -- fingerprints and key text --------------------------------------------------------------
    void fingerprintIsStableAndDistinct();
    void parsesKeyText_data();
    void parsesKeyText();
    void printsKeysThatParseBack();

    // -- known hosts ----------------------------------------------------------------------------
    void knownHostsTrustsOnFirstUseThenRefusesAChange();
    void reportsMalformedKnownHostsLinesWithNumbers();
    void refusesKnownHostsFileWritableByOthers();
    void refusesToRememberAMalformedHost();

    // -- pinned, allowlist, any ------------------------------------------------------------------
    void pinnedAcceptsOnlyThePinnedKey_data();
    void pinnedAcceptsOnlyThePinnedKey();
    void allowlistAcceptsOnlyListedKeys();
    void anyAcceptsUnverifiedWithAWarningText();
    void refusesUnusableOptions_data();
    void refusesUnusableOptions();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_Identity::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

// -- the key file -----------------------------------------------------------------------------

void tst_Identity::generatesKeyFilePrivateAndReloadsIt()
{
    const QString path = m_dir->filePath(QStringLiteral("config/parley/identity.key"));
    KeyPair first;
    QString error;
    bool created = false;
    QVERIFY2(loadOrCreateIdentity(path, first, error, &created), qPrintable(error));
    QVERIFY(created);
    QCOMPARE(modeOf(path), 0600u);
    // The secret is not in the clear as raw bytes, but the file holds both halves in base64.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("public " + bytesOf(first.publicKey).toBase64()));
    QVERIFY(text.contains(
        "secret "
        + QByteArray(reinterpret_cast<const char *>(first.secretKey.data()), 32).toBase64()));
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    QCOMPARE(QDir(m_dir->filePath(QStringLiteral("config/parley"))).entryList(QDir::Files).size(),
             1); // no temporary file left behind

    KeyPair again;
    QVERIFY2(loadOrCreateIdentity(path, again, error, &created), qPrintable(error));
    QVERIFY(!created);
    QCOMPARE(again.publicKey, first.publicKey);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(again.secretKey.data()), 32),
             QByteArray(reinterpret_cast<const char *>(first.secretKey.data()), 32));
    KeyPair loaded;
    QVERIFY2(loadIdentity(path, loaded, error), qPrintable(error));
    QCOMPARE(loaded.publicKey, first.publicKey);

    // Another file gets another key.
    KeyPair other;
    QVERIFY(loadOrCreateIdentity(m_dir->filePath(QStringLiteral("other.key")), other, error));
    QVERIFY(other.publicKey != first.publicKey);
}

void tst_Identity::refusesKeyFileOpenToOthers_data()
{
    QTest::addColumn<unsigned>("mode");
    QTest::newRow("0644") << 0644u;
    QTest::newRow("0640") << 0640u;
    QTest::newRow("0604") << 0604u;
    QTest::newRow("0620 (group may write)") << 0620u;
    QTest::newRow("0602 (others may write)") << 0602u;
}

void tst_Identity::refusesKeyFileOpenToOthers()
{
    QFETCH(unsigned, mode);
    const QString path = m_dir->filePath(QStringLiteral("identity.key"));
    KeyPair keys;
    QString error;
    QVERIFY(loadOrCreateIdentity(path, keys, error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode), 0);

    KeyPair refused;
    error.clear();
    QVERIFY(!loadIdentity(path, refused, error));
    QVERIFY2(error.contains(QLatin1String("chmod 600")), qPrintable(error));
    QVERIFY2(error.contains(QString::number(mode, 8)), qPrintable(error));
    QVERIFY(error.contains(path));
    // Nor is it replaced by a fresh key.
    bool created = true;
    QVERIFY(!loadOrCreateIdentity(path, refused, error, &created));
    QVERIFY(!created);
    file.seek(0);
    QCOMPARE(file.readAll(), before);
    // Once private again, it loads.
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0600), 0);
    QVERIFY(loadIdentity(path, refused, error));
    QCOMPARE(refused.publicKey, keys.publicKey);
}

void tst_Identity::refusesMalformedKeyFile_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("why");
    const KeyPair pair = KeyPair::generate();
    const QByteArray pub = bytesOf(pair.publicKey).toBase64();
    const QByteArray sec
        = QByteArray(reinterpret_cast<const char *>(pair.secretKey.data()), 32).toBase64();
    const QByteArray otherPub = bytesOf(KeyPair::generate().publicKey).toBase64();
    QTest::newRow("empty") << QByteArray() << QStringLiteral("lacks");
    QTest::newRow("binary garbage")
        << QByteArray("\x01\x02\xff\xfe\n\x00zz", 8) << QStringLiteral("line 1");
    QTest::newRow("no secret") << "public " + pub + "\n" << QStringLiteral("lacks");
    QTest::newRow("short key") << "public " + pub + "\nsecret AAAA\n" << QStringLiteral("line 2");
    QTest::newRow("bad base64") << "public " + pub + "\nsecret " + sec.left(40) + "!!!=\n"
                                << QStringLiteral("line 2");
    QTest::newRow("repeated line")
        << "public " + pub + "\npublic " + pub + "\nsecret " + sec << QStringLiteral("line 2");
    QTest::newRow("public key of another pair")
        << "public " + otherPub + "\nsecret " + sec << QStringLiteral("does not belong");
    QTest::newRow("too large") << QByteArray(5000, '#') << QStringLiteral("too large");
}

void tst_Identity::refusesMalformedKeyFile()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, why);
    const QString path = m_dir->filePath(QStringLiteral("identity.key"));
    QVERIFY(writeFile(path, text, 0600));
    KeyPair keys;
    QString error;
    QVERIFY(!loadIdentity(path, keys, error));
    QVERIFY2(error.contains(why), qPrintable(error));
    QVERIFY(error.contains(path));
    QVERIFY(!loadOrCreateIdentity(path, keys, error)); // a bad file is never overwritten
}

void tst_Identity::reportsUnreadableKeyFile()
{
    const QString path = m_dir->filePath(QStringLiteral("missing/identity.key"));
    KeyPair keys;
    QString error;
    QVERIFY(!loadIdentity(path, keys, error));
    QVERIFY(error.contains(QLatin1String("cannot be read")));
    // A directory where the file should be is not a key file.
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("dir.key")));
    QVERIFY(!loadIdentity(m_dir->filePath(QStringLiteral("dir.key")), keys, error));
}

// -- fingerprints and key text ----------------------------------------------------------------

void tst_Identity::fingerprintIsStableAndDistinct()
{
    QCOMPARE(publicKeyFingerprint(CountingKey), CountingFingerprint);
    PublicKey key{};
    QVERIFY(fromByteArray(CountingKey, key));
    QCOMPARE(fingerprint(key), CountingFingerprint);
    const KeyPair a = KeyPair::generate();
    const KeyPair b = KeyPair::generate();
    // (Stability is the known answer above; comparing a call with itself could not fail.)
    QVERIFY(fingerprint(a.publicKey) != fingerprint(b.publicKey));
    QCOMPARE(fingerprint(a.publicKey).size(), 7 + 43);
    QVERIFY(fingerprint(a.publicKey).startsWith(QLatin1String("SHA256:")));
}

void tst_Identity::parsesKeyText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("key"); ///< empty when the text must be refused
    QTest::newRow("base64") << CountingBase64 << CountingKey;
    QTest::newRow("base64 without padding") << CountingBase64.chopped(1) << CountingKey;
    QTest::newRow("hex") << QString::fromLatin1(CountingKey.toHex()) << CountingKey;
    QTest::newRow("HEX") << QString::fromLatin1(CountingKey.toHex().toUpper()) << CountingKey;
    QTest::newRow("pasted with spaces")
        << QStringLiteral("  %1\n").arg(CountingBase64) << CountingKey;
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("31 bytes in hex")
        << QString::fromLatin1(CountingKey.left(31).toHex()) << QByteArray();
    QTest::newRow("33 bytes in base64")
        << QString::fromLatin1((CountingKey + 'x').toBase64()) << QByteArray();
    QTest::newRow("hex with a stray letter")
        << QString::fromLatin1(CountingKey.toHex()).replace(10, 1, u'g') << QByteArray();
    QTest::newRow("base64 with a stray character")
        << QString(CountingBase64).replace(5, 1, u'-') << QByteArray();
    QTest::newRow("a fingerprint is not a key") << CountingFingerprint << QByteArray();
}

void tst_Identity::parsesKeyText()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, key);
    QString error;
    const QByteArray parsed = parsePublicKey(text, &error);
    QCOMPARE(parsed, key);
    QCOMPARE(error.isEmpty(), !key.isEmpty());
    QCOMPARE(parsePublicKey(text), key); // the error is optional
}

void tst_Identity::printsKeysThatParseBack()
{
    QCOMPARE(publicKeyToBase64(CountingKey), CountingBase64);
    QCOMPARE(publicKeyToHex(CountingKey), QString::fromLatin1(CountingKey.toHex()));
    const QByteArray key = bytesOf(KeyPair::generate().publicKey);
    QCOMPARE(parsePublicKey(publicKeyToBase64(key)), key);
    QCOMPARE(parsePublicKey(publicKeyToHex(key)), key);
}

// -- known hosts ------------------------------------------------------------------------------

void tst_Identity::knownHostsTrustsOnFirstUseThenRefusesAChange()
{
    const QString file = m_dir->filePath(QStringLiteral("state/known_hosts"));
    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::KnownHosts;
    options.knownHostsFile = file;
    const PeerKeyVerifier verifier(options);
    QVERIFY2(verifier.isValid(), qPrintable(verifier.error()));
    const KeyPair first = KeyPair::generate();
    const KeyPair second = KeyPair::generate();
    const QString host = QStringLiteral("lab.example.org:4000");

    PeerKeyCheck check = verifier.verify(host, keyOf(first));
    QCOMPARE(check.verdict, PeerKeyVerdict::AcceptedFirstUse);
    QVERIFY(check.isAccepted());
    QVERIFY(check.text.contains(fingerprint(first.publicKey)));
    QCOMPARE(modeOf(file), 0600u);
    QFile stored(file);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QVERIFY(stored.readAll().contains(host.toUtf8() + ' ' + bytesOf(first.publicKey).toBase64()
                                      + '\n'));

    check = verifier.verify(host, keyOf(first));
    QCOMPARE(check.verdict, PeerKeyVerdict::Accepted);
    QVERIFY(check.text.contains(QLatin1String("line 2")));

    check = verifier.verify(host, keyOf(second));
    QCOMPARE(check.verdict, PeerKeyVerdict::KeyChanged);
    QVERIFY(!check.isAccepted());
    QVERIFY(check.text.contains(QLatin1String("CHANGED")));
    QVERIFY(check.text.contains(fingerprint(second.publicKey)));
    QVERIFY(check.text.contains(file));

    // Another host, or another port of the same host, is a host of its own.
    QCOMPARE(verifier.verify(QStringLiteral("lab.example.org:4001"), keyOf(second)).verdict,
             PeerKeyVerdict::AcceptedFirstUse);
    QCOMPARE(verifier.verify(QStringLiteral("[::1]:4000"), keyOf(second)).verdict,
             PeerKeyVerdict::AcceptedFirstUse);
    // Host names compare without case; what was remembered survives a new verifier.
    const PeerKeyVerifier later(options);
    QCOMPARE(later.verify(QStringLiteral("LAB.example.org:4000"), keyOf(first)).verdict,
             PeerKeyVerdict::Accepted);
    QCOMPARE(later.verify(host, keyOf(second)).verdict, PeerKeyVerdict::KeyChanged);
    QCOMPARE(later.verify(QStringLiteral("[::1]:4000"), keyOf(second)).verdict,
             PeerKeyVerdict::Accepted);
}

void tst_Identity::reportsMalformedKnownHostsLinesWithNumbers()
{
    const QString file = m_dir->filePath(QStringLiteral("known_hosts"));
    const KeyPair known = KeyPair::generate();
    const QByteArray good = "good.example:1 " + bytesOf(known.publicKey).toBase64() + "\n";
    QByteArray text = "# comment\n"   // 1
                      "\n"            // 2
        + good                        // 3
        + "only-one-field\n"          // 4
          "bad.example:2 not-a-key\n" // 5
          "no-port.example "          // 6
        + bytesOf(known.publicKey).toBase64()
        + "\n"
          "x:99999 " // 7
        + bytesOf(known.publicKey).toBase64() + "\n" + QByteArray("\xff\xfe\x00\x01", 4)
        + "\n"; // 8
    QVERIFY(writeFile(file, text, 0600));

    KnownHosts hosts(file);
    QString error;
    QVERIFY2(hosts.load(error), qPrintable(error));
    QList<int> lines;
    for (const KnownHosts::Problem &p : hosts.problems()) {
        lines.append(p.line);
        QVERIFY(!p.text.isEmpty());
    }
    QCOMPARE(lines, (QList<int>{4, 5, 6, 7, 8}));
    QCOMPARE(hosts.check(u"good.example:1", known.publicKey), KnownHosts::Status::Known);

    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::KnownHosts;
    options.knownHostsFile = file;
    const PeerKeyCheck check = PeerKeyVerifier(options).verify(u"good.example:1", known.publicKey);
    QCOMPARE(check.verdict, PeerKeyVerdict::Accepted);
    QCOMPARE(check.warnings.size(), 5);
    QVERIFY(check.warnings.front().contains(QLatin1String("line 4")));
    QVERIFY(check.warnings.front().contains(file));
}

void tst_Identity::refusesKnownHostsFileWritableByOthers()
{
    const QString file = m_dir->filePath(QStringLiteral("known_hosts"));
    const KeyPair known = KeyPair::generate();
    QVERIFY(writeFile(file, "h:1 " + bytesOf(known.publicKey).toBase64() + "\n", 0666));
    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::KnownHosts;
    options.knownHostsFile = file;
    const PeerKeyCheck check = PeerKeyVerifier(options).verify(u"h:1", known.publicKey);
    QCOMPARE(check.verdict, PeerKeyVerdict::StoreFailed);
    QVERIFY(!check.isAccepted());
    QVERIFY2(check.text.contains(QLatin1String("chmod")), qPrintable(check.text));
    // Readable by others is fine for a list of public keys.
    QCOMPARE(::chmod(QFile::encodeName(file).constData(), 0644), 0);
    QCOMPARE(PeerKeyVerifier(options).verify(u"h:1", known.publicKey).verdict,
             PeerKeyVerdict::Accepted);
}

void tst_Identity::refusesToRememberAMalformedHost()
{
    const QString file = m_dir->filePath(QStringLiteral("known_hosts"));
    KnownHosts hosts(file);
    QString error;
    const PublicKey key = KeyPair::generate().publicKey;
    for (const QString &host :
         {QStringLiteral("no-port"), QStringLiteral("a b:1"), QStringLiteral("x:0"),
          QStringLiteral("::1:80"), QStringLiteral("h:1\nevil:2"), QStringLiteral("#h:1")}) {
        QVERIFY2(!hosts.remember(host, key, error), qPrintable(host));
        QVERIFY(error.contains(QLatin1String("not a host:port")));
    }
    QVERIFY(!QFile::exists(file));
    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::KnownHosts;
    options.knownHostsFile = file;
    QCOMPARE(PeerKeyVerifier(options).verify(u"h:1\nevil:2 AAAA", key).verdict,
             PeerKeyVerdict::StoreFailed);
    QVERIFY(hosts.remember(u"[fe80::1]:80", key, error));
    QVERIFY(hosts.load(error));
    QCOMPARE(hosts.check(u"[fe80::1]:80", key), KnownHosts::Status::Known);
}

// -- pinned, allowlist, any -------------------------------------------------------------------

void tst_Identity::pinnedAcceptsOnlyThePinnedKey_data()
{
    QTest::addColumn<int>("form");
    QTest::newRow("pinned as base64") << 0;
    QTest::newRow("pinned as hex") << 1;
    QTest::newRow("pinned as fingerprint") << 2;
}

void tst_Identity::pinnedAcceptsOnlyThePinnedKey()
{
    QFETCH(int, form);
    const KeyPair server = KeyPair::generate();
    const KeyPair impostor = KeyPair::generate();
    const QByteArray key = bytesOf(server.publicKey);
    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::Pinned;
    options.pinnedKey = form == 0 ? publicKeyToBase64(key)
        : form == 1               ? publicKeyToHex(key)
                                  : publicKeyFingerprint(key);
    const PeerKeyVerifier verifier(options);
    QVERIFY2(verifier.isValid(), qPrintable(verifier.error()));
    const PeerKeyCheck ok = verifier.verify(u"server:1", server.publicKey);
    QCOMPARE(ok.verdict, PeerKeyVerdict::Accepted);
    const PeerKeyCheck no = verifier.verify(u"server:1", impostor.publicKey);
    QCOMPARE(no.verdict, PeerKeyVerdict::Refused);
    QVERIFY(no.text.contains(fingerprint(impostor.publicKey)));
    // A key that differs in its last bit only is another key.
    PublicKey near = server.publicKey;
    near[31] ^= 0x01;
    QCOMPARE(verifier.verify(u"server:1", near).verdict, PeerKeyVerdict::Refused);
}

void tst_Identity::allowlistAcceptsOnlyListedKeys()
{
    const KeyPair a = KeyPair::generate();
    const KeyPair b = KeyPair::generate();
    const KeyPair c = KeyPair::generate();
    SecurityOptions options;
    options.peerKeyPolicy = PeerKeyPolicy::Allowlist;
    options.allowlist = {publicKeyToBase64(bytesOf(a.publicKey)), fingerprint(c.publicKey)};
    const PeerKeyVerifier verifier(options);
    QVERIFY2(verifier.isValid(), qPrintable(verifier.error()));
    QCOMPARE(verifier.verify(u"client:1", a.publicKey).verdict, PeerKeyVerdict::Accepted);
    QCOMPARE(verifier.verify(u"client:2", c.publicKey).verdict, PeerKeyVerdict::Accepted);
    const PeerKeyCheck refused = verifier.verify(u"client:3", b.publicKey);
    QCOMPARE(refused.verdict, PeerKeyVerdict::Refused);
    QVERIFY(refused.text.contains(QLatin1String("allowlist")));
}

void tst_Identity::anyAcceptsUnverifiedWithAWarningText()
{
    const KeyPair peer = KeyPair::generate();
    const PeerKeyVerifier verifier(SecurityOptions{});
    QVERIFY(verifier.isValid());
    const PeerKeyCheck check = verifier.verify(u"anyone:1", peer.publicKey);
    QCOMPARE(check.verdict, PeerKeyVerdict::AcceptedUnverified);
    QVERIFY(check.isAccepted());
    QVERIFY(check.text.contains(fingerprint(peer.publicKey)));
    QVERIFY(check.text.contains(QLatin1String("unverified")));
}

void tst_Identity::refusesUnusableOptions_data()
{
    QTest::addColumn<SecurityOptions>("options");
    QTest::addColumn<QString>("why");
    SecurityOptions pinned;
    pinned.peerKeyPolicy = PeerKeyPolicy::Pinned;
    pinned.pinnedKey = QStringLiteral("not a key");
    QTest::newRow("pinned key that doesn't parse") << pinned << QStringLiteral("pinned key");
    SecurityOptions emptyPin;
    emptyPin.peerKeyPolicy = PeerKeyPolicy::Pinned;
    QTest::newRow("pinned without a key") << emptyPin << QStringLiteral("pinned key");
    SecurityOptions badFingerprint;
    badFingerprint.peerKeyPolicy = PeerKeyPolicy::Pinned;
    badFingerprint.pinnedKey = QStringLiteral("SHA256:tooshort");
    QTest::newRow("truncated fingerprint") << badFingerprint << QStringLiteral("fingerprint");
    SecurityOptions emptyList;
    emptyList.peerKeyPolicy = PeerKeyPolicy::Allowlist;
    QTest::newRow("empty allowlist") << emptyList << QStringLiteral("at least one");
    SecurityOptions badEntry;
    badEntry.peerKeyPolicy = PeerKeyPolicy::Allowlist;
    badEntry.allowlist = {CountingBase64, QStringLiteral("junk")};
    QTest::newRow("allowlist with junk") << badEntry << QStringLiteral("junk");
    SecurityOptions noFile;
    noFile.peerKeyPolicy = PeerKeyPolicy::KnownHosts;
    QTest::newRow("known hosts without a file") << noFile << QStringLiteral("known-hosts file");
}

void tst_Identity::refusesUnusableOptions()
{
    QFETCH(SecurityOptions, options);
    QFETCH(QString, why);
    const PeerKeyVerifier verifier(options);
    QVERIFY(!verifier.isValid());
    QVERIFY2(verifier.error().contains(why), qPrintable(verifier.error()));
    // Whatever the peer presents, even a key the options meant to allow, is refused.
    PublicKey key{};
    QVERIFY(fromByteArray(CountingKey, key));
    const PeerKeyCheck check = verifier.verify(u"h:1", key);
    QCOMPARE(check.verdict, PeerKeyVerdict::Refused);
    QVERIFY(check.text.contains(verifier.error()));
}

QTEST_GUILESS_MAIN(tst_Identity)
#include "tst_identity.moc"
