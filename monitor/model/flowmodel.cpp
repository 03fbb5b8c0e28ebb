// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "flowmodel.h"

#include "logmodel.h"

#include <QtCore/QElapsedTimer>
#include <QtGui/QBrush>
#include <QtGui/QColor>

#include <algorithm>

namespace Parley::Monitor {

namespace {

bool flowKind(EventKind kind)
{
    return kind == EventKind::Sent || kind == EventKind::Forwarded || kind == EventKind::Received
        || kind == EventKind::Dropped;
}

bool gone(Serial serial, Serial first)
{
    return serial == NoSerial || serial < first;
}

} // namespace

bool FlowModel::Arrow::crossesProcesses(const FlowModel &flow) const
{
    if (from < 0 || to < 0)
        return false;
    return flow.m_lifelines[size_t(from)].source != flow.m_lifelines[size_t(to)].source;
}

FlowModel::FlowModel(EventStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
    m_filter.prepare(*store);
    connect(store, &EventStore::recordsAppended, this, &FlowModel::appended);
    connect(store, &EventStore::recordsAboutToBeEvicted, this, &FlowModel::aboutToEvict);
    connect(store, &EventStore::recordsEvicted, this, &FlowModel::evicted);
    rebuild();
}

void FlowModel::setFilter(const DisplayFilter &filter)
{
    m_filter = filter;
    if (m_scope == Scope::Displayed)
        rebuild();
}

void FlowModel::setObjects(const QList<int> &nodes)
{
    QSet<QPair<int, quint64>> objects;
    for (int node : nodes) {
        if (node < 0 || node >= m_store->objectCount())
            continue;
        const ObjectNode &n = m_store->object(node);
        objects.insert({n.source, n.isProcess ? 1 : n.id});
    }
    if (objects == m_objects)
        return;
    m_objects = objects;
    if (m_scope == Scope::Objects)
        rebuild();
}

void FlowModel::setScope(Scope scope)
{
    if (scope == m_scope)
        return;
    m_scope = scope;
    rebuild();
}

void FlowModel::setActive(bool active)
{
    m_active = active;
    if (active && m_stale)
        rebuild();
}

bool FlowModel::wanted(Serial serial, const Record &r) const
{
    if (!flowKind(r.kind))
        return false;
    if (m_scope == Scope::Displayed)
        return m_filter.accepts(serial);
    auto mine = [this](const Record &x) {
        return m_objects.contains({x.source, x.object}) || m_objects.contains({x.source, 1});
    };
    if (mine(r))
        return true;
    const Serial other = m_store->otherEnd(serial);
    return other != NoSerial && mine(m_store->record(other));
}

int FlowModel::lifeline(int source, quint64 object)
{
    const QPair<int, quint64> key{source, object};
    auto it = m_lifelineIndex.constFind(key);
    if (it != m_lifelineIndex.constEnd())
        return *it;
    m_lifelines.push_back(Lifeline{source, object, 0});
    const int index = int(m_lifelines.size()) - 1;
    m_lifelineIndex.insert(key, index);
    return index;
}

void FlowModel::setEnd(Arrow &a, bool from, int lifeline)
{
    int &end = from ? a.from : a.to;
    if (end == lifeline)
        return;
    if (end >= 0)
        --m_lifelines[size_t(end)].arrows;
    end = lifeline;
    ++m_lifelines[size_t(end)].arrows;
}

void FlowModel::join(Arrow &a, Serial serial, const Record &r)
{
    switch (r.kind) {
    case EventKind::Sent:
    case EventKind::Forwarded:
        if (a.sent != NoSerial)
            return;
        a.sent = serial;
        a.wall = r.wall;
        if (!a.type)
            a.type = r.type;
        setEnd(a, true, lifeline(r.source, r.object));
        if (a.received == NoSerial)
            setEnd(a, false, lifeline(r.source, r.peer));
        return;
    case EventKind::Received:
        if (a.received != NoSerial)
            return;
        a.received = serial;
        if (!a.wall)
            a.wall = r.wall;
        if (!a.type)
            a.type = r.type;
        setEnd(a, false, lifeline(r.source, r.object));
        if (a.sent == NoSerial)
            setEnd(a, true, lifeline(r.source, r.peer));
        return;
    case EventKind::Dropped:
        a.dropped = true;
        if (!a.wall)
            a.wall = r.wall;
        if (!a.type)
            a.type = r.type;
        if (a.from < 0)
            setEnd(a, true, lifeline(r.source, m_store->fromAddress(serial).last()));
        if (a.to < 0)
            setEnd(a, false, lifeline(r.source, r.peer));
        return;
    default:
        return;
    }
}

void FlowModel::add(Serial serial, QList<int> &changedRows)
{
    const Record &r = m_store->record(serial);
    if (r.messageId) {
        const Key key{r.origin, r.messageId};
        if (const quint64 *number = m_arrowIndex.find(key)) {
            const int row = int(*number - m_arrowBase);
            join(m_arrows[size_t(row)], serial, r);
            changedRows.append(row);
            return;
        }
    }
    Arrow a;
    join(a, serial, r);
    const Serial other = m_store->otherEnd(serial);
    if (other != NoSerial && other < m_store->endSerial())
        join(a, other, m_store->record(other));
    m_arrows.push_back(a);
    const quint64 number = m_arrowBase + m_arrows.size() - 1;
    if (r.messageId)
        m_arrowIndex.insert(Key{r.origin, r.messageId}, number);
    else
        m_standalone.insert(serial, number);
}

void FlowModel::rebuild()
{
    beginResetModel();
    m_lifelines.clear();
    m_lifelineIndex.clear();
    m_arrows.clear();
    m_arrowIndex.clear();
    m_standalone.clear();
    m_arrowBase = 0;
    m_rows = 0;
    m_stale = !m_active;
    m_pendingFrom = m_pendingTo = m_store->firstSerial();
    endResetModel();
    emit lifelinesChanged();
    if (m_active)
        appended(m_store->firstSerial(), m_store->endSerial());
}

void FlowModel::appended(Serial first, Serial end)
{
    if (!m_active) {
        m_stale = true;
        return;
    }
    if (m_pendingFrom >= m_pendingTo)
        m_pendingFrom = first;
    m_pendingTo = end;
    if (m_budgetMs <= 0)
        process(-1);
    else
        schedule();
}

void FlowModel::schedule()
{
    if (m_scheduled || m_pendingFrom >= m_pendingTo)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_scheduled = false;
            process(m_budgetMs);
            schedule();
        },
        Qt::QueuedConnection);
}

void FlowModel::catchUp()
{
    if (m_active && m_stale)
        rebuild();
    process(-1);
}

void FlowModel::process(qint64 budgetMs)
{
    m_pendingFrom = std::max(m_pendingFrom, m_store->firstSerial());
    if (m_pendingFrom >= m_pendingTo)
        return;
    m_filter.prepare(*m_store);
    QElapsedTimer clock;
    clock.start();
    const size_t lifelinesBefore = m_lifelines.size();
    QList<int> changed;
    Serial s = m_pendingFrom;
    while (s < m_pendingTo) {
        const Record &r = m_store->record(s);
        if (flowKind(r.kind) && wanted(s, r))
            add(s, changed);
        ++s;
        if (budgetMs >= 0 && (s & 255) == 0 && clock.elapsed() >= budgetMs)
            break;
    }
    m_pendingFrom = s;
    if (m_lifelines.size() != lifelinesBefore)
        emit lifelinesChanged();
    // New arrows are already in m_arrows; rowCount() reports m_rows, so the views learn of them
    // here, in one insertion.
    const int rowsBefore = m_rows;
    if (int(m_arrows.size()) > m_rows) {
        beginInsertRows({}, m_rows, int(m_arrows.size()) - 1);
        m_rows = int(m_arrows.size());
        endInsertRows();
    }
    int lo = INT_MAX, hi = -1;
    for (int row : changed) {
        if (row < rowsBefore) {
            lo = std::min(lo, row);
            hi = std::max(hi, row);
        }
    }
    if (hi >= 0)
        emit dataChanged(index(lo, 0), index(hi, ColumnCount - 1));
}

void FlowModel::aboutToEvict(Serial newFirst)
{
    m_pendingFrom = std::max(m_pendingFrom, newFirst);
    m_evictRows = 0;
    while (size_t(m_evictRows) < m_arrows.size()) {
        const Arrow &a = m_arrows[size_t(m_evictRows)];
        if (!gone(a.sent, newFirst) || !gone(a.received, newFirst))
            break;
        ++m_evictRows;
    }
    if (m_evictRows == 0)
        return;
    for (qsizetype i = 0; i < m_evictRows; ++i) {
        const Arrow &a = m_arrows[size_t(i)];
        const Serial s = a.serial();
        if (s != NoSerial && m_store->contains(s)) {
            const Record &r = m_store->record(s);
            if (r.messageId)
                m_arrowIndex.remove(Key{r.origin, r.messageId});
            else
                m_standalone.remove(s);
        }
        if (a.from >= 0)
            --m_lifelines[size_t(a.from)].arrows;
        if (a.to >= 0)
            --m_lifelines[size_t(a.to)].arrows;
    }
    beginRemoveRows({}, 0, int(m_evictRows) - 1);
}

void FlowModel::evicted()
{
    if (m_evictRows == 0)
        return;
    m_arrows.erase(m_arrows.begin(), m_arrows.begin() + m_evictRows);
    m_arrowBase += quint64(m_evictRows);
    m_rows -= int(m_evictRows);
    m_evictRows = 0;
    endRemoveRows();
}

int FlowModel::rowOf(Serial serial) const
{
    if (!m_store->contains(serial))
        return -1;
    const Record &r = m_store->record(serial);
    quint64 number = 0;
    if (r.messageId) {
        const quint64 *found = m_arrowIndex.find(Key{r.origin, r.messageId});
        if (!found)
            return -1;
        number = *found;
    } else {
        const quint64 *found = m_standalone.find(serial);
        if (!found)
            return -1;
        number = *found;
    }
    const qint64 row = qint64(number - m_arrowBase);
    return row >= 0 && row < rowCount() ? int(row) : -1;
}

QString FlowModel::lifelineName(int lifeline) const
{
    const Lifeline &l = m_lifelines[size_t(lifeline)];
    if (l.object == 0)
        return QStringLiteral("(outside)");
    if (l.object == 1)
        return QStringLiteral("runtime");
    const int node = m_store->findObject(l.source, l.object);
    if (node >= 0 && m_store->object(node).name)
        return m_store->string(m_store->object(node).name);
    return formatId(l.object);
}

QString FlowModel::lifelineProcess(int lifeline) const
{
    return m_store->source(m_lifelines[size_t(lifeline)].source).label();
}

int FlowModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_rows;
}

int FlowModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FlowModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Arrow &a = m_arrows[size_t(index.row())];
    auto end = [this](int lifeline) {
        if (lifeline < 0)
            return QString();
        return QStringLiteral("%1 %2").arg(lifelineName(lifeline),
                                           formatId(m_lifelines[size_t(lifeline)].object));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return RecordFormatter::time(a.wall);
        case FromColumn:
            return end(a.from);
        case ToColumn:
            return end(a.to);
        case MessageColumn:
            return m_store->string(a.type) + (a.dropped ? QStringLiteral(" (dropped)") : QString());
        }
        return {};
    case Qt::ForegroundRole:
        if (a.dropped)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        return {};
    case SerialRole:
        return QVariant::fromValue<quint64>(a.serial());
    default:
        return {};
    }
}

QVariant FlowModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Time", "From", "To", "Message"};
    if (section < 0 || section >= ColumnCount)
        return {};
    return QString::fromLatin1(names[section]);
}

} // namespace Parley::Monitor
