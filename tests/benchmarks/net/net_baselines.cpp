// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "net_baselines.h"

#include "benchkit.h"

#include <QAbstractSocket>
#include <QByteArray>
#include <QHostAddress>
#include <QMetaObject>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#ifdef PARLEY_HAVE_QTRO
#include <QRemoteObjectHost>
#include <QRemoteObjectNode>
#include <QRemoteObjectPendingCall>
#include <QRemoteObjectPendingCallWatcher>
#include <QUrl>

#include "rep_netbench_merged.h"
#endif

#ifdef PARLEY_HAVE_ZMQ
#include <zmq.h>

#include <cerrno>
#include <thread>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace NetBaselines {

namespace {

using BenchKit::Clock;
using BenchKit::Completion;
using BenchKit::EventThread;
using BenchKit::kNaN;
using BenchKit::LoopbackPair;
using BenchKit::secondsBetween;
using BenchKit::setLowDelay;

constexpr int kWarmupRoundTrips = 1000;
constexpr int kRecordSize = 64;
constexpr qint64 kMaxQueuedBytes = qint64(4) << 20;
constexpr int kMaxConnectsInFlight = 256;
constexpr int kListenBacklog = 1024;
// File descriptors kept free for everything else when sizing the connection test.
constexpr long long kSpareFileDescriptors = 64;

constexpr auto kTimeCap = BenchKit::timeCap(kTimeCapSeconds);

void warnTimeCap(const char *what, long long done, long long wanted)
{
    BenchKit::warnTimeCap("NetBaselines", what, kTimeCapSeconds, done, wanted);
}

void warn(const char *what, const char *message)
{
    std::fprintf(stderr, "NetBaselines::%s: %s\n", what, message);
}

// Waits until `state.done` or `deadline`; on a time-out, stops `state`'s clock in `thread` (the
// thread that would have stopped it) unless it finished meanwhile. Returns whether it was done
// in time.
template <class State>
bool awaitOrStopClock(State &state, EventThread &thread, Clock::time_point deadline)
{
    if (state.done.waitUntil(deadline))
        return true;
    thread.run([s = &state] {
        if (!s->finished) {
            s->end = Clock::now();
            s->finished = true;
        }
    });
    return false;
}

// Returns `count` per second from `start` to `end`, or NaN when there is no figure.
double ratePerSecond(qint64 count, Clock::time_point start, Clock::time_point end)
{
    const double seconds = secondsBetween(start, end);
    return count > 0 && seconds > 0.0 ? double(count) / seconds : kNaN;
}

// Writes the 64-bit `value` into the first 8 bytes of `record`.
void stamp(char *record, qint64 value)
{
    std::memcpy(record, &value, sizeof value);
}

qint64 stampOf(const char *record)
{
    qint64 value = 0;
    std::memcpy(&value, record, sizeof value);
    return value;
}

// --- A connected QTcpSocket pair in two threads -------------------------------------------------

// The server socket lives in `server`, the client socket in `client`. State used by handlers
// installed on the sockets must outlive the pair's threads: declare it before the pair.
class TcpPair : public LoopbackPair
{
public:
    TcpPair() : LoopbackPair("net-server", "net-client") {}

    // Listens on 127.0.0.1:0 in the server thread, connects from the client thread and waits
    // until both ends are set up; the server takes one connection. Returns false (after a
    // warning) on failure.
    bool open(const char *what)
    {
        Hooks hooks;
        hooks.accepted = [](QTcpServer *listener, QTcpSocket *socket, Completion &ready) {
            if (listener->isListening()) {
                listener->close();
                ready.signal();
            } else {
                socket->abort();
            }
        };
        hooks.connected = [](QTcpSocket *, Completion &ready) { ready.signal(); };
        return LoopbackPair::open("NetBaselines", what, std::move(hooks));
    }
};

// Makes `socket` echo everything it reads.
void echoAll(QTcpSocket *socket)
{
    QObject::connect(socket, &QIODevice::readyRead, socket, [socket] {
        socket->write(socket->readAll());
        socket->flush();
    });
}

// --- QTcpSocket ping-pong -----------------------------------------------------------------------

struct TcpPingPongState
{
    QTcpSocket *socket = nullptr;
    std::array<char, kRecordSize> request{};
    qint64 warmup = 0;
    qint64 total = 0;
    qint64 counter = 0; // requests sent
    bool started = false;
    bool finished = false;
    Clock::time_point start;
    Clock::time_point end;
    qint64 completed = 0; // timed round trips
    Completion done;
};

// Client thread; one call per completed round trip.
void tcpPingStep(TcpPingPongState *state)
{
    if (state->counter == state->warmup) {
        state->started = true;
        state->start = Clock::now();
    }
    if (state->counter == state->total) {
        state->end = Clock::now();
        state->completed = state->total - state->warmup;
        state->finished = true;
        state->done.signal();
        return;
    }
    ++state->counter;
    stamp(state->request.data(), state->counter);
    state->socket->write(state->request.data(), kRecordSize);
    state->socket->flush();
}

// --- QTcpSocket pipelined round trips -----------------------------------------------------------

struct TcpPipelineState
{
    QTcpSocket *socket = nullptr;
    qint64 total = 0;
    qint64 window = 0;
    qint64 sent = 0;
    qint64 received = 0;
    bool finished = false;
    bool corrupt = false;
    Clock::time_point start;
    Clock::time_point end;
    std::array<char, kRecordSize> record{};
    QByteArray readBuffer;
    Completion done;
};

// Client thread: writes `count` records, one write() each, then flushes.
void pipelineSend(TcpPipelineState *state, qint64 count)
{
    for (qint64 i = 0; i < count; ++i) {
        stamp(state->record.data(), state->sent++);
        state->socket->write(state->record.data(), kRecordSize);
    }
    state->socket->flush();
}

// Client thread, on readyRead.
void pipelineReceive(TcpPipelineState *state)
{
    if (state->finished)
        return;
    const qint64 records = state->socket->bytesAvailable() / kRecordSize;
    if (records == 0)
        return;
    state->readBuffer.resize(records * kRecordSize);
    state->socket->read(state->readBuffer.data(), records * kRecordSize);
    for (qint64 i = 0; i < records; ++i) {
        if (stampOf(state->readBuffer.constData() + i * kRecordSize) != state->received + i)
            state->corrupt = true;
    }
    state->received += records;
    if (state->received >= state->total || state->corrupt) {
        state->end = Clock::now();
        state->finished = true;
        state->done.signal();
        return;
    }
    pipelineSend(state, std::min(records, state->total - state->sent));
}

// --- QTcpSocket one-way floods ------------------------------------------------------------------

// Sender of the one-way benchmarks (client thread). Writes messages while fewer than
// kMaxQueuedBytes are queued in the socket, flushing after each batch, and continues on
// bytesWritten().
struct TcpSenderState
{
    QTcpSocket *socket = nullptr;
    qint64 total = 0;
    qint64 sent = 0;
    qint64 messageBytes = 0; // bytes one message adds to the socket's queue
    bool pumping = false;    // flush() may emit bytesWritten() from within pump
    std::atomic<bool> abort{false};
    Clock::time_point start;
    // Writes message number `sent` to the socket.
    void (*writeMessage)(TcpSenderState *state) = nullptr;
    std::array<char, kRecordSize> record{};
    QByteArray header;
    QByteArray payload;
};

bool senderHasRoom(const TcpSenderState *state)
{
    const qint64 queued = state->socket->bytesToWrite();
    return queued == 0 || queued + state->messageBytes <= kMaxQueuedBytes;
}

void senderPump(TcpSenderState *state)
{
    if (state->pumping)
        return;
    state->pumping = true;
    while (state->sent < state->total && !state->abort.load(std::memory_order_relaxed)) {
        while (state->sent < state->total && senderHasRoom(state)) {
            state->writeMessage(state);
            ++state->sent;
        }
        state->socket->flush();
        if (!senderHasRoom(state))
            break; // the kernel's buffer is full: continue on bytesWritten()
    }
    state->pumping = false;
}

void writeRecord(TcpSenderState *state)
{
    stamp(state->record.data(), state->sent);
    state->socket->write(state->record.data(), kRecordSize);
}

// Qt 6 appends a QByteArray of at least QRINGBUFFER_CHUNKSIZE bytes to the socket's write
// buffer without copying it, so the payload is written from the same shared buffer each time.
void writeLengthAndPayload(TcpSenderState *state)
{
    state->socket->write(state->header);
    state->socket->write(state->payload);
}

// Receiver of the one-way benchmarks (server thread).
struct TcpReceiverState
{
    QTcpSocket *socket = nullptr;
    qint64 expected = 0; // bytes (records) or messages (bulk)
    qint64 received = 0;
    qint64 pendingLength = -1; // bulk: length of the message whose payload is awaited
    qint64 payloadSize = 0;    // bulk: expected length of every message
    qint64 checksum = 0;       // bulk: keeps the copies observable
    bool finished = false;
    bool corrupt = false;
    Clock::time_point end;
    QByteArray buffer;
    Completion done;
};

void receiverFinish(TcpReceiverState *state)
{
    state->end = Clock::now();
    state->finished = true;
    state->done.signal();
}

// Counts the bytes of the 64-byte-record flood.
void receiveRecords(TcpReceiverState *state)
{
    qint64 got = 0;
    while ((got = state->socket->read(state->buffer.data(), state->buffer.size())) > 0)
        state->received += got;
    if (!state->finished && state->received >= state->expected)
        receiverFinish(state);
}

// Copies every complete length-prefixed message into a buffer of its own.
void receiveMessages(TcpReceiverState *state)
{
    QTcpSocket *socket = state->socket;
    while (!state->finished) {
        if (state->pendingLength < 0) {
            if (socket->bytesAvailable() < qint64(sizeof(qint64)))
                break;
            qint64 length = 0;
            socket->read(reinterpret_cast<char *>(&length), sizeof length);
            if (length != state->payloadSize) {
                state->corrupt = true;
                receiverFinish(state);
                break;
            }
            state->pendingLength = length;
        }
        if (socket->bytesAvailable() < state->pendingLength)
            break;
        QByteArray message(state->pendingLength, Qt::Uninitialized);
        socket->read(message.data(), state->pendingLength);
        state->checksum += message.constData()[state->received % state->pendingLength];
        state->pendingLength = -1;
        if (++state->received == state->expected)
            receiverFinish(state);
    }
}

struct OneWayResult
{
    qint64 received = 0; // in the receiver's unit
    double seconds = 0.0;
    bool ok = false;
};

// Runs one one-way flood over a fresh TcpPair: `sender` is set up in the client thread,
// `receiver` (with its readyRead handler `receive`) in the server thread.
OneWayResult runOneWay(const char *what, TcpSenderState *sender, TcpReceiverState *receiver,
                       void (*receive)(TcpReceiverState *))
{
    TcpPair pair;
    if (!pair.open(what))
        return {};
    sender->socket = pair.clientSocket();
    receiver->socket = pair.serverSocket();
    pair.server().run([receiver, receive] {
        QObject::connect(receiver->socket, &QIODevice::readyRead, receiver->socket,
                         [receiver, receive] { receive(receiver); });
    });
    pair.client().run([sender] {
        QObject::connect(sender->socket, &QIODevice::bytesWritten, sender->socket,
                         [sender] { senderPump(sender); });
    });

    const auto deadline = Clock::now() + kTimeCap;
    pair.client().post([sender] {
        sender->start = Clock::now();
        senderPump(sender);
    });
    const bool capped = !awaitOrStopClock(*receiver, pair.server(), deadline);
    sender->abort.store(true, std::memory_order_relaxed);
    pair.close();

    OneWayResult result;
    result.received = receiver->received;
    result.seconds = secondsBetween(sender->start, receiver->end);
    result.ok = !receiver->corrupt && result.received > 0 && result.seconds > 0.0;
    if (receiver->corrupt)
        warn(what, "received corrupt data");
    if (capped)
        warnTimeCap(what, receiver->received, receiver->expected);
    return result;
}

// --- Accept rate and memory ---------------------------------------------------------------------

struct AcceptState
{
    int target = 0;
    quint16 port = 0;
    QObject *clientContext = nullptr;
    std::atomic<bool> abort{false};
    // Client thread.
    int started = 0;
    int connected = 0;
    int acceptedKnown = 0; // accepted count last reported by the server thread
    bool failed = false;
    Completion clientDone;
    // Server thread.
    int accepted = 0;
    Clock::time_point acceptEnd;
    Completion serverDone;
};

// Client thread: starts connection attempts while fewer than kMaxConnectsInFlight of them
// are not yet accepted.
void acceptPump(AcceptState *state)
{
    while (!state->failed && !state->abort.load(std::memory_order_relaxed)
           && state->started < state->target
           && state->started - state->acceptedKnown < kMaxConnectsInFlight) {
        auto *socket = new QTcpSocket(state->clientContext);
        QObject::connect(socket, &QTcpSocket::connected, socket, [state, socket] {
            setLowDelay(socket);
            if (++state->connected == state->target)
                state->clientDone.signal();
        });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, socket, [state, socket] {
            if (!state->failed && state->connected < state->target) {
                std::fprintf(stderr, "NetBaselines::qtTcpAcceptRatePerSec: connection %d: %s\n",
                             state->connected, qPrintable(socket->errorString()));
                state->failed = true;
                state->clientDone.signal();
            }
        });
        socket->connectToHost(QHostAddress::LocalHost, state->port);
        ++state->started;
    }
}

#ifdef PARLEY_HAVE_ZMQ
// --- ZeroMQ helpers -----------------------------------------------------------------------------

// Creates a socket with linger 0 (and the given high-water marks, if positive).
void *zmqSocket(void *context, int type, int sendHwm = 0, int receiveHwm = 0)
{
    void *socket = zmq_socket(context, type);
    if (!socket)
        return nullptr;
    const int linger = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if (sendHwm > 0)
        zmq_setsockopt(socket, ZMQ_SNDHWM, &sendHwm, sizeof sendHwm);
    if (receiveHwm > 0)
        zmq_setsockopt(socket, ZMQ_RCVHWM, &receiveHwm, sizeof receiveHwm);
    return socket;
}

// Two contexts (one per side), a server socket bound to tcp://127.0.0.1:* and a client socket
// connected to it. Sockets are created here and handed to the threads that use them
// (std::thread's start and join are the full barriers libzmq requires for that).
class ZmqPair
{
public:
    ZmqPair() : m_serverContext(zmq_ctx_new()), m_clientContext(zmq_ctx_new()) {}

    ~ZmqPair()
    {
        shutdown();
        if (m_server)
            zmq_close(m_server);
        if (m_client)
            zmq_close(m_client);
        if (m_serverContext)
            zmq_ctx_term(m_serverContext);
        if (m_clientContext)
            zmq_ctx_term(m_clientContext);
    }

    ZmqPair(const ZmqPair &) = delete;
    ZmqPair &operator=(const ZmqPair &) = delete;

    bool open(const char *what, int serverType, int clientType, int hwm = 0)
    {
        if (!m_serverContext || !m_clientContext) {
            warn(what, "zmq_ctx_new failed");
            return false;
        }
        m_server = zmqSocket(m_serverContext, serverType, hwm, hwm);
        m_client = zmqSocket(m_clientContext, clientType, hwm, hwm);
        if (!m_server || !m_client || zmq_bind(m_server, "tcp://127.0.0.1:*") != 0) {
            std::fprintf(stderr, "NetBaselines::%s: cannot bind: %s\n", what,
                         zmq_strerror(zmq_errno()));
            return false;
        }
        std::array<char, 256> endpoint{};
        size_t length = endpoint.size();
        if (zmq_getsockopt(m_server, ZMQ_LAST_ENDPOINT, endpoint.data(), &length) != 0
            || zmq_connect(m_client, endpoint.data()) != 0) {
            std::fprintf(stderr, "NetBaselines::%s: cannot connect: %s\n", what,
                         zmq_strerror(zmq_errno()));
            return false;
        }
        return true;
    }

    void *server() const { return m_server; }
    void *client() const { return m_client; }

    // Makes every blocking call on either side return ETERM.
    void shutdown()
    {
        if (m_serverContext)
            zmq_ctx_shutdown(m_serverContext);
        if (m_clientContext)
            zmq_ctx_shutdown(m_clientContext);
    }

private:
    void *m_serverContext = nullptr;
    void *m_clientContext = nullptr;
    void *m_server = nullptr;
    void *m_client = nullptr;
};

// Retries on EINTR; returns the result of zmq_send / zmq_recv otherwise.
template <typename Call>
int zmqRetry(Call call)
{
    int rc = 0;
    do {
        rc = call();
    } while (rc < 0 && zmq_errno() == EINTR);
    return rc;
}

struct ZmqFloodState
{
    qint64 total = 0;
    int size = 0;
    Completion ready; // the receiver got the hand-shake message
    Completion done;  // the receiver got all messages
    std::atomic<qint64> received{0};
    std::atomic<bool> abort{false};
    bool corrupt = false;
    Clock::time_point start; // sender thread
    Clock::time_point end;   // receiver thread, once `done`
};

// Sends one 1-byte hand-shake message, waits until the receiver has it (so the connection is
// up), then sends `total` messages of `size` bytes.
void zmqFloodSender(void *socket, ZmqFloodState *state, Clock::time_point deadline)
{
    const char hello = 'h';
    if (zmqRetry([&] { return zmq_send(socket, &hello, 1, 0); }) < 0
        || !state->ready.waitUntil(deadline))
        return;
    std::unique_ptr<char[]> payload(new char[std::size_t(state->size)]);
    std::memset(payload.get(), 'p', std::size_t(state->size));
    state->start = Clock::now();
    for (qint64 i = 0; i < state->total; ++i) {
        if (state->abort.load(std::memory_order_relaxed))
            return;
        stamp(payload.get(), i);
        if (zmqRetry([&] { return zmq_send(socket, payload.get(), std::size_t(state->size), 0); })
            < 0)
            return;
    }
}

void zmqFloodReceiver(void *socket, ZmqFloodState *state)
{
    std::unique_ptr<char[]> buffer(new char[std::size_t(state->size)]);
    if (zmqRetry([&] { return zmq_recv(socket, buffer.get(), std::size_t(state->size), 0); }) != 1)
        return;
    state->ready.signal();
    for (qint64 i = 0; i < state->total; ++i) {
        const int got
            = zmqRetry([&] { return zmq_recv(socket, buffer.get(), std::size_t(state->size), 0); });
        if (got < 0)
            return;
        if (got != state->size || stampOf(buffer.get()) != i) {
            state->corrupt = true;
            break;
        }
        state->received.store(i + 1, std::memory_order_relaxed);
    }
    state->end = Clock::now();
    state->done.signal();
}

// Returns messages per second of a PUSH -> PULL flood, or NaN.
double zmqFlood(const char *what, qint64 total, int size, int hwm, qint64 *receivedOut,
                double *secondsOut)
{
    ZmqPair pair;
    if (!pair.open(what, ZMQ_PULL, ZMQ_PUSH, hwm))
        return kNaN;
    ZmqFloodState state;
    state.total = total;
    state.size = std::max(size, int(sizeof(qint64)));

    const auto deadline = Clock::now() + kTimeCap;
    std::thread receiver(zmqFloodReceiver, pair.server(), &state);
    std::thread sender(zmqFloodSender, pair.client(), &state, deadline);
    const bool capped = !state.done.waitUntil(deadline);
    // After a time-out, the figure is computed from this snapshot.
    const auto capEnd = Clock::now();
    const qint64 capReceived = state.received.load(std::memory_order_relaxed);
    state.abort.store(true, std::memory_order_relaxed);
    pair.shutdown();
    sender.join();
    receiver.join();
    const qint64 received = capped ? capReceived : state.received.load();
    const auto end = capped ? capEnd : state.end;

    if (state.corrupt)
        warn(what, "received corrupt data");
    if (capped)
        warnTimeCap(what, received, total);
    const double seconds = secondsBetween(state.start, end);
    if (state.corrupt || received <= 0 || !(seconds > 0.0))
        return kNaN;
    *receivedOut = received;
    *secondsOut = seconds;
    return double(received) / seconds;
}
#endif // PARLEY_HAVE_ZMQ

#ifdef PARLEY_HAVE_QTRO
// --- Qt Remote Objects helpers ------------------------------------------------------------------

struct QtroPingState
{
    NetBenchReplica *replica = nullptr;
    QObject *context = nullptr;
    qint64 warmup = 0;
    qint64 total = 0;
    qint64 counter = 0; // calls made
    bool started = false;
    bool finished = false;
    bool failed = false;
    Clock::time_point start;
    Clock::time_point end;
    qint64 completed = 0;
    Completion done;
};

void qtroPingFinish(QtroPingState *state, qint64 completed)
{
    state->end = Clock::now();
    state->completed = completed;
    state->finished = true;
    state->done.signal();
}

// Replica thread; one call per completed call.
void qtroPingStep(QtroPingState *state)
{
    if (state->counter == state->warmup) {
        state->started = true;
        state->start = Clock::now();
    }
    if (state->counter == state->total) {
        qtroPingFinish(state, state->total - state->warmup);
        return;
    }
    const int value = int(++state->counter);
    auto *watcher
        = new QRemoteObjectPendingCallWatcher(state->replica->ping(value), state->context);
    QObject::connect(watcher, &QRemoteObjectPendingCallWatcher::finished, watcher,
                     [state, value](QRemoteObjectPendingCallWatcher *call) {
                         call->deleteLater();
                         if (state->finished)
                             return;
                         if (call->error() != QRemoteObjectPendingCall::NoError
                             || call->returnValue().toInt() != value) {
                             state->failed = true;
                             qtroPingFinish(state, 0);
                             return;
                         }
                         qtroPingStep(state);
                     });
}

struct QtroPushState
{
    // Replica thread.
    NetBenchReplica *replica = nullptr;
    QTcpSocket *socket = nullptr;
    qint64 total = 0;
    qint64 sent = 0;
    bool pumping = false;
    std::atomic<bool> abort{false};
    Clock::time_point start;
    // Source thread.
    qint64 received = 0;
    bool finished = false;
    bool corrupt = false;
    Clock::time_point end;
    Completion done;
};

// Replica thread: calls push() while fewer than kMaxQueuedBytes are queued in the socket and
// continues on bytesWritten().
void qtroPushPump(QtroPushState *state)
{
    if (state->pumping)
        return;
    state->pumping = true;
    while (state->sent < state->total && !state->abort.load(std::memory_order_relaxed)
           && state->socket->bytesToWrite() < kMaxQueuedBytes) {
        state->replica->push(int(state->sent));
        ++state->sent;
    }
    state->pumping = false;
}

// The source object: ping() echoes its argument, push() counts.
class BenchSource : public NetBenchSource
{
public:
    explicit BenchSource(QObject *parent) : NetBenchSource(parent) {}

    void setPushState(QtroPushState *state) { m_push = state; }

    int ping(int value) override { return value; }

    void push(int value) override
    {
        if (!m_push || m_push->finished)
            return;
        if (value != m_push->received)
            m_push->corrupt = true;
        if (++m_push->received == m_push->total || m_push->corrupt) {
            m_push->end = Clock::now();
            m_push->finished = true;
            m_push->done.signal();
        }
    }

private:
    QtroPushState *m_push = nullptr;
};

// A source (BenchSource) remoted by a QRemoteObjectHost in one thread and a NetBenchReplica
// acquired by a QRemoteObjectNode in another, connected through a QTcpSocket pair on
// 127.0.0.1 (handed to QtRO with addHostSideConnection / addClientSideConnection, so that
// LowDelayOption can be set and the port can be 0).
class QtroPair : public LoopbackPair
{
public:
    QtroPair() : LoopbackPair("qtro-source", "qtro-replica") {}

    bool open(const char *what)
    {
        Hooks hooks;
        hooks.listening = [this, what](QTcpServer *, quint16 port) {
            m_source = new BenchSource(host().context());
            m_host = new QRemoteObjectHost(host().context());
            // An external schema: QtRO does not listen itself, the connections come from the
            // pair's listener.
            m_host->setHostUrl(QUrl(QStringLiteral("exttcp://127.0.0.1:%1").arg(port)),
                               QRemoteObjectHost::AllowExternalRegistration);
            if (!m_host->enableRemoting(m_source)) {
                warn(what, "enableRemoting failed");
                return false;
            }
            return true;
        };
        hooks.accepted = [this](QTcpServer *, QTcpSocket *socket, Completion &ready) {
            m_host->addHostSideConnection(socket);
            ready.signal();
        };
        hooks.connected = [this](QTcpSocket *socket, Completion &ready) {
            auto *node = new QRemoteObjectNode(client().context());
            node->addClientSideConnection(socket);
            NetBenchReplica *replica = node->acquire<NetBenchReplica>();
            replica->setParent(client().context());
            QObject::connect(replica, &QRemoteObjectReplica::initialized, replica,
                             [this, replica, &ready] {
                                 m_replica = replica;
                                 ready.signal();
                             });
        };
        if (!LoopbackPair::open("NetBaselines", what, std::move(hooks)))
            return false;
        if (!m_replica) {
            warn(what, "the replica did not initialise");
            return false;
        }
        return true;
    }

    EventThread &host() { return server(); }
    EventThread &node() { return client(); }
    BenchSource *source() const { return m_source; }
    NetBenchReplica *replica() const { return m_replica; }
    QTcpSocket *replicaSocket() const { return clientSocket(); }

private:
    BenchSource *m_source = nullptr;      // lives in the host thread
    QRemoteObjectHost *m_host = nullptr;  // lives in the host thread
    NetBenchReplica *m_replica = nullptr; // lives in the node thread; set before ready
};
#endif // PARLEY_HAVE_QTRO

} // namespace

// --- Exported functions -------------------------------------------------------------------------

long long residentBytes()
{
    return BenchKit::residentBytes();
}

long long heapBytes()
{
    const struct mallinfo2 info = ::mallinfo2();
    return static_cast<long long>(info.uordblks + info.hblkhd);
}

double processCpuSeconds()
{
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0)
        return kNaN;
    const auto seconds
        = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double idleCpuPercent(double seconds)
{
    if (seconds <= 0.0)
        return kNaN;
    const double before = processCpuSeconds();
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const double wall = secondsBetween(start, Clock::now());
    return (processCpuSeconds() - before) / wall * 100.0;
}

long long raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    // 10,000 connection pairs in one process need 20,000 descriptors and some: a privileged
    // process may raise the hard limit itself (up to fs.nr_open); otherwise the hard limit holds.
    constexpr rlim_t wanted = 65536;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
        const rlimit higher{wanted, wanted};
        if (setrlimit(RLIMIT_NOFILE, &higher) == 0)
            limit = higher;
    }
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        // An infinite hard limit cannot be used as the soft limit of RLIMIT_NOFILE.
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<long long>::max()
                                           : static_cast<long long>(limit.rlim_cur);
}

double qtTcpPingPongMicros(int roundTrips)
{
    constexpr const char *kWhat = "qtTcpPingPongMicros";
    if (roundTrips <= 0)
        return kNaN;

    TcpPingPongState state;
    TcpPair pair;
    if (!pair.open(kWhat))
        return kNaN;
    state.socket = pair.clientSocket();
    state.warmup = kWarmupRoundTrips;
    state.total = kWarmupRoundTrips + qint64(roundTrips);
    pair.server().run([&pair] { echoAll(pair.serverSocket()); });
    pair.client().run([s = &state] {
        QObject::connect(s->socket, &QIODevice::readyRead, s->socket, [s] {
            std::array<char, kRecordSize> reply{};
            while (!s->finished && s->socket->bytesAvailable() >= kRecordSize) {
                s->socket->read(reply.data(), kRecordSize);
                tcpPingStep(s);
            }
        });
    });

    const auto deadline = Clock::now() + kTimeCap;
    pair.client().post([s = &state] { tcpPingStep(s); });
    if (!state.done.waitUntil(deadline)) {
        pair.client().run([s = &state] {
            if (!s->finished) {
                s->end = Clock::now();
                s->completed = s->started ? s->counter - 1 - s->warmup : 0;
                s->finished = true;
            }
        });
        warnTimeCap(kWhat, state.completed, roundTrips);
    }
    pair.close();
    if (state.completed <= 0)
        return kNaN;
    return secondsBetween(state.start, state.end) * 1e6 / double(state.completed);
}

double qtTcpPipelinedRoundTripsPerSec(int n, int window)
{
    constexpr const char *kWhat = "qtTcpPipelinedRoundTripsPerSec";
    if (n <= 0 || window <= 0)
        return kNaN;

    TcpPipelineState state;
    TcpPair pair;
    if (!pair.open(kWhat))
        return kNaN;
    state.socket = pair.clientSocket();
    state.total = n;
    state.window = window;
    pair.server().run([&pair] { echoAll(pair.serverSocket()); });
    pair.client().run([s = &state] {
        QObject::connect(s->socket, &QIODevice::readyRead, s->socket, [s] { pipelineReceive(s); });
    });

    const auto deadline = Clock::now() + kTimeCap;
    pair.client().post([s = &state] {
        s->start = Clock::now();
        pipelineSend(s, std::min(s->window, s->total));
    });
    if (!awaitOrStopClock(state, pair.client(), deadline))
        warnTimeCap(kWhat, state.received, n);
    pair.close();
    if (state.corrupt) {
        warn(kWhat, "received corrupt data");
        return kNaN;
    }
    return ratePerSecond(state.received, state.start, state.end);
}

double qtTcpOneWayMessagesPerSec(int n)
{
    if (n <= 0)
        return kNaN;
    TcpSenderState sender;
    sender.total = n;
    sender.messageBytes = kRecordSize;
    sender.writeMessage = writeRecord;
    TcpReceiverState receiver;
    receiver.expected = qint64(n) * kRecordSize;
    receiver.buffer.resize(64 * 1024);

    const OneWayResult result
        = runOneWay("qtTcpOneWayMessagesPerSec", &sender, &receiver, receiveRecords);
    if (!result.ok)
        return kNaN;
    return double(result.received / kRecordSize) / result.seconds;
}

double qtTcpOneWayGBps(int messages, int size)
{
    if (messages <= 0 || size <= 0)
        return kNaN;
    TcpSenderState sender;
    sender.total = messages;
    sender.messageBytes = qint64(sizeof(qint64)) + size;
    sender.writeMessage = writeLengthAndPayload;
    const qint64 length = size;
    sender.header = QByteArray(reinterpret_cast<const char *>(&length), sizeof length);
    sender.payload = QByteArray(size, 'p');
    TcpReceiverState receiver;
    receiver.expected = messages;
    receiver.payloadSize = size;

    const OneWayResult result = runOneWay("qtTcpOneWayGBps", &sender, &receiver, receiveMessages);
    if (!result.ok)
        return kNaN;
    return double(result.received) * double(size) / result.seconds / 1e9;
}

ConnectionCost qtTcpAcceptRatePerSec(int connections, double idleSeconds)
{
    constexpr const char *kWhat = "qtTcpAcceptRatePerSec";
    ConnectionCost cost{0, kNaN, kNaN};
    if (connections <= 0)
        return cost;

    const long long fileLimit = raiseFileLimit();
    if (fileLimit > 0) {
        const long long fitting = (fileLimit - kSpareFileDescriptors) / 2;
        if (fitting < connections) {
            std::fprintf(stderr,
                         "NetBaselines::%s: RLIMIT_NOFILE is %lld; opening %lld instead of %d "
                         "connections\n",
                         kWhat, fileLimit, fitting, connections);
            if (fitting <= 0)
                return cost;
            connections = int(fitting);
        }
    }

    AcceptState state;
    state.target = connections;
    EventThread server("net-server");
    EventThread client("net-client");
    state.clientContext = client.context();

    bool listening = false;
    server.run([&] {
        auto *listener = new QTcpServer(server.context());
        listener->setMaxPendingConnections(connections);
        listener->setListenBacklogSize(kListenBacklog);
        if (!listener->listen(QHostAddress::LocalHost, 0))
            return;
        listening = true;
        state.port = listener->serverPort();
        QObject::connect(listener, &QTcpServer::newConnection, listener, [s = &state, listener] {
            while (QTcpSocket *socket = listener->nextPendingConnection()) {
                setLowDelay(socket);
                ++s->accepted;
            }
            if (s->accepted == s->target) {
                s->acceptEnd = Clock::now();
                s->serverDone.signal();
            }
            QMetaObject::invokeMethod(
                s->clientContext,
                [s, accepted = s->accepted] {
                    s->acceptedKnown = accepted;
                    acceptPump(s);
                },
                Qt::QueuedConnection);
        });
    });
    if (!listening) {
        warn(kWhat, "cannot listen on 127.0.0.1");
        return cost;
    }

    ::malloc_trim(0); // RSS before and after: both with the free memory given back
    const long long rssBefore = residentBytes();
    const long long heapBefore = heapBytes();
    const auto start = Clock::now();
    const auto deadline = start + kTimeCap;
    client.post([s = &state] { acceptPump(s); });
    const bool clientFinished = state.clientDone.waitUntil(deadline);
    const bool finished = clientFinished && !state.failed && state.serverDone.waitUntil(deadline);
    if (!finished) {
        state.abort.store(true, std::memory_order_relaxed);
        server.run([s = &state] {
            if (s->accepted < s->target)
                s->acceptEnd = Clock::now();
        });
    }
    int established = 0;
    bool failed = false;
    client.run([&] {
        established = state.connected;
        failed = state.failed;
    });
    ::malloc_trim(0);
    const long long rssAfter = residentBytes();
    const long long heapAfter = heapBytes();
    if (finished && !failed && idleSeconds > 0.0) {
        idleCpuPercent(2.0); // as Parley's side: the last accepts settle first
        cost.idleCpuPercent = idleCpuPercent(idleSeconds);
    }
    client.stop();
    server.stop();

    if (failed)
        return cost;
    if (!finished)
        warnTimeCap(kWhat, state.accepted, connections);
    cost.connections = std::min(established, state.accepted);
    const double seconds = secondsBetween(start, state.acceptEnd);
    if (state.accepted > 0 && seconds > 0.0)
        cost.acceptsPerSecond = double(state.accepted) / seconds;
    if (cost.connections > 0 && rssBefore >= 0 && rssAfter >= 0)
        cost.bytesPerConnection = double(rssAfter - rssBefore) / double(cost.connections);
    if (cost.connections > 0)
        cost.heapPerConnection = double(heapAfter - heapBefore) / double(cost.connections);
    return cost;
}

#ifdef PARLEY_HAVE_ZMQ

double zmqReqRepMicros(int roundTrips)
{
    constexpr const char *kWhat = "zmqReqRepMicros";
    if (roundTrips <= 0)
        return kNaN;
    ZmqPair pair;
    if (!pair.open(kWhat, ZMQ_REP, ZMQ_REQ))
        return kNaN;

    struct
    {
        qint64 warmup = kWarmupRoundTrips;
        qint64 total = 0;
        qint64 completed = 0; // timed round trips
        bool corrupt = false;
        Clock::time_point start;
        Clock::time_point end;
        std::atomic<bool> abort{false};
        Completion done;
    } state;
    state.total = kWarmupRoundTrips + qint64(roundTrips);

    std::thread server([socket = pair.server()] {
        std::array<char, kRecordSize> buffer{};
        for (;;) {
            const int got
                = zmqRetry([&] { return zmq_recv(socket, buffer.data(), buffer.size(), 0); });
            if (got < 0
                || zmqRetry([&] { return zmq_send(socket, buffer.data(), std::size_t(got), 0); })
                    < 0)
                return;
        }
    });
    std::thread client([socket = pair.client(), s = &state] {
        std::array<char, kRecordSize> request{};
        std::array<char, kRecordSize> reply{};
        qint64 counter = 0;
        for (; counter < s->total && !s->abort.load(std::memory_order_relaxed); ++counter) {
            if (counter == s->warmup)
                s->start = Clock::now();
            stamp(request.data(), counter);
            if (zmqRetry([&] { return zmq_send(socket, request.data(), request.size(), 0); }) < 0
                || zmqRetry([&] { return zmq_recv(socket, reply.data(), reply.size(), 0); })
                    != kRecordSize)
                break;
            if (stampOf(reply.data()) != counter) {
                s->corrupt = true;
                break;
            }
        }
        s->end = Clock::now();
        s->completed = std::max<qint64>(0, counter - s->warmup);
        s->done.signal();
    });

    const bool finished = state.done.waitUntil(Clock::now() + kTimeCap);
    state.abort.store(true, std::memory_order_relaxed);
    pair.shutdown();
    client.join();
    server.join();

    if (state.corrupt) {
        warn(kWhat, "received corrupt data");
        return kNaN;
    }
    if (!finished || state.completed < roundTrips)
        warnTimeCap(kWhat, state.completed, roundTrips);
    if (state.completed <= 0)
        return kNaN;
    return secondsBetween(state.start, state.end) * 1e6 / double(state.completed);
}

double zmqPushPullMessagesPerSec(int n)
{
    if (n <= 0)
        return kNaN;
    qint64 received = 0;
    double seconds = 0.0;
    return zmqFlood("zmqPushPullMessagesPerSec", n, kRecordSize, 0, &received, &seconds);
}

double zmqIdleCpuPercent(int connections, int heartbeatMs, double idleSeconds)
{
    constexpr const char *kWhat = "zmqIdleCpuPercent";
    void *serverContext = zmq_ctx_new();
    void *clientContext = zmq_ctx_new();
    double result = kNaN;
    std::vector<void *> clients;
    void *router = nullptr;
    const auto closeAll = [&] {
        const int linger = 0;
        for (void *c : clients) {
            zmq_setsockopt(c, ZMQ_LINGER, &linger, sizeof linger);
            zmq_close(c);
        }
        if (router) {
            zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
            zmq_close(router);
        }
        zmq_ctx_term(clientContext);
        zmq_ctx_term(serverContext);
    };
    if (!serverContext || !clientContext) {
        warn(kWhat, "zmq_ctx_new failed");
        return kNaN;
    }
    const int timeoutMs = 3 * heartbeatMs;
    const auto heartbeats = [&](void *socket) {
        zmq_setsockopt(socket, ZMQ_HEARTBEAT_IVL, &heartbeatMs, sizeof heartbeatMs);
        zmq_setsockopt(socket, ZMQ_HEARTBEAT_TIMEOUT, &timeoutMs, sizeof timeoutMs);
    };
    const int max = connections + 64;
    zmq_ctx_set(serverContext, ZMQ_MAX_SOCKETS, max);
    zmq_ctx_set(clientContext, ZMQ_MAX_SOCKETS, max);
    router = zmq_socket(serverContext, ZMQ_ROUTER);
    if (!router) {
        warn(kWhat, "zmq_socket failed");
        closeAll();
        return kNaN;
    }
    heartbeats(router);
    std::array<char, 256> endpoint{};
    size_t length = endpoint.size();
    if (zmq_bind(router, "tcp://127.0.0.1:*") != 0
        || zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint.data(), &length) != 0) {
        warn(kWhat, "cannot bind");
        closeAll();
        return kNaN;
    }
    for (int i = 0; i < connections; ++i) {
        void *dealer = zmq_socket(clientContext, ZMQ_DEALER);
        if (!dealer) {
            std::fprintf(stderr, "NetBaselines::%s: socket %d: %s\n", kWhat, i,
                         zmq_strerror(zmq_errno()));
            closeAll();
            return kNaN;
        }
        heartbeats(dealer);
        clients.push_back(dealer);
        if (zmq_connect(dealer, endpoint.data()) != 0
            || zmqRetry([&] { return zmq_send(dealer, "h", 1, 0); }) != 1) {
            warn(kWhat, "cannot connect or send the greeting");
            closeAll();
            return kNaN;
        }
    }
    // Every connection is up once the router has its greeting.
    for (int heard = 0; heard < connections; ++heard) {
        std::array<char, 256> part{};
        int more = 1;
        while (more) {
            if (zmqRetry([&] { return zmq_recv(router, part.data(), part.size(), 0); }) < 0) {
                warn(kWhat, "zmq_recv failed");
                closeAll();
                return kNaN;
            }
            size_t moreSize = sizeof more;
            zmq_getsockopt(router, ZMQ_RCVMORE, &more, &moreSize);
        }
    }
    idleCpuPercent(2.0);
    result = idleCpuPercent(idleSeconds);
    closeAll();
    return result;
}

double zmqPushPullGBps(int messages, int size)
{
    if (messages <= 0 || size <= 0)
        return kNaN;
    qint64 received = 0;
    double seconds = 0.0;
    const double rate = zmqFlood("zmqPushPullGBps", messages, size, 100, &received, &seconds);
    if (!(rate > 0.0))
        return kNaN;
    return double(received) * double(std::max(size, int(sizeof(qint64)))) / seconds / 1e9;
}

#endif // PARLEY_HAVE_ZMQ

#ifdef PARLEY_HAVE_QTRO

double qtroPingPongMicros(int roundTrips)
{
    constexpr const char *kWhat = "qtroPingPongMicros";
    if (roundTrips <= 0)
        return kNaN;

    QtroPingState state;
    QtroPair pair;
    if (!pair.open(kWhat))
        return kNaN;
    state.replica = pair.replica();
    state.context = pair.node().context();
    state.warmup = kWarmupRoundTrips;
    state.total = kWarmupRoundTrips + qint64(roundTrips);

    const auto deadline = Clock::now() + kTimeCap;
    pair.node().post([s = &state] { qtroPingStep(s); });
    if (!state.done.waitUntil(deadline)) {
        pair.node().run([s = &state] {
            if (!s->finished)
                qtroPingFinish(s, s->started ? s->counter - 1 - s->warmup : 0);
        });
        warnTimeCap(kWhat, state.completed, roundTrips);
    }
    pair.close();
    if (state.failed) {
        warn(kWhat, "a call failed or returned a wrong value");
        return kNaN;
    }
    if (state.completed <= 0)
        return kNaN;
    return secondsBetween(state.start, state.end) * 1e6 / double(state.completed);
}

double qtroPushMessagesPerSec(int n)
{
    constexpr const char *kWhat = "qtroPushMessagesPerSec";
    if (n <= 0)
        return kNaN;

    QtroPushState state;
    QtroPair pair;
    if (!pair.open(kWhat))
        return kNaN;
    state.replica = pair.replica();
    state.socket = pair.replicaSocket();
    state.total = n;
    pair.host().run([&pair, s = &state] { pair.source()->setPushState(s); });
    pair.node().run([s = &state] {
        QObject::connect(s->socket, &QIODevice::bytesWritten, s->socket, [s] { qtroPushPump(s); });
    });

    const auto deadline = Clock::now() + kTimeCap;
    pair.node().post([s = &state] {
        s->start = Clock::now();
        qtroPushPump(s);
    });
    if (!awaitOrStopClock(state, pair.host(), deadline)) {
        state.abort.store(true, std::memory_order_relaxed);
        warnTimeCap(kWhat, state.received, n);
    }
    pair.close();
    if (state.corrupt) {
        warn(kWhat, "push() calls arrived out of order");
        return kNaN;
    }
    return ratePerSecond(state.received, state.start, state.end);
}

#endif // PARLEY_HAVE_QTRO

} // namespace NetBaselines
