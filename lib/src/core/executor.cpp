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
} // namespace

Executor::~Executor() = default;

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
}

Executor *LoopExecutor::schedule(ObjectPrivate *target)
{
    if (target->scheduled)
        return nullptr;
    target->scheduled = true;
    m_ready.push_back(target);
    if (m_wakePending)
        return nullptr;
    m_wakePending = true;
    // Posted from this executor's own thread while it holds wake-ups (inside drain(), or a
    // burst that ends with drainNow()): the ready list is looked at again before the thread
    // returns to its event loop, so no wake-up event is needed. (m_holdWakes is read only on
    // its own thread.)
    if (QThread::currentThread() == m_thread && m_holdWakes)
        return nullptr;
    return this; // loop executors live as long as the runtime, so waking later is safe
}

Executor *LoopExecutor::post(ObjectPrivate *target, Parcel &parcel)
{
    // m_lock is held by the caller (ObjectTable::post).
    if (target->incoming.capacity() == 0 && !m_spent.empty()) {
        // A buffer a drain in progress has just given back: no malloc, and the one it would
        // have freed stays warm (a ping-pong on one worker allocates nothing).
        target->incoming = std::move(m_spent.back());
        m_spent.pop_back();
    }
    target->incoming.emplace_back(parcel.to, parcel.from, std::move(parcel.message),
                                  parcel.timerGeneration, parcel.stamp);
    return schedule(target);
}

Executor *LoopExecutor::postStart(ObjectPrivate *target)
{
    std::lock_guard guard(m_lock);
    target->startPending = true;
    return schedule(target);
}

void LoopExecutor::wake()
{
    QCoreApplication::postEvent(m_dispatcher, new QEvent(WakeEvent));
}

void LoopExecutor::drainNow()
{
    if (m_draining)
        return;
    {
        std::lock_guard guard(m_lock);
        if (m_ready.empty() && !m_resume)
            return;
    }
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
            {
                std::lock_guard guard(e->m_lock);
                e->m_freeing.swap(e->m_spent);
            }
            e->m_freeing.clear(); // one burst of frees, without the lock (see m_spent)
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
            wake(); // m_wakePending stays true: this event is the pending wake
            return;
        }
        endBatch(object, alive);
    }
    for (;;) {
        if (m_readyPos == m_readyLocal.size()) {
            // The round is done; start the next with what became ready meanwhile.
            m_readyLocal.clear();
            m_readyPos = 0;
            std::lock_guard guard(m_lock);
            if (m_ready.empty()) {
                m_wakePending = false;
                return;
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
            bool start;
            std::vector<Envelope> large;
            {
                std::lock_guard guard(m_lock);
                if (object->incoming.size() >= HotBatch) {
                    // A busy mailbox keeps a buffer (the emptied scratch) to fill again.
                    m_scratch.swap(object->incoming);
                } else {
                    // A quiet one keeps none: a million idle machines hold no mailbox memory.
                    // Its small buffer becomes the scratch; the old scratch, if small, goes to
                    // m_spent for post() to reuse, and is freed when this drain ends if not.
                    std::vector<Envelope> old
                        = std::exchange(m_scratch, std::move(object->incoming));
                    object->incoming = {};
                    old.clear(); // (it is: endBatch() emptied it)
                    if (old.capacity() && old.capacity() < HotBatch)
                        m_spent.push_back(std::move(old));
                    else
                        large = std::move(old); // freed below, without the lock
                }
                object->scheduled = false;
                start = object->startPending;
                object->startPending = false;
            }
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
    wake(); // m_wakePending stays true: this event is the pending wake
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
    bool later;
    std::vector<Envelope> undelivered;
    {
        std::lock_guard guard(m_lock);
        object->dead = true;
        later = object->scheduled; // it is on the ready list: delete it when drain() gets there
        if (!later)
            undelivered.swap(object->incoming);
    }
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
    {
        std::lock_guard guard(m_lock);
        waiting.insert(waiting.end(), m_ready.begin(), m_ready.end());
        m_ready.clear();
    }
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
    for (ObjectPrivate *o : mine) {
        {
            std::lock_guard guard(m_lock);
            o->incoming.clear();
        }
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
    std::lock_guard guard(m_lock);
    m_ready.clear();
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
