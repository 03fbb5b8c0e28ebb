// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "object_p.h"
#include "runtime_p.h"

#include <parley/statemachine.h>

#include <algorithm>

namespace Parley {

namespace detail {
/// \internal One state: its name, handlers and deferred types.
struct StateData
{
    QString name;
    HandlerTable<Transition> handlers;
    std::vector<const TypeInfo *> deferred;
    std::function<Transition(Value &)> unknown;

    [[nodiscard]] bool defers(const TypeInfo *t) const
    {
        return std::find(deferred.begin(), deferred.end(), t) != deferred.end();
    }
};
} // namespace detail

StateMachine::State::State(StateMachine *machine, const char *name)
{
    auto data = std::make_unique<detail::StateData>();
    data->name = name ? QString::fromUtf8(name) : QString();
    m_data = data.get();
    machine->m_states.push_back(std::move(data));
    // The first named state is the initial one; anyState (no name) never is.
    if (name && !machine->m_current)
        machine->m_current = m_data;
}

void StateMachine::State::addHandler(const TypeInfo *type, Function f)
{
    m_data->handlers.set(type, std::move(f));
}

void StateMachine::State::addDeferred(const TypeInfo *type)
{
    if (!m_data->defers(type))
        m_data->deferred.push_back(type);
}

void StateMachine::State::setUnknown(Function f)
{
    m_data->unknown = std::move(f);
}

QString StateMachine::State::name() const
{
    return m_data ? m_data->name : QString();
}

StateMachine::StateMachine() = default;
StateMachine::~StateMachine() = default;

StateMachine::State StateMachine::state() const
{
    State s(Completion{});
    s.m_data = m_current;
    return s;
}

QString StateMachine::parleyStateName() const
{
    return m_current ? m_current->name : QString();
}

bool StateMachine::dispatch(detail::Envelope &envelope)
{
    ObjectPrivate *d = ObjectPrivate::get(this);
    if (!m_current) {
        warning("StateMachine has no states; dropped ", envelope.message.typeName());
        return false;
    }
    const TypeInfo *type = envelope.message.type();
    detail::StateData *any = anyState.m_data;
    auto *handler = m_current->handlers.find(type);
    if (!handler && m_current->defers(type)) {
        d->runtime()->emitReceived(EventKind::Deferred, d, envelope);
        m_deferred.push_back(std::move(envelope));
        return false;
    }
    if (!handler)
        handler = any->handlers.find(type);
    if (!handler && m_current->unknown)
        handler = &m_current->unknown;
    if (!handler && any->unknown)
        handler = &any->unknown;
    if (!handler) {
        if (!envelope.message.is<Start>()) { // nothing to do at start needs no Start handler
            d->runtime()->logDropped(envelope, d->id, "no handler in this state", this,
                                     DropReason::NoHandler);
            d->runtime()->bounce(envelope.to, envelope.from, envelope.message,
                                 DropReason::NoHandler,
                                 QStringLiteral("no handler in state %1").arg(m_current->name));
        }
        return false;
    }
    const detail::Transition t = (*handler)(envelope.message);
    if (!t.next || t.next == m_current || d->completed)
        return false;
    if (!t.next->name.isEmpty()) {
        const QString previous = m_current->name;
        m_current = t.next;
        d->runtime()->emitStateChanged(d, previous, m_current->name);
        return true;
    }
    warning("a handler returned anyState, which is not a state; staying");
    return false;
}

void StateMachine::parleyReceive(detail::Envelope &envelope)
{
    ObjectPrivate *d = ObjectPrivate::get(this);
    bool moved = dispatch(envelope);
    if (!moved)
        return;
    // After a transition, what earlier states deferred is offered again, oldest first, ahead of
    // new mail. A replayed message may transition again; its own deferred then go to the front.
    std::deque<detail::Envelope> replay;
    const detail::Envelope *outer = d->current;
    while (moved && !d->completed) {
        for (auto it = m_deferred.rbegin(); it != m_deferred.rend(); ++it)
            replay.push_front(std::move(*it));
        m_deferred.clear();
        moved = false;
        while (!replay.empty() && !moved && !d->completed) {
            detail::Envelope next = std::move(replay.front());
            replay.pop_front();
            d->current = &next;
            d->runtime()->emitReceived(EventKind::Replayed, d, next);
            moved = dispatch(next);
        }
    }
    d->current = outer;
    if (d->completed) {
        std::vector<detail::Envelope> rest(std::make_move_iterator(replay.begin()),
                                           std::make_move_iterator(replay.end()));
        for (auto &e : m_deferred)
            rest.push_back(std::move(e));
        m_deferred.clear();
        d->dropUndelivered(rest);
    } else {
        // Whatever was not consumed stays deferred, in order, for the next transition.
        for (auto it = replay.rbegin(); it != replay.rend(); ++it)
            m_deferred.push_front(std::move(*it));
    }
}

} // namespace Parley
