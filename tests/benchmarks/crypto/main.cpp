// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_crypto: the encrypted channel (lib/src/crypto) on one thread, next to libsodium's own
// ceiling measured in the same run:
//   handshake  full Noise XX handshakes per second, both ends in this process, against the
//              eight X25519 operations a handshake needs (two key generations, six DH);
//   bulk       1 MiB frames encrypted and decrypted through two channels, against one
//              crypto_aead_chacha20poly1305_ietf encrypt+decrypt of 1 MiB, and secretstream;
//   small      64-byte frames, one per feed and 256 per feed, against the same AEAD on 64 B.
// One `figure=... ratio=...` line per figure and baseline (report.h); ratio = Parley / libsodium,
// so 1.00 is the ceiling. Each figure is the best of several alternating rounds. Build in
// Release.

#include "crypto/securechannel_p.h"

#include "report.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

using namespace Parley::Crypto;
using BenchReport::Better;
using BenchReport::printFigure;
using Role = SecureChannel::Role;

namespace {

using Clock = std::chrono::steady_clock;

constexpr qsizetype MiB = 1 << 20;
constexpr int SmallSize = 64;
constexpr int Batch = 256;

void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "bench_crypto: %s\n", what);
        std::exit(1);
    }
}

/// Runs \a once \a count times and returns the seconds taken.
double timeOf(qint64 count, const std::function<void()> &once)
{
    const auto start = Clock::now();
    for (qint64 i = 0; i < count; ++i)
        once();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

const QByteArray &prologue()
{
    static const QByteArray bytes("parley/1PRLY\x01\x01\x00\x00PRLY\x01\x01\x00\x00", 24);
    return bytes;
}

/// Two open channels and the buffers a connection would reuse.
struct Link
{
    KeyPair initiatorKeys = KeyPair::generate();
    KeyPair responderKeys = KeyPair::generate();
    SecureChannel sender{Role::Initiator, initiatorKeys, prologue()};
    SecureChannel receiver{Role::Responder, responderKeys, prologue()};
    QByteArray wire;
    SecureChannel::Output output;

    Link()
    {
        QByteArray m1;
        SecureChannel::Output r1, i2, r3;
        require(sender.start(m1) == ChannelError::None
                    && receiver.feed(m1, r1) == ChannelError::None
                    && sender.feed(r1.toSend, i2) == ChannelError::None
                    && receiver.feed(i2.toSend, r3) == ChannelError::None && r3.opened,
                "the handshake failed");
    }

    /// Encrypts \a count copies of \a frame, feeds them in one call, and returns the frames.
    qsizetype pass(const QByteArray &frame, int count)
    {
        wire.truncate(0);
        for (int i = 0; i < count; ++i) {
            if (sender.encrypt(frame, wire) != ChannelError::None)
                return -1;
        }
        output.frames.clear();
        if (receiver.feed(wire, output) != ChannelError::None)
            return -1;
        return output.frames.size();
    }
};

// -- handshakes ---------------------------------------------------------------------------------

void handshakes(qint64 count, int rounds, bool parleyOnly)
{
    const KeyPair initiatorKeys = KeyPair::generate();
    const KeyPair responderKeys = KeyPair::generate();
    const auto handshake = [&] {
        SecureChannel initiator(Role::Initiator, initiatorKeys, prologue());
        SecureChannel responder(Role::Responder, responderKeys, prologue());
        QByteArray m1;
        SecureChannel::Output r1, i2, r3;
        const bool ok = initiator.start(m1) == ChannelError::None
            && responder.feed(m1, r1) == ChannelError::None
            && initiator.feed(r1.toSend, i2) == ChannelError::None
            && responder.feed(i2.toSend, r3) == ChannelError::None && r3.opened;
        require(ok, "a handshake failed");
    };
    // libsodium's part of it: generate two ephemeral keys, then ee, es, se on each side.
    unsigned char secret[2][32], pub[2][32], peer[32], shared[32];
    randombytes_buf(secret, sizeof secret);
    crypto_scalarmult_curve25519_base(peer, secret[1]);
    const auto x25519 = [&] {
        crypto_scalarmult_curve25519_base(pub[0], secret[0]);
        crypto_scalarmult_curve25519_base(pub[1], secret[1]);
        for (int i = 0; i < 6; ++i)
            require(crypto_scalarmult_curve25519(shared, secret[i & 1], peer) == 0, "x25519");
    };
    double best = 0, ceiling = 0;
    for (int round = 0; round < rounds; ++round) {
        best = std::max(best, double(count) / timeOf(count, handshake));
        if (!parleyOnly)
            ceiling = std::max(ceiling, double(count) / timeOf(count, x25519));
    }
    printFigure("xx_handshakes", best, "handshakes/s", 0, "libsodium_x25519_ops", ceiling,
                Better::Higher);
}

// -- bulk ---------------------------------------------------------------------------------------

void bulk(qint64 count, int rounds, bool parleyOnly)
{
    const QByteArray frame(MiB, '\x5a');
    Link link;
    require(link.pass(frame, 1) == 1 && link.output.frames.front() == frame,
            "a 1 MiB frame did not round-trip");
    const auto parley = [&] { require(link.pass(frame, 1) == 1, "1 MiB pass"); };

    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    std::vector<unsigned char> cipher(static_cast<size_t>(MiB) + 16);
    std::vector<unsigned char> plain(static_cast<size_t>(MiB));
    quint64 counter = 0;
    const auto aead = [&] {
        unsigned char nonce[12] = {};
        std::memcpy(nonce + 4, &counter, 8);
        ++counter;
        unsigned long long n = 0;
        crypto_aead_chacha20poly1305_ietf_encrypt(
            cipher.data(), &n, reinterpret_cast<const unsigned char *>(frame.constData()),
            size_t(MiB), nullptr, 0, nullptr, nonce, key);
        require(crypto_aead_chacha20poly1305_ietf_decrypt(plain.data(), &n, nullptr, cipher.data(),
                                                          cipher.size(), nullptr, 0, nonce, key)
                    == 0,
                "aead");
    };
    crypto_secretstream_xchacha20poly1305_state push, pull;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&push, header, key);
    crypto_secretstream_xchacha20poly1305_init_pull(&pull, header, key);
    std::vector<unsigned char> streamed(size_t(MiB) + crypto_secretstream_xchacha20poly1305_ABYTES);
    const auto secretstream = [&] {
        unsigned long long n = 0;
        unsigned char tag = 0;
        crypto_secretstream_xchacha20poly1305_push(
            &push, streamed.data(), &n, reinterpret_cast<const unsigned char *>(frame.constData()),
            size_t(MiB), nullptr, 0, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
        require(crypto_secretstream_xchacha20poly1305_pull(
                    &pull, plain.data(), &n, &tag, streamed.data(), streamed.size(), nullptr, 0)
                    == 0,
                "secretstream");
    };
    double best = 0, aeadBest = 0, streamBest = 0;
    const double mb = double(MiB) / 1e6;
    for (int round = 0; round < rounds; ++round) {
        best = std::max(best, mb * double(count) / timeOf(count, parley));
        if (parleyOnly)
            continue;
        aeadBest = std::max(aeadBest, mb * double(count) / timeOf(count, aead));
        streamBest = std::max(streamBest, mb * double(count) / timeOf(count, secretstream));
    }
    printFigure("bulk_1mib_encrypt_decrypt", best, "MB/s", 0, "libsodium_chacha20poly1305_ietf",
                aeadBest, Better::Higher);
    printFigure("bulk_1mib_encrypt_decrypt", best, "MB/s", 0, "libsodium_secretstream", streamBest,
                Better::Higher);
}

// -- small frames -------------------------------------------------------------------------------

void small(qint64 count, int rounds, bool parleyOnly)
{
    const QByteArray frame(SmallSize, '\x21');
    Link link;
    require(link.pass(frame, Batch) == Batch && link.output.frames.back() == frame,
            "64-byte frames did not round-trip");
    const auto single = [&] { require(link.pass(frame, 1) == 1, "64 B pass"); };
    const qint64 batches = std::max<qint64>(1, count / Batch);
    const auto batched = [&] { require(link.pass(frame, Batch) == Batch, "64 B batch"); };

    unsigned char key[32], cipher[SmallSize + 16], plain[SmallSize];
    randombytes_buf(key, sizeof key);
    quint64 counter = 0;
    const auto aead = [&] {
        unsigned char nonce[12] = {};
        std::memcpy(nonce + 4, &counter, 8);
        ++counter;
        unsigned long long n = 0;
        crypto_aead_chacha20poly1305_ietf_encrypt(
            cipher, &n, reinterpret_cast<const unsigned char *>(frame.constData()), SmallSize,
            nullptr, 0, nullptr, nonce, key);
        require(crypto_aead_chacha20poly1305_ietf_decrypt(plain, &n, nullptr, cipher, sizeof cipher,
                                                          nullptr, 0, nonce, key)
                    == 0,
                "aead");
    };
    double one = 0, many = 0, ceiling = 0;
    for (int round = 0; round < rounds; ++round) {
        one = std::max(one, double(count) / timeOf(count, single));
        many = std::max(many, double(batches * Batch) / timeOf(batches, batched));
        if (!parleyOnly)
            ceiling = std::max(ceiling, double(count) / timeOf(count, aead));
    }
    printFigure("small_64b_one_per_feed", one, "frames/s", 0, "libsodium_chacha20poly1305_ietf",
                ceiling, Better::Higher);
    printFigure("small_64b_256_per_feed", many, "frames/s", 0, "libsodium_chacha20poly1305_ietf",
                ceiling, Better::Higher);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures Parley's encrypted channel next to libsodium's own speed in "
                       "the same run."));
    parser.addHelpOption();
    const QString n = QStringLiteral("n");
    parser.addOptions({
        {QStringLiteral("quick"), QStringLiteral("Smoke run with small counts.")},
        {QStringLiteral("handshakes"), QStringLiteral("Handshakes per round (default 4000)."), n},
        {QStringLiteral("bulk"), QStringLiteral("1 MiB frames per round (default 400)."), n},
        {QStringLiteral("small"), QStringLiteral("64-byte frames per round (default 500000)."), n},
        {QStringLiteral("rounds"), QStringLiteral("Rounds; the best is kept (default 5)."), n},
        {QStringLiteral("only"), QStringLiteral("Comma-separated figures: handshake, bulk, small."),
         QStringLiteral("list")},
        {QStringLiteral("parley-only"), QStringLiteral("Skip the baselines (for profiling).")},
    });
    parser.process(app);
    const bool quick = parser.isSet(QStringLiteral("quick"));
    const qint64 handshakeCount = BenchReport::countOption(
        "bench_crypto", parser, QStringLiteral("handshakes"), quick ? 100 : 4000);
    const qint64 bulkCount = BenchReport::countOption("bench_crypto", parser,
                                                      QStringLiteral("bulk"), quick ? 10 : 400);
    const qint64 smallCount = BenchReport::countOption(
        "bench_crypto", parser, QStringLiteral("small"), quick ? 5000 : 500000);
    const int rounds = int(
        BenchReport::countOption("bench_crypto", parser, QStringLiteral("rounds"), quick ? 1 : 5));
    const QStringList only = BenchReport::onlyOption(
        "bench_crypto", parser,
        {QStringLiteral("handshake"), QStringLiteral("bulk"), QStringLiteral("small")});
    const bool parleyOnly = parser.isSet(QStringLiteral("parley-only"));
    ensureSodium();

    std::printf("# libsodium %s; handshakes=%lld bulk=%lld small=%lld rounds=%d\n",
                sodium_version_string(), static_cast<long long>(handshakeCount),
                static_cast<long long>(bulkCount), static_cast<long long>(smallCount), rounds);
    std::fflush(stdout);
    if (only.contains(QStringLiteral("handshake")))
        handshakes(handshakeCount, rounds, parleyOnly);
    if (only.contains(QStringLiteral("bulk")))
        bulk(bulkCount, rounds, parleyOnly);
    if (only.contains(QStringLiteral("small")))
        small(smallCount, rounds, parleyOnly);
    return 0;
}
