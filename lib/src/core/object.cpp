// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "object_p.h"
#include "runtime_p.h"

#include "interface/events_p.h"

#include <QtCore/QThread>

#include <exception>

namespace Parley {

namespace {
thread_local const detail::Birth *t_birth = nullptr;
} // namespace

static_assert(sizeof(void *) != 8 || sizeof(ObjectPrivate) <= 88,
              "ObjectPrivate grew: a million machines each carry one (see object_p.h)");

// -- creation -----------------------------------------------------------------------------------

namespace detail {

void setBirth(const Birth *birth) noexcept
{
    t_birth = birth;
}

Birth beginBirth(Runtime *runtime, const Object *creator, const QString &className)
{
    Birth b;
    if (!runtime) {
        qWarning("Parley: create() called on an object that belongs to no runtime");
        return b;
    }
    RuntimePrivate *rt = RuntimePrivate::get(runtime);
    if (rt->shuttingDown.load(std::memory_order_relaxed) && !creator) {
        qWarning("Parley: create() called while the runtime is shutting down");
        return b;
    }
    b.runtime = runtime;
    b.id = rt->allocateId();
    b.parentId
        = creator ? ObjectPrivate::get(const_cast<Object *>(creator))->id : RuntimePrivate::RootId;
    b.className = &className;
    b.creator = const_cast<Object *>(creator);
    return b;
}

Birth prepareBirth(Runtime *runtime, const Object *creator, Placement placement,
                   const QString &className)
{
    Birth b = beginBirth(runtime, creator, className);
    if (b.id)
        b.executor = RuntimePrivate::get(runtime)->executorFor(creator, placement);
    return b;
}

void abortBirth(const Birth &) noexcept
{
    // The id is simply never used; ids are not reused, so nothing else needs undoing.
}

Address completeBirth(const Birth &birth, Object *object)
{
    return ObjectPrivate::registerBorn(birth, object, true);
}

} // namespace detail

Address ObjectPrivate::registerBorn(const detail::Birth &birth, Object *object, bool sendStart)
{
    RuntimePrivate *rt = RuntimePrivate::get(birth.runtime);
    ObjectPrivate *d = ObjectPrivate::get(object);
    if (birth.executor->thread() && object->thread() != birth.executor->thread())
        object->moveToThread(birth.executor->thread());
    if (birth.parentId == RuntimePrivate::RootId) {
        std::lock_guard guard(rt->rootLock);
        rt->topLevel.insert(birth.id);
    }
    // The event stream's own objects, and what they create, are not recorded: their events
    // would feed the stream they carry.
    d->unrecorded = Internal::UnrecordedScope::active()
        || (birth.creator && ObjectPrivate::get(birth.creator)->unrecorded);
    rt->emitCreated(birth, object);
    rt->table.insert(birth.id, d);
    const Address address(birth.id);
    if (birth.parentId != RuntimePrivate::RootId) {
        // The creator is running this very code on its own thread, so its bookkeeping is ours.
        if (Object *parent = birth.creator)
            ObjectPrivate::get(parent)->adoptChild(birth.id);
    }
    // Start comes first: the executor delivers it ahead of anything else sent to the object.
    if (sendStart) {
        if (Internal::Executor *toWake = birth.executor->postStart(d))
            toWake->wake();
    }
    return address;
}

RuntimePrivate *RuntimePrivate::get(Runtime *r)
{
    return r->m_d.get();
}

Object::Object() : m_d(std::make_unique<ObjectPrivate>())
{
    Q_D(Object);
    d->q = this;
    if (const detail::Birth *b = t_birth) {
        d->executor = b->executor;
        d->id = b->id;
        d->parentId = b->parentId;
        d->className = b->className;
        t_birth = nullptr; // members that are objects themselves don't inherit this birth
    } else {
        qWarning("Parley::Object constructed outside create(); it has no address and gets no mail");
    }
}

Object::~Object()
{
    Q_D(Object);
    // The "Destroyed" line is written by the executor before deleting, while the state
    // machine part (and so the state name) still exists.
    if (d->runtime() && d->extra && !d->extra->timers.isEmpty())
        d->runtime()->timers->cancelAll(d->id);
}

// -- identity -----------------------------------------------------------------------------------

Address Object::address() const
{
    Q_D(const Object);
    return Address(d->id);
}

Address Object::parentAddress() const
{
    Q_D(const Object);
    return Address(d->parentId);
}

Runtime *Object::runtime() const
{
    Q_D(const Object);
    return d->runtime() ? d->runtime()->q : nullptr;
}

QString Object::name() const
{
    Q_D(const Object);
    const QString n = objectName();
    if (!n.isEmpty())
        return n;
    return d->className ? *d->className : QStringLiteral("object");
}

QString Object::parleyStateName() const
{
    return {};
}

// -- sending ------------------------------------------------------------------------------------

void Object::send(Value message, const Address &to)
{
    Q_D(Object);
    if (!d->runtime())
        return;
    RuntimePrivate *rt = d->runtime();
    const Address from(d->id);
    // The check is here, not only in emitSent: a runtime nobody listens to pays one load.
    const detail::Stamp stamp = rt->logger.wants(LogLevel::Object)
        ? rt->emitSent(EventKind::Sent, d->id, this, message, to, from)
        : detail::Stamp{};
    rt->deliver(Internal::Parcel{to, from, message, 0, stamp}, d->id, this);
}

void Object::forward(Value message, const Address &to, const Address &from)
{
    Q_D(Object);
    if (!d->runtime())
        return;
    const detail::Stamp stamp
        = d->runtime()->emitSent(EventKind::Forwarded, d->id, this, message, to, from);
    d->runtime()->deliver(Internal::Parcel{to, from, message, 0, stamp}, d->id, this);
}

const Address &Object::returnAddress() const
{
    Q_D(const Object);
    static const Address none{};
    return d->current ? d->current->from : none;
}

Address Object::arrivedThrough() const
{
    // A return address of more than one id leads through a proxy of this process, its last id
    // (docs/protocol.md section 3): the connection the message came in through.
    const Address &from = returnAddress();
    return from.size() > 1 ? Address(from.last()) : Address();
}

// -- children and completion --------------------------------------------------------------------

void Object::then(const Address &child, std::function<void(Value &)> callback)
{
    Q_D(Object);
    d->ensureExtra().callbacks.emplace(child.last(), std::move(callback));
}

void Object::nextFrom(const Address &from, std::function<void(Value &)> callback)
{
    Q_D(Object);
    d->ensureExtra().nextFrom.emplace(from.last(), std::move(callback));
}

Completion Object::complete(Value value)
{
    Q_D(Object);
    if (d->completed) {
        warning("complete() called again; ignored");
        return {};
    }
    d->finish(std::move(value));
    // Inside a handler the executor retires the object once the handler returns; otherwise
    // (a Qt slot, a QTimer on this thread) retire it now.
    if (!d->dispatching && !d->ownThread && d->executor && QThread::currentThread() == thread())
        d->executor->retire(d);
    return {};
}

bool Object::isCompleted() const
{
    Q_D(const Object);
    return d->completed;
}

// -- timers -------------------------------------------------------------------------------------

void Object::startTimerValue(Value timer, Duration after, TimerMode mode)
{
    Q_D(Object);
    if (!d->runtime() || d->completed)
        return;
    const TypeInfo *type = timer.type();
    const quint64 generation = d->runtime()->allocateTimerGeneration();
    d->ensureExtra().timers.insert(type, {generation, mode == TimerMode::Repeating});
    d->runtime()->emitTimer(EventKind::TimerStarted, d, type,
                            std::chrono::duration_cast<std::chrono::nanoseconds>(after).count(),
                            mode == TimerMode::Repeating);
    d->runtime()->timers->start(d->id, generation, std::move(timer), after,
                                mode == TimerMode::Repeating);
}

void Object::cancelTimer(const TypeInfo *type)
{
    Q_D(Object);
    if (!d->runtime() || !d->extra)
        return;
    if (d->extra->timers.remove(type)) {
        d->runtime()->emitTimer(EventKind::TimerCancelled, d, type);
        d->runtime()->timers->cancel(d->id, type);
    }
}

// -- logging ------------------------------------------------------------------------------------

bool Object::logs(LogLevel level) const
{
    Q_D(const Object);
    return d->runtime() && d->runtime()->logger.wants(level);
}

void Object::writeLog(LogLevel level, const QString &text) const
{
    Q_D(const Object);
    if (!d->runtime())
        return;
    d->runtime()->emitText(level, d->id, this, text);
}

// -- ObjectPrivate ------------------------------------------------------------------------------

void ObjectPrivate::adoptChild(quint64 child)
{
    Extra &e = ensureExtra();
    if (e.children.size() >= e.compactAt) {
        // Forget children that have completed; amortised O(1) per child, no bookkeeping on
        // each completion.
        std::erase_if(e.children, [this](quint64 c) { return !runtime()->table.contains(c); });
        e.compactAt = std::max<size_t>(64, e.children.size() * 2);
    }
    e.children.push_back(child);
}

bool ObjectPrivate::acceptTimer(const detail::Envelope &envelope)
{
    if (!extra)
        return false;
    const auto it = extra->timers.find(envelope.message.type());
    if (it == extra->timers.end() || it->generation != envelope.timerGeneration)
        return false;
    if (!it->repeating)
        extra->timers.erase(it);
    runtime()->emitTimer(EventKind::TimerFired, this, envelope.message.type());
    return true;
}

bool ObjectPrivate::runCallback(detail::Envelope &envelope)
{
    const quint64 from = envelope.from.last();
    if (!extra || extra->callbacks.isEmpty())
        return false;
    const auto it = extra->callbacks.find(from);
    if (it == extra->callbacks.end())
        return false;
    auto callback = std::move(it.value());
    extra->callbacks.erase(it);
    callback(envelope.message.get<Completed>().value);
    return true;
}

bool ObjectPrivate::runNextFrom(detail::Envelope &envelope)
{
    if (!extra || extra->nextFrom.isEmpty())
        return false;
    const auto it = extra->nextFrom.find(envelope.from.last());
    if (it == extra->nextFrom.end())
        return false;
    auto callback = std::move(it.value());
    extra->nextFrom.erase(it);
    callback(envelope.message);
    return true;
}

bool ObjectPrivate::deliver(detail::Envelope &envelope, qint32 depth)
{
    if (envelope.timerGeneration && !acceptTimer(envelope))
        return true; // a cancelled or restarted timer: discard quietly
    RuntimePrivate *rt = runtime();
    // One check for the three events of a delivery: nothing more when nobody listens.
    const bool recording = rt->logger.wants(LogLevel::Object);
    qint64 began = 0;
    if (recording) {
        rt->emitReceived(EventKind::Received, this, envelope, depth);
        began = rt->logger.elapsed();
    }
    current = &envelope;
    dispatching = true;
    try {
        if (!runNextFrom(envelope) && !(envelope.message.is<Completed>() && runCallback(envelope)))
            q->parleyReceive(envelope);
    } catch (const std::exception &e) {
        faultFromException(QString::fromUtf8(e.what()));
    } catch (...) {
        faultFromException(QStringLiteral("unknown exception"));
    }
    dispatching = false;
    current = nullptr;
    if (recording)
        rt->emitHandled(this, envelope, rt->logger.elapsed() - began);
    return !completed;
}

void ObjectPrivate::faultFromException(const QString &what)
{
    runtime()->emitText(LogLevel::Fault, id, q,
                        QStringLiteral("Faulted: exception escaped a handler: %1").arg(what));
    if (!completed)
        finish(Value(Faulted{QStringLiteral("exception"), what, 0}));
}

void ObjectPrivate::finish(Value value)
{
    completed = true;
    runtime()->table.remove(id);
    if (extra) {
        if (!extra->timers.isEmpty()) {
            runtime()->timers->cancelAll(id);
            extra->timers.clear();
        }
        // Children still running are told to stop; their Completed will find no parent.
        for (quint64 child : extra->children) {
            // A child may be completing on its own thread right now: no check-then-send race,
            // and no warning when it is gone.
            Value stop(Stop{});
            const Address to(child);
            const Address from(id);
            detail::Stamp stamp;
            if (runtime()->logger.wants(LogLevel::Object) && runtime()->table.contains(child))
                stamp = runtime()->emitSent(EventKind::Sent, id, q, stop, to, from);
            runtime()->deliverIfThere(Internal::Parcel{to, from, stop, 0, stamp}, id, q);
        }
        extra->children.clear();
        extra->callbacks.clear();
        extra->nextFrom.clear();
    }
    const detail::Stamp stamp = runtime()->emitCompleted(this, value);
    if (!quiet) {
        const Address to(parentId);
        const Address from(id);
        Value completed(Completed{std::move(value)});
        runtime()->deliver(Internal::Parcel{to, from, completed, 0, stamp}, id, q);
    }
}

void ObjectPrivate::dropUndelivered(std::vector<detail::Envelope> &envelopes, const char *why)
{
    for (const auto &e : envelopes) {
        if (e.timerGeneration)
            continue;
        runtime()->logDropped(e, id, why, q, DropReason::ObjectCompleted); // still named
        // Its sender may be waiting for an answer: tell it (unless this is a notice).
        runtime()->bounce(e.to, e.from, e.message, DropReason::ObjectCompleted,
                          QString::fromUtf8(why));
    }
    envelopes.clear();
}

} // namespace Parley
