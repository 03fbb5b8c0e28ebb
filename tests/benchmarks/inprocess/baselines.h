// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#pragma once

// Baseline figures for the in-process benchmark: plain Qt 6 (events, queued invokeMethod,
// QObject allocation) and, when available, the C++ Actor Framework (CAF 0.17).
//
// Every function is self-contained: it creates its own threads / actor system, tears them down
// before returning and never sleeps for synchronisation. Each run is capped at about
// kTimeCapSeconds of wall time; if the cap is hit, the figure is computed from the work that
// was actually completed (and a warning is printed on stderr). Functions return NaN if no
// meaningful figure could be measured.
//
// The Qt functions expect a QCoreApplication to exist (they work without one, but Qt may warn).

namespace Baselines {

inline constexpr double kTimeCapSeconds = 30.0;

// One sender thread (the calling thread) posts n custom QEvents with QCoreApplication::postEvent
// to a QObject living in a QThread that runs an event loop. Returns messages per second measured
// from the first post until the receiver has counted all n events.
double qtPostEventFlood(int n);

// Two QObjects in two QThreads bounce a counter with
// QMetaObject::invokeMethod(obj, lambda, Qt::QueuedConnection). 1000 warm-up round trips, then
// `roundTrips` timed round trips. Returns microseconds per round trip.
double qtInvokeMethodPingPongMicros(int roundTrips);

// As qtInvokeMethodPingPongMicros(), but both QObjects live in the same QThread.
double qtSameThreadPingPongMicros(int roundTrips);

/// Returns the resident set size in bytes (from /proc/self/statm), or -1 when unknown.
long long residentBytes();

struct ObjectCost
{
    double seconds = 0.0;        // creation + destruction, total
    double bytesPerObject = 0.0; // RSS delta with all objects alive, divided by the count
};

// Creates n parentless `new QObject` into a pre-reserved std::vector, measures the RSS delta with
// all of them alive, then deletes them all. The RSS delta includes the vector slot (8 bytes) per
// object, since the reserved but untouched vector storage is not resident before the run.
ObjectCost qobjectCreateDestroy(int n);

#ifdef PARLEY_HAVE_CAF
// The calling thread sends n int64 messages (anon_send) to a scheduled event-based actor that
// counts them and signals when done. `workers` scheduler workers (two unless given). Returns
// messages per second.
double cafFlood(int n, int workers = 2);

// `pairs` independent pairs of scheduled event-based actors, each pair playing send/return
// ping-pong with an int64 counter `roundTripsPerPair` times, on a scheduler of `workers` threads.
// Returns round trips per second, all pairs together (first send to last pair done).
double cafPairsRoundTripsPerSecond(int pairs, int roundTripsPerPair, int workers);

// Two scheduled event-based actors play send/return ping-pong with an int64 counter.
// 1000 warm-up round trips, then `roundTrips` timed ones. Returns microseconds per round trip.
double cafPingPongMicros(int roundTrips);

// Spawns n trivial event-based actors, waits until all have initialised, measures the RSS delta
// (including the 8-byte handle slot per actor), then drops all handles and waits with
// await_all_actors_done(). seconds = spawn-until-initialised + drop-until-all-done.
ObjectCost cafActorsCreateDestroy(int n);
#endif

} // namespace Baselines
