// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "baselines.h"

// CAF names members `slots` and `signals`: include it before any Qt header (the target also
// builds with QT_NO_KEYWORDS).
#ifdef PARLEY_HAVE_CAF
#include <caf/all.hpp>
#endif

#include "benchkit.h"

#include <QCoreApplication>
#include <QEvent>
#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
#include <vector>

#include <unistd.h>

namespace Baselines {

namespace {

using BenchKit::Clock;
using BenchKit::Completion;
using BenchKit::kNaN;
using BenchKit::secondsBetween;

constexpr int kWarmupRoundTrips = 1000;
constexpr auto kTimeCap = BenchKit::timeCap(kTimeCapSeconds);
// Extra time granted after an abort request for the workers to notice it and stop.
constexpr auto kAbortGrace = std::chrono::seconds(5);

void warnTimeCap(const char *what, long long done, long long wanted)
{
    BenchKit::warnTimeCap("Baselines", what, kTimeCapSeconds, done, wanted);
}

// --- Qt: postEvent flood -----------------------------------------------------------------------

QEvent::Type floodEventType()
{
    static const auto type = static_cast<QEvent::Type>(QEvent::registerEventType());
    return type;
}

class FloodEvent : public QEvent
{
public:
    explicit FloodEvent(qint64 value) : QEvent(floodEventType()), m_value(value) {}

    qint64 value() const { return m_value; }

private:
    qint64 m_value;
};

class FloodReceiver : public QObject
{
public:
    FloodReceiver(qint64 expected, Completion *completion)
        : m_expected(expected), m_completion(completion)
    {
    }

    bool event(QEvent *event) override
    {
        if (event->type() != floodEventType())
            return QObject::event(event);
        m_sum += static_cast<FloodEvent *>(event)->value();
        const qint64 count = m_received.load(std::memory_order_relaxed) + 1;
        m_received.store(count, std::memory_order_relaxed);
        if (count == m_expected) {
            m_end = Clock::now();
            m_completion->signal();
        }
        return true;
    }

    qint64 received() const { return m_received.load(std::memory_order_relaxed); }
    Clock::time_point end() const { return m_end; } // valid once the completion is signalled
    qint64 sum() const { return m_sum; }

private:
    const qint64 m_expected;
    Completion *const m_completion;
    std::atomic<qint64> m_received{0};
    qint64 m_sum = 0;
    Clock::time_point m_end;
};

// Blocks until `object`'s thread has an event loop processing events.
void waitForEventLoop(QObject *object)
{
    QMetaObject::invokeMethod(
        object, [] {}, Qt::BlockingQueuedConnection);
}

// --- Qt: queued invokeMethod ping-pong ---------------------------------------------------------

struct QtPingPongState
{
    QObject *ping = nullptr;
    QObject *pong = nullptr;
    qint64 warmup = 0;
    qint64 total = 0;
    qint64 counter = 0; // only touched in ping's thread
    bool started = false;
    Clock::time_point start;
    Clock::time_point end;
    qint64 completed = 0;
    std::atomic<bool> abort{false};
    Completion done;
};

// Runs in ping's thread; one call per completed round trip.
void qtPingStep(QtPingPongState *state)
{
    if (state->counter == state->warmup) {
        state->started = true;
        state->start = Clock::now();
    }
    if (state->counter == state->total || state->abort.load(std::memory_order_relaxed)) {
        state->end = Clock::now();
        state->completed = state->started ? state->counter - state->warmup : 0;
        state->done.signal();
        return;
    }
    ++state->counter;
    QMetaObject::invokeMethod(
        state->pong,
        [state] {
            QMetaObject::invokeMethod(
                state->ping, [state] { qtPingStep(state); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

double qtPingPongMicros(int roundTrips, bool sameThread, const char *what)
{
    if (roundTrips <= 0)
        return kNaN;

    QThread pingThread;
    QThread pongThread;
    auto *ping = new QObject;
    auto *pong = new QObject;
    ping->moveToThread(&pingThread);
    pong->moveToThread(sameThread ? &pingThread : &pongThread);
    pingThread.start();
    if (!sameThread)
        pongThread.start();
    waitForEventLoop(ping);
    waitForEventLoop(pong);

    QtPingPongState state;
    state.ping = ping;
    state.pong = pong;
    state.warmup = kWarmupRoundTrips;
    state.total = kWarmupRoundTrips + static_cast<qint64>(roundTrips);

    const auto deadline = Clock::now() + kTimeCap;
    QMetaObject::invokeMethod(
        ping, [s = &state] { qtPingStep(s); }, Qt::QueuedConnection);
    bool finished = state.done.waitUntil(deadline);
    if (!finished) {
        state.abort.store(true, std::memory_order_relaxed);
        finished = state.done.waitUntil(Clock::now() + kAbortGrace);
    }

    double result = kNaN;
    if (finished) {
        if (state.completed < roundTrips)
            warnTimeCap(what, state.completed, roundTrips);
        if (state.completed > 0)
            result = secondsBetween(state.start, state.end) * 1e6 / double(state.completed);
    } else {
        std::fprintf(stderr, "Baselines::%s: ping-pong did not stop\n", what);
    }

    // Deleting the objects in their threads also drops any still-queued calls that refer to
    // `state`; both threads are joined before `state` goes out of scope.
    ping->deleteLater();
    pong->deleteLater();
    pingThread.quit();
    pongThread.quit();
    pingThread.wait();
    pongThread.wait();
    return result;
}

} // namespace

long long residentBytes()
{
    return BenchKit::residentBytes();
}

double qtPostEventFlood(int n)
{
    if (n <= 0)
        return kNaN;

    Completion completion;
    QThread thread;
    auto *receiver = new FloodReceiver(n, &completion);
    receiver->moveToThread(&thread);
    thread.start();
    waitForEventLoop(receiver);

    const auto start = Clock::now();
    const auto deadline = start + kTimeCap;
    int posted = 0;
    for (; posted < n; ++posted) {
        if ((posted & 1023) == 0 && Clock::now() > deadline)
            break;
        QCoreApplication::postEvent(receiver, new FloodEvent(posted));
    }
    const bool finished = posted == n && completion.waitUntil(deadline);

    double result = kNaN;
    if (finished) {
        result = double(n) / secondsBetween(start, receiver->end());
    } else {
        const auto now = Clock::now();
        const qint64 received = receiver->received();
        warnTimeCap("qtPostEventFlood", received, n);
        if (received > 0)
            result = double(received) / secondsBetween(start, now);
    }

    // Remaining events (only after a time-out) are discarded when the receiver is deleted.
    receiver->deleteLater();
    thread.quit();
    thread.wait();
    return result;
}

double qtInvokeMethodPingPongMicros(int roundTrips)
{
    return qtPingPongMicros(roundTrips, false, "qtInvokeMethodPingPongMicros");
}

double qtSameThreadPingPongMicros(int roundTrips)
{
    return qtPingPongMicros(roundTrips, true, "qtSameThreadPingPongMicros");
}

ObjectCost qobjectCreateDestroy(int n)
{
    if (n <= 0)
        return {kNaN, kNaN};

    std::vector<QObject *> objects;
    objects.reserve(static_cast<std::size_t>(n));

    const long long rssBefore = residentBytes();
    const auto createStart = Clock::now();
    const auto deadline = createStart + kTimeCap;
    for (int i = 0; i < n; ++i) {
        if ((i & 4095) == 0 && Clock::now() > deadline)
            break;
        objects.push_back(new QObject);
    }
    const auto createEnd = Clock::now();
    const long long rssAlive = residentBytes();

    const auto destroyStart = Clock::now();
    for (QObject *object : objects)
        delete object;
    const auto destroyEnd = Clock::now();

    const auto created = static_cast<long long>(objects.size());
    if (created < n)
        warnTimeCap("qobjectCreateDestroy", created, n);
    if (created == 0)
        return {kNaN, kNaN};

    ObjectCost cost;
    cost.seconds
        = secondsBetween(createStart, createEnd) + secondsBetween(destroyStart, destroyEnd);
    cost.bytesPerObject
        = (rssBefore < 0 || rssAlive < 0) ? kNaN : double(rssAlive - rssBefore) / double(created);
    return cost;
}

#ifdef PARLEY_HAVE_CAF

namespace {

void configureCaf(caf::actor_system_config &config, int workers = 2)
{
    // Two scheduler workers unless told otherwise, as many as this benchmark's reference VM
    // has cores.
    config.set("scheduler.max-threads", workers);
}

struct CafFloodState
{
    std::int64_t expected = 0;
    std::atomic<std::int64_t> received{0};
    std::int64_t sum = 0;
    Clock::time_point end;
    std::atomic<bool> abort{false};
    Completion ready;
    Completion done;
};

struct CafPingPongState
{
    std::int64_t warmup = 0;
    std::int64_t total = 0;
    Clock::time_point start;
    Clock::time_point end;
    std::int64_t completed = 0;
    std::atomic<bool> abort{false};
    Completion done;
};

struct CafSpawnState
{
    std::atomic<std::int64_t> initialised{0};
    std::atomic<std::int64_t> target{0};
    Completion progress;
};

} // namespace

double cafFlood(int n, int workers)
{
    if (n <= 0)
        return kNaN;

    CafFloodState state;
    state.expected = n;
    double result = kNaN;

    caf::actor_system_config config;
    configureCaf(config, workers);
    {
        caf::actor_system system{config};
        auto receiver = system.spawn([s = &state](caf::event_based_actor *self) -> caf::behavior {
            s->ready.signal();
            return {
                [s, self](std::int64_t value) {
                    if (s->abort.load(std::memory_order_relaxed)) {
                        self->quit();
                        return;
                    }
                    s->sum += value;
                    const std::int64_t count = s->received.load(std::memory_order_relaxed) + 1;
                    s->received.store(count, std::memory_order_relaxed);
                    if (count == s->expected) {
                        s->end = Clock::now();
                        s->done.signal();
                        self->quit();
                    }
                },
            };
        });
        state.ready.waitUntil(Clock::now() + kTimeCap);

        const auto start = Clock::now();
        const auto deadline = start + kTimeCap;
        int sent = 0;
        for (; sent < n; ++sent) {
            if ((sent & 1023) == 0 && Clock::now() > deadline)
                break;
            caf::anon_send(receiver, std::int64_t{sent});
        }
        const bool finished = sent == n && state.done.waitUntil(deadline);

        if (finished) {
            result = double(n) / secondsBetween(start, state.end);
        } else {
            const auto now = Clock::now();
            const std::int64_t received = state.received.load(std::memory_order_relaxed);
            warnTimeCap("cafFlood", received, n);
            if (received > 0)
                result = double(received) / secondsBetween(start, now);
            state.abort.store(true, std::memory_order_relaxed);
            caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
        }
        // `receiver` is released here; the system's destructor waits for the actor to finish.
    }
    return result;
}

double cafPingPongMicros(int roundTrips)
{
    if (roundTrips <= 0)
        return kNaN;

    CafPingPongState state;
    state.warmup = kWarmupRoundTrips;
    state.total = kWarmupRoundTrips + static_cast<std::int64_t>(roundTrips);
    double result = kNaN;

    caf::actor_system_config config;
    configureCaf(config);
    {
        caf::actor_system system{config};
        const auto deadline = Clock::now() + kTimeCap;
        auto pong = system.spawn([](caf::event_based_actor *) -> caf::behavior {
            return {
                [](std::int64_t value) { return value; },
            };
        });
        // `value` carried by the returning message = number of completed round trips - 1.
        auto ping = system.spawn(
            [s = &state](caf::event_based_actor *self, const caf::actor &peer) -> caf::behavior {
                self->send(peer, std::int64_t{0});
                return {
                    [s, self, peer](std::int64_t value) {
                        const std::int64_t completed = value + 1;
                        if (completed == s->warmup)
                            s->start = Clock::now();
                        if (completed == s->total || s->abort.load(std::memory_order_relaxed)) {
                            s->end = Clock::now();
                            s->completed = std::max<std::int64_t>(completed - s->warmup, 0);
                            s->done.signal();
                            self->quit();
                            return;
                        }
                        self->send(peer, completed);
                    },
                };
            },
            pong);

        bool finished = state.done.waitUntil(deadline);
        if (!finished) {
            state.abort.store(true, std::memory_order_relaxed);
            finished = state.done.waitUntil(Clock::now() + kAbortGrace);
        }
        if (finished) {
            if (state.completed < roundTrips)
                warnTimeCap("cafPingPongMicros", state.completed, roundTrips);
            if (state.completed > 0)
                result = secondsBetween(state.start, state.end) * 1e6 / double(state.completed);
        } else {
            std::fprintf(stderr, "Baselines::cafPingPongMicros: ping-pong did not stop\n");
            caf::anon_send_exit(ping, caf::exit_reason::kill);
        }
        caf::anon_send_exit(pong, caf::exit_reason::user_shutdown);
    }
    return result;
}

double cafPairsRoundTripsPerSecond(int pairs, int roundTripsPerPair, int workers)
{
    if (pairs <= 0 || roundTripsPerPair <= 0 || workers <= 0)
        return kNaN;

    struct PairsState
    {
        std::int64_t perPair = 0;
        std::atomic<int> running{0};
        std::atomic<std::int64_t> roundTrips{0};
        std::atomic<bool> abort{false};
        Clock::time_point end;
        Completion done;
    } state;
    state.perPair = roundTripsPerPair;
    state.running.store(pairs);
    double result = kNaN;

    caf::actor_system_config config;
    configureCaf(config, workers);
    {
        caf::actor_system system{config};
        std::vector<caf::actor> actors;
        const auto start = Clock::now();
        const auto deadline = start + kTimeCap;
        for (int i = 0; i < pairs; ++i) {
            auto pong = system.spawn([](caf::event_based_actor *) -> caf::behavior {
                return {
                    [](std::int64_t value) { return value; },
                };
            });
            auto ping = system.spawn(
                [s = &state](caf::event_based_actor *self,
                             const caf::actor &peer) -> caf::behavior {
                    self->send(peer, std::int64_t{0});
                    return {
                        [s, self, peer](std::int64_t value) {
                            const std::int64_t completed = value + 1;
                            if (completed == s->perPair
                                || s->abort.load(std::memory_order_relaxed)) {
                                s->roundTrips.fetch_add(completed, std::memory_order_relaxed);
                                if (s->running.fetch_sub(1) == 1) {
                                    s->end = Clock::now();
                                    s->done.signal();
                                }
                                self->quit();
                                return;
                            }
                            self->send(peer, completed);
                        },
                    };
                },
                pong);
            actors.push_back(pong);
            actors.push_back(ping);
        }
        bool finished = state.done.waitUntil(deadline);
        if (!finished) {
            state.abort.store(true, std::memory_order_relaxed);
            finished = state.done.waitUntil(Clock::now() + kAbortGrace);
            warnTimeCap("cafPairsRoundTripsPerSecond", state.roundTrips.load(),
                        static_cast<long long>(pairs) * roundTripsPerPair);
        }
        if (finished)
            result = double(state.roundTrips.load()) / secondsBetween(start, state.end);
        for (const caf::actor &a : actors)
            caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    return result;
}

ObjectCost cafActorsCreateDestroy(int n)
{
    if (n <= 0)
        return {kNaN, kNaN};

    CafSpawnState state;
    state.target.store(n);
    ObjectCost cost{kNaN, kNaN};

    caf::actor_system_config config;
    configureCaf(config);
    {
        caf::actor_system system{config};
        std::vector<caf::actor> actors;
        actors.reserve(static_cast<std::size_t>(n));

        auto factory = [s = &state](caf::event_based_actor *) -> caf::behavior {
            const std::int64_t count = s->initialised.fetch_add(1) + 1;
            if (count >= s->target.load())
                s->progress.notify();
            return {
                [](std::int64_t) {},
            };
        };

        const long long rssBefore = residentBytes();
        const auto spawnStart = Clock::now();
        const auto deadline = spawnStart + kTimeCap;
        for (int i = 0; i < n; ++i) {
            if ((i & 1023) == 0 && Clock::now() > deadline)
                break;
            actors.push_back(system.spawn(factory));
        }
        const auto spawned = static_cast<std::int64_t>(actors.size());
        state.target.store(spawned);
        const bool allInitialised = state.progress.waitUntil(deadline + kAbortGrace, [&state] {
            return state.initialised.load() >= state.target.load();
        });
        const auto spawnEnd = Clock::now();
        const long long rssAlive = residentBytes();

        const auto destroyStart = Clock::now();
        actors.clear();
        actors.shrink_to_fit();
        system.await_all_actors_done();
        const auto destroyEnd = Clock::now();

        if (spawned < n || !allInitialised)
            warnTimeCap("cafActorsCreateDestroy", state.initialised.load(), n);
        if (spawned > 0) {
            cost.seconds
                = secondsBetween(spawnStart, spawnEnd) + secondsBetween(destroyStart, destroyEnd);
            if (rssBefore >= 0 && rssAlive >= 0)
                cost.bytesPerObject = double(rssAlive - rssBefore) / double(spawned);
        }
    }
    return cost;
}

#endif // PARLEY_HAVE_CAF

} // namespace Baselines
