// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "runtime_p.h"
#include "timers_p.h"

namespace Parley {

TimerService::TimerService(RuntimePrivate *runtime, Mode mode)
    : m_runtime(runtime), m_mode(mode), m_manualNow(Clock::now())
{
    if (mode == Mode::Thread)
        m_thread = std::thread([this] { run(); });
}

TimerService::Clock::time_point TimerService::now() const
{
    return m_mode == Mode::Manual ? m_manualNow : Clock::now();
}

TimerService::~TimerService()
{
    stop();
}

void TimerService::start(quint64 objectId, quint64 generation, Value message,
                         std::chrono::nanoseconds after, bool repeating)
{
    const Key key{objectId, message.type()};
    bool earliest;
    {
        std::lock_guard guard(m_lock);
        const auto when = now() + std::chrono::duration_cast<Clock::duration>(after);
        if (m_stopping)
            return;
        auto it = m_armed.find(key);
        if (it == m_armed.end())
            m_byObject[objectId].append(key.type);
        m_armed.insert(key,
                       Armed{generation, std::move(message),
                             repeating ? std::max(
                                 after, std::chrono::nanoseconds(std::chrono::milliseconds(1)))
                                       : std::chrono::nanoseconds::zero()});
        m_heap.push(Due{when, ++m_sequence, key, generation});
        earliest = m_heap.top().sequence == m_sequence;
    }
    if (earliest)
        m_cv.notify_one();
}

void TimerService::cancel(quint64 objectId, const TypeInfo *type)
{
    std::lock_guard guard(m_lock);
    if (m_armed.remove(Key{objectId, type})) {
        auto it = m_byObject.find(objectId);
        if (it != m_byObject.end()) {
            it->removeOne(type);
            if (it->isEmpty())
                m_byObject.erase(it);
        }
    }
    // The heap entry stays; it is skipped when it comes due (its generation is gone).
}

void TimerService::cancelAll(quint64 objectId)
{
    std::lock_guard guard(m_lock);
    const auto types = m_byObject.take(objectId);
    for (const TypeInfo *t : types)
        m_armed.remove(Key{objectId, t});
}

void TimerService::stop()
{
    {
        std::lock_guard guard(m_lock);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    std::lock_guard guard(m_lock);
    m_armed.clear();
    m_byObject.clear();
    m_heap = {};
}

void TimerService::requestHousekeeping(std::chrono::nanoseconds after)
{
    {
        std::lock_guard guard(m_lock);
        if (m_stopping || m_housekeepingAt)
            return;
        m_housekeepingAt = now() + std::chrono::duration_cast<Clock::duration>(after);
    }
    m_cv.notify_one();
}

void TimerService::runHousekeeping(std::unique_lock<std::mutex> &lock, Clock::time_point now)
{
    if (!m_housekeepingAt || *m_housekeepingAt > now)
        return;
    m_housekeepingAt.reset();
    if (!m_housekeeping)
        return;
    lock.unlock();
    m_housekeeping();
    lock.lock();
}

void TimerService::run()
{
    std::unique_lock lock(m_lock);
    while (!m_stopping) {
        runHousekeeping(lock, Clock::now());
        if (m_stopping)
            break;
        std::optional<Clock::time_point> next = m_housekeepingAt;
        if (!m_heap.empty() && (!next || m_heap.top().when < *next))
            next = m_heap.top().when;
        if (!next) {
            m_cv.wait(lock);
            continue;
        }
        if (Clock::now() < *next) {
            m_cv.wait_until(lock, *next);
            continue;
        }
        if (!m_heap.empty() && m_heap.top().when <= Clock::now())
            fireTop(lock, Clock::now());
    }
}

void TimerService::advance(std::chrono::nanoseconds by)
{
    std::unique_lock lock(m_lock);
    const auto target = m_manualNow + std::chrono::duration_cast<Clock::duration>(by);
    while (!m_stopping && !m_heap.empty() && m_heap.top().when <= target) {
        m_manualNow = std::max(m_manualNow, m_heap.top().when);
        fireTop(lock, m_manualNow);
    }
    m_manualNow = target;
    runHousekeeping(lock, m_manualNow);
}

void TimerService::fireTop(std::unique_lock<std::mutex> &lock, Clock::time_point now)
{
    const Due top = m_heap.top();
    m_heap.pop();
    auto it = m_armed.find(top.key);
    if (it == m_armed.end() || it->generation != top.generation)
        return;               // cancelled or restarted
    Value copy = it->message; // timer messages are copyable (checked by Object::start)
    if (it->period > std::chrono::nanoseconds::zero()) {
        // Next firing on the original cadence; if the thread fell behind, skip missed periods
        // (a manual clock fires every period it passes).
        auto next = top.when + std::chrono::duration_cast<Clock::duration>(it->period);
        if (next <= now && m_mode == Mode::Thread)
            next = now + std::chrono::duration_cast<Clock::duration>(it->period);
        m_heap.push(Due{next, ++m_sequence, top.key, top.generation});
    } else {
        m_armed.erase(it);
        auto bo = m_byObject.find(top.key.objectId);
        if (bo != m_byObject.end()) {
            bo->removeOne(top.key.type);
            if (bo->isEmpty())
                m_byObject.erase(bo);
        }
    }
    lock.unlock();
    const Address self(top.key.objectId);
    m_runtime->deliver(Internal::Parcel{self, self, copy, top.generation}, top.key.objectId);
    lock.lock();
}

} // namespace Parley
