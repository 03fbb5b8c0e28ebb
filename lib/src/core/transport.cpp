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

void TransportHost::setPassesOn() const
{
    ObjectPrivate::get(m_transport)->passesOn = true;
}

void TransportHost::passedOn(const detail::Envelope &envelope) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    const TypeInfo *type = envelope.message.type();
    d->runtime()->emitRelayed(d->id, m_transport,
                              type ? QString::fromUtf8(type->wireName) : QString(), envelope.to,
                              envelope.from, envelope.stamp());
}

void TransportHost::received(const detail::Envelope &envelope) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->emitReceived(EventKind::Received, d, envelope, -1, true);
}

bool TransportHost::dispatching() const
{
    return ObjectPrivate::get(m_transport)->dispatching;
}

bool TransportHost::deliver(const Address &to, const Address &from, Value &&message,
                            const detail::Stamp &stamp) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    return d->runtime()->deliver(Internal::Parcel{to, from, message, 0, stamp}, d->id, m_transport);
}

bool TransportHost::deliverIfThere(const Address &to, const Address &from, Value &message,
                                   const detail::Stamp &stamp) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    return d->runtime()->deliverIfThere(Internal::Parcel{to, from, message, 0, stamp}, d->id,
                                        m_transport);
}

void TransportHost::logDropped(const detail::Envelope &envelope, const char *why) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->logDropped(envelope, d->id, why, m_transport);
}

void TransportHost::warnThrottled(quint64 key, const QString &text) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->warnThrottled(key, d->id, m_transport, text);
}

bool TransportHost::wants(LogLevel level) const
{
    return ObjectPrivate::get(m_transport)->runtime()->logger.wants(level);
}

void TransportHost::text(LogLevel level, const QString &text) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->emitText(level, d->id, m_transport, text);
}

void TransportHost::connectionEvent(EventKind kind, LogLevel level, const QString &endpoint,
                                    const QString &text, bool encrypted,
                                    const QString &peerKey) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    d->runtime()->emitConnection(kind, level, d->id, m_transport, endpoint, text, encrypted,
                                 peerKey);
}

detail::Stamp TransportHost::forwarded(const Value &message, const Address &to,
                                       const Address &from) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    return d->runtime()->emitSent(EventKind::Forwarded, d->id, m_transport, message, to, from);
}

detail::Stamp TransportHost::relayed(const QString &type, const Address &to, const Address &from,
                                     quint64 messageId, quint64 origin) const
{
    ObjectPrivate *d = ObjectPrivate::get(m_transport);
    const detail::Stamp stamp = arrived(messageId, origin);
    d->runtime()->emitRelayed(d->id, m_transport, type, to, from, stamp);
    return stamp;
}

detail::Stamp TransportHost::arrived(quint64 messageId, quint64 origin) const
{
    if (messageId == 0)
        return {};
    RuntimePrivate *rt = ObjectPrivate::get(m_transport)->runtime();
    // A message of this runtime's that came back through another process is its own again.
    const quint64 from = origin == rt->info.runtimeId ? 0 : origin;
    return {messageId, from, rt->logger.wants(LogLevel::Object) ? rt->logger.elapsed() : 0};
}

quint64 TransportHost::runtimeId() const
{
    return ObjectPrivate::get(m_transport)->runtime()->info.runtimeId;
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
