// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "object_p.h"
#include "runtime_p.h"

#include <parley/routine.h>

#include <QtCore/QThread>

#include <algorithm>
#include <deque>

namespace Parley {

struct Routine::Private
{
    std::deque<detail::Envelope> saved;  ///< arrived, not yet selected, in arrival order
    std::vector<detail::Envelope> fresh; ///< scratch for collect()
    detail::Envelope current;            ///< the message last returned (for returnAddress)
    size_t warnAt = 1000;                ///< next backlog size that earns a warning
    size_t notices = 0;                  ///< notices among saved
    /// Types dropped on arrival (ignore()).
    std::vector<const TypeInfo *> ignored;
};

namespace {
/// Notices a routine keeps without selecting them; older ones are dropped (DEBUG).
constexpr size_t MaxSavedNotices = 64;

bool isNotice(const detail::Envelope &e)
{
    return e.message.type() && e.message.type()->notice;
}

/// Returns true when \a e is a fault notice about a message sent to \a to: it comes from the
/// same local object the message went to (the object itself, for an Undeliverable of a local
/// address; the proxy it went through, for a connection's fault or a remote Undeliverable).
bool isAbout(const detail::Envelope &e, const Address &to)
{
    return isNotice(e) && e.message.isFault() && !to.isNull() && e.from.last() == to.last();
}
} // namespace

Routine::Routine() : m_r(std::make_unique<Private>())
{
    ObjectPrivate::get(this)->ownThread = true;
}

Routine::~Routine() = default;

void Routine::parleyReceive(detail::Envelope &)
{
    // Routines take their mail with select(); the executor never dispatches to them.
}

void Routine::ignoreType(const TypeInfo *type)
{
    if (std::find(m_r->ignored.cbegin(), m_r->ignored.cend(), type) == m_r->ignored.cend())
        m_r->ignored.push_back(type);
}

int Routine::pendingCount() const
{
    return int(m_r->saved.size());
}

Value Routine::receive()
{
    return selectTypes(nullptr, -1, std::nullopt);
}

Value Routine::selectTypes(const TypeInfo *const *types, int count, std::optional<Duration> timeout,
                           const Address *askedTo)
{
    ObjectPrivate *d = ObjectPrivate::get(this);
    auto *executor = static_cast<Internal::RoutineExecutor *>(d->executor);
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (timeout)
        deadline = std::chrono::steady_clock::now()
            + std::chrono::duration_cast<std::chrono::steady_clock::duration>(*timeout);
    const auto matches = [&](const TypeInfo *t) {
        if (count < 0)
            return true;
        for (int i = 0; i < count; ++i) {
            if (types[i] == t)
                return true;
        }
        return false;
    };

    size_t scanFrom = 0;
    for (;;) {
        for (size_t i = scanFrom; i < m_r->saved.size();) {
            detail::Envelope &e = m_r->saved[i];
            if (e.timerGeneration && !d->acceptTimer(e)) {
                m_r->saved.erase(m_r->saved.begin() + qsizetype(i));
                continue;
            }
            if (e.message.is<Completed>() && d->hasCallback(e)) {
                detail::Envelope taken = std::move(e);
                m_r->saved.erase(m_r->saved.begin() + qsizetype(i));
                d->runtime()->emitReceived(EventKind::Received, d, taken);
                d->current = &taken;
                d->runCallback(taken);
                d->current = nullptr;
                continue;
            }
            if (matches(m_r->saved[i].message.type()) || (askedTo && isAbout(e, *askedTo))) {
                if (isNotice(e))
                    --m_r->notices;
                m_r->current = std::move(m_r->saved[i]);
                m_r->saved.erase(m_r->saved.begin() + qsizetype(i));
                d->current = &m_r->current;
                d->runtime()->emitReceived(EventKind::Received, d, m_r->current);
                return std::move(m_r->current.message);
            }
            ++i;
        }
        scanFrom = m_r->saved.size();
        if (scanFrom - m_r->notices >= m_r->warnAt) {
            warning(QStringLiteral("%1 messages are waiting unselected").arg(scanFrom));
            m_r->warnAt *= 2;
        }
        m_r->fresh.clear();
        if (!executor->collect(d, m_r->fresh, deadline ? &*deadline : nullptr))
            return Value(SelectTimer{});
        for (auto &e : m_r->fresh) {
            if (!e.timerGeneration && !m_r->ignored.empty()
                && std::find(m_r->ignored.cbegin(), m_r->ignored.cend(), e.message.type())
                    != m_r->ignored.cend()) {
                d->runtime()->emitDropped(LogLevel::Debug, d->id, d->q, e.message, e.to, e.from,
                                          DropReason::NoHandler, "ignored by the routine");
                continue;
            }
            if (isNotice(e) && ++m_r->notices > MaxSavedNotices) {
                // Keep the latest notices only: drop the oldest one saved.
                for (auto it = m_r->saved.begin(); it != m_r->saved.end(); ++it) {
                    if (isNotice(*it)) {
                        std::vector<detail::Envelope> old;
                        old.push_back(std::move(*it));
                        if (size_t(it - m_r->saved.begin()) < scanFrom)
                            --scanFrom; // what follows moved down by one
                        m_r->saved.erase(it);
                        --m_r->notices;
                        d->dropUndelivered(old, "an old notice nobody selected");
                        break;
                    }
                }
            }
            m_r->saved.push_back(std::move(e));
        }
        m_r->fresh.clear();
    }
}

/// \internal Starts routine threads and runs their bodies.
class RoutineRunner
{
public:
    static Address create(Runtime *runtime, const Object *creator, QString name,
                          detail::RoutineBody body)
    {
        // The birth steps every object shares (object.cpp); a routine brings its own executor.
        auto *nameStore = new QString(std::move(name)); // owned by the thread body below
        detail::Birth birth = detail::beginBirth(runtime, creator, *nameStore);
        if (!birth.id) {
            delete nameStore;
            return {};
        }
        RuntimePrivate *rt = RuntimePrivate::get(runtime);
        if (rt->manual) {
            rt->emitText(LogLevel::Fault, birth.parentId, creator,
                         QStringLiteral("cannot create routine %1: a deterministic runtime has no "
                                        "threads for routines; use a machine")
                             .arg(*nameStore));
            delete nameStore;
            return {};
        }
        rt->reapRoutineThreads(RuntimePrivate::Reap::Finished);
        auto executor = std::make_unique<Internal::RoutineExecutor>(rt);
        birth.executor = executor.get();

        detail::setBirth(&birth);
        Routine *routine = new Routine;
        detail::setBirth(nullptr);

        RuntimePrivate::RoutineThread *slot;
        {
            std::lock_guard guard(rt->routineLock);
            slot = &rt->routineThreads.emplace_back();
        }
        slot->executor = std::move(executor);
        QThread *thread
            = QThread::create([rt, routine, slot, nameStore, body = std::move(body)]() mutable {
                  run(rt, routine, body, slot->ending);
                  delete nameStore;
                  slot->finished.store(true, std::memory_order_release);
              });
        thread->setObjectName(*nameStore);
        slot->thread.reset(thread);
        slot->executor->setThread(thread);
        routine->moveToThread(thread);
        const Address address = ObjectPrivate::registerBorn(birth, routine, false);
        thread->start();
        return address;
    }

private:
    static void run(RuntimePrivate *rt, Routine *routine, detail::RoutineBody &body,
                    std::atomic<bool> &ending)
    {
        ObjectPrivate *d = ObjectPrivate::get(routine);
        Value result;
        try {
            result = body(*routine);
        } catch (const Terminated &) {
            result = Value(Aborted{QStringLiteral("ended by runtime shutdown")});
        } catch (const std::exception &e) {
            rt->emitText(LogLevel::Fault, d->id, routine,
                         QStringLiteral("Faulted: exception escaped the routine: %1")
                             .arg(QString::fromUtf8(e.what())));
            result = Value(Faulted{QStringLiteral("exception"), QString::fromUtf8(e.what()), 0});
        } catch (...) {
            rt->emitText(LogLevel::Fault, d->id, routine,
                         QStringLiteral("Faulted: exception escaped the routine"));
            result = Value(
                Faulted{QStringLiteral("exception"), QStringLiteral("unknown exception"), 0});
        }
        body = {};                                     // release captured arguments on this thread
        ending.store(true, std::memory_order_release); // what is left waits for nobody
        if (!d->completed)
            d->finish(std::move(result));
        // Messages that arrived but were never selected are dropped, each with a log line.
        std::vector<detail::Envelope> unselected(
            std::make_move_iterator(routine->m_r->saved.begin()),
            std::make_move_iterator(routine->m_r->saved.end()));
        routine->m_r->saved.clear();
        d->dropUndelivered(unselected);
        d->executor->retire(d);
    }
};

namespace detail {
Address createRoutine(Runtime *runtime, const Object *creator, QString name, RoutineBody body)
{
    return RoutineRunner::create(runtime, creator, std::move(name), std::move(body));
}
} // namespace detail

} // namespace Parley
