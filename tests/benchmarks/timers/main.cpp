// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Timer accuracy: how late Parley timers arrive, beside QTimer (Qt::PreciseTimer) in a QThread
// measured in the same run. Each side runs a sequence of one-shot timers of 1..40 ms and a
// repeating 10 ms timer; lateness = arrival - due, on the monotonic clock. Prints mean and max
// lateness in the benchmark line format (ratio > 1: Parley is more punctual). A side that does
// not finish prints nan and says why; the exit status is 1 when Parley's side did not finish.

#include "report.h"

#include <parley/parley.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
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

/// Collects how late each firing was; NaN figures when there is none.
struct Lateness
{
    std::vector<double> micros;
    double mean() const
    {
        if (micros.empty())
            return std::nan("");
        return std::accumulate(micros.begin(), micros.end(), 0.0) / double(micros.size());
    }
    double max() const
    {
        return micros.empty() ? std::nan("") : *std::max_element(micros.begin(), micros.end());
    }
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

/// Prints one figure; \a parleyWhy and \a qtWhy say why a side has no value (empty if it has).
void line(const char *figure, double parley, const QString &parleyWhy, double base,
          const QString &qtWhy)
{
    BenchReport::printFigure(figure, parley, "us", 1, "qtimer_precise", base,
                             BenchReport::Better::Lower,
                             BenchReport::missingNote(parley, parleyWhy, base, qtWhy));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);

    Lateness qtOnce, qtRepeat;
    QString qtWhy;
    {
        QThread thread;
        thread.start();
        QtPunctual qt(&qtOnce, &qtRepeat);
        qt.moveToThread(&thread);
        QMetaObject::invokeMethod(&qt, [&qt] { qt.begin(); });
        {
            std::unique_lock l(qt.lock);
            if (!qt.cv.wait_for(l, 30s, [&] { return qt.done; }))
                qtWhy = QStringLiteral("the QTimer sequence did not finish within 30 s");
        }
        // Back to this thread (its timers with it, never to fire here), so that the thread
        // ends with nothing of the sequence left in it and the samples are safe to read.
        QMetaObject::invokeMethod(
            &qt, [&qt] { qt.moveToThread(QCoreApplication::instance()->thread()); },
            Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
    if (!qtWhy.isEmpty()) {
        std::fprintf(stderr, "bench_timers: %s\n", qPrintable(qtWhy));
        qtOnce.micros.clear();
        qtRepeat.micros.clear();
    }

    Lateness once, repeat;
    QString parleyWhy;
    {
        Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
        const auto p = runtime.create<Punctual>(&once, &repeat);
        if (!runtime.waitForCompletion(p, 30s))
            parleyWhy = QStringLiteral("Parley's timer sequence did not finish within 30 s");
    }
    if (!parleyWhy.isEmpty()) {
        std::fprintf(stderr, "bench_timers: %s\n", qPrintable(parleyWhy));
        once.micros.clear();
        repeat.micros.clear();
    }

    line("timer_oneshot_mean_lateness", once.mean(), parleyWhy, qtOnce.mean(), qtWhy);
    line("timer_oneshot_max_lateness", once.max(), parleyWhy, qtOnce.max(), qtWhy);
    line("timer_repeating_mean_lateness", repeat.mean(), parleyWhy, qtRepeat.mean(), qtWhy);
    line("timer_repeating_max_lateness", repeat.max(), parleyWhy, qtRepeat.max(), qtWhy);
    if (parleyWhy.isEmpty()) {
        const bool within = once.max() < 10'000 && repeat.max() < 10'000;
        std::printf("# target: every firing within 10 ms of its due time: %s\n",
                    within ? "met" : "MISSED");
    }
    return parleyWhy.isEmpty() ? 0 : 1;
}
