// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// The in-process cross-thread flood that bench_inprocess and bench_events share: a sender
// machine sends `count` Ticks to a receiver machine on the other worker of a two-worker
// runtime; the receiver checks their order and notes when the last one arrived.

#include "benchkit.h"

#include <parley/parley.h>

#include <QtCore/QString>
#include <QtCore/QThread>

#include <atomic>

namespace Bench {

/// One message of the flood; seq checks that none is lost or reordered.
struct Tick
{
    qint64 seq = 0;
};
/// Tells a benchmark machine to begin its part.
struct Go
{
};
PARLEY_MESSAGE(Tick, seq)
PARLEY_MESSAGE(Go)

} // namespace Bench

namespace BenchFlood {

/// What one flood shares with its machines; it must outlive the runtime they run in.
struct State
{
    qint64 count = 0;
    std::atomic<int> ready{0};       // machines started (2 when both are)
    std::atomic<bool> done{false};   // the receiver has all count Ticks
    std::atomic<qint64> received{0}; // progress, for a watchdog
    BenchKit::Completion wake;       // notified when ready or done changes
    bool inOrder = true;
    QThread *senderThread = nullptr;
    QThread *receiverThread = nullptr;
    BenchKit::Clock::time_point firstSend;
    BenchKit::Clock::time_point lastReceived;

    /// Returns the flood's messages per second (once run() returned without an error).
    double messagesPerSecond() const
    {
        return double(count) / BenchKit::secondsBetween(firstSend, lastReceived);
    }
};

/// Creates the receiver and the sender on two workers of \a runtime (AnyWorker, in a row),
/// floods, and returns once the receiver has every Tick. Returns an empty string, or what went
/// wrong: not started or not done by \a deadline, both machines on one worker (unless
/// \a sameWorkerOk: a one-worker runtime), Ticks lost or out of order.
QString run(Parley::Runtime &runtime, State &state, BenchKit::Clock::time_point deadline,
            bool sameWorkerOk = false);

} // namespace BenchFlood
