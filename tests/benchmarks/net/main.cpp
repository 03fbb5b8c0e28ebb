// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_net: Parley over loopback TCP next to plain QTcpSocket, ZeroMQ and Qt Remote Objects,
// measured in the same run (see net_baselines.h): round trip with one request outstanding,
// pipelined requests (window 1000), one-way 64-byte messages, one-way 1 MiB messages, and
// 10,000 idle connections (accept rate and memory). The figures ending in _encrypted measure
// the same over encrypted connections (Noise XX, docs/security.md) next to the plain figure of
// the same run and to libsodium's ChaCha20-Poly1305 on one core, the ceiling. Client and server are
// two runtimes of one worker each, so Parley runs on two threads like the baselines. One
// `figure=... ratio=...` line per figure and baseline; ratio > 1: Parley is better. Every selected
// figure prints its lines: one that could not be measured prints nan and says why after a `#`; the
// exit status is 1 when a Parley step failed, 0 otherwise.

#include "net_baselines.h"
#include "report.h"

#include <parley/parley.h>

#include <sodium.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QMutex>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <malloc.h>
#include <memory>
#include <thread>

namespace Bench {

/// A request and its reply, with a 64-byte payload.
struct Ping
{
    qint64 n = 0;
    QByteArray payload;
};
struct Pong
{
    qint64 n = 0;
    QByteArray payload;
};
/// A one-way message; the server acknowledges every AckEvery of them with Progress.
struct Tick
{
    qint64 n = 0;
    QByteArray payload;
};
struct Progress
{
    qint64 received = 0;
};
PARLEY_MESSAGE(Ping, n, payload)
PARLEY_MESSAGE(Pong, n, payload)
PARLEY_MESSAGE(Tick, n, payload)
PARLEY_MESSAGE(Progress, received)

} // namespace Bench

namespace {

using namespace Parley;
using namespace Bench;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStepLimit = 120s;
constexpr qint64 AckEvery = 1000;
bool g_parleyOnly = false;
bool g_failed = false; // a Parley step failed: the exit status says so once every line is out

using BenchReport::Better;
using BenchReport::printFigure;

const double kNaN = std::nan("");

/// Holds a Parley value, or NaN and why it could not be measured.
struct Measured
{
    double value = kNaN;
    QString why;

    bool ok() const { return !std::isnan(value); }
    /// Returns \a f applied to the value, or this failure.
    template <class F>
    Measured then(F f) const
    {
        return ok() ? Measured{f(value), {}} : *this;
    }
    /// Returns a failure of a Parley step (which the exit status reports).
    static Measured failed(QString why)
    {
        g_failed = true;
        return {kNaN, std::move(why)};
    }
};

/// Prints \a figure's line against \a baseline, measured now unless --parley-only.
void report(const char *figure, const Measured &parley, const char *unit, int precision,
            const char *baseline, const std::function<double()> &measureBaseline, Better better)
{
    const double base = g_parleyOnly ? kNaN : measureBaseline();
    printFigure(figure, parley.value, unit, precision, baseline, base, better,
                BenchReport::missingNote(parley.value, parley.why, base,
                                         g_parleyOnly ? QStringLiteral("skipped (--parley-only)")
                                                      : QString()));
}

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

ConnectionOptions benchOptions(qsizetype maxFrame = 1 << 20, bool encrypted = false)
{
    ConnectionOptions o;
    o.maxFrameSize = maxFrame;
    o.encrypted = encrypted;
    return o;
}

/// Serves the benchmark: echoes every Ping as a Pong and counts Ticks, acknowledging every
/// `ackEvery` of them with Progress. Tells the benchmark its port through \a port.
class Echo : public Machine
{
public:
    Echo(ConnectionOptions options, qint64 ackEvery, std::shared_ptr<quint16> port)
        : m_ackEvery(ackEvery)
    {
        on<Start>([this, options] {
            Parley::listenAt(*this, {QStringLiteral("127.0.0.1"), 0}, options);
        });
        on<Listening>([port](const Listening &l) { *port = l.bound.port; });
        on<Ping>([this](Ping &p) { reply(Pong{p.n, std::move(p.payload)}); });
        // Acknowledged by the sender's own sequence number: every client counts from 0.
        on<Tick>([this](const Tick &t) {
            if ((t.n + 1) % m_ackEvery == 0)
                reply(Progress{t.n + 1});
        });
        on<Accepted>([] {});
        on<Abandoned>([] {});
        on<Closed>([] {});
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    qint64 m_ackEvery;
};

/// Connects, then runs one of the client patterns and completes with the elapsed seconds.
class Client : public Machine
{
public:
    enum class Mode { RoundTrip, Pipelined, OneWay };
    Client(Mode mode, quint16 port, qint64 count, qint64 window, int payloadSize,
           ConnectionOptions options)
        : m_mode(mode), m_count(count), m_window(window), m_payload(payloadSize, 'p')
    {
        on<Start>([this, port, options] {
            Parley::connectTo(*this, {QStringLiteral("127.0.0.1"), port}, options);
        });
        on<NotConnected>([this](const NotConnected &n) { complete(Value(n)); });
        on<Connected>([this] {
            m_server = returnAddress();
            m_start = Clock::now();
            run();
        });
        on<Pong>([this] {
            ++m_done;
            if (m_done == m_count)
                return finish();
            if (m_sent < m_count)
                sendPing();
        });
        on<Progress>([this](const Progress &p) {
            m_done = p.received;
            if (m_done >= m_count)
                return finish();
            run();
        });
        on<Faulted>([this](Faulted &f) { complete(std::move(f)); });
        on<Abandoned>([this](Abandoned &a) { complete(std::move(a)); });
    }

private:
    void sendPing() { send(Ping{m_sent++, m_payload}, m_server); }
    void run()
    {
        switch (m_mode) {
        case Mode::RoundTrip:
            sendPing();
            break;
        case Mode::Pipelined:
            while (m_sent < m_count && m_sent - m_done < m_window)
                sendPing();
            break;
        case Mode::OneWay:
            // Keep at most `window` messages beyond the last acknowledged.
            while (m_sent < m_count && m_sent - m_done < m_window)
                send(Tick{m_sent++, m_payload}, m_server);
            break;
        }
    }
    void finish()
    {
        const double s = seconds(Clock::now() - m_start);
        send(Close{}, m_server);
        complete(Value(Progress{qint64(s * 1e9)}));
    }

    Mode m_mode;
    qint64 m_count;
    qint64 m_window;
    QByteArray m_payload;
    Address m_server;
    qint64 m_sent = 0;
    qint64 m_done = 0;
    Clock::time_point m_start;
};

/// Returns the options of a rig's runtime: one worker, and time enough to close 10,000
/// connections cleanly when the rig ends (the default 3 s is not: what is left is then ended by
/// force, which is correct but not what a benchmark should measure its way out of).
Runtime::Options rigOptions(const char *name)
{
    return Runtime::Options{.workers = 1, .name = QString::fromLatin1(name), .stopGrace = 60s};
}

/// One server runtime and one client runtime, a worker each.
struct Rig
{
    std::unique_ptr<Runtime> server{new Runtime(rigOptions("server"))};
    std::unique_ptr<Runtime> client{new Runtime(rigOptions("client"))};
    std::shared_ptr<quint16> port = std::make_shared<quint16>(0);
    Address echo;

    /// Starts the echo server; returns why it could not (empty once it listens).
    QString start(ConnectionOptions options, qint64 ackEvery)
    {
        echo = server->create<Echo>(options, ackEvery, port);
        const auto deadline = Clock::now() + 10s;
        while (*port == 0 && Clock::now() < deadline)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        return *port != 0 ? QString() : QStringLiteral("the server did not listen within 10 s");
    }
    /// Runs a client; returns its elapsed seconds, or why it failed.
    Measured run(Client::Mode mode, qint64 count, qint64 window, int payload,
                 ConnectionOptions options)
    {
        const Address c = client->create<Client>(mode, *port, count, window, payload, options);
        const auto v = client->waitForCompletion(c, kStepLimit);
        if (!v || !v->is<Progress>()) {
            const QString why = v ? QStringLiteral("the client failed: %1").arg(toText(*v))
                                  : QStringLiteral("the client had no result within %1 s")
                                        .arg(std::chrono::seconds(kStepLimit).count());
            std::fprintf(stderr, "bench_net: %s\n", qPrintable(why));
            return Measured::failed(why);
        }
        return {double(v->get<Progress>().received) / 1e9, {}};
    }
};

/// Starts a rig with \a options and \a ackEvery, warms it up with \a warmup and returns what
/// \a timed measures on it.
template <class Warmup, class Timed>
Measured onRig(ConnectionOptions options, qint64 ackEvery, Warmup warmup, Timed timed)
{
    Rig rig;
    if (const QString why = rig.start(options, ackEvery); !why.isEmpty())
        return Measured::failed(why);
    if (const Measured w = warmup(rig); !w.ok())
        return w;
    return timed(rig);
}

void roundTrip(qint64 n)
{
    const Measured parley = onRig(
        benchOptions(), AckEvery,
        [](Rig &rig) { return rig.run(Client::Mode::RoundTrip, 1000, 1, 64, benchOptions()); },
        [n](Rig &rig) {
            return rig.run(Client::Mode::RoundTrip, n, 1, 64, benchOptions()).then([n](double s) {
                return s * 1e6 / double(n);
            });
        });
    report(
        "tcp_round_trip", parley, "us", 2, "qt_tcp_pingpong",
        [n] { return NetBaselines::qtTcpPingPongMicros(int(n)); }, Better::Lower);
#ifdef PARLEY_HAVE_ZMQ
    report(
        "tcp_round_trip", parley, "us", 2, "zmq_req_rep",
        [n] { return NetBaselines::zmqReqRepMicros(int(n)); }, Better::Lower);
#endif
#ifdef PARLEY_HAVE_QTRO
    report(
        "tcp_round_trip", parley, "us", 2, "qtro_ping",
        [n] { return NetBaselines::qtroPingPongMicros(int(n)); }, Better::Lower);
#endif
}

Measured measurePipelined(qint64 n, bool encrypted = false)
{
    const ConnectionOptions o = benchOptions(1 << 20, encrypted);
    return onRig(
        o, AckEvery,
        [&o](Rig &rig) { return rig.run(Client::Mode::Pipelined, 10000, 1000, 64, o); },
        [n, &o](Rig &rig) {
            return rig.run(Client::Mode::Pipelined, n, 1000, 64, o).then([n](double s) {
                return double(n) / s;
            });
        });
}

void pipelined(qint64 n)
{
    const Measured parley = measurePipelined(n);
    report(
        "tcp_pipelined_round_trips", parley, "rt/s", 0, "qt_tcp_pipelined",
        [n] { return NetBaselines::qtTcpPipelinedRoundTripsPerSec(int(n), 1000); }, Better::Higher);
}

void oneWay(qint64 n)
{
    const Measured parley = onRig(
        benchOptions(), AckEvery,
        [](Rig &rig) {
            return rig.run(Client::Mode::OneWay, 10 * AckEvery, 50 * AckEvery, 64, benchOptions());
        },
        [n](Rig &rig) {
            return rig.run(Client::Mode::OneWay, n, 50 * AckEvery, 64, benchOptions())
                .then([n](double s) { return double(n) / s; });
        });
    report(
        "tcp_one_way_messages", parley, "msg/s", 0, "qt_tcp_one_way",
        [n] { return NetBaselines::qtTcpOneWayMessagesPerSec(int(n)); }, Better::Higher);
#ifdef PARLEY_HAVE_ZMQ
    report(
        "tcp_one_way_messages", parley, "msg/s", 0, "zmq_push_pull",
        [n] { return NetBaselines::zmqPushPullMessagesPerSec(int(n)); }, Better::Higher);
#endif
#ifdef PARLEY_HAVE_QTRO
    report(
        "tcp_one_way_messages", parley, "msg/s", 0, "qtro_push",
        [n] { return NetBaselines::qtroPushMessagesPerSec(int(n)); }, Better::Higher);
#endif
}

Measured measureBulk(qint64 n, bool encrypted = false)
{
    const int size = 1 << 20;
    const ConnectionOptions o = benchOptions(2 << 20, encrypted);
    return onRig(
        o, 1, [&o](Rig &rig) { return rig.run(Client::Mode::OneWay, 16, 4, size, o); },
        [n, &o](Rig &rig) {
            return rig.run(Client::Mode::OneWay, n, 4, size, o).then([n](double s) {
                return double(n) * size / s / 1e9;
            });
        });
}

void bulk(qint64 n)
{
    const int size = 1 << 20;
    const Measured parley = measureBulk(n);
    report(
        "tcp_one_way_1mib", parley, "GB/s", 3, "qt_tcp_1mib",
        [n] { return NetBaselines::qtTcpOneWayGBps(int(n), size); }, Better::Higher);
#ifdef PARLEY_HAVE_ZMQ
    report(
        "tcp_one_way_1mib", parley, "GB/s", 3, "zmq_1mib",
        [n] { return NetBaselines::zmqPushPullGBps(int(n), size); }, Better::Higher);
#endif
}

/// What an Opener reports to the benchmark's thread.
struct OpenState
{
    std::atomic<qint64> openNs{0}; ///< the time to open them all, once they are
    std::atomic<bool> failed{false};
    QMutex lock;
    QString why;
};

/// Opens `count` connections from one machine, at most `window` not yet answered at a time,
/// says when all are up, and keeps them open until stopped.
class Opener : public Machine
{
public:
    Opener(quint16 port, int count, int window, std::shared_ptr<OpenState> state,
           ConnectionOptions options = {})
        : m_port(port), m_count(count), m_window(window), m_options(std::move(options)),
          m_state(std::move(state))
    {
        on<Start>([this] {
            m_start = Clock::now();
            more();
        });
        on<Connected>([this] {
            ++m_connected;
            if (m_connected == m_count)
                m_state->openNs = qint64(seconds(Clock::now() - m_start) * 1e9);
            else
                more();
        });
        on<NotConnected>([this](NotConnected &n) { fail(Value(std::move(n))); });
        on<Abandoned>([this](Abandoned &a) { fail(Value(std::move(a))); });
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    void more()
    {
        while (m_opened < m_count && m_opened - m_connected < m_window) {
            ++m_opened;
            Parley::connectTo(*this, {QStringLiteral("127.0.0.1"), m_port}, m_options);
        }
    }
    void fail(Value why)
    {
        {
            QMutexLocker l(&m_state->lock);
            m_state->why = toText(why);
        }
        m_state->failed = true;
        complete(std::move(why));
    }
    quint16 m_port;
    int m_count, m_window;
    ConnectionOptions m_options;
    int m_opened = 0, m_connected = 0;
    Clock::time_point m_start;
    std::shared_ptr<OpenState> m_state;
};

/// Does nothing: one of the idle machines of the idle CPU figure.
class Idle : public Machine
{
public:
    Idle()
    {
        on<Stop>([this] { complete(Aborted{}); });
    }
};

/// Longer than the default heartbeat interval (5 s), so that the window sees the pings.
constexpr double kIdleSeconds = 10.0;
constexpr double kIdleSettleSeconds = 2.0;
constexpr int kIdleMachines = 1000;

void idleConnections(int n)
{
    // Two descriptors per connection pair, plus what the process already holds.
    const long long limit = NetBaselines::raiseFileLimit();
    if (limit > 0 && 2LL * n + 256 > limit) {
        const int fewer = int(std::max(0LL, (limit - 256) / 2));
        std::printf("# idle connections: RLIMIT_NOFILE is %lld; %d connections instead of %d\n",
                    limit, fewer, n);
        n = fewer;
    }
    if (n < 1) {
        const QString why
            = QStringLiteral("RLIMIT_NOFILE of %1 leaves no room for them").arg(limit);
        printFigure("idle_connections_accept_rate", kNaN, "conn/s", 0, "qt_tcp_accept", kNaN,
                    Better::Higher, BenchReport::missingNote(kNaN, why, kNaN, why));
        printFigure("idle_connections_bytes", kNaN, "B/pair", 0, "qt_tcp_accept", kNaN,
                    Better::Lower, BenchReport::missingNote(kNaN, why, kNaN, why));
        return;
    }
    const auto baseline = g_parleyOnly ? NetBaselines::ConnectionCost{0, kNaN, kNaN, kNaN, kNaN}
                                       : NetBaselines::qtTcpAcceptRatePerSec(n, kIdleSeconds);
    const QString baselineWhy
        = g_parleyOnly ? QStringLiteral("skipped (--parley-only)") : QString();

    Measured rate, bytes, heap, cpu;
    {
        Rig rig;
        // The listener measured must take the whole burst. The opener keeps at most 200
        // connects unanswered, but the listener counts a connection as pending until it has
        // handled its greeting, which lags behind the client's Connected (the listener's thread
        // accepts a whole backlog at once): with the default maxPending of 256 it refused some.
        ConnectionOptions o;
        o.maxConnections = n + 10;
        o.maxPending = n + 10;
        if (const QString why = rig.start(o, AckEvery); !why.isEmpty()) {
            rate = bytes = heap = cpu = Measured::failed(why);
        } else {
            ::malloc_trim(0); // RSS before and after: both with the free memory given back
            const long long before = NetBaselines::residentBytes();
            const long long heapBefore = NetBaselines::heapBytes();
            auto state = std::make_shared<OpenState>();
            rig.client->create<Opener>(*rig.port, n, 200, state);
            const auto deadline = Clock::now() + kStepLimit;
            while (state->openNs == 0 && !state->failed && Clock::now() < deadline)
                std::this_thread::sleep_for(1ms);
            if (state->openNs == 0) {
                QString why;
                {
                    QMutexLocker l(&state->lock);
                    why = state->failed
                        ? QStringLiteral("opening connections failed: %1").arg(state->why)
                        : QStringLiteral("the connections were not open within %1 s")
                              .arg(std::chrono::seconds(kStepLimit).count());
                }
                std::fprintf(stderr, "bench_net: %s\n", qPrintable(why));
                rate = bytes = heap = cpu = Measured::failed(why);
            } else {
                const double s = double(state->openNs) / 1e9;
                rate = {n / s, {}};
                // The listener is still taking the last greetings when the opener hears its
                // last Connected: memory and the idle cost are measured once that has settled,
                // with every connection still open.
                NetBaselines::idleCpuPercent(kIdleSettleSeconds);
                ::malloc_trim(0);
                const long long after = NetBaselines::residentBytes();
                bytes = {double(after - before) / n, {}};
                heap = {double(NetBaselines::heapBytes() - heapBefore) / n, {}};
                for (int i = 0; i < kIdleMachines; ++i)
                    rig.server->create<Idle>();
                cpu = {NetBaselines::idleCpuPercent(kIdleSeconds), {}};
            }
        }
    }
    printFigure(
        "idle_connections_accept_rate", rate.value, "conn/s", 0, "qt_tcp_accept",
        baseline.acceptsPerSecond, Better::Higher,
        BenchReport::missingNote(rate.value, rate.why, baseline.acceptsPerSecond, baselineWhy));
    printFigure(
        "idle_connections_bytes", bytes.value, "B/pair", 0, "qt_tcp_accept",
        baseline.bytesPerConnection, Better::Lower,
        BenchReport::missingNote(bytes.value, bytes.why, baseline.bytesPerConnection, baselineWhy));
    printFigure(
        "idle_connections_heap", heap.value, "B/pair", 0, "qt_tcp_accept",
        baseline.heapPerConnection, Better::Lower,
        BenchReport::missingNote(heap.value, heap.why, baseline.heapPerConnection, baselineWhy));
    std::printf("# idle_cpu: the process's CPU time over %.0f s (after %.0f s to settle) while the "
                "%d connection pairs (and, for Parley, %d machines) stay idle, default "
                "heartbeats on, in %% of one core\n",
                kIdleSeconds, kIdleSettleSeconds, n, kIdleMachines);
    printFigure("idle_cpu", cpu.value, "%core", 3, "qt_tcp_idle", baseline.idleCpuPercent,
                Better::Lower,
                BenchReport::missingNote(cpu.value, cpu.why, baseline.idleCpuPercent, baselineWhy));
#ifdef PARLEY_HAVE_ZMQ
    // Like with like: ZeroMQ connections with ZMTP heartbeats at Parley's default interval.
    const double zmqCpu = g_parleyOnly
        ? kNaN
        : NetBaselines::zmqIdleCpuPercent(n, int(ConnectionOptions{}.heartbeatInterval.count()),
                                          kIdleSeconds);
    printFigure("idle_cpu", cpu.value, "%core", 3, "zmq_heartbeats_idle", zmqCpu, Better::Lower,
                BenchReport::missingNote(cpu.value, cpu.why, zmqCpu, baselineWhy));
#endif
}

// -- encrypted ----------------------------------------------------------------------------------

/// Returns libsodium's ChaCha20-Poly1305 IETF speed on one core, encrypting \a size-byte
/// messages in place with a counter nonce (what a record costs the sender), in GB/s.
double sodiumAeadGBps(qint64 n, int size)
{
    if (sodium_init() < 0)
        return kNaN;
    std::vector<unsigned char> buffer(size_t(size), 0x5a);
    unsigned char key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
    unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
    unsigned char tag[crypto_aead_chacha20poly1305_ietf_ABYTES];
    randombytes_buf(key, sizeof key);
    const auto start = Clock::now();
    for (qint64 i = 0; i < n; ++i) {
        std::memcpy(nonce + 4, &i, sizeof i);
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(buffer.data(), tag, nullptr,
                                                           buffer.data(), buffer.size(), nullptr, 0,
                                                           nullptr, nonce, key);
    }
    return double(n) * size / seconds(Clock::now() - start) / 1e9;
}

/// Opens \a n connections (at most 50 unanswered), encrypted or not; returns connections/s.
Measured measureConnects(int n, bool encrypted)
{
    ConnectionOptions o;
    o.encrypted = encrypted;
    o.maxConnections = n + 10;
    o.maxPending = n + 10;
    Rig rig;
    if (const QString why = rig.start(o, AckEvery); !why.isEmpty())
        return Measured::failed(why);
    auto state = std::make_shared<OpenState>();
    rig.client->create<Opener>(*rig.port, n, 50, state, o);
    const auto deadline = Clock::now() + kStepLimit;
    while (state->openNs == 0 && !state->failed && Clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    if (state->openNs == 0) {
        QMutexLocker l(&state->lock);
        return Measured::failed(
            state->failed ? QStringLiteral("opening connections failed: %1").arg(state->why)
                          : QStringLiteral("the connections were not open in time"));
    }
    return {n / (double(state->openNs) / 1e9), {}};
}

void secure(qint64 bulkCount, qint64 messages, int connections)
{
    const int size = 1 << 20;
    // Plain and encrypted alternate in one run, so both meet the same machine.
    const Measured plainBulk = measureBulk(bulkCount);
    const Measured sealedBulk = measureBulk(bulkCount, true);
    printFigure(
        "tcp_one_way_1mib_encrypted", sealedBulk.value, "GB/s", 3, "parley_plain_1mib",
        plainBulk.value, Better::Higher,
        BenchReport::missingNote(sealedBulk.value, sealedBulk.why, plainBulk.value, plainBulk.why));
    const double ceiling = sodiumAeadGBps(std::max<qint64>(bulkCount, 200), size);
    printFigure("tcp_one_way_1mib_encrypted", sealedBulk.value, "GB/s", 3,
                "libsodium_chacha20poly1305_ietf_1mib", ceiling, Better::Higher,
                BenchReport::missingNote(sealedBulk.value, sealedBulk.why, ceiling));

    const Measured plainPipe = measurePipelined(messages);
    const Measured sealedPipe = measurePipelined(messages, true);
    printFigure(
        "tcp_pipelined_round_trips_encrypted", sealedPipe.value, "rt/s", 0,
        "parley_plain_pipelined", plainPipe.value, Better::Higher,
        BenchReport::missingNote(sealedPipe.value, sealedPipe.why, plainPipe.value, plainPipe.why));

    // A connection each: TCP, preambles, the handshake (encrypted), Connected. Server and client
    // each on one worker: the figure is the cost of a whole handshake on one core per end.
    const Measured plainConnects = measureConnects(connections, false);
    const Measured sealedConnects = measureConnects(connections, true);
    printFigure("tcp_connects_encrypted", sealedConnects.value, "conn/s", 0,
                "parley_plain_connects", plainConnects.value, Better::Higher,
                BenchReport::missingNote(sealedConnects.value, sealedConnects.why,
                                         plainConnects.value, plainConnects.why));
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_NO_GLIB", "1"); // the baselines' threads get the dispatcher Parley's workers use
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures Parley over loopback TCP next to QTcpSocket, ZeroMQ and Qt "
                       "Remote Objects in the same run."));
    parser.addHelpOption();
    const QString n = QStringLiteral("n");
    parser.addOptions({
        {QStringLiteral("quick"), QStringLiteral("Smoke run with small counts.")},
        {QStringLiteral("round-trips"), QStringLiteral("Round trips (default 20000)."), n},
        {QStringLiteral("messages"),
         QStringLiteral("Pipelined and one-way messages (default 1000000)."), n},
        {QStringLiteral("bulk"), QStringLiteral("1 MiB messages (default 2000)."), n},
        {QStringLiteral("connections"), QStringLiteral("Idle connections (default 10000)."), n},
        {QStringLiteral("only"),
         QStringLiteral("Comma-separated figures: round_trip, pipelined, one_way, bulk, idle, "
                        "secure."),
         QStringLiteral("list")},
        {QStringLiteral("parley-only"), QStringLiteral("Skip the baselines (for profiling).")},
    });
    parser.process(app);
    const bool quick = parser.isSet(QStringLiteral("quick"));
    const qint64 roundTrips = BenchReport::countOption(
        "bench_net", parser, QStringLiteral("round-trips"), quick ? 2000 : 20000);
    const qint64 messages = BenchReport::countOption(
        "bench_net", parser, QStringLiteral("messages"), quick ? 50000 : 1000000);
    const qint64 bulkCount
        = BenchReport::countOption("bench_net", parser, QStringLiteral("bulk"), quick ? 100 : 2000);
    const qint64 connections = BenchReport::countOption(
        "bench_net", parser, QStringLiteral("connections"), quick ? 500 : 10000);
    const QStringList only = BenchReport::onlyOption(
        "bench_net", parser,
        {QStringLiteral("round_trip"), QStringLiteral("pipelined"), QStringLiteral("one_way"),
         QStringLiteral("bulk"), QStringLiteral("idle"), QStringLiteral("secure")});
    g_parleyOnly = parser.isSet(QStringLiteral("parley-only"));

    std::printf("# Qt %s; round_trips=%lld messages=%lld bulk=%lld connections=%lld\n", qVersion(),
                static_cast<long long>(roundTrips), static_cast<long long>(messages),
                static_cast<long long>(bulkCount), static_cast<long long>(connections));
    std::fflush(stdout);
    if (only.contains(QStringLiteral("round_trip")))
        roundTrip(roundTrips);
    if (only.contains(QStringLiteral("pipelined")))
        pipelined(messages);
    if (only.contains(QStringLiteral("one_way")))
        oneWay(messages);
    if (only.contains(QStringLiteral("bulk")))
        bulk(bulkCount);
    if (only.contains(QStringLiteral("idle")))
        idleConnections(int(connections));
    if (only.contains(QStringLiteral("secure")))
        secure(bulkCount, messages, int(std::min<qint64>(connections, 2000)));
    return g_failed ? 1 : 0;
}
