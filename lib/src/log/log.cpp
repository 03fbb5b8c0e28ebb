// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/events.h>
#include <parley/log.h>

#include <QtCore/QDateTime>
#include <QtCore/QFile>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace Parley {

std::optional<LogLevel> logLevelFromName(QStringView name)
{
    static const struct
    {
        const char *name;
        LogLevel level;
    } levels[] = {{"DEBUG", LogLevel::Debug},     {"TRACE", LogLevel::Trace},
                  {"OBJECT", LogLevel::Object},   {"CONSOLE", LogLevel::Console},
                  {"WARNING", LogLevel::Warning}, {"FAULT", LogLevel::Fault},
                  {"NONE", LogLevel::None}};
    for (const auto &l : levels) {
        if (name.compare(QLatin1String(l.name), Qt::CaseInsensitive) == 0)
            return l.level;
    }
    return std::nullopt;
}

QString logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return QStringLiteral("DEBUG");
    case LogLevel::Trace:
        return QStringLiteral("TRACE");
    case LogLevel::Object:
        return QStringLiteral("OBJECT");
    case LogLevel::Console:
        return QStringLiteral("CONSOLE");
    case LogLevel::Warning:
        return QStringLiteral("WARNING");
    case LogLevel::Fault:
        return QStringLiteral("FAULT");
    case LogLevel::None:
        return QStringLiteral("NONE");
    }
    return QStringLiteral("NONE");
}

LogSink::~LogSink() = default;

// -- text sinks ---------------------------------------------------------------------------------

namespace {
std::mutex &stderrLock()
{
    static std::mutex lock;
    return lock;
}
} // namespace

void StderrSink::write(const Event &event)
{
    if (event.kind == EventKind::Handled)
        return; // a figure for monitors, not a line
    const QByteArray line = formatEvent(event).toUtf8() + '\n';
    std::lock_guard guard(stderrLock());
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
}

void StderrSink::flush()
{
    std::lock_guard guard(stderrLock());
    std::fflush(stderr);
}

struct FileSink::Private
{
    std::mutex lock;
    QFile file;
};

FileSink::FileSink(const QString &path, LogLevel level)
    : LogSink(level), d(std::make_unique<Private>())
{
    d->file.setFileName(path);
    (void)d->file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

FileSink::~FileSink() = default;

bool FileSink::isOpen() const
{
    return d->file.isOpen();
}

void FileSink::write(const Event &event)
{
    if (event.kind == EventKind::Handled)
        return;
    const QByteArray line = formatEvent(event).toUtf8() + '\n';
    std::lock_guard guard(d->lock);
    if (d->file.isOpen())
        d->file.write(line);
}

void FileSink::flush()
{
    std::lock_guard guard(d->lock);
    if (d->file.isOpen())
        d->file.flush();
}

// -- Logger -------------------------------------------------------------------------------------

struct Logger::Private
{
    using Sinks = std::vector<std::shared_ptr<LogSink>>;

    std::mutex sinksLock; // orders changes to the lists
    std::mutex queueLock; // guards the lists (copied on change) and everything below
    std::shared_ptr<const Sinks> immediate = std::make_shared<Sinks>();
    std::shared_ptr<const Sinks> queued = std::make_shared<Sinks>();

    std::condition_variable wake;    // the drain thread waits here for events
    std::condition_variable drained; // flush() waits here for the drain thread
    std::vector<Event> queue;
    qsizetype capacity = DefaultCapacity;
    quint64 nextSeq = 1;
    quint64 dropped = 0;       // in all
    quint64 droppedUnsaid = 0; // not yet reported by an EventsDropped event
    quint64 posted = 0;        // events queued so far
    quint64 written = 0;       // events the drain thread has handed to the sinks
    bool stopping = false;
    bool draining = false;
    std::atomic<bool> *full = nullptr; // the Logger's: set while the queue is full
    std::thread thread;

    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    /// The wall clock at start: an event's wall time is this plus its monotonic time, one
    /// clock read per event instead of two.
    qint64 startWall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();

    [[nodiscard]] qint64 elapsed() const
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now()
                                                                    - start)
            .count();
    }

    static void writeTo(const Sinks &sinks, const Event &event)
    {
        for (const auto &s : sinks) {
            if (quint8(event.level) >= quint8(s->level()) && s->level() != LogLevel::None)
                s->write(event);
        }
    }

    void ensureThread()
    {
        if (thread.joinable())
            return;
        thread = std::thread([this] { run(); });
    }

    void run()
    {
        std::vector<Event> batch;
        std::unique_lock lock(queueLock);
        for (;;) {
            wake.wait(lock, [this] { return stopping || !queue.empty(); });
            if (queue.empty() && stopping)
                break;
            batch.swap(queue);
            full->store(false, std::memory_order_relaxed);
            const quint64 lost = droppedUnsaid;
            droppedUnsaid = 0;
            quint64 lostSeq = 0;
            if (lost)
                lostSeq = nextSeq++;
            draining = true;
            const std::shared_ptr<const Sinks> sinks = queued;
            lock.unlock();
            if (lost) {
                Event e;
                e.kind = EventKind::EventsDropped;
                e.level = LogLevel::Warning;
                e.seq = lostSeq;
                e.time = elapsed();
                e.wall = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
                e.object = 1;
                e.count = lost;
                e.text = QStringLiteral("the event queue was full: %1 event(s) lost").arg(lost);
                writeTo(*sinks, e);
            }
            for (const Event &e : batch)
                writeTo(*sinks, e);
            const quint64 n = batch.size();
            batch.clear();
            lock.lock();
            if (queue.empty()) {
                // Idle: buffering sinks hand their buffers on now, not at every event.
                lock.unlock();
                for (const auto &s : *sinks)
                    s->flush();
                lock.lock();
            }
            written += n;
            draining = false;
            drained.notify_all();
        }
        draining = false;
        drained.notify_all();
    }
};

Logger::Logger() : d(std::make_unique<Private>())
{
    d->full = &m_full;
}

Logger::~Logger()
{
    {
        std::lock_guard guard(d->queueLock);
        d->stopping = true;
    }
    d->wake.notify_all();
    if (d->thread.joinable())
        d->thread.join();
    for (const auto &s : *d->queued)
        s->flush();
}

void Logger::refresh()
{
    std::lock_guard guard(d->sinksLock);
    std::lock_guard queue(d->queueLock);
    quint8 lowest = quint8(LogLevel::None);
    bool bodies = false;
    for (const auto *list : {d->immediate.get(), d->queued.get()}) {
        for (const auto &s : *list) {
            lowest = std::min(lowest, quint8(s->level()));
            bodies = bodies || s->wantsBodies();
        }
    }
    m_threshold.store(lowest, std::memory_order_relaxed);
    m_bodies.store(bodies, std::memory_order_relaxed);
}

void Logger::addSink(std::shared_ptr<LogSink> sink)
{
    {
        std::lock_guard guard(d->sinksLock);
        const bool now = sink->delivery() == LogSink::Delivery::Immediate;
        std::lock_guard queue(d->queueLock);
        auto &list = now ? d->immediate : d->queued;
        auto copy = std::make_shared<Private::Sinks>(*list);
        copy->push_back(std::move(sink));
        list = std::move(copy);
        if (!now)
            d->ensureThread();
    }
    refresh();
}

void Logger::removeSink(const std::shared_ptr<LogSink> &sink)
{
    if (sink && sink->delivery() == LogSink::Delivery::Queued)
        flush(); // what was emitted while it was there reaches it
    {
        std::lock_guard guard(d->sinksLock);
        std::lock_guard queue(d->queueLock);
        for (auto *list : {&d->immediate, &d->queued}) {
            auto copy = std::make_shared<Private::Sinks>(**list);
            std::erase(*copy, sink);
            *list = std::move(copy);
        }
    }
    refresh();
}

void Logger::clearSinks()
{
    flush();
    {
        std::lock_guard guard(d->sinksLock);
        std::lock_guard queue(d->queueLock);
        d->immediate = std::make_shared<Private::Sinks>();
        d->queued = std::make_shared<Private::Sinks>();
    }
    refresh();
}

void Logger::post(Event &&event)
{
    if (!wants(event.level))
        return;
    event.time = d->elapsed();
    if (event.wall == 0)
        event.wall = d->startWall + event.time;
    bool wakeUp = false;
    {
        std::lock_guard guard(d->queueLock);
        event.seq = d->nextSeq++;
        // Under the lock: immediate sinks see the events in sequence order too.
        if (!d->immediate->empty())
            Private::writeTo(*d->immediate, event);
        if (d->queued->empty())
            return;
        if (d->queue.size() >= size_t(d->capacity)) {
            ++d->dropped;
            ++d->droppedUnsaid;
            if (d->immediate->empty())
                m_full.store(true, std::memory_order_relaxed);
            return;
        }
        wakeUp = d->queue.empty() && !d->draining;
        d->queue.push_back(std::move(event));
        ++d->posted;
    }
    if (wakeUp)
        d->wake.notify_one();
}

bool Logger::shedFull() noexcept
{
    std::lock_guard guard(d->queueLock);
    if (d->queue.size() < size_t(d->capacity) || !d->immediate->empty()) {
        m_full.store(false, std::memory_order_relaxed);
        return false;
    }
    ++d->dropped;
    ++d->droppedUnsaid;
    return true;
}

void Logger::flush()
{
    std::unique_lock lock(d->queueLock);
    if (!d->thread.joinable())
        return;
    const quint64 target = d->posted;
    d->wake.notify_one();
    d->drained.wait(lock, [&] {
        return (d->written >= target && !d->draining) || (d->stopping && !d->draining);
    });
    const std::shared_ptr<const Private::Sinks> sinks = d->queued;
    lock.unlock();
    for (const auto &s : *sinks)
        s->flush();
}

void Logger::setCapacity(qsizetype events)
{
    std::lock_guard guard(d->queueLock);
    d->capacity = std::max<qsizetype>(16, events);
}

quint64 Logger::dropped() const
{
    std::lock_guard guard(d->queueLock);
    return d->dropped;
}

quint64 Logger::nextSequence() const
{
    std::lock_guard guard(d->queueLock);
    return d->nextSeq;
}

qint64 Logger::elapsed() const
{
    return d->elapsed();
}

} // namespace Parley
