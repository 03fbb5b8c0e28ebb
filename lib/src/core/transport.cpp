// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "interface/transport_p.h"

#include "executor_p.h"
#include "object_p.h"
#include "runtime_p.h"

namespace Parley::Internal {

namespace {

Internal::LoopExecutor *loopOf(Object *o)
{
    return dynamic_cast<Internal::LoopExecutor *>(ObjectPrivate::get(o)->executor);
}

} // namespace

TransportHost::TransportHost(Object *transport) : m_transport(transport) {}

void TransportHost::setQuiet(bool quiet) const
{
    ObjectPrivate::get(m_transport)->quiet = quiet;
}

void TransportHost::wantBatchDone() const
{
    ObjectPrivate::get(m_transport)->batchHook = true;
}

bool TransportHost::dispatching() const
{
    return ObjectPrivate::get(m_transport)->dispatching;
}

bool TransportHost::deliver(const Address &to, const Address &from, Value &&message) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    return d->runtime()->deliver(to, from, std::move(message), d->id, m_transport);
}

bool TransportHost::deliverIfThere(const Address &to, const Address &from, Value &message) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    return d->runtime()->deliverIfThere(Internal::Parcel{to, from, message, 0}, d->id, m_transport);
}

void TransportHost::logDropped(const detail::Envelope &envelope, const char *why) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->logDropped(envelope, d->id, why, m_transport);
}

void TransportHost::warnThrottled(quint64 key, const QString &text) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->warnThrottled(key, d->id, m_transport->name(), text);
}

bool TransportHost::wants(LogLevel level) const
{
    return ObjectPrivate::get(m_transport)->runtime()->logger.wants(level);
}

void TransportHost::log(LogLevel level, char marker, const QString &text, const Value *message,
                        const Address *peer) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->log(level, marker, d->id, m_transport->name(), text,
                      m_transport->parleyStateName(), message, peer);
}

bool TransportHost::isAlive(void *host, quint64 id)
{
    auto *self = static_cast<TransportHost *>(host);
    return ObjectPrivate::get(self->m_transport)->runtime()->table.contains(id);
}

bool TransportHost::holdWakes() const
{
    Internal::LoopExecutor *loop = loopOf(m_transport);
    if (!loop || loop->holdsWakes())
        return false;
    loop->setHoldWakes(true);
    return true;
}

void TransportHost::releaseWakes() const
{
    Internal::LoopExecutor *loop = loopOf(m_transport);
    loop->setHoldWakes(false);
    loop->drainNow();
}

} // namespace Parley::Internal
