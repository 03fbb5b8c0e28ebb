// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "ticker_p.h"

#include <QtCore/QTimer>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace Parley::Internal {

namespace {

/// One interval's timer on one thread and what it ticks.
struct Wheel
{
    QTimer *timer = nullptr;
    std::vector<Ticked *> targets; ///< nullptr where one was removed
    std::size_t holes = 0;
    bool ticking = false;
};

/// This thread's wheels, by interval in ms. What is left at the thread's end (nothing, once
/// every connection has ended) is freed then.
struct Wheels
{
    std::map<long long, Wheel *> byInterval;
    ~Wheels()
    {
        for (auto &[ms, wheel] : byInterval) {
            wheel->timer->stop();
            delete wheel->timer;
            delete wheel;
        }
    }
};

thread_local Wheels t_wheels;

} // namespace

// A friend of Ticked: the slots are kept here.
class TickerPrivate
{
public:
    static void compact(Wheel &wheel)
    {
        std::size_t to = 0;
        for (Ticked *target : wheel.targets) {
            if (target) {
                target->m_tickSlot = to;
                wheel.targets[to++] = target;
            }
        }
        wheel.targets.resize(to);
        wheel.holes = 0;
    }
    /// Frees \a wheel when nothing is left on it; false when it is kept.
    static bool dropIfEmpty(long long ms, Wheel *wheel)
    {
        if (!wheel->targets.empty() || wheel->ticking)
            return false;
        t_wheels.byInterval.erase(ms);
        wheel->timer->stop();
        wheel->timer->disconnect();
        wheel->timer->deleteLater(); // this may run inside its own timeout
        delete wheel;
        return true;
    }
    static void round(long long ms, Wheel *w)
    {
        // Targets added during the round are ticked from the next one on; removed ones are
        // holes until it ends.
        w->ticking = true;
        const std::size_t n = w->targets.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (Ticked *t = w->targets[i])
                t->tick();
        }
        w->ticking = false;
        if (w->holes > 0 && w->holes * 2 >= w->targets.size())
            compact(*w);
        dropIfEmpty(ms, w);
    }
};

void Ticker::add(Ticked *target, std::chrono::milliseconds interval)
{
    remove(target);
    const long long ms = std::max<long long>(1, interval.count());
    Wheel *&wheel = t_wheels.byInterval[ms];
    if (!wheel) {
        wheel = new Wheel;
        Wheel *w = wheel;
        w->timer = new QTimer;
        w->timer->setTimerType(Qt::CoarseTimer);
        w->timer->setInterval(int(std::min<long long>(ms, 1 << 30)));
        QObject::connect(w->timer, &QTimer::timeout, w->timer,
                         [w, ms] { TickerPrivate::round(ms, w); });
        w->timer->start();
    }
    target->m_tickSlot = wheel->targets.size();
    target->m_tickInterval = ms;
    wheel->targets.push_back(target);
}

void Ticker::remove(Ticked *target)
{
    const long long ms = std::exchange(target->m_tickInterval, 0);
    if (ms == 0)
        return;
    const auto it = t_wheels.byInterval.find(ms);
    if (it == t_wheels.byInterval.end())
        return;
    Wheel *wheel = it->second;
    wheel->targets[target->m_tickSlot] = nullptr;
    ++wheel->holes;
    if (wheel->ticking)
        return; // the round tidies up
    if (wheel->holes * 2 >= wheel->targets.size())
        TickerPrivate::compact(*wheel);
    TickerPrivate::dropIfEmpty(ms, wheel);
}

int Ticker::timersOnThisThread()
{
    return int(t_wheels.byInterval.size());
}

} // namespace Parley::Internal
