// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/object.h>

#include <QtCore/QObject>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <vector>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Parley {

class ObjectPrivate;
class RuntimePrivate;

namespace Internal {

using detail::Envelope;

/// \internal
/// Hosts objects on one thread and runs their mailboxes.
///
/// post() is called from any thread with the executor's tableLock() held, after the object
/// table checked under that lock that the target is still in the table (so it is alive). It
/// appends to the object's mailbox and, on the mailbox's empty -> non-empty transition,
/// schedules the object; the executor itself is woken only when its ready list goes from empty
/// to non-empty, so a burst of sends costs one wake-up.
/// \internal
/// The parts of an envelope on its way to a mailbox, by reference: the envelope is built once,
/// in place in the mailbox, and a message that can't be delivered is still intact for the log.
struct Parcel
{
    const Address &to;
    const Address &from;
    Value &message;
    quint64 timerGeneration = 0;
    detail::Stamp stamp{};
    // Who sends, and how (set by RuntimePrivate::deliver/deliverIfThere): a loop executor that
    // finds the target gone only when it collects the mail reports it as the send would have.
    quint64 senderId = 0;
    const Object *sender = nullptr;
    bool ifThere = false; ///< deliverIfThere(): a target that has ended is no mistake
};

class Executor
{
public:
    explicit Executor(RuntimePrivate *runtime) : m_runtime(runtime) {}
    virtual ~Executor();
    Executor(const Executor &) = delete;
    Executor &operator=(const Executor &) = delete;

    /// Appends \a envelope to \a target's mailbox; called with tableLock() held. Returns the
    /// executor to wake once the caller has released that lock, or null when no wake-up is
    /// needed. Not called for executors whose postsWithoutLock() is true.
    [[nodiscard]] virtual Executor *post(ObjectPrivate *target, Parcel &parcel) = 0;
    /// True when the object table posts through postUnlocked() and takes no lock (loop
    /// executors): the executor then checks on its own thread that \a target is still alive.
    [[nodiscard]] bool postsWithoutLock() const { return m_postsWithoutLock; }
    /// Posts to \a target (object \a id of this executor, found in the table an instant ago,
    /// but maybe taken out and deleted since) without any lock; called inside the table's read
    /// scope. Returns the executor to wake, as post() does.
    [[nodiscard]] virtual Executor *postUnlocked(quint64 id, ObjectPrivate *target, Parcel &parcel)
    {
        Q_UNUSED(id);
        Q_UNUSED(target);
        Q_UNUSED(parcel);
        return nullptr;
    }
    /// Wakes the executor's thread (called without any Parley lock held).
    virtual void wake() {}
    /// The lock that guards this executor's mailboxes, and that the object table takes to post,
    /// and to take one of this executor's objects out (ObjectTable); unused by executors whose
    /// postsWithoutLock() is true.
    [[nodiscard]] std::mutex &tableLock() { return m_lock; }
    /// Schedules \a target's Start, delivered before anything else sent to it. Returns the
    /// executor to wake, as post() does.
    [[nodiscard]] virtual Executor *postStart(ObjectPrivate *target) = 0;
    /// Called on the executor's thread when \a object has completed: deletes it now, or later
    /// when it is still on the ready list.
    virtual void retire(ObjectPrivate *object) = 0;
    /// Returns true for pool workers (machines created from here stay here).
    [[nodiscard]] virtual bool isWorker() const { return false; }
    [[nodiscard]] QThread *thread() const { return m_thread; }
    [[nodiscard]] RuntimePrivate *runtime() const { return m_runtime; }

protected:
    /// Deletes the Object; called on the executor's thread.
    static void destroyObject(ObjectPrivate *object);

    RuntimePrivate *m_runtime;
    QThread *m_thread = nullptr;
    std::mutex m_lock;
    bool m_postsWithoutLock = false;
};

class WorkerDispatcher;
struct NodePool;

/// \internal
/// Runs machines on a thread with a Qt event loop: a pool worker, or the GUI thread.
///
/// No lock on the send path (issue 17). Everything an object's mailbox is made of (`incoming`,
/// `scheduled`, `startPending`, `dead`, the ready list, m_spent) belongs to the executor's
/// thread. Mail posted on that thread goes straight into the mailbox. Mail from any other
/// thread is pushed, one node per message, onto m_inbox, a lock-free stack (one CAS); the
/// executor's thread takes the whole stack with one exchange at the start of every round of
/// drain(), reverses it (arrival order, so per-sender order holds), checks each target against
/// the object table (it is alive while the table holds it: only this thread deletes it, and
/// only after it left the table) and appends to the mailboxes. Mail for a target that left the
/// table meanwhile is logged and bounced as for an object that completed with mail waiting.
/// Wake-ups: see push() and drain() for the m_wakePending protocol.
class LoopExecutor final : public Executor
{
public:
    /// Starts a worker thread named \a name, or adopts \a existing (the GUI thread) when given.
    LoopExecutor(RuntimePrivate *runtime, const QString &name, QThread *existing, bool worker);
    ~LoopExecutor() override;

    [[nodiscard]] Executor *post(ObjectPrivate *target, Parcel &parcel) override;
    [[nodiscard]] Executor *postUnlocked(quint64 id, ObjectPrivate *target,
                                         Parcel &parcel) override;
    [[nodiscard]] Executor *postStart(ObjectPrivate *target) override;
    void wake() override;
    void retire(ObjectPrivate *object) override;
    [[nodiscard]] bool isWorker() const override { return m_worker; }

    /// Runs ready mailboxes until none is left or the budget is spent; on the executor's thread.
    void drain();
    /// Runs drain() now if anything is ready and no drain is in progress; for code on the
    /// executor's thread outside a handler (a socket notifier) that has just posted mail, so it
    /// is handled without waiting for the wake-up event.
    void drainNow();
    /// While set (on the executor's thread), mail posted from this thread wakes nobody: the
    /// thread promises to drain before it returns to its event loop. drain() sets it for its
    /// own duration; a socket notifier that delivers a burst sets it around the burst and then
    /// calls drainNow(), sparing the wake-up event and a turn of the event loop.
    void setHoldWakes(bool hold) { m_holdWakes = hold; }
    [[nodiscard]] bool holdsWakes() const { return m_holdWakes; }
    /// Deletes every object still hosted here and stops the thread (if owned); any thread.
    void shutdown();

    /// Mail from another thread on its way to the executor's thread (see the class comment).
    /// Nodes are recycled through the sending thread's NodePool (executor.cpp): a node is
    /// allocated by the sender and given back by the receiver, and glibc's malloc makes that
    /// pattern take its arena lock on both sides, for every message.
    struct Posted
    {
        Posted *next;
        NodePool *home;        ///< the pool it goes back to; null: freed
        ObjectPrivate *target; ///< not dereferenced before the table says it is alive
        quint64 id;
        quint64 senderId; ///< for the log line when the target is found gone
        bool start;
        bool ifThere;  ///< sent with deliverIfThere()
        bool recorded; ///< the sender's drops are logged (RuntimePrivate::records())
        alignas(Envelope) unsigned char storage[sizeof(Envelope)]; ///< an Envelope while posted
        Envelope &envelope() { return *std::launder(reinterpret_cast<Envelope *>(storage)); }
    };

private:
    void destroyRemaining();
    /// Frees whatever is on m_inbox, undelivered (shutdown: nobody is left to tell).
    void discardInbox();
    [[nodiscard]] bool onOwnThread() const;
    /// Pushes \a node onto m_inbox; returns this when the caller must wake the executor.
    [[nodiscard]] Executor *push(Posted *node);
    /// Moves what is on m_inbox to the end of the pending list, in arrival order; on the
    /// executor's thread.
    void takeInbox();
    /// Moves the pending list (after takeInbox()) into the mailboxes, a chunk per round; on the
    /// executor's thread.
    void collect();
    /// Gives \a target's empty mailbox a buffer a drain has given back, when there is one; on
    /// the executor's thread.
    void reuseSpentBuffer(ObjectPrivate *target);
    /// A node for mail to \a target (object \a id) from this thread, its envelope not built.
    [[nodiscard]] Posted *newNode(ObjectPrivate *target, quint64 id, bool start,
                                  const Parcel *parcel);
    /// Appends to \a target's mailbox; on the executor's thread.
    void append(ObjectPrivate *target, Envelope &&envelope);
    /// Puts \a target on the ready list; on the executor's thread.
    [[nodiscard]] Executor *schedule(ObjectPrivate *target);
    /// Delivers \a object's batch in m_scratch from m_scratchPos on, within the budget. Returns
    /// false when the object completed; leaves m_scratchPos short of the end when out of budget.
    bool deliverBatch(ObjectPrivate *object, bool start, int &handled);
    /// Finishes with the object whose batch is in m_scratch (retire it if it completed).
    void endBatch(ObjectPrivate *object, bool alive);

    bool m_worker;
    bool m_ownsThread;
    WorkerDispatcher *m_dispatcher = nullptr;
    /// Shared with senders on other threads, on a cache line of their own.
    struct alignas(64) Shared
    {
        std::atomic<Posted *> inbox{nullptr}; ///< newest first
        /// Set by whoever makes the executor's wake-up due (the sender whose push found the
        /// inbox empty, or a post on this thread outside a drain) when it was clear; it then
        /// wakes the executor. Cleared by drain() just before its last look at the inbox.
        std::atomic<bool> wakePending{false};
    };
    Shared m_shared;
    std::vector<ObjectPrivate *> m_ready; // executor thread only
    Posted *m_pendingHead = nullptr;      // executor thread only: taken from the inbox, not yet
    Posted *m_pendingTail = nullptr;      // in a mailbox (collect() moves a chunk per round)
    std::vector<ObjectPrivate *> m_readyLocal; // executor thread only: the round in progress
    size_t m_readyPos = 0;                     // next object of m_readyLocal to run
    std::vector<Envelope> m_scratch;           // executor thread only: the batch being run
    size_t m_scratchPos = 0;                   // next envelope of m_scratch to deliver
    /// Executor thread only: the small, empty mailbox buffers of quiet objects run in the drain
    /// in progress (at most one per message handled, so at most DrainBudget). append() gives
    /// them to mailboxes that have none; the rest are freed together when the drain ends. Freed
    /// one by one between the objects' own frees, each (not a fastbin size for glibc) made
    /// malloc consolidate its fastbins: ~550 instructions per free instead of ~130 (issue 17).
    std::vector<std::vector<Envelope>> m_spent;
    ObjectPrivate *m_resume = nullptr; // whose batch ran out of budget half-way
    bool m_draining = false;           // executor thread only: inside drain()
    bool m_holdWakes = false;          // executor thread only: see setHoldWakes()
};

/// \internal
/// The executor of one routine: its own thread, blocking on a condition variable in select().
class RoutineExecutor final : public Executor
{
public:
    explicit RoutineExecutor(RuntimePrivate *runtime) : Executor(runtime) {}
    [[nodiscard]] Executor *post(ObjectPrivate *target, Parcel &parcel) override;
    [[nodiscard]] Executor *postStart(ObjectPrivate *) override
    {
        return nullptr;
    } // routines start by running
    /// Wakes the routine waiting in collect().
    void wake() override { m_cv.notify_one(); }
    void retire(ObjectPrivate *object) override;

    /// Moves newly arrived envelopes into \a out, waiting until \a deadline (or forever when
    /// null) for at least one; returns false on timeout, throws Terminated when terminating.
    bool collect(ObjectPrivate *self, std::vector<Envelope> &out,
                 const std::chrono::steady_clock::time_point *deadline);
    /// Makes a waiting collect() throw Terminated (used at runtime shutdown).
    void terminate();
    void setThread(QThread *thread) { m_thread = thread; }

private:
    std::condition_variable m_cv;
    bool m_waiting = false;
    bool m_terminating = false;
};

/// \internal
/// The executor of a deterministic runtime: one queue of mail in arrival order, delivered one
/// message at a time on the owner's thread when it calls step().
class ManualExecutor final : public Executor
{
public:
    ManualExecutor(RuntimePrivate *runtime, QThread *thread) : Executor(runtime)
    {
        m_thread = thread;
    }
    [[nodiscard]] Executor *post(ObjectPrivate *target, Parcel &parcel) override;
    [[nodiscard]] Executor *postStart(ObjectPrivate *target) override;
    void retire(ObjectPrivate *object) override;

    /// Delivers the oldest message; false when the queue is empty.
    bool step();
    [[nodiscard]] int pending() const;
    /// Describes the oldest message; false when the queue is empty.
    [[nodiscard]] bool peek(bool &start, Address &to, Address &from, const TypeInfo *&type) const;
    /// Deletes every object still hosted here (shutdown).
    void destroyRemaining();

private:
    struct Queued
    {
        quint64 id;
        bool start;
        Envelope envelope;
    };
    mutable std::mutex m_queueLock;
    std::deque<Queued> m_queue;
};

} // namespace Internal
} // namespace Parley
