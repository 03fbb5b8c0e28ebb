// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The runtime's events (docs/events.md): one emitting function per kind. Each checks that the
// logger wants its level before it builds anything, so a runtime nobody listens to pays one
// relaxed load per would-be event.

#include "interface/events_p.h"
#include "runtime_p.h"

#include <parley/codec.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QThread>

namespace Parley {

namespace {

/// The message whose handler is running on this thread: the cause of what it sends.
struct Cause
{
    quint64 id = 0;
    quint64 origin = 0;
};
thread_local Cause t_cause;
thread_local int t_unrecorded = 0;

/// The longest message body an event carries, in UTF-8 bytes of JSON.
constexpr qsizetype MaxBody = 1024;

void captureBody(Event &e, const Value &message)
{
    if (!message.type())
        return;
    const QJsonValue json = toJsonBody(message);
    QByteArray text = json.isObject()
        ? QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact)
        : QByteArray();
    if (text.size() > MaxBody) {
        text.truncate(MaxBody);
        // Don't leave half a UTF-8 sequence at the cut.
        while (!text.isEmpty() && (quint8(text.back()) & 0xC0) == 0x80)
            text.chop(1);
        if (!text.isEmpty() && quint8(text.back()) >= 0xC0)
            text.chop(1);
        e.bodyTruncated = true;
    }
    e.body = QString::fromUtf8(text);
}

QString wireName(const Value &message)
{
    const TypeInfo *type = message.type();
    return type ? QString::fromUtf8(type->wireName) : QString::fromUtf8(message.typeName());
}

} // namespace

namespace Internal {
UnrecordedScope::UnrecordedScope()
{
    ++t_unrecorded;
}
UnrecordedScope::~UnrecordedScope()
{
    --t_unrecorded;
}
bool UnrecordedScope::active()
{
    return t_unrecorded > 0;
}
} // namespace Internal

bool RuntimePrivate::records(const Object *object) const
{
    return t_unrecorded == 0
        && (!object || !ObjectPrivate::get(const_cast<Object *>(object))->unrecorded);
}

Event RuntimePrivate::objectEvent(EventKind kind, LogLevel level, quint64 id,
                                  const Object *object) const
{
    Event e;
    e.kind = kind;
    e.level = level;
    e.object = id;
    if (object) {
        const ObjectPrivate *d = ObjectPrivate::get(const_cast<Object *>(object));
        e.name = object->name();
        e.className = d->className ? *d->className : QString();
        e.state = object->parleyStateName();
    } else if (id == RootId) {
        e.name = displayName();
        e.className = QStringLiteral("runtime");
    }
    if (QThread *t = QThread::currentThread())
        e.thread = t->objectName();
    return e;
}

void RuntimePrivate::emitText(LogLevel level, quint64 id, const Object *object, QString text)
{
    if (!logger.wants(level) || !records(object))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::Text, level, id, object);
    e.text = std::move(text);
    logger.post(std::move(e));
}

void RuntimePrivate::emitCreated(const detail::Birth &birth, const Object *object)
{
    if (!logger.wants(LogLevel::Object) || !records(object))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::Created, LogLevel::Object, birth.id, object);
    e.parent = birth.parentId;
    logger.post(std::move(e));
}

void RuntimePrivate::emitDestroyed(const ObjectPrivate *object)
{
    if (!logger.wants(LogLevel::Object) || object->unrecorded)
        return;
    logger.post(objectEvent(EventKind::Destroyed, LogLevel::Object, object->id, object->q));
}

detail::Stamp RuntimePrivate::emitSent(EventKind kind, quint64 id, const Object *object,
                                       const Value &message, const Address &to, const Address &from)
{
    if (!logger.wants(LogLevel::Object) || !records(object))
        return {};
    detail::Stamp stamp{m_nextMessageId.fetch_add(1, std::memory_order_relaxed), 0,
                        logger.elapsed()};
    if (logger.shed())
        return {};
    Event e = objectEvent(kind, LogLevel::Object, id, object);
    e.from = from;
    e.to = to;
    e.type = wireName(message);
    e.messageId = stamp.messageId;
    e.cause = t_cause.id;
    e.causeOrigin = t_cause.origin;
    if (logger.wantsBodies())
        captureBody(e, message);
    logger.post(std::move(e));
    return stamp;
}

void RuntimePrivate::emitReceived(EventKind kind, const ObjectPrivate *object,
                                  const detail::Envelope &envelope, qint32 depth, bool byTransport)
{
    if (!logger.wants(LogLevel::Object))
        return;
    if (kind != EventKind::Deferred)
        t_cause = {envelope.stamp().messageId, envelope.stamp().origin};
    // A proxy's mail is for the other process, whose Received records it (or, relayed, the
    // proxy's Relayed event did); the proxy records its own controls (TransportHost).
    if (object->unrecorded || (object->passesOn && !byTransport))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(kind, LogLevel::Object, object->id, object->q);
    e.from = envelope.from;
    e.to = envelope.to;
    e.type = wireName(envelope.message);
    e.messageId = envelope.stamp().messageId;
    e.origin = envelope.stamp().origin;
    e.depth = depth;
    if (envelope.stamp().postedAt != 0)
        e.queuedNs = std::max<qint64>(0, logger.elapsed() - envelope.stamp().postedAt);
    if (logger.wantsBodies())
        captureBody(e, envelope.message);
    logger.post(std::move(e));
}

void RuntimePrivate::emitHandled(const ObjectPrivate *object, const detail::Envelope &envelope,
                                 qint64 ns)
{
    if (!logger.wants(LogLevel::Object))
        return;
    t_cause = {};
    if (object->unrecorded || object->passesOn)
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::Handled, LogLevel::Object, object->id, object->q);
    e.type = wireName(envelope.message);
    e.messageId = envelope.stamp().messageId;
    e.origin = envelope.stamp().origin;
    e.handledNs = ns;
    logger.post(std::move(e));
}

detail::Stamp RuntimePrivate::emitCompleted(const ObjectPrivate *object, const Value &value)
{
    if (!logger.wants(LogLevel::Object) || object->unrecorded)
        return {};
    detail::Stamp stamp;
    if (logger.shed())
        return {};
    Event e = objectEvent(EventKind::Completed, LogLevel::Object, object->id, object->q);
    e.type = wireName(value);
    if (!object->quiet) {
        // The Completed message to the parent is the one this event describes; a quiet
        // object's parent hears nothing.
        stamp = {m_nextMessageId.fetch_add(1, std::memory_order_relaxed), 0, logger.elapsed()};
        e.to = Address(object->parentId);
        e.from = Address(object->id);
        e.messageId = stamp.messageId;
    }
    e.cause = t_cause.id;
    e.causeOrigin = t_cause.origin;
    if (logger.wantsBodies())
        captureBody(e, value);
    logger.post(std::move(e));
    return stamp;
}

void RuntimePrivate::emitDropped(LogLevel level, quint64 senderId, const Object *sender,
                                 const Value &message, const Address &to, const Address &from,
                                 DropReason reason, const char *why)
{
    if (!logger.wants(level) || !records(sender))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::Dropped, level, senderId, sender);
    e.to = to;
    e.from = from;
    e.type = wireName(message);
    e.dropReason = reason;
    e.text = QString::fromUtf8(why);
    if (level != LogLevel::Warning) {
        logger.post(std::move(e));
        return;
    }
    // One line per burst: the same sender dropping the same type to the same target.
    const quint64 key
        = qHashMulti(0x5eed, senderId, to.last(), quintptr(message.type()), quintptr(why));
    warnThrottled(key, std::move(e));
}

void RuntimePrivate::emitStateChanged(const ObjectPrivate *object, const QString &from,
                                      const QString &to)
{
    if (!logger.wants(LogLevel::Object) || object->unrecorded)
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::StateChanged, LogLevel::Object, object->id, object->q);
    e.previousState = from;
    e.state = to;
    logger.post(std::move(e));
}

void RuntimePrivate::emitTimer(EventKind kind, const ObjectPrivate *object, const TypeInfo *type,
                               qint64 durationNs, bool repeating)
{
    if (!logger.wants(LogLevel::Trace) || object->unrecorded)
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(kind, LogLevel::Trace, object->id, object->q);
    if (type)
        e.type = QString::fromUtf8(type->wireName);
    e.duration = durationNs;
    e.repeating = repeating;
    logger.post(std::move(e));
}

void RuntimePrivate::emitConnection(EventKind kind, LogLevel level, quint64 id,
                                    const Object *object, const QString &endpoint, QString text,
                                    bool encrypted, const QString &peerKey)
{
    if (!logger.wants(level) || !records(object))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(kind, level, id, object);
    e.endpoint = endpoint;
    e.text = std::move(text);
    e.encrypted = encrypted;
    e.peerKey = peerKey;
    logger.post(std::move(e));
}

void RuntimePrivate::emitRelayed(quint64 id, const Object *object, const QString &type,
                                 const Address &to, const Address &from, const detail::Stamp &stamp)
{
    if (!logger.wants(LogLevel::Object) || !records(object))
        return;
    if (logger.shed())
        return;
    Event e = objectEvent(EventKind::Relayed, LogLevel::Object, id, object);
    e.type = type;
    e.to = to;
    e.from = from;
    e.messageId = stamp.messageId;
    e.origin = stamp.origin;
    logger.post(std::move(e));
}

} // namespace Parley
