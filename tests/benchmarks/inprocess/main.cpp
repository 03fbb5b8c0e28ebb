// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_inprocess: Parley's in-process figures next to plain Qt and CAF 0.17, measured in the
// same run (see baselines.h): a 1M-message flood between two workers, same-worker and
// cross-thread ping-pong round trips, and the time and resident memory of 1M machines. Each
// figure runs on a fresh two-worker runtime with logging off; placements are checked, not
// assumed. One `figure=... ratio=...` line per figure and baseline; ratio > 1: Parley is better.

#include "baselines.h"
#include "flood.h"
#include "report.h"

#include <parley/parley.h>

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>
#include <unistd.h>

namespace Bench {

// -- messages -----------------------------------------------------------------------------------

// Tick and Go come with the flood (flood.h).
/// The ping-pong ball; count is the number of round trips done so far.
struct Ball
{
    qint64 count = 0;
};
PARLEY_MESSAGE(Ball, count)

} // namespace Bench

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using Bench::Ball;
using Bench::Go;

constexpr auto kStepLimit = 60s;
constexpr qint64 kWarmupRoundTrips = 1000;

double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

using Baselines::residentBytes;

/// Hands memory freed by earlier steps back to the kernel, so that an RSS delta measured next
/// is not flattered by pages that are already resident.
void trimHeap()
{
    malloc_trim(0);
}

QByteArray dispatcherName()
{
    const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    return dispatcher ? QByteArray(dispatcher->metaObject()->className()) : "(none)";
}

// -- synchronisation with the benchmark's threads -----------------------------------------------

/// Aborts the process with a clear message when a step takes longer than its limit.
class Watchdog
{
public:
    Watchdog() : m_thread([this] { run(); }) {}
    ~Watchdog()
    {
        {
            std::lock_guard guard(m_lock);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }

    /// Starts watching \a what; \a progress (called on the watchdog thread) says how far it got.
    void arm(std::string what, std::function<std::string()> progress = {})
    {
        {
            std::lock_guard guard(m_lock);
            m_what = std::move(what);
            m_progress = std::move(progress);
            m_deadline = Clock::now() + kStepLimit;
            m_armed = true;
        }
        m_cv.notify_all();
    }
    void disarm()
    {
        std::lock_guard guard(m_lock);
        m_armed = false;
        m_progress = {};
    }

private:
    void run()
    {
        std::unique_lock lock(m_lock);
        while (!m_quit) {
            if (!m_armed) {
                m_cv.wait(lock);
                continue;
            }
            if (Clock::now() >= m_deadline) {
                const std::string progress = m_progress ? m_progress() : std::string();
                std::fprintf(stderr,
                             "bench_inprocess: watchdog: '%s' did not finish within %lld s%s%s; "
                             "aborting\n",
                             m_what.c_str(), static_cast<long long>(kStepLimit.count()),
                             progress.empty() ? "" : ": ", progress.c_str());
                std::fflush(stdout);
                std::fflush(stderr);
                std::abort();
            }
            m_cv.wait_until(lock, m_deadline);
        }
    }

    std::mutex m_lock;
    std::condition_variable m_cv;
    std::string m_what;
    std::function<std::string()> m_progress;
    Clock::time_point m_deadline;
    bool m_armed = false;
    bool m_quit = false;
    std::thread m_thread; // last: starts after the members it uses
};

Watchdog *g_watchdog = nullptr;

/// Arms the watchdog for the lifetime of a scope.
class Watched
{
public:
    explicit Watched(std::string what, std::function<std::string()> progress = {})
    {
        g_watchdog->arm(std::move(what), std::move(progress));
    }
    ~Watched() { g_watchdog->disarm(); }
    Watched(const Watched &) = delete;
    Watched &operator=(const Watched &) = delete;
};

/// Counts down to zero once; waiters block until then (the watchdog bounds the wait).
class Latch
{
public:
    explicit Latch(int count = 1) : m_count(count) {}
    void countDown()
    {
        bool last;
        {
            std::lock_guard guard(m_lock);
            last = --m_count == 0;
        }
        if (last)
            m_cv.notify_all();
    }
    void wait()
    {
        std::unique_lock lock(m_lock);
        m_cv.wait(lock, [this] { return m_count <= 0; });
    }

private:
    std::mutex m_lock;
    std::condition_variable m_cv;
    int m_count;
};

// -- output -------------------------------------------------------------------------------------

using BenchReport::Better;

bool g_parleyOnly = false;
bool g_failed = false;

#ifndef PARLEY_HAVE_CAF
void printCafNotBuilt(const char *figure, const char *baseline)
{
    std::printf("# figure=%s baseline=%s: CAF baseline not built (CAF 0.17 not found at configure "
                "time)\n",
                figure, baseline);
}
#endif

/// Prints one figure line; a value or baseline that is nan says why after a `#`.
void printLine(const char *figure, double parley, const char *unit, int precision,
               const char *baseline, double base, Better better)
{
    BenchReport::printFigure(
        figure, parley, unit, precision, baseline, base, better,
        BenchReport::missingNote(parley, {}, base,
                                 g_parleyOnly ? QStringLiteral("skipped (--parley-only)")
                                              : QString()));
}

void fail(const char *what)
{
    std::fprintf(stderr, "bench_inprocess: FAILED: %s\n", what);
    g_failed = true;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double notMeasured(double)
{
    return kNaN;
}
Baselines::ObjectCost notMeasured(const Baselines::ObjectCost &)
{
    return {kNaN, kNaN};
}

/// Runs one baseline under the watchdog, after trimming the heap; NaN with --parley-only.
template <class F>
auto runBaseline(const char *name, F &&f) -> decltype(f())
{
    if (g_parleyOnly)
        return notMeasured(decltype(f()){});
    trimHeap();
    Watched watched(std::string("baseline ") + name);
    return f();
}

// -- the runtime --------------------------------------------------------------------------------

/// Reports the thread and event dispatcher of the worker it lands on, then completes.
struct ProbeReport
{
    QThread *thread = nullptr;
    QByteArray dispatcher;
    Latch done;
};

class Probe : public Parley::Machine
{
public:
    explicit Probe(ProbeReport *report)
    {
        on<Parley::Start>([this, report] {
            report->thread = QThread::currentThread();
            report->dispatcher = dispatcherName();
            complete(Parley::Ack{});
            report->done.countDown();
        });
    }
};

bool g_restoreGlib = false; // unset QT_NO_THREADED_GLIB again after a runtime has started
QByteArray g_workerDispatcher;

/// Starts a runtime of \a workers workers (two unless given) with no log sinks and waits until
/// every worker runs its loop.
std::unique_ptr<Parley::Runtime> startRuntime(int workers = 2)
{
    Watched watched("starting a runtime");
    auto runtime = std::make_unique<Parley::Runtime>(
        Parley::Runtime::Options{.workers = workers, .name = QStringLiteral("bench")});
    if (runtime->workerCount() != workers)
        fail("the runtime did not start the workers asked for");
    const auto reports = std::make_unique<ProbeReport[]>(size_t(workers));
    for (int i = 0; i < workers; ++i) {
        runtime->createOn<Probe>(Parley::Placement::AnyWorker, &reports[i]);
        reports[i].done.wait();
    }
    for (int i = 1; i < workers; ++i) {
        if (reports[i].thread == reports[i - 1].thread)
            fail("two AnyWorker placements in a row landed on the same worker");
    }
    g_workerDispatcher = reports[0].dispatcher;
    // The runtime sets QT_NO_THREADED_GLIB for its own workers (whose dispatchers now exist);
    // threads the Qt baselines start later should get Qt's default, as in a plain Qt program.
    if (g_restoreGlib)
        qunsetenv("QT_NO_THREADED_GLIB");
    return runtime;
}

/// Destroys \a runtime (which stops what is still running) under the watchdog.
void stopRuntime(std::unique_ptr<Parley::Runtime> runtime)
{
    Watched watched("stopping a runtime");
    runtime.reset();
}

// -- figure 1: flood ----------------------------------------------------------------------------

double parleyFlood(qint64 count)
{
    BenchFlood::State s; // outlives the runtime and its machines
    s.count = count;
    auto runtime = startRuntime();
    Watched watched("parley flood", [&s] {
        return "received " + std::to_string(s.received.load()) + " of " + std::to_string(s.count);
    });
    // The watchdog aborts at kStepLimit; run() gives up a little later only if it does not.
    const QString error = BenchFlood::run(*runtime, s, Clock::now() + kStepLimit + 10s);
    if (!error.isEmpty())
        fail(qPrintable(error));
    stopRuntime(std::move(runtime));
    return error.isEmpty() ? s.messagesPerSecond() : kNaN;
}

void figureFlood(qint64 count)
{
    const double parley = parleyFlood(count);
    const double qt
        = runBaseline("qtPostEventFlood", [&] { return Baselines::qtPostEventFlood(int(count)); });
    printLine("flood", parley, "msg/s", 0, "qt_postevent", qt, Better::Higher);
#ifdef PARLEY_HAVE_CAF
    const double caf = runBaseline("cafFlood", [&] { return Baselines::cafFlood(int(count)); });
    printLine("flood", parley, "msg/s", 0, "caf_flood", caf, Better::Higher);
#else
    printCafNotBuilt("flood", "caf_flood");
#endif
}

// -- figures 2 and 3: ping-pong ---------------------------------------------------------------

struct PingPongState
{
    qint64 roundTrips = 0;
    Latch ready{2};
    Latch done;
    std::atomic<qint64> progress{0}; // round trips so far, for the watchdog
    QThread *pingThread = nullptr;
    QThread *pongThread = nullptr;
    Clock::time_point timedStart;
    Clock::time_point timedEnd;
};

class Ponger : public Parley::Machine
{
public:
    explicit Ponger(PingPongState *s)
    {
        on<Parley::Start>([s] {
            s->pongThread = QThread::currentThread();
            s->ready.countDown();
        });
        on<Ball>([this](const Ball &ball) { reply(Ball{ball.count}); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

class Pinger : public Parley::Machine
{
public:
    Pinger(PingPongState *s, Parley::Address ponger) : m_ponger(std::move(ponger))
    {
        on<Parley::Start>([s] {
            s->pingThread = QThread::currentThread();
            s->ready.countDown();
        });
        on<Go>([this] { send(Ball{0}, m_ponger); });
        on<Ball>([this, s](const Ball &ball) {
            const qint64 done = ball.count + 1;
            if ((done & 0x3fff) == 0)
                s->progress.store(done, std::memory_order_relaxed);
            if (done == kWarmupRoundTrips) {
                s->timedStart = Clock::now();
            } else if (done == kWarmupRoundTrips + s->roundTrips) {
                s->timedEnd = Clock::now();
                s->done.countDown();
                return;
            }
            send(Ball{done}, m_ponger);
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    Parley::Address m_ponger;
};

/// Creates a Ponger and a Pinger with \a placement and passes Go on to the Pinger.
class PingPongDriver : public Parley::Machine
{
public:
    PingPongDriver(PingPongState *s, Parley::Placement placement)
    {
        on<Parley::Start>([this, s, placement] {
            const Parley::Address ponger = createOn<Ponger>(placement, s);
            m_pinger = createOn<Pinger>(placement, s, ponger);
        });
        on<Go>([this] { send(Go{}, m_pinger); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    Parley::Address m_pinger;
};

/// Returns microseconds per round trip of two machines on the same worker or on two workers.
double parleyPingPong(qint64 roundTrips, bool sameWorker)
{
    PingPongState s; // outlives the runtime and its machines
    s.roundTrips = roundTrips;
    auto runtime = startRuntime();
    Watched watched(sameWorker ? "parley same-worker ping-pong" : "parley cross-thread ping-pong",
                    [&s] {
                        return "about " + std::to_string(s.progress.load()) + " of "
                            + std::to_string(kWarmupRoundTrips + s.roundTrips) + " round trips";
                    });
    // Placement::Default puts the children on their creator's worker; AnyWorker picks the
    // workers in turn, so two AnyWorker children in a row land on different workers.
    const Parley::Address driver = runtime->createOn<PingPongDriver>(
        Parley::Placement::AnyWorker, &s,
        sameWorker ? Parley::Placement::Default : Parley::Placement::AnyWorker);
    s.ready.wait();
    if ((s.pingThread == s.pongThread) != sameWorker)
        fail(sameWorker ? "same-worker ping-pong: the machines landed on different workers"
                        : "cross-thread ping-pong: the machines landed on the same worker");
    runtime->send(Go{}, driver);
    s.done.wait();
    stopRuntime(std::move(runtime));
    return secondsBetween(s.timedStart, s.timedEnd) * 1e6 / double(roundTrips);
}

void figureSameWorkerPingPong(qint64 roundTrips)
{
    const double parley = parleyPingPong(roundTrips, true);
#ifdef PARLEY_HAVE_CAF
    const double caf = runBaseline("cafPingPongMicros",
                                   [&] { return Baselines::cafPingPongMicros(int(roundTrips)); });
    printLine("same_worker_pingpong", parley, "us", 3, "caf_pingpong", caf, Better::Lower);
#else
    printCafNotBuilt("same_worker_pingpong", "caf_pingpong");
#endif
    const double qt = runBaseline("qtSameThreadPingPongMicros", [&] {
        return Baselines::qtSameThreadPingPongMicros(int(roundTrips));
    });
    printLine("same_worker_pingpong", parley, "us", 3, "qt_invokemethod_same_thread", qt,
              Better::Lower);
}

void figureCrossThreadPingPong(qint64 roundTrips)
{
    const double parley = parleyPingPong(roundTrips, false);
    const double qt = runBaseline("qtInvokeMethodPingPongMicros", [&] {
        return Baselines::qtInvokeMethodPingPongMicros(int(roundTrips));
    });
    printLine("cross_thread_pingpong", parley, "us", 3, "qt_invokemethod_cross_thread", qt,
              Better::Lower);
}

// -- figure 4: 1M machines ----------------------------------------------------------------------

struct CrowdState
{
    qint64 count = 0;
    std::atomic<qint64> created{0}; // progress, for the watchdog
    std::atomic<qint64> started{0};
    std::atomic<qint64> completed{0};
    Latch allStarted;
    Latch allCompleted;
    Clock::time_point lastStarted;
    Clock::time_point lastCompleted;
};

/// The small machine there are a million of: it starts, and completes when told to.
class Member : public Parley::Machine
{
public:
    explicit Member(CrowdState *s)
    {
        on<Parley::Start>([s] {
            if (s->started.fetch_add(1, std::memory_order_relaxed) + 1 == s->count) {
                s->lastStarted = Clock::now();
                s->allStarted.countDown();
            }
        });
        on<Go>([this] { complete(Parley::Ack{}); });
    }
};

/// Creates the members on its own worker, tells each to complete on Go and counts Completed.
class Crowd : public Parley::Machine
{
public:
    explicit Crowd(CrowdState *s)
    {
        on<Parley::Start>([this, s] {
            // Ids, not Addresses: the same 8 bytes per object the baselines keep as handles.
            m_members.reserve(size_t(s->count));
            for (qint64 i = 0; i < s->count; ++i) {
                m_members.push_back(create<Member>(s).last());
                if ((i & 0xfff) == 0)
                    s->created.store(i, std::memory_order_relaxed);
            }
        });
        on<Go>([this] {
            for (const Parley::Address::Id id : m_members)
                send(Go{}, Parley::Address(id));
            std::vector<Parley::Address::Id>().swap(m_members);
        });
        on<Parley::Completed>([s] {
            if (s->completed.fetch_add(1, std::memory_order_relaxed) + 1 == s->count) {
                s->lastCompleted = Clock::now();
                s->allCompleted.countDown();
            }
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    std::vector<Parley::Address::Id> m_members;
};

Baselines::ObjectCost parleyMachines(qint64 count)
{
    CrowdState s; // outlives the runtime and its machines
    s.count = count;
    auto runtime = startRuntime();
    Baselines::ObjectCost cost;

    trimHeap();
    const long long rssBefore = residentBytes();
    const Clock::time_point createStart = Clock::now();
    Parley::Address crowd;
    {
        Watched watched("parley machines: create and start", [&s] {
            return "about " + std::to_string(s.created.load()) + " created, "
                + std::to_string(s.started.load()) + " started of " + std::to_string(s.count);
        });
        crowd = runtime->createOn<Crowd>(Parley::Placement::AnyWorker, &s);
        s.allStarted.wait();
    }
    const long long rssAlive = residentBytes();
    const int alive = runtime->objectCount();
    if (alive < count + 1)
        fail("machines: fewer live objects than machines created");

    const Clock::time_point completeStart = Clock::now();
    {
        Watched watched("parley machines: complete", [&s] {
            return std::to_string(s.completed.load()) + " of " + std::to_string(s.count)
                + " completed";
        });
        runtime->send(Go{}, crowd);
        s.allCompleted.wait();
    }
    cost.seconds = secondsBetween(createStart, s.lastStarted)
        + secondsBetween(completeStart, s.lastCompleted);
    cost.bytesPerObject
        = (rssBefore < 0 || rssAlive < 0) ? kNaN : double(rssAlive - rssBefore) / double(count);
    std::printf("# machines: create+start %.3f s, complete+destroy %.3f s, %d objects alive, "
                "RSS %.1f -> %.1f MiB (after completion: %.1f MiB)\n",
                secondsBetween(createStart, s.lastStarted),
                secondsBetween(completeStart, s.lastCompleted), alive, rssBefore / 1048576.0,
                rssAlive / 1048576.0, residentBytes() / 1048576.0);
    stopRuntime(std::move(runtime));
    return cost;
}

void figureMachines(qint64 count)
{
    const Baselines::ObjectCost parley = parleyMachines(count);
    const Baselines::ObjectCost qt = runBaseline(
        "qobjectCreateDestroy", [&] { return Baselines::qobjectCreateDestroy(int(count)); });
    printLine("machines_1m_seconds", parley.seconds, "s", 3, "qobject", qt.seconds, Better::Lower);
    printLine("machines_1m_bytes", parley.bytesPerObject, "B", 1, "qobject", qt.bytesPerObject,
              Better::Lower);
#ifdef PARLEY_HAVE_CAF
    const Baselines::ObjectCost caf = runBaseline(
        "cafActorsCreateDestroy", [&] { return Baselines::cafActorsCreateDestroy(int(count)); });
    printLine("machines_1m_seconds", parley.seconds, "s", 3, "caf_actor", caf.seconds,
              Better::Lower);
    printLine("machines_1m_bytes", parley.bytesPerObject, "B", 1, "caf_actor", caf.bytesPerObject,
              Better::Lower);
#else
    printCafNotBuilt("machines_1m_seconds", "caf_actor");
    printCafNotBuilt("machines_1m_bytes", "caf_actor");
#endif
}

// -- figure 5: scaling with cores ---------------------------------------------------------------
//
// Independent pairs: 64 pairs of machines, each pair playing ping-pong on its own worker; nothing
// is shared between pairs but the runtime. Their round trips per second should grow with the
// workers. The flood (two machines, AnyWorker in a row) on the same runtimes shows what extra
// workers cost a figure that cannot use them.

constexpr int kPairs = 64;

struct PairsState
{
    explicit PairsState(int pairs) : threads(size_t(pairs) * 3), ready(pairs * 3) {}
    qint64 perPair = 0;
    std::vector<QThread *> threads; // per pair: host, ponger, pinger (written in their Start)
    Latch ready;
    Latch done;
    std::atomic<int> running{0};
    std::atomic<qint64> progress{0}; // round trips, for the watchdog
    Clock::time_point end;
};

class PairPonger : public Parley::Machine
{
public:
    PairPonger(PairsState *s, int pair)
    {
        on<Parley::Start>([s, pair] {
            s->threads[size_t(pair) * 3 + 1] = QThread::currentThread();
            s->ready.countDown();
        });
        on<Ball>([this](const Ball &ball) { reply(Ball{ball.count}); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

class PairPinger : public Parley::Machine
{
public:
    PairPinger(PairsState *s, int pair, Parley::Address ponger) : m_ponger(std::move(ponger))
    {
        on<Parley::Start>([s, pair] {
            s->threads[size_t(pair) * 3 + 2] = QThread::currentThread();
            s->ready.countDown();
        });
        on<Go>([this] { send(Ball{0}, m_ponger); });
        on<Ball>([this, s](const Ball &ball) {
            const qint64 done = ball.count + 1;
            if ((done & 0xfff) == 0)
                s->progress.fetch_add(0x1000, std::memory_order_relaxed);
            if (done == s->perPair) {
                if (s->running.fetch_sub(1) == 1) {
                    s->end = Clock::now();
                    s->done.countDown();
                }
                return;
            }
            send(Ball{done}, m_ponger);
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    Parley::Address m_ponger;
};

/// Placed AnyWorker; creates its pair on its own worker (Placement::Default) and passes Go on.
class PairHost : public Parley::Machine
{
public:
    PairHost(PairsState *s, int pair)
    {
        on<Parley::Start>([this, s, pair] {
            s->threads[size_t(pair) * 3] = QThread::currentThread();
            const Parley::Address ponger = create<PairPonger>(s, pair);
            m_pinger = create<PairPinger>(s, pair, ponger);
            s->ready.countDown();
        });
        on<Go>([this] { send(Go{}, m_pinger); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    Parley::Address m_pinger;
};

/// Returns the round trips per second of kPairs independent pairs on \a workers workers.
double parleyPairs(int workers, qint64 perPair)
{
    PairsState s(kPairs); // outlives the runtime and its machines
    s.perPair = perPair;
    s.running.store(kPairs);
    auto runtime = startRuntime(workers);
    Watched watched("parley pairs on " + std::to_string(workers) + " workers", [&s] {
        return "about " + std::to_string(s.progress.load()) + " round trips, "
            + std::to_string(s.running.load()) + " pairs still running";
    });
    std::vector<Parley::Address> hosts;
    for (int i = 0; i < kPairs; ++i)
        hosts.push_back(runtime->createOn<PairHost>(Parley::Placement::AnyWorker, &s, i));
    s.ready.wait();
    std::vector<QThread *> used;
    for (int i = 0; i < kPairs; ++i) {
        QThread *t = s.threads[size_t(i) * 3];
        if (s.threads[size_t(i) * 3 + 1] != t || s.threads[size_t(i) * 3 + 2] != t)
            fail("pairs: a pair's machines landed on different workers");
        if (std::find(used.begin(), used.end(), t) == used.end())
            used.push_back(t);
    }
    if (int(used.size()) != workers)
        fail("pairs: the pairs are not spread over every worker");
    const Clock::time_point start = Clock::now();
    for (const Parley::Address &host : hosts)
        runtime->send(Go{}, host);
    s.done.wait();
    const double seconds = secondsBetween(start, s.end);
    stopRuntime(std::move(runtime));
    return double(kPairs) * double(perPair) / seconds;
}

/// Returns the flood's messages per second on a runtime of \a workers workers.
double parleyFloodOn(int workers, qint64 count)
{
    BenchFlood::State s; // outlives the runtime and its machines
    s.count = count;
    auto runtime = startRuntime(workers);
    Watched watched("parley flood on " + std::to_string(workers) + " workers", [&s] {
        return "received " + std::to_string(s.received.load()) + " of " + std::to_string(s.count);
    });
    const QString error
        = BenchFlood::run(*runtime, s, Clock::now() + kStepLimit + 10s, workers == 1);
    if (!error.isEmpty())
        fail(qPrintable(error));
    stopRuntime(std::move(runtime));
    return error.isEmpty() ? s.messagesPerSecond() : kNaN;
}

void figureScaling(const std::vector<int> &workerCounts, qint64 roundTrips, qint64 messages)
{
    // A quarter of the ping-pong figure's round trips per pair: 25,000 by default, 1.6M in all.
    const qint64 perPair = std::max<qint64>(1, roundTrips / 4);
    std::printf("# scaling: %d pairs x %lld round trips; flood of %lld; workers", kPairs,
                static_cast<long long>(perPair), static_cast<long long>(messages));
    for (int w : workerCounts)
        std::printf(" %d", w);
    std::printf("\n");
    std::vector<double> pairs, cafPairs, flood, cafFloods;
    for (int w : workerCounts) {
        const std::string name = std::to_string(w);
        pairs.push_back(parleyPairs(w, perPair));
#ifdef PARLEY_HAVE_CAF
        cafPairs.push_back(runBaseline("cafPairsRoundTripsPerSecond", [&] {
            return Baselines::cafPairsRoundTripsPerSecond(kPairs, int(perPair), w);
        }));
#else
        cafPairs.push_back(kNaN);
#endif
        printLine(("pairs_w" + name).c_str(), pairs.back(), "rt/s", 0,
                  ("caf_pairs_w" + name).c_str(), cafPairs.back(), Better::Higher);
        flood.push_back(parleyFloodOn(w, messages));
#ifdef PARLEY_HAVE_CAF
        cafFloods.push_back(
            runBaseline("cafFlood", [&] { return Baselines::cafFlood(int(messages), w); }));
#else
        cafFloods.push_back(kNaN);
#endif
        printLine(("flood_w" + name).c_str(), flood.back(), "msg/s", 0,
                  ("caf_flood_w" + name).c_str(), cafFloods.back(), Better::Higher);
    }
    // Speed-up from the first worker count to each other one: Parley's beside CAF's.
    for (size_t i = 1; i < workerCounts.size(); ++i) {
        const std::string name
            = std::to_string(workerCounts[i]) + "v" + std::to_string(workerCounts[0]);
        printLine(("pairs_speedup_" + name).c_str(), pairs[i] / pairs[0], "x", 2,
                  ("caf_pairs_speedup_" + name).c_str(), cafPairs[i] / cafPairs[0], Better::Higher);
        printLine(("flood_speedup_" + name).c_str(), flood[i] / flood[0], "x", 2,
                  ("caf_flood_speedup_" + name).c_str(), cafFloods[i] / cafFloods[0],
                  Better::Higher);
    }
#ifndef PARLEY_HAVE_CAF
    printCafNotBuilt("pairs_w*", "caf_pairs_w*");
#endif
}

// -- main ---------------------------------------------------------------------------------------

QByteArray plainQThreadDispatcher()
{
    QByteArray name;
    std::unique_ptr<QThread> thread(QThread::create([&name] { name = dispatcherName(); }));
    thread->start();
    thread->wait();
    return name;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures Parley's in-process figures next to plain Qt and CAF in the same run."));
    parser.addHelpOption();
    const QString n = QStringLiteral("n");
    parser.addOptions({
        {QStringLiteral("quick"),
         QStringLiteral("Smoke run: 100k messages and machines, 20k round trips.")},
        {QStringLiteral("messages"), QStringLiteral("Messages in the flood (default 1000000)."), n},
        {QStringLiteral("round-trips"),
         QStringLiteral("Timed ping-pong round trips (default 100000)."), n},
        {QStringLiteral("machines"), QStringLiteral("Machines created (default 1000000)."), n},
        {QStringLiteral("only"),
         QStringLiteral("Comma-separated figures to run: flood, same_worker_pingpong, "
                        "cross_thread_pingpong, machines_1m, scaling."),
         QStringLiteral("list")},
        {QStringLiteral("workers"),
         QStringLiteral("Worker counts of the scaling figure, comma-separated (default 1,2,N "
                        "with N the number of cores, each once)."),
         QStringLiteral("list")},
        {QStringLiteral("parley-only"),
         QStringLiteral("Skip the baselines (for profiling); their values print as nan.")},
    });
    parser.process(app);

    const bool quick = parser.isSet(QStringLiteral("quick"));
    const qint64 messages = BenchReport::countOption(
        "bench_inprocess", parser, QStringLiteral("messages"), quick ? 100'000 : 1'000'000);
    const qint64 roundTrips = BenchReport::countOption(
        "bench_inprocess", parser, QStringLiteral("round-trips"), quick ? 20'000 : 100'000);
    const qint64 machines = BenchReport::countOption(
        "bench_inprocess", parser, QStringLiteral("machines"), quick ? 100'000 : 1'000'000);
    const QStringList known{QStringLiteral("flood"), QStringLiteral("same_worker_pingpong"),
                            QStringLiteral("cross_thread_pingpong"), QStringLiteral("machines_1m"),
                            QStringLiteral("scaling")};
    const QStringList only = BenchReport::onlyOption("bench_inprocess", parser, known);
    g_parleyOnly = parser.isSet(QStringLiteral("parley-only"));
    std::vector<int> workerCounts;
    if (parser.isSet(QStringLiteral("workers"))) {
        for (const QString &w :
             parser.value(QStringLiteral("workers")).split(u',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const int n = w.toInt(&ok);
            if (!ok || n < 1 || n > 256) {
                std::fprintf(stderr, "bench_inprocess: --workers needs counts from 1 to 256\n");
                return 2;
            }
            workerCounts.push_back(n);
        }
    } else {
        for (int n : {1, 2, QThread::idealThreadCount()}) {
            if (std::find(workerCounts.begin(), workerCounts.end(), n) == workerCounts.end())
                workerCounts.push_back(n);
        }
    }
    g_restoreGlib = !qEnvironmentVariableIsSet("QT_NO_THREADED_GLIB");

    Watchdog watchdog;
    g_watchdog = &watchdog;

    std::printf("# Qt %s, %d cores; messages=%lld round_trips=%lld machines=%lld\n", qVersion(),
                QThread::idealThreadCount(), static_cast<long long>(messages),
                static_cast<long long>(roundTrips), static_cast<long long>(machines));
    stopRuntime(startRuntime());                           // learns the workers' dispatcher
    const QByteArray qtThreads = plainQThreadDispatcher(); // what the Qt baselines' threads get
    std::printf("# event dispatchers: main thread %s, Qt baseline threads %s, Parley workers %s\n",
                dispatcherName().constData(), qtThreads.constData(),
                g_workerDispatcher.constData());
#ifndef PARLEY_HAVE_CAF
    std::printf("# CAF baselines: not built (CAF 0.17 not found at configure time)\n");
#endif
    std::fflush(stdout);

    if (only.contains(QStringLiteral("flood")))
        figureFlood(messages);
    if (only.contains(QStringLiteral("same_worker_pingpong")))
        figureSameWorkerPingPong(roundTrips);
    if (only.contains(QStringLiteral("cross_thread_pingpong")))
        figureCrossThreadPingPong(roundTrips);
    if (only.contains(QStringLiteral("machines_1m")))
        figureMachines(machines);
    if (only.contains(QStringLiteral("scaling")))
        figureScaling(workerCounts, roundTrips, messages);

    g_watchdog = nullptr;
    return g_failed ? 1 : 0;
}
