// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "executor_p.h"
#include "object_p.h"
#include "timers_p.h"

#include <parley/events.h>
#include <parley/runtime.h>

#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QThread>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace Parley {

/// \internal
/// Maps object ids to live objects.
///
/// Ids are handed out in sequence and never reused, so the table is a radix array indexed by
/// id: 4096 ids to a page, 4096 pages to a middle block, up to 65536 middle blocks (2^40 ids).
/// A lookup is three array reads and no hashing; neighbouring ids share cache lines. A page
/// whose ids have all been handed out is freed when its last object leaves, so memory follows
/// the live objects, not the number ever created.
///
/// **The send path takes no table lock** (issue 17: a lock per page, shared by every sender to
/// the first 4,096 objects, made independent work slower on two workers than on one). post()
/// reads the page and the object lock-free and then takes only the *target's executor* lock,
/// which the target's own thread takes anyway to run its mailbox:
///
/// * **Objects.** A slot goes null -> object -> null once (ids are never reused), and an
///   object is deleted only after it was removed. For a routine's or the deterministic
///   runtime's executor, remove() clears the slot under the executor's lock, and post() locks
///   the executor recorded next to the slot and posts only if the slot *still* holds the
///   object: then remove() has not run (it needs that lock), so the object cannot be deleted
///   before post() lets go; otherwise the send fails as if the object were gone. A loop
///   executor (postsWithoutLock()) deletes its objects only on its own thread: post() hands it
///   the pointer without a lock, and the executor's thread checks the slot (holds()) before it
///   touches the object; on that thread a slot that holds the object means it is alive.
/// * **Pages** (and routine executors, which die with their routine) are not protected by that
///   lock: a sender may be reading a page while its last object leaves. A sender marks itself as
///   reading (ReadScope: a per-thread record, its own cache line, holding the epoch it began
///   in); a page taken out of the table is kept on a retired list with the epoch it left in and
///   freed once no reader that began in that epoch or earlier is still reading. So a retired
///   page outlives every reader that could have seen it, with no shared write on the send path.
/// * insert() and remove() keep a striped lock per page: they change a page's live count and
///   may create or retire it. They are not on the send path.
class ObjectTable
{
public:
    static constexpr int PageBits = 12;
    static constexpr quint64 PageSize = quint64(1) << PageBits;
    static constexpr int MidBits = 12;
    static constexpr quint64 MidSize = quint64(1) << MidBits;
    static constexpr quint64 TopSize = quint64(1) << 16;
    static constexpr int StripeCount = 64;

    explicit ObjectTable(const std::atomic<quint64> *nextId);
    ~ObjectTable();
    ObjectTable(const ObjectTable &) = delete;
    ObjectTable &operator=(const ObjectTable &) = delete;

    /// Adds \a object (its executor is object->executor, which must be set).
    void insert(quint64 id, ObjectPrivate *object);
    /// Takes the object with \a id out; once this returns no post() reaches it any more.
    void remove(quint64 id);
    /// Posts \a envelope to the object with \a id; returns false when there is none.
    bool post(quint64 id, Internal::Parcel &parcel);
    [[nodiscard]] bool contains(quint64 id) const;
    /// True when the object with \a id is \a object (it is still in the table). For an object
    /// of a loop executor, asked on that executor's thread, that means it is alive.
    [[nodiscard]] bool holds(quint64 id, const ObjectPrivate *object) const;
    /// Marks this thread as reading the table while it exists (what post() does): lookups made
    /// meanwhile nest in it and skip their own fence. Not around anything that can block.
    class Reading
    {
    public:
        Reading();
        ~Reading();
        Reading(const Reading &) = delete;
        Reading &operator=(const Reading &) = delete;
    };
    /// Returns the object with \a id, or null; the caller must know it can't be deleted
    /// meanwhile (a deterministic runtime, where one thread does everything).
    [[nodiscard]] ObjectPrivate *find(quint64 id) const;
    [[nodiscard]] int size() const { return m_size.load(std::memory_order_relaxed); }
    /// Returns every live object (for shutdown).
    [[nodiscard]] std::vector<ObjectPrivate *> snapshot() const;
    /// Waits until every lock-free reader that began before this call has finished: after it,
    /// what was taken out of the table before the call (a routine's executor) can be freed.
    /// Off the send path (reaping routine threads); it yields while a reader is mid-post.
    static void synchronize();

private:
    struct Page
    {
        std::atomic<ObjectPrivate *> objects[PageSize];
        /// The executor of objects[i], written before it and never changed: post() reads it to
        /// know which lock makes objects[i] stable, without touching the object.
        std::atomic<Internal::Executor *> executors[PageSize];
        quint32 live; // guarded by the page's stripe
    };
    struct Mid
    {
        std::atomic<Page *> pages[MidSize];
    };
    struct alignas(64) Stripe
    {
        mutable std::mutex lock;
    };
    struct Retired
    {
        Page *page;
        quint64 epoch; // freed once no reader that began in this epoch or before is reading
    };
    std::mutex &stripe(quint64 page) const { return m_stripes[page % StripeCount].lock; }
    /// Returns the page slot for page index \a page, creating its middle block when asked.
    std::atomic<Page *> *pageSlot(quint64 page, bool create) const;
    /// Returns the page slot for page index \a page, or null when its middle block does not
    /// exist: the send path's lookup, inline (two loads). Middle blocks live as long as the table.
    std::atomic<Page *> *findSlot(quint64 page) const
    {
        const quint64 top = page >> MidBits;
        if (top >= TopSize)
            return nullptr;
        Mid *mid = m_top[top].load(std::memory_order_acquire);
        return mid ? &mid->pages[page & (MidSize - 1)] : nullptr;
    }
    /// Keeps \a page (already out of the table) until no reader can see it, then frees it.
    void retire(Page *page);

    const std::atomic<quint64> *m_nextId;
    std::atomic<Mid *> *m_top; // TopSize entries, zero-filled lazily by the OS
    mutable std::mutex m_midLock;
    mutable Stripe m_stripes[StripeCount];
    std::atomic<int> m_size{0};
    std::atomic<quint64> m_highestPage{0};
    std::mutex m_retiredLock;
    std::vector<Retired> m_retired; // guarded by m_retiredLock
};

/// \internal
/// Collapses a burst of like warnings into one line and a count (DESIGN.md section 8, E1).
///
/// The first line of a kind (the key: what happened, who, to whom) is written at once; the same
/// kind within the next Window is only counted, and once the window has passed one summary line
/// says how many more there were. Keys live only while their window is open, and at most
/// MaxKeys at once (more fold into one shared key), so the memory stays small in any flood.
class LogThrottle
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds Window{1000};
    static constexpr int MaxKeys = 4096;

    /// What a suppressed line would have said (its first event), kept to write the summary.
    struct Line
    {
        Event event;
    };
    /// Returns true when a line with \a key should be written now; otherwise counts it. Sets
    /// \a summaryDue when this is the first line counted in the window (the caller then asks for
    /// a flush() after Window).
    bool admit(quint64 key, Clock::time_point now, const Line &line, bool &summaryDue);
    /// Returns the summary lines of windows that have ended (all when \a all), and forgets them.
    std::vector<Line> flush(Clock::time_point now, bool all);

private:
    struct Entry
    {
        Clock::time_point start;
        quint64 suppressed = 0;
        Line line;
    };
    std::mutex m_lock;
    QHash<quint64, Entry> m_entries;
};

class RuntimePrivate
{
public:
    static constexpr quint64 RootId = 1;

    explicit RuntimePrivate(Runtime *q, Runtime::Options options);
    static RuntimePrivate *get(Runtime *r);

    /// Routes \a envelope to its object, or drops it with a log line. \a senderId names the
    /// object that sent it (for the log), 0 for the runtime.
    bool deliver(Internal::Parcel parcel, quint64 senderId, const Object *sender = nullptr);
    /// Delivers \a message from \a from to \a to.
    bool deliver(const Address &to, const Address &from, Value &&message, quint64 senderId,
                 const Object *sender = nullptr)
    {
        return deliver(Internal::Parcel{to, from, message, 0}, senderId, sender);
    }
    /// Delivers \a parcel when its addressee (a local object) still exists; when it has ended,
    /// drops it with a DEBUG line only. For notices whose addressee may end at any moment
    /// without that being a mistake (Stop to a child that is completing, a connection's end to
    /// a controller that has gone).
    bool deliverIfThere(Internal::Parcel parcel, quint64 senderId, const Object *sender);
    /// Records the completion of a top-level object.
    void deliverToRoot(detail::Envelope &&envelope);
    /// Chooses the executor for a new machine.
    Internal::Executor *executorFor(const Object *creator, Placement placement);
    Internal::LoopExecutor *nextWorker();
    Internal::LoopExecutor *guiExecutor();
    quint64 allocateId() { return m_nextId.fetch_add(1, std::memory_order_relaxed); }
    quint64 allocateTimerGeneration()
    {
        return m_nextGeneration.fetch_add(1, std::memory_order_relaxed);
    }
    /// Records that \a envelope was dropped (a warning, throttled per sender and target; DEBUG
    /// for notices).
    void logDropped(const detail::Envelope &envelope, quint64 senderId, const char *why,
                    const Object *sender = nullptr, DropReason reason = DropReason::NoSuchObject);
    void warnThrottled(quint64 key, Event &&event);
    void warnThrottled(quint64 key, quint64 objectId, const Object *object, QString text);
    /// Tells the sender of an undeliverable message so (Undeliverable, from \a to), unless the
    /// message is a notice or had no sender to tell.
    void bounce(const Address &to, const Address &from, const Value &message, DropReason reason,
                const QString &note);
    /// Writes the summaries of throttled lines whose window has ended (all when \a all).
    void flushThrottled(bool all);

    // -- events: one emitting function per kind (trace.cpp). Each checks the logger wants its
    // level before it builds anything; \a object may be null (the runtime, or a sender that is
    // not at hand), then the name is the runtime's for RootId and empty otherwise.

    /// Returns an event of \a kind about object \a id, with its name, class, state and thread.
    [[nodiscard]] Event objectEvent(EventKind kind, LogLevel level, quint64 id,
                                    const Object *object) const;
    /// Text at \a level (console, trace, warning, fault, debug).
    void emitText(LogLevel level, quint64 id, const Object *object, QString text);
    void emitCreated(const detail::Birth &birth, const Object *object);
    void emitDestroyed(const ObjectPrivate *object);
    /// A message sent (or forwarded as if from \a from): gives it a message id and returns the
    /// stamp it travels with. Returns an empty stamp when nothing records messages.
    detail::Stamp emitSent(EventKind kind, quint64 id, const Object *object, const Value &message,
                           const Address &to, const Address &from);
    /// A message handed to \a object's handler (Received, Replayed) or set aside (Deferred);
    /// \a depth is what still waits in its mailbox, -1 when unknown.
    void emitReceived(EventKind kind, const ObjectPrivate *object, const detail::Envelope &envelope,
                      qint32 depth = -1, bool byTransport = false);
    /// The handler of \a envelope returned after \a ns.
    void emitHandled(const ObjectPrivate *object, const detail::Envelope &envelope, qint64 ns);
    /// \a object completed with \a value (to its parent unless quiet); returns the stamp of
    /// the Completed message to the parent.
    detail::Stamp emitCompleted(const ObjectPrivate *object, const Value &value);
    /// A message that could not be delivered; WARNING through the throttle, DEBUG for notices.
    void emitDropped(LogLevel level, quint64 senderId, const Object *sender, const Value &message,
                     const Address &to, const Address &from, DropReason reason, const char *why);
    void emitStateChanged(const ObjectPrivate *object, const QString &from, const QString &to);
    void emitTimer(EventKind kind, const ObjectPrivate *object, const TypeInfo *type,
                   qint64 durationNs = 0, bool repeating = false);
    /// A connection or listener event (Listening, Accepted, Connected, Closed, ...).
    void emitConnection(EventKind kind, LogLevel level, quint64 id, const Object *object,
                        const QString &endpoint, QString text, bool encrypted = false,
                        const QString &peerKey = {});
    /// A proxy passed a frame on to a further hop without decoding it.
    void emitRelayed(quint64 id, const Object *object, const QString &type, const Address &to,
                     const Address &from, const detail::Stamp &stamp);
    /// Whether events about \a id are recorded (objects of the event stream's own link are not).
    [[nodiscard]] bool records(const Object *object) const;

    /// Identifies this runtime in events and on the wire.
    RuntimeInfo info;
    /// Joins and frees routine threads (see Reap).
    /// Which routine threads reapRoutineThreads() joins and frees.
    enum class Reap {
        Finished, ///< those whose thread has finished
        Ended,    ///< also those whose routine's function has returned (still ending)
        All,      ///< every one (shutdown, once the routines are terminated)
    };
    void reapRoutineThreads(Reap which);
    void shutdown();
    /// The runtime's name in log lines and thread names: Options::name, or "runtime".
    [[nodiscard]] QString displayName() const
    {
        return options.name.isEmpty() ? QStringLiteral("runtime") : options.name;
    }

    struct RoutineThread
    {
        std::unique_ptr<QThread> thread;
        std::unique_ptr<Internal::RoutineExecutor> executor;
        std::atomic<bool> finished{false};
        /// Set when the routine's function has returned: only its ending (dropping what it never
        /// read, Destroyed) is left, which does not wait for anyone.
        std::atomic<bool> ending{false};
    };

    Runtime *q;
    Runtime::Options options;
    mutable Logger logger;
    LogThrottle throttle;
    std::atomic<quint64> m_nextId{RootId + 1};
    ObjectTable table{&m_nextId};
    std::atomic<quint64> m_nextGeneration{1};
    std::atomic<quint64> m_nextMessageId{1};
    std::vector<std::unique_ptr<Internal::LoopExecutor>> workers;
    std::atomic<unsigned> m_nextWorker{0};
    std::mutex guiLock;
    std::unique_ptr<Internal::LoopExecutor> gui;
    std::unique_ptr<TimerService> timers;
    std::unique_ptr<Internal::ManualExecutor> manual; ///< deterministic runtimes only
    std::atomic<bool> shuttingDown{false};

    // -- top-level objects and their completions
    std::mutex rootLock;
    std::condition_variable rootCv;
    QSet<quint64> topLevel;
    QHash<quint64, Value> completions;

    // -- routine threads
    std::mutex routineLock;
    std::list<RoutineThread> routineThreads;
};

} // namespace Parley
