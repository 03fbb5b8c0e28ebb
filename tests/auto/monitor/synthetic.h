// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// Synthetic event streams for the monitor's tests, benchmark and screenshots: what real
// programs emit (docs/events.md), made up deterministically, since tests must not depend on
// the runtime's emitter.

#include <parley/events.h>

#include <QtCore/QList>

#include <vector>

namespace Synthetic {

/// One event of one process, in the order a merged view would show them.
struct Step
{
    int process = 0;
    Parley::Event event;
};

/// A run of several processes.
struct Run
{
    std::vector<Parley::RuntimeInfo> processes;
    std::vector<Step> steps;

    /// Returns the events of \a process, in order.
    [[nodiscard]] QList<Parley::Event> eventsOf(int process) const;
    /// Returns how many steps match \a kind (in \a process, or all when -1).
    [[nodiscard]] int count(Parley::EventKind kind, int process = -1) const;
};

/// Makes a run like the network demo: a server ("hello-server") with a listener, a session
/// state machine per client and a worker pool; two clients ("hello-client") whose requests
/// (GetResponse children, created and destroyed) cross to the server and back with message ids
/// and causes; a state machine with deferred messages; timers; console lines, traces, debug
/// lines, warnings, a dropped message and a fault. \a rounds requests per client.
Run demoRun(int rounds = 6);

/// Writes each process of \a run to `<dir>/<program>-<pid>.parley`; returns the paths.
QStringList writeRecordings(const Run &run, const QString &dir);

/// Makes events fast, for floods and benchmarks: \a objects Created events under a few parents,
/// then \a records messages, texts and state changes among them (one process, runtime id
/// \a runtimeId).
class Flood
{
public:
    Flood(quint64 runtimeId, int objects);
    /// Returns the next event (the Created events first).
    Parley::Event next();
    [[nodiscard]] quint64 produced() const { return m_seq; }

private:
    quint64 m_runtimeId;
    int m_objects;
    quint64 m_seq = 0;
    quint64 m_rng = 0x9e3779b97f4a7c15ULL;
    quint64 m_messageId = 0;
    qint64 m_wall;
};

/// Returns a RuntimeInfo for a made-up process.
Parley::RuntimeInfo runtimeInfo(quint64 runtimeId, const QString &program, qint64 pid,
                                const QString &host = QStringLiteral("lab-1"));

} // namespace Synthetic
