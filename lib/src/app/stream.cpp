// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The live event stream to a monitor (docs/events.md, "The live stream").

#include <parley/codec.h>
#include <parley/machine.h>
#include <parley/retry.h>
#include <parley/runtime.h>
#include <parley/stream.h>

#include <events_p.h>

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>

#include <algorithm>
#include <mutex>

namespace Parley {

namespace {

/// The link's timer: time to connect again.
struct MonitorRetry
{
};
PARLEY_MESSAGE_AS(MonitorRetry, "parley.MonitorRetry")
/// The link's last message to itself when stopped: everything before it has been sent.
struct MonitorFinish
{
};
PARLEY_MESSAGE_AS(MonitorFinish, "parley.MonitorFinish")
/// The link's timer when stopped with batches waiting for Drained: the monitor has had its time.
struct MonitorGiveUp
{
};
PARLEY_MESSAGE_AS(MonitorGiveUp, "parley.MonitorGiveUp")

/// How long a program's end waits for the monitor: for the batches held back to go (Drained),
/// then again for the monitor to confirm the close (the connection's closeTimeout).
constexpr std::chrono::seconds CloseTimeout{1};

/// A sink following a subtree needs the Created events that say who is in it; a stream always
/// needs them for its snapshot.
LogLevel streamLevel(const CaptureFilter &filter)
{
    return std::min(filter.level, LogLevel::Object,
                    [](LogLevel a, LogLevel b) { return quint8(a) < quint8(b); });
}

/// Whether \a e is the stream's own (a snapshot's, or a report of events it lost) rather than
/// one of the runtime's: the counts leave those out. The runtime's events all have a sequence
/// number; the stream's reports and SnapshotEnd have none.
bool isStreams(const Event &e)
{
    return e.kind == EventKind::Snapshot || e.seq == 0;
}

/// Returns how many of \a events are the runtime's.
quint64 runtimeEvents(const QList<Event> &events)
{
    return quint64(
        std::count_if(events.begin(), events.end(), [](const Event &e) { return !isStreams(e); }));
}

} // namespace

struct MonitorStream::Private
{
    Runtime *runtime = nullptr;
    HostPort monitor;
    Address link;

    mutable std::mutex lock;
    CaptureState capture;
    QHash<quint64, Event> alive; ///< objects alive now, as their Created events
    QList<Event> pending;
    bool attached = false;
    bool snapshotDue = false;
    bool everAttached = false;
    bool historyLost = false; ///< the buffer overflowed before the first connection
    int connections = 0;
    quint64 sent = 0;
    qsizetype inFlight = 0; ///< handed to the link, not yet to the connection
    quint64 dropped = 0;
    quint64 droppedUnsaid = 0;

    /// Takes what is to be sent now, snapshot first; empty when detached. Call with the lock.
    QList<Event> takeBatch()
    {
        QList<Event> out;
        if (!attached)
            return out;
        if (snapshotDue) {
            snapshotDue = false;
            // Ids grow with creation, so a parent comes before its children.
            QList<quint64> ids = alive.keys();
            std::sort(ids.begin(), ids.end());
            out.reserve(ids.size() + 1 + pending.size());
            for (quint64 id : ids) {
                Event e = alive.value(id);
                e.kind = EventKind::Snapshot;
                out.append(std::move(e));
            }
            Event end;
            end.kind = EventKind::SnapshotEnd;
            end.level = LogLevel::Object;
            end.object = 1;
            end.count = quint64(ids.size());
            end.wall = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
            out.append(std::move(end));
        }
        // The report takes a place within the bound like any event: with none free (a monitor
        // that stopped reading) it waits, and the count with it, instead of adding a batch to
        // the link's at every flush.
        if (droppedUnsaid > 0 && pending.size() + inFlight < MaxPending) {
            Event e;
            e.kind = EventKind::EventsDropped;
            e.level = LogLevel::Warning;
            e.object = 1;
            e.count = droppedUnsaid;
            e.wall = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
            e.text
                = QStringLiteral("the stream to the monitor lost %1 event(s)").arg(droppedUnsaid);
            out.append(std::move(e));
            droppedUnsaid = 0;
        }
        out.append(std::move(pending));
        pending.clear();
        return out;
    }

    /// Counts the runtime's events in \a lost as dropped, and says again the losses that a
    /// report of the stream's inside it said (they were lost with it). Call with the lock.
    void lose(const QList<Event> &lost)
    {
        const quint64 n = runtimeEvents(lost);
        dropped += n;
        droppedUnsaid += n;
        for (const Event &e : lost) {
            if (e.kind == EventKind::EventsDropped && e.seq == 0)
                droppedUnsaid += e.count;
        }
    }
    /// Queues \a event to be sent, without its body unless bodies are captured. Call with
    /// the lock.
    void keep(const Event &event)
    {
        pending.append(event);
        if (!capture.filter().bodies && !event.body.isEmpty()) {
            pending.back().body.clear();
            pending.back().bodyTruncated = false;
        }
    }

    /// Hands \a events to the link (from the drain thread, or the link's own thread); nothing
    /// of this is recorded.
    void send(QList<Event> &&events)
    {
        if (events.isEmpty())
            return;
        {
            std::lock_guard guard(lock);
            inFlight += events.size();
        }
        const Internal::UnrecordedScope unrecorded;
        for (qsizetype at = 0; at < events.size(); at += BatchSize) {
            const qsizetype n = std::min(BatchSize, events.size() - at);
            runtime->send(EventBatch{events.mid(at, n)}, link);
        }
    }
};

namespace {

/// The stream's connection: connects, sends the identity, passes batches on, retries.
class MonitorLink : public Machine
{
public:
    explicit MonitorLink(std::shared_ptr<MonitorStream::Private> stream)
        : m_stream(std::move(stream)), m_retry(RetryPolicy::forPeer(m_stream->monitor))
    {
        on<Start>([this] { connect(); });
        on<MonitorRetry>([this] { connect(); });
        on<Connected>([this] {
            m_connecting = false;
            m_proxy = returnAddress();
            m_up.start();
            send(RuntimeInfo(m_stream->runtime->info()), m_proxy);
            QList<Event> first;
            {
                std::lock_guard guard(m_stream->lock);
                m_stream->attached = true;
                // The first monitor gets the whole history when it was all kept; any later
                // one (perhaps a restarted monitor that knows nothing) gets the snapshot.
                m_stream->snapshotDue = m_stream->everAttached || m_stream->historyLost;
                if (m_stream->snapshotDue)
                    m_stream->pending.clear();
                m_stream->everAttached = true;
                ++m_stream->connections;
                first = m_stream->takeBatch();
                m_stream->sent += runtimeEvents(first);
            }
            for (qsizetype at = 0; at < first.size(); at += MonitorStream::BatchSize)
                send(EventBatch{first.mid(at,
                                          std::min(MonitorStream::BatchSize, first.size() - at))},
                     m_proxy);
            if (m_stopping)
                finishUp(); // the program ended while this connection was coming up
        });
        on<NotConnected>([this] {
            m_connecting = false;
            if (m_stopping)
                complete(Aborted{QStringLiteral("stopped")});
            else
                retryLater();
        });
        on<Closed>([this] { lost(); });
        on<Abandoned>([this] { lost(); });
        on<EventBatch>([this](EventBatch &batch) {
            // From the drain thread (as the runtime) or, when stopping, from this link.
            if (m_pacing && !m_proxy.isNull()) {
                // The connection has not caught up: the batch waits here (it still counts
                // against MaxPending, so the stream drops new events, not this one).
                m_held.append(std::move(batch));
                return;
            }
            forward(std::move(batch));
        });
        on<Drained>([this] {
            m_pacing = false;
            m_unconfirmed = 0;
            QList<EventBatch> held = std::move(m_held);
            m_held.clear();
            for (qsizetype i = 0; i < held.size(); ++i) {
                if (m_pacing) {
                    m_held.append(held.mid(i)); // paced again: the rest waits on
                    break;
                }
                forward(std::move(held[i]));
            }
            if (m_finishDue && m_held.isEmpty()) {
                m_finishDue = false;
                cancel<MonitorGiveUp>();
                detach();
                send(Close{}, m_proxy);
            }
        });
        on<SendFailed>([this](SendFailed &failed) {
            const auto *batch = failed.message.getIf<EventBatch>();
            std::lock_guard guard(m_stream->lock);
            if (!batch)
                return; // the RuntimeInfo: no event
            m_stream->sent -= std::min(m_stream->sent, runtimeEvents(batch->events));
            m_stream->lose(batch->events);
        });
        on<CaptureFilter>([this](CaptureFilter &filter) {
            {
                std::lock_guard guard(m_stream->lock);
                m_stream->capture.setFilter(std::move(filter));
            }
            m_stream->runtime->logger().refresh();
        });
        on<Stop>([this] {
            // The program is ending: what it did up to now goes out first (finishUp).
            m_stopping = true;
            cancel<MonitorRetry>();
            if (m_proxy.isNull()) {
                // A short program often ends before its first connection is up: the attempt
                // under way decides (Connected sends the history, NotConnected ends it).
                if (!m_connecting) {
                    detach();
                    complete(Aborted{QStringLiteral("stopped")});
                }
                return;
            }
            finishUp();
        });
        on<MonitorFinish>([this] {
            if (!m_held.isEmpty()) {
                // After the batches that wait for Drained, if it comes in time: a monitor that
                // stopped reading must not hold up the program's end.
                m_finishDue = true;
                start(MonitorGiveUp{}, CloseTimeout);
                return;
            }
            detach();
            // Close confirms that the monitor has read everything; the link ends when it
            // hears Closed (within the connection's closeTimeout).
            send(Close{}, m_proxy);
        });
        on<MonitorGiveUp>([this] {
            if (!m_finishDue)
                return;
            // The monitor took nothing for a close timeout: what still waits is lost, and
            // counted; the close goes now (and waits for the monitor once more, as long).
            m_finishDue = false;
            loseHeld();
            detach();
            send(Close{}, m_proxy);
        });
    }

private:
    /// Hands \a batch to the connection (or counts it lost when there is none any more); every
    /// MaxUnconfirmed batches asks the connection to say when its send queue is below half its
    /// limits (Drained), which it does only after it has encoded everything before: until then
    /// batches wait, so neither the connection's mailbox nor its queue grows without bound.
    void forward(EventBatch &&batch)
    {
        const qsizetype n = batch.events.size();
        {
            std::lock_guard guard(m_stream->lock);
            m_stream->inFlight -= n;
            if (m_proxy.isNull()) {
                // The connection went while this batch waited: it is lost, and said so.
                m_stream->lose(batch.events);
                return;
            }
            m_stream->sent += runtimeEvents(batch.events);
        }
        send(std::move(batch), m_proxy);
        if (++m_unconfirmed >= MaxUnconfirmed) {
            m_pacing = true;
            send(WhenDrained{}, m_proxy);
        }
    }
    /// Sends what the program did up to now, then MonitorFinish to itself: the drain thread
    /// hands the stream everything queued, full batches come to this mailbox ahead of
    /// MonitorFinish, and the rest goes from here.
    void finishUp()
    {
        m_stream->runtime->logger().flush();
        QList<Event> rest;
        {
            std::lock_guard guard(m_stream->lock);
            rest = m_stream->takeBatch();
        }
        m_stream->send(std::move(rest));
        send(MonitorFinish{}, address());
    }
    void connect()
    {
        ConnectionOptions options;
        options.maxFrameSize = 16 << 20; // a batch of events with bodies can be large
        options.closeTimeout = CloseTimeout;
        options.connectTimeout = std::chrono::seconds(2);
        m_connecting = true;
        Parley::connectTo(*this, m_stream->monitor, options);
    }
    void detach()
    {
        std::lock_guard guard(m_stream->lock);
        m_stream->attached = false;
        m_stream->pending.clear();
    }
    /// Counts the batches held back for Drained as lost, and lets them go.
    void loseHeld()
    {
        const Address proxy = std::exchange(m_proxy, Address());
        for (EventBatch &held : m_held)
            forward(std::move(held)); // counted lost: there is no connection
        m_held.clear();
        m_proxy = proxy;
    }
    void lost()
    {
        m_pacing = false;
        m_unconfirmed = 0;
        m_proxy = {};
        loseHeld();
        if (m_stopping) {
            complete(Aborted{QStringLiteral("stopped")});
            return;
        }
        detach();
        m_retry.lost(std::chrono::milliseconds(m_up.isValid() ? m_up.elapsed() : 0));
        retryLater();
    }
    void retryLater()
    {
        const auto delay = m_retry.next();
        if (delay)
            start(MonitorRetry{}, *delay);
    }

    std::shared_ptr<MonitorStream::Private> m_stream;
    RetrySchedule m_retry;
    Address m_proxy;
    QElapsedTimer m_up;
    bool m_stopping = false;
    bool m_connecting = false;
    bool m_pacing = false; ///< waiting for Drained: batches wait in m_held
    QList<EventBatch> m_held;
    bool m_finishDue = false; ///< stopping: Close goes once the held batches have
    int m_unconfirmed = 0;    ///< batches handed over since the last Drained
    static constexpr int MaxUnconfirmed = 8;
};

} // namespace

MonitorStream::MonitorStream(std::shared_ptr<Private> p)
    : LogSink(streamLevel(p->capture.filter())), d(std::move(p))
{
}

MonitorStream::~MonitorStream() = default;

std::shared_ptr<MonitorStream> MonitorStream::start(Runtime &runtime, const HostPort &monitor,
                                                    const CaptureFilter &filter)
{
    auto p = std::make_shared<Private>();
    p->runtime = &runtime;
    p->monitor = monitor;
    p->capture.setFilter(filter);
    std::shared_ptr<MonitorStream> stream(new MonitorStream(p));
    {
        const Internal::UnrecordedScope unrecorded;
        p->link = runtime.create<MonitorLink>(p);
    }
    runtime.logger().addSink(stream);
    return stream;
}

bool MonitorStream::isConnected() const
{
    std::lock_guard guard(d->lock);
    return d->attached;
}

int MonitorStream::connections() const
{
    std::lock_guard guard(d->lock);
    return d->connections;
}

quint64 MonitorStream::eventsSent() const
{
    std::lock_guard guard(d->lock);
    return d->sent;
}

quint64 MonitorStream::eventsDropped() const
{
    std::lock_guard guard(d->lock);
    return d->dropped;
}

CaptureFilter MonitorStream::filter() const
{
    std::lock_guard guard(d->lock);
    return d->capture.filter();
}

bool MonitorStream::wantsBodies() const
{
    std::lock_guard guard(d->lock);
    return d->capture.filter().bodies;
}

void MonitorStream::write(const Event &event)
{
    QList<Event> full;
    {
        std::lock_guard guard(d->lock);
        switch (event.kind) {
        case EventKind::Created:
            d->alive.insert(event.object, event);
            break;
        case EventKind::Destroyed:
            d->alive.remove(event.object);
            break;
        case EventKind::StateChanged: {
            const auto it = d->alive.find(event.object);
            if (it != d->alive.end())
                it->state = event.state;
            break;
        }
        default:
            break;
        }
        if (!d->capture.admits(event))
            return;
        if (!d->attached) {
            // Until the first connection the history is kept (a short program's whole run
            // reaches a monitor that accepts a moment later); after it, a monitor that comes
            // back gets the snapshot instead.
            if (d->everAttached || d->historyLost)
                return;
            if (d->pending.size() >= MaxPending) {
                d->historyLost = true;
                d->pending.clear();
                return;
            }
            d->keep(event);
            return;
        }
        // Bounded: what waits here and what waits in the link's mailbox together.
        if (d->pending.size() + d->inFlight >= MaxPending) {
            ++d->dropped;
            ++d->droppedUnsaid;
            return;
        }
        d->keep(event);
        if (d->pending.size() >= BatchSize)
            full = d->takeBatch();
    }
    d->send(std::move(full));
}

void MonitorStream::flush()
{
    QList<Event> batch;
    {
        std::lock_guard guard(d->lock);
        batch = d->takeBatch();
    }
    d->send(std::move(batch));
}

bool parseMonitorAddress(const QString &text, HostPort &out)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString host = colon >= 0 ? text.left(colon) : QString();
    const QString portText = colon >= 0 ? text.mid(colon + 1) : text;
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return false;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    out = HostPort{host.isEmpty() ? QStringLiteral("127.0.0.1") : host, quint16(port)};
    return true;
}

} // namespace Parley
