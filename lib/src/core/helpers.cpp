// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "runtime_p.h"

#include <parley/helpers.h>

#include <algorithm>

namespace Parley {

PARLEY_DEFINE_MESSAGE(Results)

namespace {
QString millis(Duration d)
{
    return QString::number(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

/// Returns how long a request waits: the shorter of its own and the helper's timeout, where
/// zero means none.
Duration waitFor(Duration own, Duration helper)
{
    if (own == Duration::zero())
        return helper;
    return helper == Duration::zero() ? own : std::min(own, helper);
}
} // namespace

// -- GetResponse --------------------------------------------------------------------------------

GetResponse::GetResponse(Value request, Address to, Duration timeout)
{
    on<Start>([this, request = std::move(request), to = std::move(to), timeout]() mutable {
        if (timeout > Duration::zero())
            start(T1{}, timeout);
        send(std::move(request), to);
    });
    on<T1>([this, timeout] {
        complete(TimedOut{QStringLiteral("no response within %1 ms").arg(millis(timeout))});
    });
    on<Stop>([this] { complete(Aborted{}); });
    // Whatever comes back first is the response, whatever its type.
    onUnknown([this](Value &v) { complete(v.take()); });
}

// -- Concurrently -------------------------------------------------------------------------------

// One timer (T1) serves every deadline: it runs until the nearest deadline still ahead. Time is
// read from the runtime's timer clock, so deadlines follow advanceClock() in a deterministic
// runtime as they follow real time elsewhere.

Concurrently::Concurrently(std::vector<Request> requests, Duration timeout)
    : m_requests(std::move(requests)), m_timeout(timeout)
{
    on<Start>([this] {
        m_results.resize(qsizetype(m_requests.size()));
        m_slots.resize(m_requests.size());
        m_pending = int(m_requests.size());
        if (m_pending == 0) {
            complete(Results{});
            return;
        }
        for (size_t i = 0; i < m_requests.size(); ++i) {
            Request &r = m_requests[i];
            Slot &slot = m_slots[i];
            slot.deadline = waitFor(r.timeout, m_timeout);
            slot.type = QString::fromUtf8(r.message.typeName());
            slot.child = create<GetResponse>(std::move(r.message), r.to);
            then(slot.child, [this, i](Value &v) { fill(i, v.take(), false); });
        }
        m_requests.clear();
        m_started = RuntimePrivate::get(runtime())->timers->now();
        startNextDeadline();
    });
    on<T1>([this] { expire(); });
    on<Stop>([this] { complete(Aborted{}); });
}

void Concurrently::fill(size_t i, Value value, bool timedOut)
{
    Slot &slot = m_slots[i];
    if (slot.filled) // the late completion of a request that has timed out
        return;
    slot.filled = true;
    m_results[qsizetype(i)] = std::move(value);
    m_missing += timedOut;
    if (--m_pending == 0)
        complete(Results{std::move(m_results), m_missing});
}

Duration Concurrently::elapsed() const
{
    return RuntimePrivate::get(runtime())->timers->now() - m_started;
}

void Concurrently::startNextDeadline()
{
    const Duration now = elapsed();
    Duration next = Duration::zero();
    for (const Slot &slot : m_slots) {
        if (!slot.filled && slot.deadline > Duration::zero()
            && (next == Duration::zero() || slot.deadline < next))
            next = slot.deadline;
    }
    if (next != Duration::zero())
        start(T1{}, std::max(next - now, Duration(std::chrono::milliseconds(1))));
}

void Concurrently::expire()
{
    const Duration now = elapsed();
    std::vector<Address> late;
    for (size_t i = 0; i < m_slots.size() && !isCompleted(); ++i) {
        Slot &slot = m_slots[i];
        if (slot.filled || slot.deadline == Duration::zero() || slot.deadline > now)
            continue;
        late.push_back(slot.child);
        fill(i,
             TimedOut{QStringLiteral("no response to %1 within %2 ms")
                          .arg(slot.type, millis(slot.deadline))},
             true);
    }
    if (isCompleted())
        return; // completing stops the children still running
    for (const Address &child : late)
        send(Stop{}, child); // its Aborted finds its slot filled
    startNextDeadline();
}

// -- Sequentially -------------------------------------------------------------------------------

Sequentially::Sequentially(std::vector<Request> requests, Duration timeout)
    : m_requests(std::move(requests)), m_timeout(timeout)
{
    on<Start>([this] { next(); });
    on<Stop>([this] { complete(Aborted{}); });
}

void Sequentially::next()
{
    const size_t i = size_t(m_results.size());
    if (i == m_requests.size()) {
        complete(Results{std::move(m_results)});
        return;
    }
    Request &r = m_requests[i];
    const Address child
        = create<GetResponse>(std::move(r.message), r.to, waitFor(r.timeout, m_timeout));
    then(child, [this](Value &v) {
        if (v.isFault()) {
            complete(v.take());
            return;
        }
        m_results.append(v.take());
        next();
    });
}

} // namespace Parley
