// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "faultproxy.h"

#include <QtCore/QMetaObject>
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <algorithm>
#include <array>
#include <deque>
#include <utility>

#include <sys/ioctl.h>
#include <sys/socket.h>

namespace TestSupport {

namespace {

using Clock = std::chrono::steady_clock;
using Direction = FaultProxy::Direction;
using Milliseconds = FaultProxy::Milliseconds;

// What the proxy holds per link and direction before it stops reading, so that TCP flow control
// reaches the sender; and how much Qt buffers below that.
constexpr qint64 kHoldLimit = 1 << 20;
constexpr qint64 kSocketReadBuffer = 64 << 10;
// How long a link cut by limit-data waits for its last bytes to leave before the reset.
constexpr auto kCutFlushLimit = std::chrono::seconds(2);

/// Holds the toxics of one direction.
struct Toxics
{
    Milliseconds latency{0};
    Milliseconds jitter{0};
    qint64 bandwidth = 0;
    int sliceSize = 0;
    int sliceVariation = 0;
    std::chrono::microseconds sliceDelay{0};
    qint64 limit = -1;
    bool blackHole = false;
};

bool covers(Direction selection, Direction one)
{
    return (int(selection) & int(one)) != 0;
}

int timerDelay(Clock::duration d)
{
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
    return int(std::clamp<qint64>(ms, 0, 60'000));
}

/// Makes closing \a socket send an RST instead of a FIN.
void resetOnClose(QTcpSocket *socket)
{
    const qintptr fd = socket->socketDescriptor();
    if (fd < 0)
        return;
    const linger reset{1, 0};
    ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

/// Returns the bytes the kernel still holds for \a socket's peer (unsent or unacknowledged).
qint64 kernelQueuedBytes(QTcpSocket *socket)
{
    const qintptr fd = socket->socketDescriptor();
    int queued = 0;
    if (fd < 0 || ::ioctl(int(fd), TIOCOUTQ, &queued) != 0)
        return 0;
    return queued;
}

} // namespace

// -- links ---------------------------------------------------------------------------------------

/// Carries one direction of a link: what was read from the source and waits for its time.
struct Pipe
{
    struct Chunk
    {
        QByteArray bytes;
        Clock::time_point releaseAt;
    };

    Direction direction = Direction::Upstream;
    QTcpSocket *source = nullptr;
    QTcpSocket *sink = nullptr;
    QTimer *timer = nullptr;
    std::deque<Chunk> queue;
    qsizetype frontOffset = 0;
    qint64 held = 0;     // bytes queued and not yet written
    qint64 admitted = 0; // bytes kept for forwarding since the link started
    Clock::time_point lastRelease{};
    double tokens = 0;
    Clock::time_point refilledAt = Clock::now();
    Clock::time_point cutAt{};
    bool sourceEnded = false; // close the sink once the queue has drained
    bool sinkEnded = false;   // nothing more can be written
    bool cut = false;         // limit-data reached: reset the link once the queue has left

    void discard()
    {
        queue.clear();
        frontOffset = 0;
        held = 0;
    }
};

/// Owns the two sockets of one forwarded connection and their pipes.
class Link : public QObject
{
public:
    explicit Link(QObject *parent) : QObject(parent) {}

    int number = 0;
    Clock::time_point acceptedAt;
    QTcpSocket *client = nullptr;
    QTcpSocket *server = nullptr;
    Pipe up;
    Pipe down;
    QTimer *dropTimer = nullptr;
    QTimer *resetTimer = nullptr;
    bool upstreamConnected = false;
    bool done = false;

    Pipe &other(const Pipe &p) { return &p == &up ? down : up; }
};

// -- the engine ----------------------------------------------------------------------------------

/// Runs the proxy in its thread; FaultProxy's calls reach it through call().
class FaultProxyEngine
{
public:
    FaultProxyEngine(FaultProxy *q, QString host, quint16 port)
        : m_q(q), m_upstreamHost(std::move(host)), m_upstreamPort(port)
    {
        m_thread.setObjectName(QStringLiteral("faultproxy"));
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }

    ~FaultProxyEngine()
    {
        call([this] {
            const QList<Link *> links = m_links;
            for (Link *l : links)
                resetLink(*l);
            QObject *context = m_context.get();
            while (!context->children().isEmpty())
                delete context->children().constLast();
        });
        m_thread.quit();
        m_thread.wait();
    }

    /// Runs \a f in the proxy's thread and waits for it.
    template <class F>
    void call(F &&f)
    {
        if (QThread::currentThread() == &m_thread)
            f();
        else
            QMetaObject::invokeMethod(m_context.get(), std::forward<F>(f),
                                      Qt::BlockingQueuedConnection);
    }

    // -- in the proxy's thread --------------------------------------------------------------------

    bool listen(quint16 port)
    {
        if (!m_server) {
            m_server = new QTcpServer(m_context.get());
            m_server->setProxy(QNetworkProxy::NoProxy);
            m_server->setListenBacklogSize(1024);
            QObject::connect(m_server, &QTcpServer::newConnection, m_server,
                             [this] { acceptAll(); });
        }
        if (m_server->isListening())
            m_server->close();
        const bool ok = m_server->listen(QHostAddress::LocalHost, port);
        QMutexLocker lock(&m_mutex);
        m_listenedAt = Clock::now();
        m_boundPort = ok ? m_server->serverPort() : 0;
        m_error = ok ? QString() : m_server->errorString();
        return ok;
    }

    void setAcceptMode(FaultProxy::AcceptMode mode)
    {
        m_acceptMode = mode;
        if (!m_server)
            return;
        if (mode == FaultProxy::AcceptMode::Refuse) {
            m_server->close();
        } else if (!m_server->isListening() && m_boundPort != 0) {
            if (!m_server->listen(QHostAddress::LocalHost, m_boundPort)) {
                QMutexLocker lock(&m_mutex);
                m_error = m_server->errorString();
                qWarning("FaultProxy: cannot listen again on port %u: %s", unsigned(m_boundPort),
                         qPrintable(m_error));
            }
        }
    }

    void setToxics(Direction direction, const std::function<void(Toxics &)> &change)
    {
        for (int i = 0; i < 2; ++i) {
            if (covers(direction, i == 0 ? Direction::Upstream : Direction::Downstream))
                change(m_toxics[i]);
        }
        refresh();
    }

    void setDropAfter(std::optional<Milliseconds> after, FaultProxy::Ending ending)
    {
        m_dropAfter = after;
        m_dropEnding = ending;
        refresh();
    }

    void clearToxics()
    {
        m_toxics = {};
        m_dropAfter.reset();
        setAcceptMode(FaultProxy::AcceptMode::Forward);
        refresh();
    }

    void resetLinks(Milliseconds after)
    {
        const QList<Link *> links = m_links;
        for (Link *l : links) {
            if (after.count() <= 0)
                resetLink(*l);
            else
                l->resetTimer->start(int(after.count()));
        }
    }

    void closeLinks()
    {
        const QList<Link *> links = m_links;
        for (Link *l : links)
            closeLink(*l);
    }

    /// Applies changed toxics to the open links: pumps every pipe, reschedules drops.
    void refresh()
    {
        const QList<Link *> links = m_links;
        for (Link *l : links) {
            if (l->done)
                continue;
            scheduleDrop(*l);
            pump(*l, l->up);
            if (!l->done)
                pump(*l, l->down);
        }
    }

    // -- accepting
    // ----------------------------------------------------------------------------------

    void acceptAll()
    {
        while (QTcpSocket *client = m_server->nextPendingConnection()) {
            const auto now = Clock::now();
            int number = 0;
            Milliseconds at{};
            {
                QMutexLocker lock(&m_mutex);
                number = ++m_counters.accepted;
                at = std::chrono::duration_cast<Milliseconds>(now - m_listenedAt);
                m_acceptTimes.append(at);
                if (m_acceptMode == FaultProxy::AcceptMode::Forward)
                    ++m_counters.open;
            }
            emit m_q->linkAccepted(number, at.count());
            if (m_acceptMode != FaultProxy::AcceptMode::Forward) {
                client->setParent(m_context.get());
                QObject::connect(client, &QAbstractSocket::disconnected, client,
                                 &QObject::deleteLater);
                client->disconnectFromHost();
                if (client->state() == QAbstractSocket::UnconnectedState)
                    client->deleteLater();
                continue;
            }
            startLink(client, number, now);
        }
    }

    void startLink(QTcpSocket *client, int number, Clock::time_point now)
    {
        auto *l = new Link(m_context.get());
        l->number = number;
        l->acceptedAt = now;
        l->client = client;
        client->setParent(l);
        l->server = new QTcpSocket(l);
        l->server->setProxy(QNetworkProxy::NoProxy);
        for (QTcpSocket *s : {l->client, l->server})
            s->setReadBufferSize(kSocketReadBuffer);
        l->client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        l->up.direction = Direction::Upstream;
        l->up.source = l->client;
        l->up.sink = l->server;
        l->down.direction = Direction::Downstream;
        l->down.source = l->server;
        l->down.sink = l->client;
        for (Pipe *p : {&l->up, &l->down}) {
            p->timer = new QTimer(l);
            p->timer->setSingleShot(true);
            p->timer->setTimerType(Qt::PreciseTimer);
            QObject::connect(p->timer, &QTimer::timeout, l, [this, l, p] { pump(*l, *p); });
            QObject::connect(p->source, &QIODevice::readyRead, l, [this, l, p] { pump(*l, *p); });
            QObject::connect(p->source, &QAbstractSocket::disconnected, l,
                             [this, l, p] { sourceEnded(*l, *p); });
        }
        l->dropTimer = new QTimer(l);
        l->dropTimer->setSingleShot(true);
        QObject::connect(l->dropTimer, &QTimer::timeout, l, [this, l] {
            if (m_dropEnding == FaultProxy::Ending::Reset)
                resetLink(*l);
            else
                closeLink(*l);
        });
        l->resetTimer = new QTimer(l);
        l->resetTimer->setSingleShot(true);
        QObject::connect(l->resetTimer, &QTimer::timeout, l, [this, l] { resetLink(*l); });
        QObject::connect(l->server, &QAbstractSocket::connected, l, [this, l] {
            l->upstreamConnected = true;
            l->server->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            pump(*l, l->up);
            if (!l->done)
                pump(*l, l->down);
        });
        QObject::connect(l->server, &QAbstractSocket::errorOccurred, l, [this, l] {
            // A connected socket ends through disconnected(); this is an upstream that could not
            // be reached: the client sees its connection close.
            if (!l->upstreamConnected && !l->done)
                closeLink(*l);
        });
        m_links.append(l);
        scheduleDrop(*l);
        l->server->connectToHost(m_upstreamHost, m_upstreamPort);
    }

    // -- forwarding
    // ---------------------------------------------------------------------------------

    /// Takes in what the source has (up to the hold limit unless \a all) and forwards what is due.
    void pump(Link &l, Pipe &p)
    {
        if (l.done)
            return;
        intake(p, false);
        const Toxics &t = toxics(p.direction);
        if (t.blackHole || p.sinkEnded || (p.sink == l.server && !l.upstreamConnected))
            return;
        const auto now = Clock::now();
        std::optional<Clock::time_point> next;
        while (!p.queue.empty()) {
            Pipe::Chunk &c = p.queue.front();
            if (c.releaseAt > now) {
                next = c.releaseAt;
                break;
            }
            qint64 n = c.bytes.size() - p.frontOffset;
            if (t.bandwidth > 0) {
                refill(p, t.bandwidth, now);
                // Writes at least 10 ms worth at a time (or the rest of the chunk).
                const double quantum
                    = std::min<double>(double(n), std::max(1.0, double(t.bandwidth) / 100.0));
                if (p.tokens < quantum) {
                    const double wait = (quantum - p.tokens) / double(t.bandwidth);
                    next = now
                        + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(wait));
                    break;
                }
                n = std::min<qint64>(n, qint64(p.tokens));
                p.tokens -= double(n);
            }
            p.sink->write(c.bytes.constData() + p.frontOffset, n);
            p.sink->flush();
            p.frontOffset += n;
            p.held -= n;
            {
                QMutexLocker lock(&m_mutex);
                (p.direction == Direction::Upstream ? m_counters.bytesUpstream
                                                    : m_counters.bytesDownstream)
                    += n;
            }
            if (p.frontOffset == c.bytes.size()) {
                p.queue.pop_front();
                p.frontOffset = 0;
            }
        }
        if (p.queue.empty()) {
            if (p.cut)
                return resetWhenFlushed(l, p);
            if (p.sourceEnded) {
                p.sinkEnded = true;
                p.sink->disconnectFromHost();
                return;
            }
            // The queue has room again: take in what the source buffered meanwhile.
            if (p.source->bytesAvailable() > 0 && p.held < kHoldLimit)
                next = now;
        }
        if (next)
            p.timer->start(timerDelay(*next - now));
    }

    void intake(Pipe &p, bool all)
    {
        while (p.source->bytesAvailable() > 0 && (all || p.held < kHoldLimit)) {
            const qint64 room = all ? p.source->bytesAvailable() : kHoldLimit - p.held;
            QByteArray data = p.source->read(std::min(p.source->bytesAvailable(), room));
            if (data.isEmpty())
                break;
            {
                QMutexLocker lock(&m_mutex);
                (p.direction == Direction::Upstream ? m_counters.bytesReadUpstream
                                                    : m_counters.bytesReadDownstream)
                    += data.size();
            }
            admit(p, std::move(data));
        }
    }

    /// Queues \a data with its release times, after limit-data, latency and the slicer.
    void admit(Pipe &p, QByteArray data)
    {
        if (p.sinkEnded || p.cut)
            return;
        const Toxics &t = toxics(p.direction);
        if (t.limit >= 0 && p.admitted + data.size() >= t.limit) {
            data.truncate(std::max<qint64>(0, t.limit - p.admitted));
            p.cut = true;
            p.cutAt = Clock::now();
        }
        if (data.isEmpty())
            return;
        p.admitted += data.size();
        p.held += data.size();
        const auto now = Clock::now();
        Clock::duration delay = t.latency;
        if (t.jitter.count() > 0) {
            const qint64 spread = std::chrono::microseconds(t.jitter).count();
            delay += std::chrono::microseconds(m_random.bounded(-spread, spread + 1));
        }
        auto releaseAt = std::max({now + delay, now, p.lastRelease});
        if (t.sliceSize <= 0) {
            p.queue.push_back({std::move(data), releaseAt});
        } else {
            for (qsizetype at = 0; at < data.size();) {
                int size = t.sliceSize;
                if (t.sliceVariation > 0)
                    size += m_random.bounded(-t.sliceVariation, t.sliceVariation + 1);
                size = int(std::clamp<qsizetype>(size, 1, data.size() - at));
                if (at > 0)
                    releaseAt += t.sliceDelay;
                p.queue.push_back({data.mid(at, size), releaseAt});
                at += size;
            }
        }
        p.lastRelease = releaseAt;
    }

    void refill(Pipe &p, qint64 bandwidth, Clock::time_point now)
    {
        // A bucket of 50 ms worth of bytes.
        const double capacity = std::max(1.0, double(bandwidth) / 20.0);
        const double elapsed = std::chrono::duration<double>(now - p.refilledAt).count();
        p.tokens = std::min(capacity, p.tokens + elapsed * double(bandwidth));
        p.refilledAt = now;
    }

    /// Resets the link once what limit-data let through has left the proxy and the kernel.
    void resetWhenFlushed(Link &l, Pipe &p)
    {
        const bool waiting = p.sink->bytesToWrite() > 0 || kernelQueuedBytes(p.sink) > 0;
        if (waiting && Clock::now() - p.cutAt < kCutFlushLimit) {
            p.timer->start(1);
            return;
        }
        resetLink(l);
    }

    void sourceEnded(Link &l, Pipe &p)
    {
        if (l.done)
            return;
        intake(p, true);
        p.sourceEnded = true;
        // The socket that ended is the other pipe's sink: what it holds has nowhere to go.
        Pipe &o = l.other(p);
        o.sinkEnded = true;
        o.discard();
        pump(l, p);
        finishIfClosed(l);
    }

    void finishIfClosed(Link &l)
    {
        if (l.done || l.client->state() != QAbstractSocket::UnconnectedState
            || l.server->state() != QAbstractSocket::UnconnectedState) {
            return;
        }
        finish(l);
    }

    // -- ending links
    // -------------------------------------------------------------------------------

    void finish(Link &l)
    {
        l.done = true;
        for (QObject *o : {static_cast<QObject *>(l.client), static_cast<QObject *>(l.server)})
            QObject::disconnect(o, nullptr, &l, nullptr);
        l.up.timer->stop();
        l.down.timer->stop();
        l.dropTimer->stop();
        l.resetTimer->stop();
        m_links.removeOne(&l);
        {
            QMutexLocker lock(&m_mutex);
            --m_counters.open;
        }
        l.deleteLater();
    }

    void resetLink(Link &l)
    {
        if (l.done)
            return;
        finish(l);
        for (QTcpSocket *s : {l.client, l.server}) {
            if (s->state() == QAbstractSocket::ConnectingState
                || s->state() == QAbstractSocket::HostLookupState) {
                resetOnceConnected(s);
                continue;
            }
            resetOnClose(s);
            s->abort();
        }
    }

    /// Resets \a socket when its connect completes: a connecting QTcpSocket has no descriptor
    /// to set SO_LINGER on yet, though the kernel may have completed the handshake already.
    void resetOnceConnected(QTcpSocket *socket)
    {
        socket->setParent(m_context.get());
        QObject::connect(socket, &QAbstractSocket::connected, socket, [socket] {
            resetOnClose(socket);
            socket->abort();
            socket->deleteLater();
        });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, socket,
                         [socket] { socket->deleteLater(); });
    }

    void closeLink(Link &l)
    {
        if (l.done)
            return;
        finish(l);
        for (QTcpSocket *s : {l.client, l.server}) {
            s->readAll(); // unread bytes would turn the close into a reset
            s->abort();
        }
    }

    void scheduleDrop(Link &l)
    {
        if (!m_dropAfter) {
            l.dropTimer->stop();
            return;
        }
        l.dropTimer->start(timerDelay(l.acceptedAt + *m_dropAfter - Clock::now()));
    }

    const Toxics &toxics(Direction d) const { return m_toxics[d == Direction::Upstream ? 0 : 1]; }

    // -- state
    // --------------------------------------------------------------------------------------

    FaultProxy *m_q;
    QThread m_thread;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>();

    // Used in the proxy's thread only.
    QString m_upstreamHost;
    quint16 m_upstreamPort;
    QTcpServer *m_server = nullptr;
    std::array<Toxics, 2> m_toxics;
    std::optional<Milliseconds> m_dropAfter;
    FaultProxy::Ending m_dropEnding = FaultProxy::Ending::Close;
    FaultProxy::AcceptMode m_acceptMode = FaultProxy::AcceptMode::Forward;
    QList<Link *> m_links;
    QRandomGenerator m_random{20260101u};

    // Read from any thread, under the mutex.
    mutable QMutex m_mutex;
    FaultProxy::Counters m_counters;
    QList<Milliseconds> m_acceptTimes;
    Clock::time_point m_listenedAt = Clock::now();
    quint16 m_boundPort = 0;
    QString m_error;
};

// -- FaultProxy ----------------------------------------------------------------------------------

FaultProxy::FaultProxy(const QString &upstreamHost, quint16 upstreamPort, QObject *parent)
    : QObject(parent),
      m_engine(std::make_unique<FaultProxyEngine>(this, upstreamHost, upstreamPort))
{
}

FaultProxy::~FaultProxy() = default;

bool FaultProxy::listen(quint16 port)
{
    bool ok = false;
    m_engine->call([&] { ok = m_engine->listen(port); });
    return ok;
}

quint16 FaultProxy::port() const
{
    QMutexLocker lock(&m_engine->m_mutex);
    return m_engine->m_boundPort;
}

QString FaultProxy::errorString() const
{
    QMutexLocker lock(&m_engine->m_mutex);
    return m_engine->m_error;
}

void FaultProxy::setUpstream(const QString &host, quint16 port)
{
    m_engine->call([&] {
        m_engine->m_upstreamHost = host;
        m_engine->m_upstreamPort = port;
    });
}

void FaultProxy::setLatency(Direction direction, Milliseconds delay, Milliseconds jitter)
{
    m_engine->call([&] {
        m_engine->setToxics(direction, [&](Toxics &t) {
            t.latency = std::max(delay, Milliseconds{});
            t.jitter = std::max(jitter, Milliseconds{});
        });
    });
}

void FaultProxy::setBandwidth(Direction direction, qint64 bytesPerSecond)
{
    m_engine->call([&] {
        m_engine->setToxics(direction,
                            [&](Toxics &t) { t.bandwidth = std::max<qint64>(bytesPerSecond, 0); });
    });
}

void FaultProxy::setSlicer(Direction direction, int averageSize, int sizeVariation,
                           std::chrono::microseconds delay)
{
    m_engine->call([&] {
        m_engine->setToxics(direction, [&](Toxics &t) {
            t.sliceSize = std::max(averageSize, 0);
            t.sliceVariation = std::max(sizeVariation, 0);
            t.sliceDelay = std::max(delay, std::chrono::microseconds{});
        });
    });
}

void FaultProxy::setLimitData(Direction direction, qint64 bytes)
{
    m_engine->call([&] {
        m_engine->setToxics(direction, [&](Toxics &t) { t.limit = bytes < 0 ? -1 : bytes; });
    });
}

void FaultProxy::setBlackHole(Direction direction, bool on)
{
    m_engine->call([&] { m_engine->setToxics(direction, [&](Toxics &t) { t.blackHole = on; }); });
}

void FaultProxy::setDropAfter(std::optional<Milliseconds> after, Ending ending)
{
    m_engine->call([&] { m_engine->setDropAfter(after, ending); });
}

void FaultProxy::setAcceptMode(AcceptMode mode)
{
    m_engine->call([&] { m_engine->setAcceptMode(mode); });
}

void FaultProxy::clearToxics()
{
    m_engine->call([&] { m_engine->clearToxics(); });
}

void FaultProxy::resetLinks(Milliseconds after)
{
    m_engine->call([&] { m_engine->resetLinks(after); });
}

void FaultProxy::closeLinks()
{
    m_engine->call([&] { m_engine->closeLinks(); });
}

FaultProxy::Counters FaultProxy::counters() const
{
    QMutexLocker lock(&m_engine->m_mutex);
    return m_engine->m_counters;
}

QList<FaultProxy::Milliseconds> FaultProxy::acceptTimes() const
{
    QMutexLocker lock(&m_engine->m_mutex);
    return m_engine->m_acceptTimes;
}

QList<int> FaultProxy::acceptHistogram(Milliseconds bucket) const
{
    const QList<Milliseconds> times = acceptTimes();
    QList<int> histogram;
    if (bucket.count() <= 0 || times.isEmpty())
        return histogram;
    histogram.resize(times.constLast().count() / bucket.count() + 1);
    for (Milliseconds t : times)
        ++histogram[t.count() / bucket.count()];
    return histogram;
}

} // namespace TestSupport
