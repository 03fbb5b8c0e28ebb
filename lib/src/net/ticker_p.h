// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/parley_export.h>

#include <chrono>
#include <cstddef>

namespace Parley::Internal {

/// \internal
/// Something that is ticked at a fixed interval (a connection checking its deadlines).
class Ticked
{
public:
    /// Called every interval on the thread that called Ticker::add().
    virtual void tick() = 0;

protected:
    ~Ticked() = default;

private:
    friend class Ticker;
    friend class TickerPrivate;
    std::size_t m_tickSlot = 0;
    long long m_tickInterval = 0; ///< ms; 0 when not ticking
};

/// \internal
/// Ticks every Ticked of a thread with the same interval from one coarse timer. A timer per
/// connection made an idle process with ten thousand connections spend a fifth of a core on
/// timer bookkeeping (bench_net, idle_cpu); one per thread and interval costs a loop over the
/// connections each interval.
class PARLEY_AUTOTEST_EXPORT Ticker
{
public:
    /// Ticks \a target every \a interval from now on, on this thread, until remove().
    static void add(Ticked *target, std::chrono::milliseconds interval);
    /// Stops ticking \a target (no-op when it isn't). Call on the thread that added it.
    static void remove(Ticked *target);
    /// The number of timers this thread runs for its Ticked objects (tests).
    static int timersOnThisThread();
};

} // namespace Parley::Internal
