// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "executor_p.h"
#include "runtime_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QThread>

#include <parley/runtime.h>

namespace Parley::Internal {

namespace {
const QEvent::Type WakeEvent = QEvent::Type(QEvent::registerEventType());
/// Messages handled per wake-up before the executor lets its thread's other events run.
constexpr int DrainBudget = 4096;
/// A scratch mailbox larger than this (in envelopes, ~1 MiB) is released after use rather than
/// kept: reusing it spares a flood fresh pages from the kernel on every batch.
constexpr size_t ScratchKeep = 8192;
/// A mailbox holding at least this many messages when drained counts as busy.
constexpr size_t HotBatch = 8;
/// Mail from other threads moved into the mailboxes per round of drain() (LoopExecutor::collect).
constexpr int CollectChunk = DrainBudget;
} // namespace

Executor::~Executor() = default;

// -- NodePool -----------------------------------------------------------------------------------

/// \internal
/// Where the nodes a thread posts with (LoopExecutor::Posted) come back to, so that a flood from
/// one thread to another allocates nothing once it runs: the receiver gives each node back to
/// its sender's pool (a chain at a time, one CAS), the sender takes the whole chain back with
/// one exchange when its own list is empty. Without it every message took glibc's arena lock
/// twice (malloc on the sender, free into the sender's arena on the receiver): 435k futex calls
/// for a 4M-message flood, 1.6M msg/s instead of 8M.
///
/// Bounded: a pool keeps at most PoolKeep nodes on its way back (a receiver frees the rest),
/// so a thread holds at most ~2 x PoolKeep idle nodes (192 bytes each: ~3 MiB after a flood,
/// kept until the thread ends; nothing for a thread that never sent across threads).
/// PoolKeep is twice a drain's chunk (CollectChunk): a flood that runs ahead of its receiver
/// by a chunk or two still recycles every node (4,096 gave 10M msg/s here, 8,192 26M). Pools are
/// never freed: a thread that ends gives its pool up (its nodes are freed), and a later thread
/// takes it over; nodes still on their way come back to it meanwhile, so a receiver never writes to
/// freed memory.
struct NodePool
{
    static constexpr int PoolKeep = 8192;

    /// Written by receivers; on its own cache line.
    alignas(64) std::atomic<LoopExecutor::Posted *> returned{nullptr};
    /// About how many are on returned: reset when the owner takes the list, so a push racing
    /// that take may go uncounted (at most one chain per receiver, until the next take).
    std::atomic<int> returnedCount{0};
    /// The owner's; on its own cache line.
    alignas(64) LoopExecutor::Posted *local = nullptr;
    std::atomic<bool> inUse{false};
    NodePool *next = nullptr; ///< in g_pools; immutable once published
};

namespace {

std::atomic<NodePool *> g_pools{nullptr};
thread_local NodePool *t_pool __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local bool t_poolOwnerGone = false;

void freeChain(LoopExecutor::Posted *node)
{
    while (node) {
        LoopExecutor::Posted *next = node->next;
        ::operator delete(node);
        node = next;
    }
}

/// Gives the thread's pool up when the thread ends.
struct PoolOwner
{
    NodePool *pool = nullptr;
    ~PoolOwner()
    {
        t_poolOwnerGone = true;
        if (!pool)
            return;
        t_pool = nullptr;
        freeChain(std::exchange(pool->local, nullptr));
        freeChain(pool->returned.exchange(nullptr, std::memory_order_acquire));
        pool->returnedCount.store(0, std::memory_order_relaxed);
        pool->inUse.store(false, std::memory_order_release);
    }
};
thread_local PoolOwner t_poolOwner;

NodePool *adoptPool()
{
    if (t_poolOwnerGone)
        return nullptr; // sending from a thread_local destructor: plain new and delete
    for (NodePool *p = g_pools.load(std::memory_order_acquire); p; p = p->next) {
        bool expected = false;
        if (!p->inUse.load(std::memory_order_relaxed)
            && p->inUse.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
            t_pool = t_poolOwner.pool = p;
            return p;
        }
    }
    auto *p = new NodePool;
    p->inUse.store(true, std::memory_order_relaxed);
    NodePool *head = g_pools.load(std::memory_order_relaxed);
    do {
        p->next = head;
    } while (!g_pools.compare_exchange_weak(head, p, std::memory_order_release,
                                            std::memory_order_relaxed));
    t_pool = t_poolOwner.pool = p;
    return p;
}

/// A node for a message from this thread (its envelope not constructed yet).
LoopExecutor::Posted *allocatePosted()
{
    NodePool *pool = t_pool ? t_pool : adoptPool();
    if (pool) {
        if (!pool->local) {
            // acquire: the receivers' writes to the nodes (and their release CAS) come first.
            pool->local = pool->returned.exchange(nullptr, std::memory_order_acquire);
            pool->returnedCount.store(0, std::memory_order_relaxed);
        }
        if (LoopExecutor::Posted *node = pool->local) {
            pool->local = node->next;
            return node;
        }
    }
    auto *node = static_cast<LoopExecutor::Posted *>(::operator new(sizeof(LoopExecutor::Posted)));
    node->home = pool;
    return node;
}

/// Gives back the chain \a first .. \a last (\a count nodes, envelopes destroyed) to \a home.
void giveBack(NodePool *home, LoopExecutor::Posted *first, LoopExecutor::Posted *last, int count)
{
    if (!home || home->returnedCount.load(std::memory_order_relaxed) + count > NodePool::PoolKeep) {
        last->next = nullptr;
        freeChain(first);
        return;
    }
    // Counted before the push, so a pool's list stays within PoolKeep plus one chain per
    // receiver (see returnedCount).
    home->returnedCount.fetch_add(count, std::memory_order_relaxed);
    LoopExecutor::Posted *head = home->returned.load(std::memory_order_relaxed);
    do {
        last->next = head;
    } while (!home->returned.compare_exchange_weak(head, first, std::memory_order_release,
                                                   std::memory_order_relaxed));
}

} // namespace

void Executor::destroyObject(ObjectPrivate *object)
{
    object->runtime()->emitDestroyed(object);
    delete object->q;
}

// -- LoopExecutor -------------------------------------------------------------------------------

/// \internal Receives the wake-up event on the executor's thread.
class WorkerDispatcher : public QObject
{
public:
    explicit WorkerDispatcher(LoopExecutor *executor) : m_executor(executor) {}
    bool event(QEvent *e) override
    {
        if (e->type() == WakeEvent) {
            m_executor->drain();
            return true;
        }
        return QObject::event(e);
    }

private:
    LoopExecutor *m_executor;
};

LoopExecutor::LoopExecutor(RuntimePrivate *runtime, const QString &name, QThread *existing,
                           bool worker)
    : Executor(runtime), m_worker(worker), m_ownsThread(existing == nullptr)
{
    m_postsWithoutLock = true;
    m_dispatcher = new WorkerDispatcher(this);
    if (existing) {
        m_thread = existing;
        if (m_dispatcher->thread() != existing)
            m_dispatcher->moveToThread(existing);
    } else {
        m_thread = new QThread;
        m_thread->setObjectName(name);
        m_dispatcher->moveToThread(m_thread);
        m_thread->start();
    }
}

LoopExecutor::~LoopExecutor()
{
    shutdown();
    discardInbox(); // a sender that found its target just before shutdown took it out
}

bool LoopExecutor::onOwnThread() const
{
    return QThread::currentThread() == m_thread;
}

Executor *LoopExecutor::schedule(ObjectPrivate *target)
{
    if (target->scheduled)
        return nullptr;
    target->scheduled = true;
    m_ready.push_back(target);
    // Inside drain(), or a burst that ends with drainNow(): the ready list is looked at again
    // before the thread returns to its event loop, so no wake-up event is needed.
    if (m_draining || m_holdWakes)
        return nullptr;
    // A Qt slot or notifier on this thread, outside a drain: a wake-up event is due, unless one
    // is pending already (see push() for the protocol).
    if (m_shared.wakePending.exchange(true, std::memory_order_seq_cst))
        return nullptr;
    return this; // loop executors live as long as the runtime, so waking later is safe
}

void LoopExecutor::reuseSpentBuffer(ObjectPrivate *target)
{
    if (target->incoming.capacity() == 0 && !m_spent.empty()) {
        // A buffer a drain in progress has just given back: no malloc, and the one it would
        // have freed stays warm (a ping-pong on one worker allocates nothing).
        target->incoming = std::move(m_spent.back());
        m_spent.pop_back();
    }
}

void LoopExecutor::append(ObjectPrivate *target, Envelope &&envelope)
{
    reuseSpentBuffer(target);
    target->incoming.push_back(std::move(envelope));
}

LoopExecutor::Posted *LoopExecutor::newNode(ObjectPrivate *target, quint64 id, bool start,
                                            const Parcel *parcel)
{
    Posted *node = allocatePosted();
    node->target = target;
    node->id = id;
    node->start = start;
    node->senderId = parcel ? parcel->senderId : 0;
    node->ifThere = parcel && parcel->ifThere;
    node->recorded = parcel && m_runtime->records(parcel->sender);
    return node;
}

Executor *LoopExecutor::post(ObjectPrivate *target, Parcel &parcel)
{
    // Not used: the table calls postUnlocked() (postsWithoutLock() is true).
    return postUnlocked(target->id, target, parcel);
}

Executor *LoopExecutor::postUnlocked(quint64 id, ObjectPrivate *target, Parcel &parcel)
{
    if (onOwnThread() && !m_pendingHead && !m_shared.inbox.load(std::memory_order_relaxed)) {
        // The table held the target an instant ago on this very thread, and only this thread
        // deletes it (after taking it out of the table): it is alive. Built in place.
        reuseSpentBuffer(target);
        target->incoming.emplace_back(parcel.to, parcel.from, std::move(parcel.message),
                                      parcel.timerGeneration, parcel.stamp);
        return schedule(target);
    }
    Posted *node = newNode(target, id, false, &parcel);
    new (node->storage) Envelope(parcel.to, parcel.from, std::move(parcel.message),
                                 parcel.timerGeneration, parcel.stamp);
    if (!onOwnThread())
        return push(node);
    // On this thread, with mail from other threads not yet in the mailboxes: some of it may
    // have been sent before this (a chain through another thread: the logger's thread hands
    // the monitor stream's link a batch, and the link, told so, sends itself MonitorFinish),
    // so this goes behind it, in the order collect() keeps. Appended straight to a mailbox
    // it would overtake that mail. (A relaxed load suffices: a send that happened before this
    // one made the inbox non-empty before, and this thread sees that or a later value.)
    takeInbox();
    node->next = nullptr;
    if (m_pendingTail)
        m_pendingTail->next = node;
    else
        m_pendingHead = node;
    m_pendingTail = node;
    // A drain collects it: the one running, the drainNow() a burst ends with, or a wake-up.
    if (m_draining || m_holdWakes)
        return nullptr;
    if (m_shared.wakePending.exchange(true, std::memory_order_seq_cst))
        return nullptr;
    return this;
}

Executor *LoopExecutor::push(Posted *node)
{
    // Memory order. The CAS releases the node's contents to collect()'s acquiring exchange.
    // The wake-up is a Dekker pair of seq_cst operations: a sender does (1) the CAS on inbox,
    // then (2) an exchange on wakePending; drain() ends with (3) a store of false to
    // wakePending, then (4) a load of inbox. In the single total order of seq_cst operations
    // either (4) comes after (1), and the drain sees the node and goes on, or (1) comes after
    // (4), and then (2), after (3), reads false (or a later true written by another sender,
    // which then wakes), so someone wakes the executor. A push that finds the inbox non-empty
    // wakes nobody: the push that made it non-empty did (or the drain still to look at it
    // will), so a burst costs one wake-up.
    Posted *head = m_shared.inbox.load(std::memory_order_relaxed);
    do {
        node->next = head;
    } while (!m_shared.inbox.compare_exchange_weak(head, node, std::memory_order_seq_cst,
                                                   std::memory_order_relaxed));
    if (head)
        return nullptr;
    if (m_shared.wakePending.exchange(true, std::memory_order_seq_cst))
        return nullptr; // a drain is running (it looks at the inbox before it ends) or is due
    return this;
}

void LoopExecutor::takeInbox()
{
    if (m_shared.inbox.load(std::memory_order_relaxed)) {
        Posted *list = m_shared.inbox.exchange(nullptr, std::memory_order_acquire);
        Posted *fifo = nullptr; // the stack is newest first: reverse it into arrival order
        Posted *last = list;
        while (list) {
            Posted *next = list->next;
            list->next = fifo;
            fifo = list;
            list = next;
        }
        // After what is still pending from earlier: arrival order across collects too.
        if (m_pendingTail)
            m_pendingTail->next = fifo;
        else
            m_pendingHead = fifo;
        m_pendingTail = last;
    }
}

void LoopExecutor::collect()
{
    takeInbox();
    if (!m_pendingHead)
        return;
    // At most CollectChunk nodes per round: the mailboxes stay small (and their buffers are
    // reused) however far a flood is ahead; the rest waits, in order, on the pending list.
    Posted *fifo = m_pendingHead;
    int taken = 0;
    ObjectTable::Reading reading; // one read scope for the whole batch of lookups
    // Nodes go back to their pools a chain at a time (consecutive nodes of one sender).
    ObjectPrivate *lastAlive = nullptr;
    Posted *backFirst = nullptr;
    Posted *backLast = nullptr;
    int backCount = 0;
    while (fifo && taken < CollectChunk) {
        ++taken;
        Posted *node = fifo;
        fifo = node->next;
        Envelope &e = node->envelope();
        // A run of mail for one target (a flood) is looked up once: no handler runs during
        // collect(), so nothing can end the target meanwhile.
        const bool alive
            = node->target == lastAlive || m_runtime->table.holds(node->id, node->target);
        if (alive)
            lastAlive = node->target;
        if (!alive) {
            // The target left the table after the sender found it there (maybe it is deleted
            // already, so it is not touched): reported as RuntimePrivate::deliver() and
            // deliverIfThere() report a send that finds no object, which is what this send
            // would have found a moment later (the same log line, throttled with those).
            if (node->start || e.timerGeneration) {
                // Start of an object that ended before it began; a timer of one that ended.
            } else if (node->ifThere) {
                if (node->recorded)
                    m_runtime->emitDropped(LogLevel::Debug, node->senderId, nullptr, e.message,
                                           e.to, e.from, DropReason::NoSuchObject, "it has ended");
            } else {
                m_runtime->bounce(e.to, e.from, e.message, DropReason::NoSuchObject,
                                  QStringLiteral("no such object"));
                if (node->recorded && m_runtime->logger.wants(LogLevel::Warning))
                    m_runtime->logDropped(e, node->senderId, "no such object", nullptr,
                                          DropReason::NoSuchObject);
            }
        } else {
            if (node->start)
                node->target->startPending = true;
            else
                append(node->target, std::move(e));
            (void)schedule(node->target); // inside drain(): never asks for a wake-up
        }
        // The node's storage ends its envelope, moved from or not.
        e.~Envelope(); // NOLINT(bugprone-use-after-move)
        if (backFirst && backFirst->home != node->home) {
            giveBack(backFirst->home, backFirst, backLast, backCount);
            backFirst = nullptr;
            backCount = 0;
        }
        if (!backFirst)
            backFirst = node;
        else
            backLast->next = node;
        backLast = node;
        ++backCount;
    }
    if (backFirst)
        giveBack(backFirst->home, backFirst, backLast, backCount);
    m_pendingHead = fifo;
    if (!fifo)
        m_pendingTail = nullptr;
}

void LoopExecutor::discardInbox()
{
    Posted *list = m_shared.inbox.exchange(nullptr, std::memory_order_acquire);
    if (m_pendingTail) {
        m_pendingTail->next = list;
        list = m_pendingHead;
        m_pendingHead = m_pendingTail = nullptr;
    }
    while (list) {
        Posted *next = list->next;
        list->envelope().~Envelope();
        ::operator delete(list); // not to its pool: its thread may have ended, pool reused
        list = next;
    }
}

Executor *LoopExecutor::postStart(ObjectPrivate *target)
{
    if (onOwnThread()) {
        target->startPending = true;
        return schedule(target);
    }
    Posted *node = newNode(target, target->id, true, nullptr);
    new (node->storage) Envelope;
    return push(node);
}

void LoopExecutor::wake()
{
    QCoreApplication::postEvent(m_dispatcher, new QEvent(WakeEvent));
}

void LoopExecutor::drainNow()
{
    if (m_draining)
        return;
    if (m_ready.empty() && !m_resume && !m_pendingHead
        && !m_shared.inbox.load(std::memory_order_relaxed))
        return;
    drain();
}

void LoopExecutor::drain()
{
    struct Draining
    {
        LoopExecutor *e;
        bool heldBefore;
        explicit Draining(LoopExecutor *ex) : e(ex), heldBefore(ex->m_holdWakes)
        {
            e->m_draining = e->m_holdWakes = true;
        }
        ~Draining()
        {
            e->m_spent.clear(); // one burst of frees (see m_spent)
            e->m_draining = false;
            e->m_holdWakes = heldBefore;
        }
    } draining(this);
    int handled = 0;
    if (m_resume) {
        // A busy mailbox's batch ran out of budget last time: it goes on first, so its older
        // messages still come before anything sent to it since.
        ObjectPrivate *object = std::exchange(m_resume, nullptr);
        const bool alive = deliverBatch(object, false, handled);
        if (alive && m_scratchPos < m_scratch.size()) {
            m_resume = object;
            wake(); // wakePending stays true: this event is the pending wake
            return;
        }
        endBatch(object, alive);
    }
    for (;;) {
        if (m_readyPos == m_readyLocal.size()) {
            // The round is done; start the next with what became ready meanwhile.
            m_readyLocal.clear();
            m_readyPos = 0;
            collect();
            if (m_ready.empty() && m_pendingHead)
                continue; // (all of that chunk was for objects that have ended)
            if (m_ready.empty()) {
                // Nothing left: clear the wake flag, then look at the inbox a last time (the
                // Dekker pair of push()). Mail that came meanwhile is drained now, unless a
                // sender has already claimed the next wake-up: its event will drain it.
                m_shared.wakePending.store(false, std::memory_order_seq_cst);
                if (!m_shared.inbox.load(std::memory_order_seq_cst))
                    return;
                if (m_shared.wakePending.exchange(true, std::memory_order_seq_cst))
                    return;
                continue; // the wake-up is ours again: collect what came
            }
            if (handled >= DrainBudget)
                break;
            m_readyLocal.swap(m_ready);
        } else if (handled >= DrainBudget) {
            // Let timers, sockets and other posted events run; the round resumes afterwards
            // where it stopped, ahead of objects that became ready since.
            break;
        }
        while (m_readyPos < m_readyLocal.size() && handled < DrainBudget) {
            ObjectPrivate *object = m_readyLocal[m_readyPos++];
            if (object->incoming.size() >= HotBatch) {
                // A busy mailbox keeps a buffer (the emptied scratch) to fill again.
                m_scratch.swap(object->incoming);
            } else {
                // A quiet one keeps none: a million idle machines hold no mailbox memory.
                // Its small buffer becomes the scratch; the old scratch, if small, goes to
                // m_spent for append() to reuse, and is freed when this drain ends if not.
                std::vector<Envelope> old = std::exchange(m_scratch, std::move(object->incoming));
                object->incoming = {};
                old.clear(); // (it is: endBatch() emptied it)
                if (old.capacity() && old.capacity() < HotBatch)
                    m_spent.push_back(std::move(old));
            }
            object->scheduled = false;
            const bool start = object->startPending;
            object->startPending = false;
            m_scratchPos = 0;
            if (object->dead) {
                object->dropUndelivered(m_scratch);
                destroyObject(object);
                m_scratch.clear();
                continue;
            }
            const bool alive = deliverBatch(object, start, handled);
            if (alive && m_scratchPos < m_scratch.size()) {
                m_resume = object; // out of budget inside this mailbox
                break;
            }
            endBatch(object, alive);
        }
        if (m_resume)
            break;
    }
    wake(); // wakePending stays true: this event is the pending wake
}

bool LoopExecutor::deliverBatch(ObjectPrivate *object, bool start, int &handled)
{
    if (start) {
        ++handled;
        Envelope e{Address(object->id), Address(object->parentId), Value(Start{}), 0};
        if (!object->deliver(e))
            return false;
    }
    while (m_scratchPos < m_scratch.size()) {
        if (handled >= DrainBudget)
            break;
        ++handled;
        if (!object->deliver(m_scratch[m_scratchPos++]))
            return false;
    }
    if (object->batchHook)
        object->batchDone();
    return true;
}

void LoopExecutor::endBatch(ObjectPrivate *object, bool alive)
{
    if (!alive) {
        // The object completed: what is left of its batch can't be delivered.
        std::vector<Envelope> rest(
            std::make_move_iterator(m_scratch.begin() + qsizetype(m_scratchPos)),
            std::make_move_iterator(m_scratch.end()));
        object->dropUndelivered(rest);
        retire(object);
    }
    m_scratch.clear();
    m_scratchPos = 0;
    if (m_scratch.capacity() > ScratchKeep)
        std::vector<Envelope>().swap(m_scratch);
}

void LoopExecutor::retire(ObjectPrivate *object)
{
    if (object == m_resume) {
        // Completed from outside a handler (a Qt slot on this thread) while the rest of its
        // batch waited for the next drain: that rest can't be delivered any more.
        m_resume = nullptr;
        std::vector<Envelope> rest(
            std::make_move_iterator(m_scratch.begin() + qsizetype(m_scratchPos)),
            std::make_move_iterator(m_scratch.end()));
        m_scratch.clear();
        m_scratchPos = 0;
        object->dropUndelivered(rest);
    }
    // On the executor's thread, which owns the mailbox: no lock.
    std::vector<Envelope> undelivered;
    object->dead = true;
    const bool later = object->scheduled; // on the ready list: deleted when drain() gets there
    if (!later)
        undelivered.swap(object->incoming);
    if (!later) {
        object->dropUndelivered(undelivered);
        destroyObject(object);
    }
}

void LoopExecutor::destroyRemaining()
{
    // On the executor's thread, after the runtime gave up waiting: delete what is still here.
    // Completed objects still waiting on a ready list are out of the table: they are deleted
    // too. The ready lists are taken first, and only their dead entries kept: a live entry is
    // also in the table, is deleted below, and must not be looked at afterwards.
    std::vector<ObjectPrivate *> waiting(m_readyLocal.begin() + qsizetype(m_readyPos),
                                         m_readyLocal.end());
    m_readyLocal.clear();
    m_readyPos = 0;
    waiting.insert(waiting.end(), m_ready.begin(), m_ready.end());
    m_ready.clear();
    std::erase_if(waiting, [](const ObjectPrivate *o) { return !o->dead; });

    // Out of the table, all of them, before any is deleted: a destructor that sends (a
    // connection telling its senders) then finds no half-destroyed addressee here.
    std::vector<ObjectPrivate *> mine;
    for (ObjectPrivate *o : m_runtime->table.snapshot()) {
        if (o->executor == this)
            mine.push_back(o);
    }
    for (ObjectPrivate *o : mine)
        m_runtime->table.remove(o->id);
    // Mail on its way from other threads is for objects that are out of the table now: freed
    // undelivered, like their mailboxes. From here on no sender wakes this executor (the flag
    // stays set), and what still arrives is freed by the destructor.
    m_shared.wakePending.store(true, std::memory_order_seq_cst);
    discardInbox();
    for (ObjectPrivate *o : mine) {
        o->incoming.clear();
        destroyObject(o);
    }
    m_resume = nullptr; // deleted above if alive; a dead one is on no list and was retired
    m_scratch.clear();
    m_scratchPos = 0;
    for (ObjectPrivate *o : waiting) {
        o->incoming.clear();
        destroyObject(o);
    }
    // Nothing that arrived meanwhile is for an object of this executor (none is in the table).
    m_ready.clear();
    discardInbox();
}

void LoopExecutor::shutdown()
{
    if (!m_dispatcher)
        return;
    if (m_ownsThread) {
        QMetaObject::invokeMethod(
            m_dispatcher, [this] { destroyRemaining(); }, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(
            m_dispatcher, [d = m_dispatcher] { delete d; }, Qt::BlockingQueuedConnection);
        m_dispatcher = nullptr;
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    } else {
        if (QThread::currentThread() == m_thread)
            destroyRemaining();
        else
            QMetaObject::invokeMethod(
                m_dispatcher, [this] { destroyRemaining(); }, Qt::BlockingQueuedConnection);
        delete m_dispatcher; // pending wake events die with it
        m_dispatcher = nullptr;
    }
}

// -- RoutineExecutor ----------------------------------------------------------------------------

Executor *RoutineExecutor::post(ObjectPrivate *target, Parcel &parcel)
{
    // m_lock is held by the caller (ObjectTable::post), which calls wake() after releasing it
    // but before it stops reading the table: a routine's executor, freed once the routine has
    // left the table, is reaped only after ObjectTable::synchronize(), so it is alive then.
    target->incoming.emplace_back(parcel.to, parcel.from, std::move(parcel.message),
                                  parcel.timerGeneration, parcel.stamp);
    return m_waiting ? this : nullptr;
}

bool RoutineExecutor::collect(ObjectPrivate *self, std::vector<Envelope> &out,
                              const std::chrono::steady_clock::time_point *deadline)
{
    std::unique_lock lock(m_lock);
    for (;;) {
        if (m_terminating)
            throw Terminated{};
        if (!self->incoming.empty()) {
            if (out.empty()) {
                out.swap(self->incoming);
            } else {
                std::move(self->incoming.begin(), self->incoming.end(), std::back_inserter(out));
                self->incoming.clear();
            }
            return true;
        }
        if (deadline && std::chrono::steady_clock::now() >= *deadline)
            return false;
        m_waiting = true;
        if (deadline)
            m_cv.wait_until(lock, *deadline);
        else
            m_cv.wait(lock);
        m_waiting = false;
    }
}

void RoutineExecutor::terminate()
{
    {
        std::lock_guard guard(m_lock);
        m_terminating = true;
    }
    m_cv.notify_all();
}

void RoutineExecutor::retire(ObjectPrivate *object)
{
    std::vector<Envelope> undelivered;
    {
        std::lock_guard guard(m_lock);
        object->dead = true;
        undelivered.swap(object->incoming);
    }
    object->dropUndelivered(undelivered);
    destroyObject(object);
}

// -- ManualExecutor -----------------------------------------------------------------------------

Executor *ManualExecutor::post(ObjectPrivate *target, Parcel &parcel)
{
    // m_lock is held by the caller (ObjectTable::post); the queue has its own lock.
    std::lock_guard guard(m_queueLock);
    m_queue.push_back(Queued{target->id, false,
                             Envelope{parcel.to, parcel.from, std::move(parcel.message),
                                      parcel.timerGeneration, parcel.stamp}});
    return nullptr;
}

Executor *ManualExecutor::postStart(ObjectPrivate *target)
{
    std::lock_guard guard(m_queueLock);
    m_queue.push_back(Queued{target->id, true, {}});
    return nullptr;
}

void ManualExecutor::retire(ObjectPrivate *object)
{
    // Completed outside a handler (a Qt slot on the owner's thread); inside one, step()
    // deletes it once the handler has returned.
    if (!object->dispatching)
        destroyObject(object);
}

bool ManualExecutor::step()
{
    Queued q;
    {
        std::lock_guard guard(m_queueLock);
        if (m_queue.empty())
            return false;
        q = std::move(m_queue.front());
        m_queue.pop_front();
    }
    // One thread does everything here, so the object found can't vanish under us.
    ObjectPrivate *target = m_runtime->table.find(q.id);
    if (!target) {
        if (!q.start && !q.envelope.timerGeneration)
            m_runtime->logDropped(q.envelope, RuntimePrivate::RootId, "object completed", nullptr,
                                  DropReason::ObjectCompleted);
        return true;
    }
    if (q.start) // made here: the queue holds only a flag for it
        q.envelope = Envelope{Address(target->id), Address(target->parentId), Value(Start{}), 0};
    const bool alive = target->deliver(q.envelope);
    if (alive && target->batchHook)
        target->batchDone();
    if (!alive)
        destroyObject(target);
    return true;
}

int ManualExecutor::pending() const
{
    std::lock_guard guard(m_queueLock);
    return int(m_queue.size());
}

bool ManualExecutor::peek(bool &start, Address &to, Address &from, const TypeInfo *&type) const
{
    std::lock_guard guard(m_queueLock);
    if (m_queue.empty())
        return false;
    const Queued &q = m_queue.front();
    start = q.start;
    if (start) {
        to = Address(q.id);
        from = {};
        type = typeOf<Start>();
    } else {
        to = q.envelope.to;
        from = q.envelope.from;
        type = q.envelope.message.type();
    }
    return true;
}

void ManualExecutor::destroyRemaining()
{
    {
        std::lock_guard guard(m_queueLock);
        m_queue.clear();
    }
    for (ObjectPrivate *o : m_runtime->table.snapshot()) {
        if (o->executor != this)
            continue;
        m_runtime->table.remove(o->id);
        destroyObject(o);
    }
}

} // namespace Parley::Internal
