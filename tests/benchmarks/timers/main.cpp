// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Timer accuracy: how late Parley timers arrive, beside QTimer (Qt::PreciseTimer) in a QThread
// measured in the same run. Each side runs a sequence of one-shot timers of 1..40 ms and a
// repeating 10 ms timer; lateness = arrival - due, on the monotonic clock. Prints mean and max
// lateness in the benchmark line format (ratio > 1: Parley is more punctual).

#include <parley/parley.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int OneShots = 60;
constexpr int Repeats = 100;

double micros(Clock::duration d)
{
    return std::chrono::duration<double, std::micro>(d).count();
}

struct Lateness
{
    std::vector<double> micros;
    double mean() const
    {
        return std::accumulate(micros.begin(), micros.end(), 0.0) / micros.size();
    }
    double max() const { return *std::max_element(micros.begin(), micros.end()); }
};

struct Done
{
};
PARLEY_MESSAGE_AS(Done, "bench.Done")

/// Runs the one-shot sequence, then the repeating timer, recording lateness of each firing.
class Punctual : public Parley::Machine
{
public:
    Punctual(Lateness *oneShot, Lateness *repeating) : m_oneShot(oneShot), m_repeating(repeating)
    {
        on<Parley::Start>([this] { next(); });
        on<Parley::T1>([this] {
            m_oneShot->micros.push_back(micros(Clock::now() - m_due));
            next();
        });
        on<Parley::T2>([this] {
            m_due += 10ms;
            m_repeating->micros.push_back(micros(Clock::now() - m_due));
            if (int(m_repeating->micros.size()) == Repeats) {
                cancel<Parley::T2>();
                complete(Done{});
            }
        });
    }

private:
    void next()
    {
        const int i = int(m_oneShot->micros.size());
        if (i < OneShots) {
            const auto delay = std::chrono::milliseconds(1 + (i * 7) % 40);
            m_due = Clock::now() + delay;
            start(Parley::T1{}, delay);
        } else {
            m_due = Clock::now();
            start(Parley::T2{}, 10ms, Parley::TimerMode::Repeating);
        }
    }
    Lateness *m_oneShot;
    Lateness *m_repeating;
    Clock::time_point m_due;
};

/// The same sequence with QTimer::singleShot / a repeating QTimer, on a QThread.
class QtPunctual : public QObject
{
public:
    QtPunctual(Lateness *oneShot, Lateness *repeating) : m_oneShot(oneShot), m_repeating(repeating)
    {
    }
    void begin() { next(); }
    std::mutex lock;
    std::condition_variable cv;
    bool done = false;

private:
    void next()
    {
        const int i = int(m_oneShot->micros.size());
        if (i < OneShots) {
            const auto delay = std::chrono::milliseconds(1 + (i * 7) % 40);
            m_due = Clock::now() + delay;
            QTimer::singleShot(delay, Qt::PreciseTimer, this, [this] {
                m_oneShot->micros.push_back(micros(Clock::now() - m_due));
                next();
            });
            return;
        }
        m_due = Clock::now();
        auto *t = new QTimer(this);
        t->setTimerType(Qt::PreciseTimer);
        connect(t, &QTimer::timeout, this, [this, t] {
            m_due += 10ms;
            m_repeating->micros.push_back(micros(Clock::now() - m_due));
            if (int(m_repeating->micros.size()) == Repeats) {
                t->stop();
                std::lock_guard g(lock);
                done = true;
                cv.notify_all();
            }
        });
        t->start(10ms);
    }
    Lateness *m_oneShot;
    Lateness *m_repeating;
    Clock::time_point m_due;
};

void line(const char *figure, double parley, const char *baseline, double base)
{
    std::printf("figure=%s value=%.1f unit=us baseline=%s baseline_value=%.1f ratio=%.2f\n", figure,
                parley, baseline, base, parley > 0 ? base / parley : 0.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);

    Lateness qtOnce, qtRepeat;
    {
        QThread thread;
        thread.start();
        QtPunctual qt(&qtOnce, &qtRepeat);
        qt.moveToThread(&thread);
        QMetaObject::invokeMethod(&qt, [&qt] { qt.begin(); });
        std::unique_lock l(qt.lock);
        if (!qt.cv.wait_for(l, 30s, [&] { return qt.done; })) {
            std::fprintf(stderr, "bench_timers: the QTimer baseline did not finish within 30 s\n");
            return 1;
        }
        l.unlock();
        QMetaObject::invokeMethod(
            &qt, [&qt] { qt.moveToThread(QCoreApplication::instance()->thread()); },
            Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }

    Lateness once, repeat;
    {
        Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
        const auto p = runtime.create<Punctual>(&once, &repeat);
        if (!runtime.waitForCompletion(p, 30s)) {
            std::fprintf(stderr, "bench_timers: Parley timers did not finish within 30 s\n");
            return 1;
        }
    }

    line("timer_oneshot_mean_lateness", once.mean(), "qtimer_precise", qtOnce.mean());
    line("timer_oneshot_max_lateness", once.max(), "qtimer_precise", qtOnce.max());
    line("timer_repeating_mean_lateness", repeat.mean(), "qtimer_precise", qtRepeat.mean());
    line("timer_repeating_max_lateness", repeat.max(), "qtimer_precise", qtRepeat.max());
    const bool within = once.max() < 10'000 && repeat.max() < 10'000;
    std::printf("# target: every firing within 10 ms of its due time: %s\n",
                within ? "met" : "MISSED");
    return 0;
}
