// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#pragma once

// Baseline figures for the network benchmark: plain QTcpSocket and, when available, ZeroMQ
// (libzmq) and Qt Remote Objects, all over TCP on the loopback interface (127.0.0.1).
//
// Every function is self-contained: client and server run in the same process on two threads
// that the function creates and joins before returning (Qt: two QThreads, each running an event
// loop, with every socket created in the thread that uses it; ZeroMQ: two std::threads, one
// context per side). Nothing sleeps for synchronisation. TCP_NODELAY is on everywhere
// (QAbstractSocket::LowDelayOption; libzmq sets it on its TCP sockets by itself) and servers
// listen on port 0 / a wildcard port whose number is read back.
//
// Each measurement is capped at about kTimeCapSeconds of wall time; if the cap is hit, the
// figure is computed from the work that was actually completed and a warning is printed on
// stderr. Functions return NaN if no meaningful figure could be measured.
//
// The Qt functions expect a QCoreApplication to exist (they work without one, but Qt may warn).
// Set QT_NO_GLIB=1 before creating it to get the same event dispatcher as Parley's threads.

namespace NetBaselines {

inline constexpr double kTimeCapSeconds = 20.0;

/// Returns the resident set size in bytes (from /proc/self/statm), or -1 when unknown.
long long residentBytes();

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit (-1 on error).
long long raiseFileLimit();

// --- Plain QTcpSocket ------------------------------------------------------------------------

/// Measures 64-byte request / 64-byte echo ping-pong over one QTcpSocket connection, one
/// request outstanding, each write followed by flush(). 1000 warm-up round trips, then
/// `roundTrips` timed ones. Returns microseconds per round trip.
double qtTcpPingPongMicros(int roundTrips);

/// Measures pipelined round trips: the client keeps `window` 64-byte records outstanding (one
/// QIODevice::write() per record, one flush() per batch) and the server echoes all bytes it
/// reads. Returns round trips per second, from the first write until the n-th echoed record is
/// read back.
double qtTcpPipelinedRoundTripsPerSec(int n, int window = 1000);

/// Measures one-way throughput of small messages: the client writes n 64-byte records (one
/// write() per record) keeping at most 4 MiB queued in the QTcpSocket (refilling on
/// bytesWritten()), the server counts the bytes it reads. Returns messages per second, from the
/// first write until the last byte is read by the server.
double qtTcpOneWayMessagesPerSec(int n);

/// Measures one-way bulk throughput: the client writes `messages` messages, each an 8-byte
/// length followed by `size` payload bytes, keeping at most 4 MiB queued in the QTcpSocket (or
/// one message, if larger); the server copies every complete message into a buffer of its own.
/// Returns payload GB/s (1e9 bytes per second), from the first write until the last message is
/// copied.
double qtTcpOneWayGBps(int messages, int size = 1 << 20);

// Result of qtTcpAcceptRatePerSec().
struct ConnectionCost
{
    int connections = 0;             // connection pairs actually established
    double acceptsPerSecond = 0.0;   // accepted connections per second
    double bytesPerConnection = 0.0; // RSS delta per connection pair (both ends, one process)
    double idleCpuPercent = 0.0;     // process CPU time while they stay idle, % of one core
    double heapPerConnection = 0.0;  // malloc'd bytes in use per connection pair
};

/// Returns the bytes malloc has handed out and not taken back, all arenas (mallinfo2).
long long heapBytes();

/// Returns the CPU time (user + system) of the whole process in seconds.
double processCpuSeconds();
/// Returns the process's CPU use, in % of one core, over \a seconds of doing nothing here.
double idleCpuPercent(double seconds);

/// Opens `connections` concurrent idle QTcpSocket connections from one thread to a QTcpServer
/// in another one (at most 256 connection attempts not yet accepted at any time, so that the
/// listen backlog never overflows). Raises RLIMIT_NOFILE first and lowers `connections` (with a
/// warning) if the limit cannot hold two descriptors per connection. Returns the accept rate,
/// measured from the first connectToHost() until the server has accepted the last connection,
/// and the RSS delta per connection pair, measured once both ends are established.
ConnectionCost qtTcpAcceptRatePerSec(int connections, double idleSeconds = 0.0);

#ifdef PARLEY_HAVE_ZMQ
// --- ZeroMQ (libzmq, tcp://127.0.0.1, wildcard port) -----------------------------------------

/// Measures 64-byte ZMQ_REQ / ZMQ_REP ping-pong. 1000 warm-up round trips, then `roundTrips`
/// timed ones. Returns microseconds per round trip.
double zmqReqRepMicros(int roundTrips);

/// Measures a ZMQ_PUSH -> ZMQ_PULL flood of n 64-byte messages (default high-water marks).
/// Returns messages per second, from the first send until the n-th message is received.
double zmqPushPullMessagesPerSec(int n);

/// Measures a ZMQ_PUSH -> ZMQ_PULL flood of `messages` messages of `size` bytes: zmq_send()
/// copies each message, both high-water marks are 100, zmq_recv() copies each message into the
/// receiver's buffer. Returns payload GB/s (1e9 bytes per second).
double zmqPushPullGBps(int messages, int size = 1 << 20);
/// Opens `connections` ZMQ_DEALER sockets (one context) to one ZMQ_ROUTER (another context),
/// with ZMTP heartbeats every `heartbeatMs` (timeout three times that), waits until every one
/// has been heard by the router, lets them settle for 2 s, then returns the process's CPU use
/// over `idleSeconds`, in % of one core (idleCpuPercent). NaN when they could not be opened.
double zmqIdleCpuPercent(int connections, int heartbeatMs, double idleSeconds);
#endif

#ifdef PARLEY_HAVE_QTRO
// --- Qt Remote Objects (QRemoteObjectHost + static replica over a QTcpSocket pair) -----------

/// Measures calls of the slot `int ping(int)` through a replica: the next call is made once
/// QRemoteObjectPendingCallWatcher reports the previous reply. 1000 warm-up calls, then
/// `roundTrips` timed ones. Returns microseconds per call.
double qtroPingPongMicros(int roundTrips);

/// Measures a flood of n `void push(int)` calls through a replica (keeping at most 4 MiB queued
/// in the replica's socket); the source counts them. Returns calls per second, from the first
/// call until the source has counted the n-th.
double qtroPushMessagesPerSec(int n);
#endif

} // namespace NetBaselines
