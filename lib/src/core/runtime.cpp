// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "runtime_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QEventLoop>
#include <QtCore/QFileInfo>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSysInfo>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <cstdlib>

Q_LOGGING_CATEGORY(lcRuntime, "parley.runtime")

namespace Parley {

// -- ObjectTable --------------------------------------------------------------------------------

ObjectTable::ObjectTable(const std::atomic<quint64> *nextId)
    : m_nextId(nextId),
      m_top(static_cast<std::atomic<Mid *> *>(std::calloc(TopSize, sizeof(std::atomic<Mid *>))))
{
    if (!m_top)
        qFatal("Parley: cannot allocate the object table");
}

ObjectTable::~ObjectTable()
{
    for (quint64 t = 0; t < TopSize; ++t) {
        Mid *mid = m_top[t].load(std::memory_order_relaxed);
        if (!mid)
            continue;
        for (quint64 m = 0; m < MidSize; ++m)
            std::free(mid->pages[m].load(std::memory_order_relaxed));
        std::free(mid);
    }
    std::free(m_top);
}

std::atomic<ObjectTable::Page *> *ObjectTable::pageSlot(quint64 page, bool create) const
{
    const quint64 top = page >> MidBits;
    if (top >= TopSize) {
        if (create)
            qFatal("Parley: object ids exhausted (more than 2^40 objects created)");
        return nullptr;
    }
    Mid *mid = m_top[top].load(std::memory_order_acquire);
    if (!mid) {
        if (!create)
            return nullptr;
        std::lock_guard guard(m_midLock);
        mid = m_top[top].load(std::memory_order_relaxed);
        if (!mid) {
            mid = static_cast<Mid *>(std::calloc(1, sizeof(Mid)));
            if (!mid)
                qFatal("Parley: cannot allocate the object table");
            m_top[top].store(mid, std::memory_order_release);
        }
    }
    return &mid->pages[page & (MidSize - 1)];
}

void ObjectTable::insert(quint64 id, ObjectPrivate *object)
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = pageSlot(page, true);
    {
        std::lock_guard guard(stripe(page));
        Page *p = slot->load(std::memory_order_relaxed);
        if (!p) {
            p = static_cast<Page *>(std::calloc(1, sizeof(Page)));
            if (!p)
                qFatal("Parley: cannot allocate the object table");
            slot->store(p, std::memory_order_relaxed);
        }
        p->objects[id & (PageSize - 1)] = object;
        ++p->live;
    }
    m_size.fetch_add(1, std::memory_order_relaxed);
    quint64 highest = m_highestPage.load(std::memory_order_relaxed);
    while (page > highest && !m_highestPage.compare_exchange_weak(highest, page)) {}
}

void ObjectTable::remove(quint64 id)
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return;
    std::lock_guard guard(stripe(page));
    Page *p = slot->load(std::memory_order_relaxed);
    if (!p || !p->objects[id & (PageSize - 1)])
        return;
    p->objects[id & (PageSize - 1)] = nullptr;
    m_size.fetch_sub(1, std::memory_order_relaxed);
    // Once every id of the page has been handed out, an empty page will never fill again. (An
    // id handed out but not yet inserted simply recreates the page.)
    if (--p->live == 0 && m_nextId->load(std::memory_order_relaxed) > (page + 1) * PageSize) {
        slot->store(nullptr, std::memory_order_relaxed);
        std::free(p);
    }
}

bool ObjectTable::post(quint64 id, Internal::Parcel &parcel)
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return false;
    Internal::Executor *toWake;
    {
        std::lock_guard guard(stripe(page));
        Page *p = slot->load(std::memory_order_relaxed);
        ObjectPrivate *target = p ? p->objects[id & (PageSize - 1)] : nullptr;
        if (!target)
            return false;
        toWake = target->executor->post(target, parcel);
    }
    if (toWake)
        toWake->wake();
    return true;
}

ObjectPrivate *ObjectTable::find(quint64 id) const
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return nullptr;
    std::lock_guard guard(stripe(page));
    const Page *p = slot->load(std::memory_order_relaxed);
    return p ? p->objects[id & (PageSize - 1)] : nullptr;
}

bool ObjectTable::contains(quint64 id) const
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return false;
    std::lock_guard guard(stripe(page));
    const Page *p = slot->load(std::memory_order_relaxed);
    return p && p->objects[id & (PageSize - 1)];
}

std::vector<ObjectPrivate *> ObjectTable::snapshot() const
{
    std::vector<ObjectPrivate *> out;
    const quint64 highest = m_highestPage.load(std::memory_order_relaxed);
    for (quint64 page = 0; page <= highest; ++page) {
        std::atomic<Page *> *slot = findSlot(page);
        if (!slot)
            continue;
        std::lock_guard guard(stripe(page));
        const Page *p = slot->load(std::memory_order_relaxed);
        if (!p)
            continue;
        for (ObjectPrivate *o : p->objects) {
            if (o)
                out.push_back(o);
        }
    }
    return out;
}

// -- RuntimePrivate -----------------------------------------------------------------------------

RuntimePrivate::RuntimePrivate(Runtime *q, Runtime::Options opts) : q(q), options(std::move(opts))
{
    // Random, so that the runtimes of one system (even on one host, or restarted with the same
    // pid) name each other apart in Event::origin.
    info.runtimeId = QRandomGenerator::system()->generate64() | 1;
    info.pid = QCoreApplication::applicationPid();
    info.host = QSysInfo::machineHostName();
    info.program = QCoreApplication::instance()
        ? QFileInfo(QCoreApplication::applicationFilePath()).fileName()
        : QString();
    info.runtimeName = displayName();
    info.startWall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    info.parleyVersion = QStringLiteral(PARLEY_VERSION_STRING);
}

// -- LogThrottle --------------------------------------------------------------------------------

bool LogThrottle::admit(quint64 key, Clock::time_point now, const Line &line, bool &summaryDue)
{
    summaryDue = false;
    std::lock_guard guard(m_lock);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        if (m_entries.size() >= MaxKeys) {
            // A flood of distinct kinds: they share one entry (and one summary).
            key = 0;
            it = m_entries.find(key);
        }
        if (it == m_entries.end()) {
            m_entries.insert(key, Entry{now, 0, line});
            return true;
        }
    }
    if (now - it->start >= Window && it->suppressed == 0) {
        it->start = now; // a new episode: its first line is written
        it->line = line;
        return true;
    }
    if (it->suppressed++ == 0)
        summaryDue = true;
    return false;
}

std::vector<LogThrottle::Line> LogThrottle::flush(Clock::time_point now, bool all)
{
    std::vector<Line> out;
    std::lock_guard guard(m_lock);
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (!all && now - it->start < Window) {
            ++it;
            continue;
        }
        if (it->suppressed > 0) {
            // The summary is text about the same object; the first event of the burst is what
            // it says "like this" of.
            Line summary = it->line;
            const QString first = eventText(it->line.event);
            const qint64 ms
                = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->start).count();
            Event &e = summary.event;
            e.kind = EventKind::Text;
            e.wall = 0;
            e.count = it->suppressed;
            e.text = it.key() == 0
                ? QStringLiteral("%1 more warnings of other kinds in %2 ms; the last: %3")
                      .arg(it->suppressed)
                      .arg(ms)
                      .arg(first)
                : QStringLiteral("%1 more like this in %2 ms: %3")
                      .arg(it->suppressed)
                      .arg(ms)
                      .arg(first);
            out.push_back(std::move(summary));
        }
        it = m_entries.erase(it);
    }
    return out;
}

// -- drops and bounces --------------------------------------------------------------------------

void RuntimePrivate::warnThrottled(quint64 key, Event &&event)
{
    if (!logger.wants(event.level))
        return;
    bool summaryDue = false;
    if (throttle.admit(key, LogThrottle::Clock::now(), LogThrottle::Line{event}, summaryDue)) {
        logger.post(std::move(event));
        return;
    }
    if (summaryDue && timers)
        timers->requestHousekeeping(LogThrottle::Window);
}

void RuntimePrivate::warnThrottled(quint64 key, quint64 objectId, const Object *object,
                                   QString text)
{
    if (!logger.wants(LogLevel::Warning) || !records(object))
        return;
    Event e = objectEvent(EventKind::Text, LogLevel::Warning, objectId, object);
    e.text = std::move(text);
    warnThrottled(key, std::move(e));
}

void RuntimePrivate::flushThrottled(bool all)
{
    for (auto &line : throttle.flush(LogThrottle::Clock::now(), all))
        logger.post(std::move(line.event));
}

void RuntimePrivate::logDropped(const detail::Envelope &envelope, quint64 senderId, const char *why,
                                const Object *sender, DropReason reason)
{
    // A notice (a Completed for a parent that is already gone, a Stop for an object that ended,
    // an Undeliverable or a connection's loss for an object that moved on) is the normal end of
    // something: debug only.
    const bool notice = envelope.message.type() && envelope.message.type()->notice;
    emitDropped(notice ? LogLevel::Debug : LogLevel::Warning, senderId, sender, envelope.message,
                envelope.to, envelope.from, reason, why);
}

void RuntimePrivate::bounce(const Address &to, const Address &from, const Value &message,
                            DropReason reason, const QString &note)
{
    const TypeInfo *type = message.type();
    if (!type || type->notice || from.isNull() || from.last() == RootId || from.last() == 0)
        return;
    Value notice(Undeliverable{to, QString::fromUtf8(type->wireName), reason, note});
    // The sender may have ended meanwhile: then this is dropped quietly (a notice).
    const Address returned = to.isNull() ? Address(RootId) : to;
    deliver(Internal::Parcel{from, returned, notice, 0}, 0);
}

bool RuntimePrivate::deliverIfThere(Internal::Parcel parcel, quint64 senderId, const Object *sender)
{
    if (parcel.to.last() != 0 && table.post(parcel.to.last(), parcel))
        return true;
    emitDropped(LogLevel::Debug, senderId, sender, parcel.message, parcel.to, parcel.from,
                DropReason::NoSuchObject, "it has ended");
    return false;
}

bool RuntimePrivate::deliver(Internal::Parcel parcel, quint64 senderId, const Object *sender)
{
    const quint64 id = parcel.to.last();
    if (id == RootId) {
        deliverToRoot({parcel.to, parcel.from, std::move(parcel.message), parcel.timerGeneration,
                       parcel.stamp});
        return true;
    }
    if (id != 0 && table.post(id, parcel))
        return true;
    // post() did not take the message, so it is still intact for the log line and the bounce.
    if (parcel.timerGeneration)
        return false; // a timer of an object that ended: nobody to tell
    const DropReason reason = id == 0 ? DropReason::NullAddress : DropReason::NoSuchObject;
    const char *why = id == 0 ? "null address" : "no such object";
    bounce(parcel.to, parcel.from, parcel.message, reason, QString::fromUtf8(why));
    if (logger.wants(LogLevel::Warning)) // true whenever a WARNING or a DEBUG drop line shows
        logDropped({parcel.to, parcel.from, std::move(parcel.message), 0}, senderId, why, sender,
                   reason);
    return false;
}

void RuntimePrivate::deliverToRoot(detail::Envelope &&envelope)
{
    const quint64 from = envelope.from.last();
    if (auto *c = envelope.message.getIf<Completed>()) {
        {
            std::lock_guard guard(rootLock);
            if (!topLevel.remove(from))
                return; // not one of ours (e.g. a late duplicate)
            completions.emplace(from, std::move(c->value));
        }
        rootCv.notify_all();
        QMetaObject::invokeMethod(
            q, [q = q, from] { Q_EMIT q->completed(Address(from)); }, Qt::QueuedConnection);
        return;
    }
    if (logger.wants(LogLevel::Debug))
        emitText(
            LogLevel::Debug, RootId, nullptr,
            QStringLiteral("Ignored %1 from %2")
                .arg(QString::fromUtf8(envelope.message.typeName()), envelope.from.toString()));
}

Internal::LoopExecutor *RuntimePrivate::nextWorker()
{
    const unsigned i = m_nextWorker.fetch_add(1, std::memory_order_relaxed);
    return workers[i % workers.size()].get();
}

Internal::LoopExecutor *RuntimePrivate::guiExecutor()
{
    std::lock_guard guard(guiLock);
    if (!gui) {
        QCoreApplication *app = QCoreApplication::instance();
        if (!app)
            return nullptr;
        gui = std::make_unique<Internal::LoopExecutor>(this, QStringLiteral("gui"), app->thread(),
                                                       false);
    }
    return gui.get();
}

Internal::Executor *RuntimePrivate::executorFor(const Object *creator, Placement placement)
{
    if (manual)
        return manual.get(); // one thread does everything, whatever the placement
    switch (placement) {
    case Placement::Gui:
        if (auto *g = guiExecutor())
            return g;
        qCWarning(lcRuntime, "Placement::Gui needs a QCoreApplication; using a worker");
        return nextWorker();
    case Placement::AnyWorker:
        return nextWorker();
    case Placement::Default:
        if (creator) {
            Internal::Executor *e = ObjectPrivate::get(const_cast<Object *>(creator))->executor;
            if (e && e->isWorker())
                return e;
        }
        return nextWorker();
    }
    return nextWorker();
}

void RuntimePrivate::reapRoutineThreads(bool all)
{
    std::list<RoutineThread> done;
    {
        std::lock_guard guard(routineLock);
        for (auto it = routineThreads.begin(); it != routineThreads.end();) {
            if (all || it->finished.load(std::memory_order_acquire)) {
                auto next = std::next(it);
                done.splice(done.end(), routineThreads, it);
                it = next;
            } else {
                ++it;
            }
        }
    }
    for (auto &t : done) {
        if (t.thread) {
            t.thread->wait();
            t.thread.reset();
        }
    }
}

void RuntimePrivate::shutdown()
{
    shuttingDown.store(true);
    // Ask every top-level object to stop; the cascade takes care of their children.
    QList<quint64> tops;
    {
        std::lock_guard guard(rootLock);
        tops = topLevel.values();
    }
    for (quint64 id : tops)
        deliver(Address(id), Address(RootId), Value(Stop{}), RootId);

    if (manual) {
        // Deterministic: let the stops play out, then end what is left, all on this thread.
        for (int n = 0; n < 1000000 && manual->step(); ++n) {}
        timers->stop();
        flushThrottled(true);
        manual->destroyRemaining();
        return;
    }

    // Wait for objects to complete, keeping this thread's event loop turning for objects bound
    // to it (the GUI executor).
    const auto deadline = std::chrono::steady_clock::now() + options.stopGrace;
    while (table.size() > 0 && std::chrono::steady_clock::now() < deadline) {
        if (QCoreApplication::instance() && QThread::currentThread()->eventDispatcher())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        std::unique_lock lock(rootLock);
        rootCv.wait_for(lock, std::chrono::milliseconds(5));
    }
    const int left = table.size();
    if (left > 0)
        emitText(LogLevel::Warning, RootId, nullptr,
                 QStringLiteral("Ending %1 object(s) that did not complete within %2 ms")
                     .arg(left)
                     .arg(options.stopGrace.count()));

    // Routines blocked in select() unwind with Terminated.
    {
        std::lock_guard guard(routineLock);
        for (auto &t : routineThreads) {
            if (t.executor)
                t.executor->terminate();
        }
    }
    reapRoutineThreads(true);
    timers->stop();
    flushThrottled(true);
    logger.flush(); // what the program did up to here reaches every sink
    for (auto &w : workers)
        w->shutdown();
    if (gui)
        gui->shutdown();
    workers.clear();
    gui.reset();
}

// -- Runtime ------------------------------------------------------------------------------------

Runtime::Runtime() : Runtime(Options{}) {}

Runtime::Runtime(Options options) : m_d(std::make_unique<RuntimePrivate>(this, std::move(options)))
{
    Q_D(Runtime);
    // Worker threads use Qt's UNIX event dispatcher: glib's wakes the loop on every post, which
    // costs 3x in message rate (docs/design-notes.md). Only threads started from here on.
    if (qEnvironmentVariableIsEmpty("QT_NO_THREADED_GLIB"))
        qputenv("QT_NO_THREADED_GLIB", "1");
    if (d->options.deterministic) {
        d->manual = std::make_unique<Internal::ManualExecutor>(d, QThread::currentThread());
        d->timers = std::make_unique<TimerService>(d, TimerService::Mode::Manual);
        d->timers->setHousekeeping([d] { d->flushThrottled(false); });
        return;
    }
    int n = d->options.workers;
    if (n <= 0)
        n = std::max(1, QThread::idealThreadCount());
    d->workers.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        d->workers.push_back(std::make_unique<Internal::LoopExecutor>(
            d,
            QStringLiteral("%1-worker-%2")
                .arg(d->options.name.isEmpty() ? QStringLiteral("parley") : d->options.name)
                .arg(i),
            nullptr, true));
    }
    d->timers = std::make_unique<TimerService>(d, TimerService::Mode::Thread);
    d->timers->setHousekeeping([d] { d->flushThrottled(false); });
}

Runtime::~Runtime()
{
    Q_D(Runtime);
    d->shutdown();
}

void Runtime::sendValue(Value message, const Address &to)
{
    Q_D(Runtime);
    const Address from(RuntimePrivate::RootId);
    const detail::Stamp stamp
        = d->emitSent(EventKind::Sent, RuntimePrivate::RootId, nullptr, message, to, from);
    d->deliver(Internal::Parcel{to, from, message, 0, stamp}, RuntimePrivate::RootId);
}

Address Runtime::address() const
{
    return Address(RuntimePrivate::RootId);
}

std::optional<Value> Runtime::takeCompletion(const Address &address)
{
    Q_D(Runtime);
    std::lock_guard guard(d->rootLock);
    const auto it = d->completions.find(address.last());
    if (it == d->completions.end())
        return std::nullopt;
    Value v = std::move(it.value());
    d->completions.erase(it);
    return v;
}

std::optional<Value> Runtime::waitForCompletion(const Address &address,
                                                std::chrono::milliseconds timeout)
{
    Q_D(Runtime);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const bool canLoop
        = QCoreApplication::instance() && QThread::currentThread()->eventDispatcher();
    for (;;) {
        if (auto v = takeCompletion(address))
            return v;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return std::nullopt;
        if (canLoop) {
            // Wake on our completion signal or the deadline; other events keep flowing.
            QEventLoop loop;
            const auto c = connect(this, &Runtime::completed, &loop, [&](const Address &a) {
                if (a.last() == address.last())
                    loop.quit();
            });
            QTimer::singleShot(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
                                   + std::chrono::milliseconds(1),
                               &loop, &QEventLoop::quit);
            {
                // The completion may have landed between takeCompletion() and connect().
                std::lock_guard guard(d->rootLock);
                if (d->completions.contains(address.last()))
                    continue;
            }
            loop.exec();
            disconnect(c);
        } else {
            std::unique_lock lock(d->rootLock);
            d->rootCv.wait_until(lock, deadline,
                                 [&] { return d->completions.contains(address.last()); });
        }
    }
}

bool Runtime::contains(const Address &address) const
{
    Q_D(const Runtime);
    return d->table.contains(address.last());
}

int Runtime::objectCount() const
{
    Q_D(const Runtime);
    return d->table.size();
}

bool Runtime::isDeterministic() const
{
    Q_D(const Runtime);
    return d->manual != nullptr;
}

bool Runtime::step()
{
    Q_D(Runtime);
    if (!d->manual) {
        qWarning("Parley: Runtime::step() needs a deterministic runtime");
        return false;
    }
    return d->manual->step();
}

int Runtime::runUntilIdle(int maxMessages)
{
    Q_D(Runtime);
    if (!d->manual) {
        qWarning("Parley: Runtime::runUntilIdle() needs a deterministic runtime");
        return 0;
    }
    int n = 0;
    while (n < maxMessages && d->manual->step())
        ++n;
    return n;
}

int Runtime::pendingCount() const
{
    Q_D(const Runtime);
    return d->manual ? d->manual->pending() : 0;
}

std::optional<Runtime::PendingMessage> Runtime::nextMessage() const
{
    Q_D(const Runtime);
    bool start = false;
    PendingMessage m;
    const TypeInfo *type = nullptr;
    if (!d->manual || !d->manual->peek(start, m.to, m.from, type))
        return std::nullopt;
    m.type = QString::fromUtf8(type ? type->displayName : "(empty)");
    return m;
}

void Runtime::advanceClock(Duration by)
{
    Q_D(Runtime);
    if (!d->manual) {
        qWarning("Parley: Runtime::advanceClock() needs a deterministic runtime");
        return;
    }
    d->timers->advance(by);
}

Object *Runtime::objectAt(const Address &address) const
{
    Q_D(const Runtime);
    if (!d->manual)
        return nullptr;
    ObjectPrivate *o = d->table.find(address.last());
    return o ? o->q : nullptr;
}

int Runtime::workerCount() const
{
    Q_D(const Runtime);
    return int(d->workers.size());
}

Logger &Runtime::logger() const
{
    Q_D(const Runtime);
    return d->logger;
}

const RuntimeInfo &Runtime::info() const
{
    Q_D(const Runtime);
    return d->info;
}

void Runtime::setProgramName(const QString &program)
{
    Q_D(Runtime);
    d->info.program = program;
}

} // namespace Parley
