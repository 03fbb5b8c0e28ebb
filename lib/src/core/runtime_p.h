// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "executor_p.h"
#include "object_p.h"
#include "timers_p.h"

#include <parley/runtime.h>

#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QThread>

#include <array>
#include <atomic>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace Parley {

/// \internal
/// Maps object ids to live objects. Sharded so that senders on different threads rarely meet;
/// a sender posts while holding its shard's lock, and removal takes the same lock, so a found
/// object cannot be destroyed under the sender.
class ObjectTable
{
public:
    static constexpr int ShardCount = 64;

    void insert(quint64 id, ObjectPrivate *object);
    void remove(quint64 id);
    /// Posts \a envelope to the object with \a id; returns false when there is none.
    bool post(quint64 id, detail::Envelope &&envelope);
    [[nodiscard]] bool contains(quint64 id) const;
    [[nodiscard]] int size() const;
    /// Returns every live object (for shutdown).
    [[nodiscard]] std::vector<ObjectPrivate *> snapshot() const;

private:
    struct alignas(64) Shard
    {
        mutable std::mutex lock;
        QHash<quint64, ObjectPrivate *> objects;
    };
    Shard &shard(quint64 id) { return m_shards[id % ShardCount]; }
    const Shard &shard(quint64 id) const { return m_shards[id % ShardCount]; }
    std::array<Shard, ShardCount> m_shards;
};

class RuntimePrivate
{
public:
    static constexpr quint64 RootId = 1;

    explicit RuntimePrivate(Runtime *q, Runtime::Options options);
    static RuntimePrivate *get(Runtime *r);

    /// Routes \a envelope to its object, or drops it with a log line. \a senderId names the
    /// object that sent it (for the log), 0 for the runtime.
    bool deliver(detail::Envelope &&envelope, quint64 senderId, const Object *sender = nullptr);
    /// Records the completion of a top-level object.
    void deliverToRoot(detail::Envelope &&envelope);
    /// Chooses the executor for a new machine.
    detail::Executor *executorFor(const Object *creator, Placement placement);
    detail::LoopExecutor *nextWorker();
    detail::LoopExecutor *guiExecutor();
    quint64 allocateId() { return m_nextId.fetch_add(1, std::memory_order_relaxed); }
    quint64 allocateTimerGeneration() { return m_nextGeneration.fetch_add(1, std::memory_order_relaxed); }
    void logDropped(const detail::Envelope &envelope, quint64 senderId, const char *why,
                    const Object *sender = nullptr);
    void log(LogLevel level, char marker, quint64 objectId, const QString &name, QString text,
             const QString &state = {}, const Value *message = nullptr, const Address *peer = nullptr);
    /// Joins routine threads that have finished.
    void reapRoutineThreads(bool all);
    void shutdown();

    struct RoutineThread
    {
        std::unique_ptr<QThread> thread;
        std::unique_ptr<detail::RoutineExecutor> executor;
        std::atomic<bool> finished{false};
    };

    Runtime *q;
    Runtime::Options options;
    mutable Logger logger;
    ObjectTable table;
    std::atomic<quint64> m_nextId{RootId + 1};
    std::atomic<quint64> m_nextGeneration{1};
    std::vector<std::unique_ptr<detail::LoopExecutor>> workers;
    std::atomic<unsigned> m_nextWorker{0};
    std::mutex guiLock;
    std::unique_ptr<detail::LoopExecutor> gui;
    std::unique_ptr<TimerService> timers;
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
