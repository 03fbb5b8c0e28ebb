// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "eventstore.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QSet>
#include <QtCore/QSysInfo>

#include <algorithm>

namespace Parley::Monitor {

namespace {

qint64 monotonicMs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.elapsed();
}

/// Returns true for kinds whose `from` is the other party (the object is the receiver).
bool receivesFrom(EventKind kind)
{
    return kind == EventKind::Received;
}

template <class E>
QString enumName(E value)
{
    for (const auto &e : parleyEnumerators(static_cast<const E *>(nullptr))) {
        if (e.value == value)
            return QString::fromLatin1(e.name);
    }
    return QStringLiteral("Unknown");
}

} // namespace

// -- helpers ------------------------------------------------------------------------------------

QChar markerOf(EventKind kind, LogLevel level)
{
    switch (kind) {
    case EventKind::Created:
    case EventKind::Snapshot:
        return u'+';
    case EventKind::Destroyed:
        return u'X';
    case EventKind::Sent:
    case EventKind::Forwarded:
    case EventKind::Relayed:
        return u'>';
    case EventKind::Received:
        return u'<';
    default:
        break;
    }
    switch (level) {
    case LogLevel::Debug:
        return u'_';
    case LogLevel::Console:
        return u'^';
    case LogLevel::Warning:
        return u'?';
    case LogLevel::Fault:
        return u'!';
    default:
        return u'~';
    }
}

QString kindName(EventKind kind)
{
    return enumName(kind);
}

QString dropReasonName(DropReason reason)
{
    return enumName(reason);
}

QString levelName(LogLevel level)
{
    return enumName(level);
}

bool isMessageKind(EventKind kind)
{
    switch (kind) {
    case EventKind::Sent:
    case EventKind::Forwarded:
    case EventKind::Relayed:
    case EventKind::Received:
    case EventKind::Dropped:
    case EventKind::Deferred:
    case EventKind::Replayed:
        return true;
    default:
        return false;
    }
}

QString Source::label() const
{
    if (kind == SourceKind::Monitor)
        return QStringLiteral("monitor");
    const QString program = info.program.isEmpty() ? QStringLiteral("?") : info.program;
    if (!info.runtimeName.isEmpty() && info.runtimeName != program)
        return QStringLiteral("%1/%2 (%3)").arg(program, info.runtimeName).arg(info.pid);
    return QStringLiteral("%1 (%2)").arg(program).arg(info.pid);
}

QString Source::shortLabel() const
{
    if (kind == SourceKind::Monitor)
        return QStringLiteral("monitor");
    if (!info.runtimeName.isEmpty())
        return info.runtimeName;
    return info.program.isEmpty() ? QStringLiteral("?") : info.program;
}

// -- the store ----------------------------------------------------------------------------------

EventStore::EventStore(QObject *parent) : QObject(parent)
{
    m_strings.emplace_back();
}

EventStore::~EventStore() = default;

void EventStore::setCapacity(qsizetype records)
{
    m_capacity = std::max<qsizetype>(records, ChunkSize);
}

quint32 EventStore::intern(const QString &text)
{
    if (text.isEmpty())
        return 0;
    auto it = m_stringIds.constFind(text);
    if (it != m_stringIds.constEnd())
        return *it;
    const auto id = quint32(m_strings.size());
    m_strings.push_back(text);
    m_stringIds.insert(text, id);
    return id;
}

int EventStore::addSource(const RuntimeInfo &info, SourceKind kind, const QString &location)
{
    for (size_t i = 0; i < m_sources.size(); ++i) {
        Source &s = m_sources[i];
        if (s.kind == kind && info.runtimeId != 0 && s.info.runtimeId == info.runtimeId) {
            s.location = location;
            s.info = info;
            m_sourcesDirty = true;
            return int(i);
        }
    }
    Source s;
    s.info = info;
    s.kind = kind;
    s.location = location;
    s.rateStart = monotonicMs();
    m_sources.push_back(std::move(s));
    const int index = int(m_sources.size()) - 1;
    processNode(index);
    emit sourceAdded(index);
    return index;
}

int EventStore::monitorSource()
{
    if (m_monitorSource < 0) {
        RuntimeInfo info;
        info.program = QStringLiteral("parley-monitor");
        info.pid = QCoreApplication::applicationPid();
        info.host = QSysInfo::machineHostName();
        info.runtimeName = QStringLiteral("monitor");
        info.startWall = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
        m_monitorSource = addSource(info, SourceKind::Monitor, QString());
        m_sources[size_t(m_monitorSource)].connected = true;
    }
    return m_monitorSource;
}

void EventStore::setSourceConnected(int source, bool connected)
{
    m_sources[size_t(source)].connected = connected;
    if (!connected)
        m_sources[size_t(source)].rate = 0;
    m_sourcesDirty = true;
}

void EventStore::setSourceControl(int source, const Address &control)
{
    m_sources[size_t(source)].control = control;
    m_sourcesDirty = true;
}

void EventStore::setSourceCapture(int source, const CaptureFilter &filter)
{
    m_sources[size_t(source)].capture = filter;
    m_sourcesDirty = true;
}

void EventStore::noteSource(int source, const QString &text, LogLevel level)
{
    m_sources[size_t(source)].note = text;
    m_sourcesDirty = true;
    appendNote(QStringLiteral("%1: %2").arg(m_sources[size_t(source)].label(), text), level);
}

void EventStore::countDroppedInMonitor(int source, quint64 count)
{
    m_sources[size_t(source)].droppedInMonitor += count;
    m_sourcesDirty = true;
}

void EventStore::appendNote(const QString &text, LogLevel level)
{
    Event e;
    e.kind = EventKind::Text;
    e.level = level;
    e.wall = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    e.object = 1;
    e.name = QStringLiteral("monitor");
    e.text = text;
    const int source = monitorSource();
    e.seq = m_sources[size_t(source)].events + 1;
    append(source, e);
}

int EventStore::processNode(int source)
{
    Source &s = m_sources[size_t(source)];
    if (s.node >= 0)
        return s.node;
    ObjectNode n;
    n.id = 1;
    n.source = source;
    n.isProcess = true;
    n.name = intern(s.label());
    n.className = intern(s.info.host);
    n.created = s.info.startWall;
    m_objects.push_back(std::move(n));
    m_objectDirty.push_back(false);
    const int node = int(m_objects.size()) - 1;
    s.node = node;
    m_objectIndex.insert(ObjectKey{source, 1}, node);
    m_addedObjects.append(node);
    return node;
}

void EventStore::attach(int node, int parentNode)
{
    ObjectNode &p = m_objects[size_t(parentNode)];
    ObjectNode &n = m_objects[size_t(node)];
    n.parent = parentNode;
    n.row = int(p.children.size());
    p.children.push_back(node);
}

int EventStore::ensureObject(int source, quint64 id, const Record &r)
{
    if (const int *known = m_objectIndex.find(ObjectKey{source, id}))
        return *known;
    ObjectNode n;
    n.id = id;
    n.source = source;
    n.name = r.name;
    n.className = r.className;
    n.state = r.state;
    const bool created = r.kind == EventKind::Created || r.kind == EventKind::Snapshot;
    n.parentId = created ? r.peer : 0;
    n.created = created ? r.wall : 0;
    m_objects.push_back(std::move(n));
    m_objectDirty.push_back(false);
    const int node = int(m_objects.size()) - 1;
    m_objectIndex.insert(ObjectKey{source, id}, node);
    int parentNode = -1;
    if (created && r.peer > 1)
        parentNode = findObject(source, r.peer);
    if (parentNode < 0)
        parentNode = processNode(source);
    attach(node, parentNode);
    m_addedObjects.append(node);
    return node;
}

void EventStore::touch(int node)
{
    if (!m_objectDirty[size_t(node)]) {
        m_objectDirty[size_t(node)] = true;
        m_changedObjects.append(node);
    }
}

int EventStore::findObject(int source, quint64 id) const
{
    return m_objectIndex.value(ObjectKey{source, id}, -1);
}

RecordExtra &EventStore::makeExtra(Record &r)
{
    Chunk &c = *m_chunks.back();
    c.extras.emplace_back();
    r.extra = quint32(c.extras.size());
    return c.extras.back();
}

void EventStore::append(int sourceIndex, const Event &e)
{
    if (e.kind == EventKind::Handled) {
        // The time a handler took belongs to the Received record of its message: it is shown
        // there ("handled in"), not as a record of its own.
        const quint64 origin = e.origin ? e.origin : m_sources[size_t(sourceIndex)].info.runtimeId;
        const MessageLink *link = m_messages.find(MessageKey{origin, e.messageId});
        if (e.messageId && link && link->received != NoSerial && contains(link->received)) {
            const Serial serial = link->received - m_chunkBase;
            m_chunks[size_t(serial / ChunkSize)]->records[size_t(serial % ChunkSize)].handledNs
                = e.handledNs;
        }
        return;
    }
    if (m_chunks.empty() || qsizetype(m_chunks.back()->records.size()) == ChunkSize) {
        auto chunk = std::make_unique<Chunk>();
        chunk->records.reserve(size_t(ChunkSize));
        m_chunks.push_back(std::move(chunk));
    }
    Source &s = m_sources[size_t(sourceIndex)];
    const quint64 runtimeId = s.info.runtimeId;

    Record r;
    r.wall = e.wall ? e.wall : s.info.startWall + e.time;
    r.time = e.time;
    r.seq = e.seq;
    r.object = e.object;
    r.kind = e.kind;
    r.level = e.level;
    r.source = quint16(sourceIndex);
    r.name = intern(e.name);
    r.className = intern(e.className);
    r.state = intern(e.state);
    r.type = intern(e.type);
    r.thread = intern(e.thread);
    r.depth = e.depth;
    r.queuedNs = e.queuedNs;
    r.handledNs = e.handledNs;
    if (e.messageId) {
        r.messageId = e.messageId;
        r.origin = e.origin ? e.origin : runtimeId;
    }
    if (e.cause) {
        r.cause = e.cause;
        r.causeOrigin = e.causeOrigin ? e.causeOrigin : runtimeId;
    }
    switch (e.kind) {
    case EventKind::Created:
    case EventKind::Snapshot:
        r.peer = e.parent;
        break;
    case EventKind::Received:
        r.peer = e.from.last();
        break;
    default:
        r.peer = e.to.last();
        break;
    }

    // Addresses are kept whole only when they say more than the object and the peer.
    const bool message = isMessageKind(e.kind);
    const Address defaultFrom
        = !message ? Address() : Address(receivesFrom(e.kind) ? r.peer : r.object);
    const Address defaultTo
        = !message ? Address() : Address(receivesFrom(e.kind) ? r.object : r.peer);
    const bool fullFrom = !e.from.isNull() && e.from != defaultFrom;
    const bool fullTo = !e.to.isNull() && e.to != defaultTo;
    if (fullFrom || fullTo || !e.text.isEmpty() || !e.body.isEmpty() || !e.endpoint.isEmpty()
        || !e.peerKey.isEmpty() || e.duration || e.count || !e.previousState.isEmpty()
        || e.dropReason != DropReason::Unknown || e.bodyTruncated || e.repeating || e.encrypted
        || (e.parent && e.kind != EventKind::Created && e.kind != EventKind::Snapshot)) {
        RecordExtra &x = makeExtra(r);
        if (fullFrom) {
            x.from = e.from;
            x.fullFrom = true;
        }
        if (fullTo) {
            x.to = e.to;
            x.fullTo = true;
        }
        x.text = e.text;
        x.body = e.body;
        x.endpoint = e.endpoint;
        x.peerKey = e.peerKey;
        x.duration = e.duration;
        x.count = e.count;
        x.previousState = intern(e.previousState);
        x.dropReason = e.dropReason;
        x.bodyTruncated = e.bodyTruncated;
        x.repeating = e.repeating;
        x.encrypted = e.encrypted;
    }

    const Serial serial = m_end++;
    ++s.events;

    if (r.messageId
        && (e.kind == EventKind::Sent || e.kind == EventKind::Forwarded
            || e.kind == EventKind::Received)) {
        MessageLink &link = m_messages[MessageKey{r.origin, r.messageId}];
        if (e.kind == EventKind::Received) {
            if (link.received == NoSerial)
                link.received = serial;
        } else if (link.sent == NoSerial) {
            link.sent = serial;
        }
    }
    if (e.kind == EventKind::EventsDropped) {
        s.droppedAtSource += e.count;
        m_sourcesDirty = true;
    }

    if (e.object >= 1) {
        const int node
            = e.object == 1 ? processNode(sourceIndex) : ensureObject(sourceIndex, e.object, r);
        ObjectNode &n = m_objects[size_t(node)];
        if (!n.isProcess) {
            if (r.name)
                n.name = r.name;
            if (r.className)
                n.className = r.className;
            if (r.state)
                n.state = r.state;
        }
        switch (e.kind) {
        case EventKind::Created:
        case EventKind::Snapshot:
            n.alive = true;
            n.destroyed = 0;
            if (!n.created || e.kind == EventKind::Created)
                n.created = r.wall;
            n.parentId = e.parent;
            break;
        case EventKind::Destroyed:
            n.alive = false;
            n.destroyed = r.wall;
            break;
        case EventKind::Sent:
        case EventKind::Forwarded:
            ++n.out;
            break;
        case EventKind::Received:
            ++n.in;
            n.depth = e.depth;
            break;
        default:
            break;
        }
        n.records.push_back(serial);
        touch(node);
    }
    m_chunks.back()->records.push_back(r);
}

void EventStore::evictFront()
{
    const Chunk &c = *m_chunks.front();
    const Serial base = m_chunkBase;
    const Serial newFirst = base + c.records.size();
    emit recordsAboutToBeEvicted(newFirst);

    QSet<int> nodes;
    for (size_t i = 0; i < c.records.size(); ++i) {
        const Record &r = c.records[i];
        const Serial serial = base + i;
        if (r.messageId) {
            const MessageKey key{r.origin, r.messageId};
            if (MessageLink *link = m_messages.find(key)) {
                if (link->sent == serial)
                    link->sent = NoSerial;
                if (link->received == serial)
                    link->received = NoSerial;
                if (link->sent == NoSerial && link->received == NoSerial)
                    m_messages.remove(key);
            }
        }
        if (r.object >= 1) {
            const int node = findObject(r.source, r.object);
            if (node >= 0)
                nodes.insert(node);
        }
    }
    for (int node : nodes) {
        auto &records = m_objects[size_t(node)].records;
        records.erase(records.begin(), std::lower_bound(records.begin(), records.end(), newFirst));
    }
    m_chunks.pop_front();
    m_chunkBase = newFirst;
    m_first = newFirst;
    emit recordsEvicted();
}

void EventStore::commit()
{
    const Serial oldCommitted = m_committed;
    m_committed = m_end;
    while (m_chunks.size() > 1 && qsizetype(m_committed - m_first) > m_capacity)
        evictFront();
    const Serial first = std::max(oldCommitted, m_first);
    if (first < m_committed)
        emit recordsAppended(first, m_committed);

    if (!m_addedObjects.isEmpty() || !m_changedObjects.isEmpty()) {
        const QList<int> added = std::exchange(m_addedObjects, {});
        const QList<int> changed = std::exchange(m_changedObjects, {});
        for (int node : changed)
            m_objectDirty[size_t(node)] = false;
        emit objectsCommitted(added, changed);
    }

    const qint64 now = monotonicMs();
    for (Source &s : m_sources) {
        const qint64 elapsed = now - s.rateStart;
        if (elapsed >= 1000) {
            const double rate = double(s.events - s.rateBase) * 1000.0 / double(elapsed);
            if (rate != s.rate)
                m_sourcesDirty = true;
            s.rate = rate;
            s.rateBase = s.events;
            s.rateStart = now;
        }
    }
    if (m_sourcesDirty) {
        m_sourcesDirty = false;
        emit sourcesChanged();
    }
}

const RecordExtra *EventStore::extra(Serial serial) const
{
    const Record &r = record(serial);
    if (!r.extra)
        return nullptr;
    const Serial offset = serial - m_chunkBase;
    return &m_chunks[size_t(offset / ChunkSize)]->extras[r.extra - 1];
}

Address EventStore::fromAddress(Serial serial) const
{
    const Record &r = record(serial);
    const RecordExtra *x = extra(serial);
    if (x && x->fullFrom)
        return x->from;
    if (!isMessageKind(r.kind))
        return {};
    return Address(receivesFrom(r.kind) ? r.peer : r.object);
}

Address EventStore::toAddress(Serial serial) const
{
    const Record &r = record(serial);
    const RecordExtra *x = extra(serial);
    if (x && x->fullTo)
        return x->to;
    if (!isMessageKind(r.kind))
        return {};
    return Address(receivesFrom(r.kind) ? r.object : r.peer);
}

Event EventStore::event(Serial serial) const
{
    const Record &r = record(serial);
    const Source &s = m_sources[r.source];
    Event e;
    e.kind = r.kind;
    e.level = r.level;
    e.seq = r.seq;
    e.time = r.time;
    e.wall = r.wall;
    e.object = r.object;
    e.name = string(r.name);
    e.className = string(r.className);
    e.state = string(r.state);
    e.thread = string(r.thread);
    e.type = string(r.type);
    e.messageId = r.messageId;
    e.origin = r.origin == s.info.runtimeId ? 0 : r.origin;
    e.cause = r.cause;
    e.causeOrigin = r.causeOrigin == s.info.runtimeId ? 0 : r.causeOrigin;
    e.depth = r.depth;
    e.queuedNs = r.queuedNs;
    e.handledNs = r.handledNs;
    if (r.kind == EventKind::Created || r.kind == EventKind::Snapshot)
        e.parent = r.peer;
    e.from = fromAddress(serial);
    e.to = toAddress(serial);
    if (const RecordExtra *x = extra(serial)) {
        e.text = x->text;
        e.body = x->body;
        e.endpoint = x->endpoint;
        e.peerKey = x->peerKey;
        e.duration = x->duration;
        e.count = x->count;
        e.previousState = string(x->previousState);
        e.dropReason = x->dropReason;
        e.bodyTruncated = x->bodyTruncated;
        e.repeating = x->repeating;
        e.encrypted = x->encrypted;
    }
    return e;
}

std::vector<Serial> EventStore::objectRecords(int node) const
{
    const auto &records = m_objects[size_t(node)].records;
    auto begin = std::lower_bound(records.begin(), records.end(), m_first);
    auto end = std::lower_bound(begin, records.end(), m_committed);
    return {begin, end};
}

int EventStore::objectOf(Serial serial) const
{
    const Record &r = record(serial);
    if (r.object < 1)
        return -1;
    return findObject(r.source, r.object);
}

QList<int> EventStore::subtree(int node) const
{
    QList<int> out{node};
    for (qsizetype i = 0; i < out.size(); ++i) {
        for (int child : m_objects[size_t(out[i])].children)
            out.append(child);
    }
    return out;
}

EventStore::MessageLink EventStore::message(quint64 origin, quint64 id) const
{
    return m_messages.value(MessageKey{origin, id});
}

Serial EventStore::otherEnd(Serial serial) const
{
    const Record &r = record(serial);
    if (!r.messageId)
        return NoSerial;
    const MessageLink link = message(r.origin, r.messageId);
    const Serial other = link.sent == serial ? link.received : link.sent;
    return other != serial && other < m_committed ? other : NoSerial;
}

Serial EventStore::causeOf(Serial serial) const
{
    const Record &r = record(serial);
    if (!r.cause)
        return NoSerial;
    const Serial handler = message(r.causeOrigin, r.cause).received;
    return handler < m_committed ? handler : NoSerial;
}

qint64 EventStore::memoryUsed() const
{
    qint64 bytes = 0;
    for (const auto &c : m_chunks) {
        bytes += qint64(sizeof(Chunk)) + qint64(c->records.capacity() * sizeof(Record))
            + qint64(c->extras.capacity() * sizeof(RecordExtra));
        for (const RecordExtra &x : c->extras)
            bytes += 2 * (x.text.capacity() + x.body.capacity());
    }
    for (const ObjectNode &n : m_objects) {
        bytes += qint64(sizeof(ObjectNode)) + qint64(n.children.capacity() * sizeof(int))
            + qint64(n.records.capacity() * sizeof(Serial));
    }
    // A QHash node holds the key and value; the span adds about a byte of offset per slot and
    // the bucket array rounds up to a power of two.
    bytes += qint64(m_messages.capacity()) * qint64(sizeof(MessageKey) + sizeof(MessageLink) + 2);
    bytes += qint64(m_objectIndex.capacity()) * qint64(sizeof(ObjectKey) + sizeof(int) + 2);
    return bytes;
}

} // namespace Parley::Monitor
