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
#include <thread>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcRuntime, "parley.runtime")

namespace Parley {

// -- ObjectTable --------------------------------------------------------------------------------

namespace {

// Lock-free readers of object tables (all tables of the process share them): epoch-based
// reclamation of pages and routine executors, see ObjectTable in runtime_p.h.
//
// Memory order, the argument ASan/TSan-clean rests on:
// * A reader stores its epoch into its own record, then a seq_cst fence, then reads the page
//   slot. A reclaimer stores null into the page slot, advances the epoch, then a seq_cst fence,
//   then reads every record. Of two seq_cst fences one comes first: either the reader's page
//   load sees the null (it never sees the page), or the reclaimer sees the reader's epoch
//   (the page is kept). That is the Dekker pattern; it needs both fences.
// * A reader whose epoch is *later* than the page's retire epoch read the epoch counter from
//   the reclaimer's fetch_add (acq_rel) or after it, which synchronises with it: the null store
//   happened before the reader's page load, which sees null or a newer page.
// * A reader ends by storing 0 with release; the reclaimer reads it with acquire, so all the
//   reader's reads of the page happen before the free.
// * Asymmetric fences (Linux): where membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) works, the
//   reader's fence is only a compiler barrier, and the reclaimer, after its own fence, calls
//   membarrier(), which runs a full memory barrier on every CPU running a thread of this
//   process (a thread that is not running passed one in its context switch). The barrier falls
//   somewhere in each reader's instruction stream: before the reader's epoch store, and the
//   reader's page load comes after it and after the null store (fenced before membarrier)
//   became visible, so it sees null; or after the store, and the store is visible before
//   membarrier() returns, so the reclaimer sees the epoch. The same two outcomes as the fence
//   pair, with the send path's one full fence gone (it was ~13% of a send, issue 17). This is
//   liburcu's "memb" flavour. Decided once when the library loads, before any reader exists;
//   without membarrier both sides keep their fences.

/// One thread's reading state, on its own cache line: the only memory a send writes for it.
struct alignas(64) ReaderRecord
{
    std::atomic<quint64> active{0}; ///< 0, or the epoch the current read began in
    std::atomic<bool> inUse{false}; ///< owned by a live thread
    ReaderRecord *next = nullptr;   ///< immutable once published
};

/// True when membarrier() stands in for the readers' fences (see above). Written once, when the
/// library is loaded, before any thread reads a table.
bool registerAsymmetricFences()
{
#if defined(__linux__) && defined(__NR_membarrier)
    const long supported = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
        return false;
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0)
        return false;
    return syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return false;
#endif
}
const bool g_asymmetricFences = registerAsymmetricFences();

/// The reclaimer's half of the Dekker pair: after unlinking, before reading the records.
void reclaimerBarrier()
{
    std::atomic_thread_fence(std::memory_order_seq_cst);
#if defined(__linux__) && defined(__NR_membarrier)
    if (g_asymmetricFences && syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        qFatal("Parley: membarrier() failed after it was registered; pages can't be freed safely");
#endif
}

std::atomic<quint64> g_epoch{1};
/// Every record ever made; never freed (one per thread alive at once, reused by later threads).
std::atomic<ReaderRecord *> g_records{nullptr};

// Initial-exec: the send path reads these with one instruction, not __tls_get_addr.
thread_local ReaderRecord *t_record __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local int t_readDepth __attribute__((tls_model("initial-exec"))) = 0;

ReaderRecord *acquireRecord()
{
    for (ReaderRecord *r = g_records.load(std::memory_order_acquire); r; r = r->next) {
        bool expected = false;
        if (!r->inUse.load(std::memory_order_relaxed)
            && r->inUse.compare_exchange_strong(expected, true, std::memory_order_acquire))
            return r;
    }
    auto *r = new ReaderRecord;
    r->inUse.store(true, std::memory_order_relaxed);
    ReaderRecord *head = g_records.load(std::memory_order_relaxed);
    do {
        r->next = head;
    } while (!g_records.compare_exchange_weak(head, r, std::memory_order_release,
                                              std::memory_order_relaxed));
    return r;
}

thread_local bool t_recordOwnerGone = false;

/// Gives the thread's record back when the thread ends (its active is 0 by then).
struct RecordOwner
{
    ReaderRecord *record = nullptr;
    ~RecordOwner()
    {
        t_recordOwnerGone = true;
        if (record) {
            t_record = nullptr;
            record->inUse.store(false, std::memory_order_release);
        }
    }
};
thread_local RecordOwner t_recordOwner;

ReaderRecord *registerReader()
{
    ReaderRecord *r = acquireRecord();
    t_record = r;
    // A thread that sends from a thread_local destructor after t_recordOwner's has run keeps its
    // record for good (64 bytes, idle once the thread has ended).
    if (!t_recordOwnerGone)
        t_recordOwner.record = r;
    return r;
}

void beginRead()
{
    if (t_readDepth++ != 0)
        return; // the outer scope's (older) epoch keeps covering us
    ReaderRecord *r = t_record ? t_record : registerReader();
    r->active.store(g_epoch.load(std::memory_order_acquire), std::memory_order_relaxed);
    // Pairs with reclaimerBarrier(): a full fence, or where membarrier() stands in for it only
    // a compiler barrier (the store must not move below the loads that follow).
    if (g_asymmetricFences)
        std::atomic_signal_fence(std::memory_order_seq_cst);
    else
        std::atomic_thread_fence(std::memory_order_seq_cst);
}

void endRead()
{
    if (--t_readDepth == 0)
        t_record->active.store(0, std::memory_order_release);
}

/// Marks this thread as reading object tables lock-free while it exists. Nests.
class ReadScope
{
public:
    ReadScope() { beginRead(); }
    ~ReadScope() { endRead(); }
    ReadScope(const ReadScope &) = delete;
    ReadScope &operator=(const ReadScope &) = delete;
};

/// Advances the epoch; returns the epoch that what was unlinked before this call belongs to.
quint64 advanceEpoch()
{
    return g_epoch.fetch_add(1, std::memory_order_acq_rel);
}

/// True when no reader that began in \a epoch or earlier is still reading. The caller ran
/// reclaimerBarrier() after unlinking what belongs to \a epoch.
bool quiescent(quint64 epoch)
{
    for (ReaderRecord *r = g_records.load(std::memory_order_acquire); r; r = r->next) {
        const quint64 active = r->active.load(std::memory_order_acquire);
        if (active != 0 && active <= epoch)
            return false;
    }
    return true;
}

} // namespace

ObjectTable::ObjectTable(const std::atomic<quint64> *nextId)
    : m_nextId(nextId),
      m_top(static_cast<std::atomic<Mid *> *>(std::calloc(TopSize, sizeof(std::atomic<Mid *>))))
{
    if (!m_top)
        qFatal("Parley: cannot allocate the object table");
}

ObjectTable::~ObjectTable()
{
    // No reader is left: the runtime is gone and so is every thread that could send to it.
    for (quint64 t = 0; t < TopSize; ++t) {
        Mid *mid = m_top[t].load(std::memory_order_relaxed);
        if (!mid)
            continue;
        for (quint64 m = 0; m < MidSize; ++m)
            std::free(mid->pages[m].load(std::memory_order_relaxed));
        std::free(mid);
    }
    std::free(m_top);
    for (const Retired &r : m_retired)
        std::free(r.page);
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
    const quint64 index = id & (PageSize - 1);
    std::atomic<Page *> *slot = pageSlot(page, true);
    {
        std::lock_guard guard(stripe(page));
        Page *p = slot->load(std::memory_order_relaxed);
        if (!p) {
            p = static_cast<Page *>(std::calloc(1, sizeof(Page)));
            if (!p)
                qFatal("Parley: cannot allocate the object table");
            slot->store(p, std::memory_order_release); // its zeroes before the pointer
        }
        // The executor first: a reader that sees the object (acquire) sees its executor too.
        p->executors[index].store(object->executor, std::memory_order_relaxed);
        p->objects[index].store(object, std::memory_order_release);
        ++p->live;
    }
    m_size.fetch_add(1, std::memory_order_relaxed);
    quint64 highest = m_highestPage.load(std::memory_order_relaxed);
    while (page > highest && !m_highestPage.compare_exchange_weak(highest, page)) {}
}

void ObjectTable::remove(quint64 id)
{
    const quint64 page = id >> PageBits;
    const quint64 index = id & (PageSize - 1);
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return;
    Page *retired = nullptr;
    {
        std::lock_guard guard(stripe(page));
        Page *p = slot->load(std::memory_order_relaxed);
        if (!p || !p->objects[index].load(std::memory_order_relaxed))
            return;
        Internal::Executor *executor = p->executors[index].load(std::memory_order_relaxed);
        if (executor && !executor->postsWithoutLock()) {
            // Under the executor's lock: a post() that found the object either holds this lock
            // now (and finishes posting before we go on, the object is alive until then) or
            // takes it later and finds the slot empty. Lock order: stripe, then executor.
            std::lock_guard executorGuard(executor->tableLock());
            p->objects[index].store(nullptr, std::memory_order_relaxed);
        } else {
            p->objects[index].store(nullptr, std::memory_order_relaxed);
        }
        m_size.fetch_sub(1, std::memory_order_relaxed);
        // Once every id of the page has been handed out, an empty page will never fill again.
        // (An id handed out but not yet inserted simply recreates the page.)
        if (--p->live == 0 && m_nextId->load(std::memory_order_relaxed) > (page + 1) * PageSize) {
            slot->store(nullptr, std::memory_order_relaxed); // readers: see retire()
            retired = p;
        }
    }
    if (retired)
        retire(retired);
}

void ObjectTable::retire(Page *page)
{
    std::vector<Page *> freeing;
    {
        std::lock_guard guard(m_retiredLock);
        // The page's slot was cleared before this: readers that begin in a later epoch can't
        // see it (advanceEpoch is acq_rel, ReadScope loads the epoch with acquire).
        m_retired.push_back(Retired{page, advanceEpoch()});
        reclaimerBarrier(); // also covers the older entries: their unlinks came before it
        // Free what no reader can see any more; the rest waits for the next retire (a reader
        // is never inside post() for long, so at most a few pages wait).
        std::erase_if(m_retired, [&freeing](const Retired &r) {
            if (!quiescent(r.epoch))
                return false;
            freeing.push_back(r.page);
            return true;
        });
    }
    for (Page *p : freeing)
        std::free(p);
}

void ObjectTable::synchronize()
{
    // Never from inside a read (post() or wake()): the thread would wait for itself.
    Q_ASSERT(t_readDepth == 0);
    const quint64 epoch = advanceEpoch();
    reclaimerBarrier();
    while (!quiescent(epoch))
        std::this_thread::yield(); // a reader is inside one post(): a few hundred nanoseconds
}

bool ObjectTable::post(quint64 id, Internal::Parcel &parcel)
{
    const quint64 page = id >> PageBits;
    const quint64 index = id & (PageSize - 1);
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return false;
    ReadScope reading; // the page (and a routine's executor) outlive this scope
    Page *p = slot->load(std::memory_order_acquire);
    if (!p)
        return false;
    ObjectPrivate *target = p->objects[index].load(std::memory_order_acquire);
    if (!target)
        return false;
    // Read from the page, not from the object: the object may already be deleted.
    Internal::Executor *executor = p->executors[index].load(std::memory_order_relaxed);
    Internal::Executor *toWake;
    if (executor->postsWithoutLock()) {
        // A loop executor checks on its own thread that the target is still in the table
        // before it touches it (LoopExecutor::collect); on that thread, it is (postUnlocked).
        toWake = executor->postUnlocked(id, target, parcel);
    } else {
        std::lock_guard guard(executor->tableLock());
        // Still there under the lock remove() takes to clear it: alive until we unlock.
        if (p->objects[index].load(std::memory_order_relaxed) != target)
            return false;
        toWake = executor->post(target, parcel);
    }
    if (toWake)
        toWake->wake(); // inside the read scope: a routine's executor lives until it ends
    return true;
}

ObjectTable::Reading::Reading()
{
    beginRead();
}

ObjectTable::Reading::~Reading()
{
    endRead();
}

bool ObjectTable::holds(quint64 id, const ObjectPrivate *object) const
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return false;
    ReadScope reading; // nests in the caller's Reading: a counter, no fence
    const Page *p = slot->load(std::memory_order_acquire);
    return p && p->objects[id & (PageSize - 1)].load(std::memory_order_acquire) == object;
}

ObjectPrivate *ObjectTable::find(quint64 id) const
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return nullptr;
    ReadScope reading;
    const Page *p = slot->load(std::memory_order_acquire);
    return p ? p->objects[id & (PageSize - 1)].load(std::memory_order_acquire) : nullptr;
}

bool ObjectTable::contains(quint64 id) const
{
    const quint64 page = id >> PageBits;
    std::atomic<Page *> *slot = findSlot(page);
    if (!slot)
        return false;
    ReadScope reading;
    const Page *p = slot->load(std::memory_order_acquire);
    return p && p->objects[id & (PageSize - 1)].load(std::memory_order_relaxed);
}

std::vector<ObjectPrivate *> ObjectTable::snapshot() const
{
    std::vector<ObjectPrivate *> out;
    const quint64 highest = m_highestPage.load(std::memory_order_relaxed);
    for (quint64 page = 0; page <= highest; ++page) {
        std::atomic<Page *> *slot = findSlot(page);
        if (!slot)
            continue;
        std::lock_guard guard(stripe(page)); // pages are retired only under it
        const Page *p = slot->load(std::memory_order_relaxed);
        if (!p)
            continue;
        for (const auto &o : p->objects) {
            if (ObjectPrivate *object = o.load(std::memory_order_relaxed))
                out.push_back(object);
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
    parcel.senderId = senderId;
    parcel.sender = sender;
    parcel.ifThere = true;
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
    parcel.senderId = senderId;
    parcel.sender = sender;
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

void RuntimePrivate::reapRoutineThreads(Reap which)
{
    std::list<RoutineThread> done;
    {
        std::lock_guard guard(routineLock);
        for (auto it = routineThreads.begin(); it != routineThreads.end();) {
            if (which == Reap::All || it->finished.load(std::memory_order_acquire)
                || (which == Reap::Ended && it->ending.load(std::memory_order_acquire))) {
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
    // Each routine left the table before its thread finished; a sender that found it there
    // may still be inside its executor's post() or wake(). Wait for those before `done` frees
    // the executors.
    if (!done.empty())
        ObjectTable::synchronize();
}

void RuntimePrivate::shutdown()
{
    shuttingDown.store(true);
    // A routine whose function has returned but that is still ending (a program's main
    // routine, whose completion the caller of waitForCompletion() has just taken) ends first:
    // its Destroyed event, and a line for each message it never read, then reach every sink
    // before the objects are stopped, the monitor stream's link among them (which would
    // otherwise stop before them, and the monitor never see the routine end). Not a routine
    // that called complete() and runs on: it may wait in select(), and is ended further down.
    if (!manual)
        reapRoutineThreads(Reap::Ended);
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
    reapRoutineThreads(Reap::All);
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
