// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/message.h>

#include <QtCore/QHash>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <vector>

namespace Parley {

class RuntimePrivate;

/// \internal
/// One thread per runtime that turns deadlines into timer messages.
///
/// Timers are keyed by (object id, timer type). Each start gets a fresh generation; the
/// service skips heap entries whose generation is no longer current, and the receiving object
/// checks the generation again on delivery, so a cancelled or restarted timer is never handled
/// even when it fired just before the cancel. Deadlines use the monotonic clock.
class TimerService
{
public:
    using Clock = std::chrono::steady_clock;
    /// Thread: a thread waits for deadlines on the monotonic clock. Manual: no thread; the
    /// clock moves only in advance() (deterministic runtimes).
    enum class Mode { Thread, Manual };

    TimerService(RuntimePrivate *runtime, Mode mode);
    ~TimerService();

    /// Arms timer (\a objectId, type of \a message) with \a generation to fire after \a after.
    void start(quint64 objectId, quint64 generation, Value message, std::chrono::nanoseconds after,
               bool repeating);
    /// Disarms timer (\a objectId, \a type).
    void cancel(quint64 objectId, const TypeInfo *type);
    /// Disarms every timer of \a objectId.
    void cancelAll(quint64 objectId);
    /// Stops the thread; no timer fires afterwards.
    void stop();
    /// Manual mode: moves the clock on by \a by, firing what comes due, in order.
    void advance(std::chrono::nanoseconds by);
    /// Calls \a housekeeping on the timer thread (or in advance()) once \a after has passed;
    /// a later request before then is merged into the pending one. For the runtime's own chores
    /// (summarising throttled log lines), not for objects.
    void requestHousekeeping(std::chrono::nanoseconds after);
    /// Sets what requestHousekeeping() calls; before any request.
    void setHousekeeping(std::function<void()> housekeeping)
    {
        m_housekeeping = std::move(housekeeping);
    }
    /// Returns the time timers are measured against (the manual clock in Manual mode).
    [[nodiscard]] Clock::time_point now() const;

private:
    struct Key
    {
        quint64 objectId;
        const TypeInfo *type;
        friend bool operator==(const Key &a, const Key &b) = default;
        friend size_t qHash(const Key &k, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, k.objectId, quintptr(k.type));
        }
    };
    struct Armed
    {
        quint64 generation;
        Value message;
        std::chrono::nanoseconds period; ///< zero for one-shot timers
    };
    struct Due
    {
        Clock::time_point when;
        quint64 sequence;
        Key key;
        quint64 generation;
        friend bool operator>(const Due &a, const Due &b)
        {
            return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
        }
    };

    void run();
    /// Pops the earliest entry (due at \a now or before) and delivers it if still armed; called
    /// with \a lock held, which it releases while delivering.
    void fireTop(std::unique_lock<std::mutex> &lock, Clock::time_point now);
    /// Runs the housekeeping when due; called with \a lock held, released while it runs.
    void runHousekeeping(std::unique_lock<std::mutex> &lock, Clock::time_point now);

    RuntimePrivate *m_runtime;
    std::mutex m_lock;
    std::condition_variable m_cv;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_heap;
    QHash<Key, Armed> m_armed;
    QHash<quint64, QList<const TypeInfo *>> m_byObject;
    quint64 m_sequence = 0;
    bool m_stopping = false;
    Mode m_mode;
    Clock::time_point m_manualNow; ///< the clock of a manual service
    std::function<void()> m_housekeeping;
    std::optional<Clock::time_point> m_housekeepingAt;
    std::thread m_thread;
};

} // namespace Parley
