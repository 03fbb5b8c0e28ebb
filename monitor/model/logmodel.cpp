// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "logmodel.h"

#include <QtCore/QDateTime>
#include <QtGui/QBrush>
#include <QtGui/QColor>
#include <QtGui/QFont>

#include <algorithm>

namespace Parley::Monitor {

namespace {

/// Returns the local time zone's offset from UTC in ms, looked up once (a monitor session does
/// not outlive a daylight-saving change often enough to matter for a log's clock column).
qint64 localOffsetMs()
{
    static const qint64 offset = qint64(QDateTime::currentDateTime().offsetFromUtc()) * 1000;
    return offset;
}

QString durationText(qint64 ns)
{
    if (ns < 0)
        return {};
    if (ns < 10'000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1000.0, 0, 'f', 1);
    if (ns < 10'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 2);
    if (ns < 10'000'000'000)
        return QStringLiteral("%1 ms").arg(ns / 1'000'000);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 1);
}

} // namespace

// -- RecordFormatter -----------------------------------------------------------------------------

QString RecordFormatter::time(qint64 wall)
{
    qint64 ms = wall / 1'000'000 + localOffsetMs();
    ms %= 86'400'000;
    if (ms < 0)
        ms += 86'400'000;
    const int h = int(ms / 3'600'000), m = int(ms / 60'000 % 60), s = int(ms / 1000 % 60),
              z = int(ms % 1000);
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d.%03d", h, m, s, z);
    return QString::fromLatin1(buffer);
}

QString RecordFormatter::objectName(int source, quint64 id) const
{
    const int node = m_store.findObject(source, id);
    if (node < 0 || id <= 1)
        return formatId(id);
    return formatId(id) + m_store.string(m_store.object(node).name);
}

QString RecordFormatter::object(const Record &r) const
{
    if (r.object == 0)
        return {};
    const QString &name = m_store.string(r.name);
    return name.isEmpty() ? formatId(r.object) : formatId(r.object) + name;
}

QString RecordFormatter::address(const Address &address, int source) const
{
    if (address.isNull())
        return QStringLiteral("<null>");
    if (address.size() == 1)
        return objectName(source, address.last());
    return address.toString();
}

QColor RecordFormatter::colour(EventKind kind, LogLevel level)
{
    switch (level) {
    case LogLevel::Fault:
        return QColor(0xc6, 0x28, 0x28);
    case LogLevel::Warning:
        return QColor(0xb2, 0x5e, 0x00);
    case LogLevel::Console:
        return QColor(0x1a, 0x23, 0x7e);
    case LogLevel::Debug:
        return QColor(0x80, 0x80, 0x80);
    default:
        break;
    }
    switch (kind) {
    case EventKind::Created:
    case EventKind::Snapshot:
        return QColor(0x2e, 0x7d, 0x32);
    case EventKind::Destroyed:
        return QColor(0x8d, 0x4e, 0x3c);
    case EventKind::Sent:
    case EventKind::Forwarded:
    case EventKind::Relayed:
        return QColor(0x15, 0x65, 0xc0);
    case EventKind::Received:
        return QColor(0x00, 0x69, 0x6f);
    case EventKind::Dropped:
        return QColor(0xb2, 0x5e, 0x00);
    case EventKind::StateChanged:
        return QColor(0x6a, 0x1b, 0x9a);
    default:
        return QColor(0x42, 0x42, 0x42);
    }
}

QString RecordFormatter::summary(Serial serial) const
{
    const Record &r = m_store.record(serial);
    const RecordExtra *x = m_store.extra(serial);
    const QString &type = m_store.string(r.type);
    const QString text = x ? x->text : QString();
    const int source = r.source;
    auto withText = [&](QString line) {
        if (!text.isEmpty())
            line += QStringLiteral(": ") + text;
        return line;
    };
    switch (r.kind) {
    case EventKind::Created:
        return QStringLiteral("Created by %1%2")
            .arg(objectName(source, r.peer),
                 r.className ? QStringLiteral(" as ") + m_store.string(r.className) : QString());
    case EventKind::Snapshot:
        return QStringLiteral("Alive when the stream began (%1, created by %2)")
            .arg(m_store.string(r.className), objectName(source, r.peer));
    case EventKind::Destroyed:
        return QStringLiteral("Destroyed");
    case EventKind::Sent:
        return QStringLiteral("Sent %1 to %2")
            .arg(type, address(m_store.toAddress(serial), source));
    case EventKind::Forwarded:
        return QStringLiteral("Forwarded %1 to %2 as if from %3")
            .arg(type, address(m_store.toAddress(serial), source),
                 address(m_store.fromAddress(serial), source));
    case EventKind::Relayed:
        return QStringLiteral("Relayed %1 to %2")
            .arg(type, address(m_store.toAddress(serial), source));
    case EventKind::Received: {
        QString line = QStringLiteral("Received %1 from %2")
                           .arg(type, address(m_store.fromAddress(serial), source));
        if (r.queuedNs >= 0 || r.handledNs >= 0) {
            QStringList times;
            if (r.queuedNs >= 0)
                times << QStringLiteral("queued %1").arg(durationText(r.queuedNs));
            if (r.handledNs >= 0)
                times << QStringLiteral("handled in %1").arg(durationText(r.handledNs));
            line += QStringLiteral(" (%1)").arg(times.join(QStringLiteral(", ")));
        }
        return line;
    }
    case EventKind::Dropped:
        return withText(QStringLiteral("Dropped %1 to %2 (%3)")
                            .arg(type, address(m_store.toAddress(serial), source),
                                 dropReasonName(x ? x->dropReason : DropReason::Unknown)));
    case EventKind::Deferred:
        return QStringLiteral("Deferred %1 in %2").arg(type, m_store.string(r.state));
    case EventKind::Replayed:
        return QStringLiteral("Replayed %1 in %2").arg(type, m_store.string(r.state));
    case EventKind::Completed:
        return QStringLiteral("Completed with %1").arg(type);
    case EventKind::StateChanged:
        return QStringLiteral("State %1 → %2")
            .arg(x ? m_store.string(x->previousState) : QString(), m_store.string(r.state));
    case EventKind::TimerStarted: {
        QString line
            = QStringLiteral("Timer %1 started (%2").arg(type, durationText(x ? x->duration : 0));
        if (x && x->repeating)
            line += QStringLiteral(", repeating");
        return line + u')';
    }
    case EventKind::TimerFired:
        return QStringLiteral("Timer %1 fired").arg(type);
    case EventKind::TimerCancelled:
        return QStringLiteral("Timer %1 cancelled").arg(type);
    case EventKind::Listening:
        return QStringLiteral("Listening at %1").arg(x ? x->endpoint : QString());
    case EventKind::NotListening:
        return withText(QStringLiteral("Cannot listen at %1").arg(x ? x->endpoint : QString()));
    case EventKind::Accepted:
        return QStringLiteral("Accepted %1%2")
            .arg(x ? x->endpoint : QString(),
                 x && x->encrypted ? QStringLiteral(" (encrypted)") : QString());
    case EventKind::Connected:
        return QStringLiteral("Connected to %1%2")
            .arg(x ? x->endpoint : QString(),
                 x && x->encrypted ? QStringLiteral(" (encrypted)") : QString());
    case EventKind::NotConnected:
        return withText(QStringLiteral("Cannot connect to %1").arg(x ? x->endpoint : QString()));
    case EventKind::Closed:
        return withText(QStringLiteral("Closed %1").arg(x ? x->endpoint : QString()));
    case EventKind::Abandoned:
        return withText(QStringLiteral("Abandoned by %1").arg(x ? x->endpoint : QString()));
    case EventKind::Text:
        return text;
    case EventKind::EventsDropped:
        return QStringLiteral("The program dropped %1 events (its event queue was full)")
            .arg(x ? x->count : 0);
    case EventKind::SnapshotEnd:
        return QStringLiteral("Snapshot of %1 live objects").arg(x ? x->count : 0);
    case EventKind::Handled: // folded into its Received record by the store; kept for files
        return QStringLiteral("Handled %1 in %2")
            .arg(type, durationText(r.handledNs >= 0 ? r.handledNs : 0));
    case EventKind::Unknown:
        break;
    }
    QString line = QStringLiteral("Event of a kind this monitor does not know (newer schema)");
    if (!type.isEmpty())
        line += QStringLiteral(", type ") + type;
    return withText(line);
}

// -- LogModel -----------------------------------------------------------------------------------

LogModel::LogModel(EventStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_format(*store)
{
    m_first = store->firstSerial();
    m_end = store->endSerial();
    connect(store, &EventStore::recordsAboutToBeEvicted, this, &LogModel::aboutToEvict);
    connect(store, &EventStore::recordsEvicted, this, &LogModel::evicted);
    connect(store, &EventStore::recordsAppended, this, &LogModel::appended);
}

int LogModel::rowOf(Serial serial) const
{
    if (serial < m_first || serial >= m_end)
        return -1;
    return int(serial - m_first);
}

void LogModel::aboutToEvict(Serial newFirst)
{
    const Serial last = std::min(newFirst, m_end);
    if (last <= m_first) {
        m_removing = false;
        return;
    }
    m_removing = true;
    beginRemoveRows({}, 0, int(last - m_first) - 1);
}

void LogModel::evicted()
{
    const Serial first = m_store->firstSerial();
    if (first > m_first) {
        m_first = first;
        if (m_end < first)
            m_end = first;
    }
    if (m_removing) {
        m_removing = false;
        endRemoveRows();
    }
}

void LogModel::appended(Serial first, Serial end)
{
    first = std::max(first, m_end);
    if (first >= end)
        return;
    if (m_end < first)
        m_end = first; // nothing between: it was evicted before it was shown
    beginInsertRows({}, int(m_end - m_first), int(end - m_first) - 1);
    m_end = end;
    endInsertRows();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_end - m_first);
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    return dataFor(serialAt(index.row()), index.column(), role);
}

QVariant LogModel::dataFor(Serial serial, int column, int role) const
{
    if (!m_store->contains(serial))
        return {};
    const Record &r = m_store->record(serial);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return RecordFormatter::time(r.wall);
        case ProcessColumn:
            return m_store->source(r.source).shortLabel();
        case ObjectColumn:
            return m_format.object(r);
        case MarkerColumn:
            return QString(markerOf(r.kind, r.level));
        case EventColumn:
            return m_format.summary(serial);
        }
        return {};
    case Qt::ToolTipRole:
        if (column == EventColumn)
            return m_format.summary(serial);
        if (column == ProcessColumn) {
            const Source &s = m_store->source(r.source);
            return QStringLiteral("%1 on %2, runtime %3")
                .arg(s.label(), s.info.host, QString::number(s.info.runtimeId, 16));
        }
        return {};
    case Qt::ForegroundRole:
        if (column == TimeColumn || column == ProcessColumn)
            return QBrush(QColor(0x60, 0x60, 0x60));
        return QBrush(RecordFormatter::colour(r.kind, r.level));
    case Qt::FontRole:
        if (column == MarkerColumn || r.level >= LogLevel::Warning) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == MarkerColumn)
            return int(Qt::AlignCenter);
        return {};
    case SerialRole:
        return QVariant::fromValue<quint64>(serial);
    case KindRole:
        return int(r.kind);
    case LevelRole:
        return int(r.level);
    case SourceRole:
        return int(r.source);
    case ObjectIdRole:
        return QVariant::fromValue<quint64>(r.object);
    case MarkerRole:
        return QString(markerOf(r.kind, r.level));
    default:
        return {};
    }
}

QVariant LogModel::header(int section, int role)
{
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return QStringLiteral("Time");
    case ProcessColumn:
        return QStringLiteral("Process");
    case ObjectColumn:
        return QStringLiteral("Object");
    case MarkerColumn:
        return QString();
    case EventColumn:
        return QStringLiteral("Event");
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical)
        return QAbstractTableModel::headerData(section, orientation, role);
    return header(section, role);
}

// -- LogFilterModel ------------------------------------------------------------------------------

LogFilterModel::LogFilterModel(LogModel *log, QObject *parent)
    : QAbstractTableModel(parent), m_log(log), m_store(log->store())
{
    m_filter.prepare(*m_store);
    for (Serial s = m_store->firstSerial(); s < m_store->endSerial(); ++s)
        m_rows.push_back(s);
    connect(m_store, &EventStore::recordsAboutToBeEvicted, this, &LogFilterModel::aboutToEvict);
    connect(m_store, &EventStore::recordsEvicted, this, &LogFilterModel::evicted);
    connect(m_store, &EventStore::recordsAppended, this, &LogFilterModel::appended);
}

void LogFilterModel::setFilter(const DisplayFilter &filter)
{
    m_filter = filter;
    refilter();
    emit filterChanged();
}

void LogFilterModel::refilter()
{
    m_filter.prepare(*m_store);
    beginResetModel();
    m_rows.clear();
    const Serial end = m_paused && !m_heldBack.empty() ? m_heldBack.front() : m_store->endSerial();
    std::vector<Serial> held;
    const bool all = m_filter.isPassThrough();
    for (Serial s = m_store->firstSerial(); s < m_store->endSerial(); ++s) {
        if (all || m_filter.accepts(s))
            (s < end || !m_paused ? m_rows : held).push_back(s);
    }
    if (m_paused)
        m_heldBack = std::move(held);
    endResetModel();
    if (m_paused)
        emit pauseChanged(true, newWhilePaused());
}

void LogFilterModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused && !m_heldBack.empty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + m_heldBack.size()) - 1);
        m_rows.insert(m_rows.end(), m_heldBack.begin(), m_heldBack.end());
        m_heldBack.clear();
        endInsertRows();
    }
    emit pauseChanged(m_paused, newWhilePaused());
}

void LogFilterModel::aboutToEvict(Serial newFirst)
{
    m_evictTo = newFirst;
    const auto cut = std::lower_bound(m_rows.begin(), m_rows.end(), newFirst);
    m_evictRows = cut - m_rows.begin();
    if (m_evictRows > 0)
        beginRemoveRows({}, 0, int(m_evictRows) - 1);
}

void LogFilterModel::evicted()
{
    if (m_evictRows > 0) {
        m_rows.erase(m_rows.begin(), m_rows.begin() + m_evictRows);
        m_evictRows = 0;
        endRemoveRows();
    }
    const auto cut = std::lower_bound(m_heldBack.begin(), m_heldBack.end(), m_evictTo);
    if (cut != m_heldBack.begin()) {
        m_heldBack.erase(m_heldBack.begin(), cut);
        emit pauseChanged(m_paused, newWhilePaused());
    }
}

void LogFilterModel::appended(Serial first, Serial end)
{
    m_filter.prepare(*m_store);
    const bool all = m_filter.isPassThrough();
    if (m_paused) {
        const size_t before = m_heldBack.size();
        for (Serial s = first; s < end; ++s) {
            if (all || m_filter.accepts(s))
                m_heldBack.push_back(s);
        }
        if (m_heldBack.size() != before)
            emit pauseChanged(true, newWhilePaused());
        return;
    }
    std::vector<Serial> accepted;
    accepted.reserve(size_t(end - first));
    for (Serial s = first; s < end; ++s) {
        if (all || m_filter.accepts(s))
            accepted.push_back(s);
    }
    if (accepted.empty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + accepted.size()) - 1);
    m_rows.insert(m_rows.end(), accepted.begin(), accepted.end());
    endInsertRows();
}

int LogFilterModel::rowOf(Serial serial) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), serial);
    return it != m_rows.end() && *it == serial ? int(it - m_rows.begin()) : -1;
}

int LogFilterModel::rowAtOrBefore(Serial serial) const
{
    const auto it = std::upper_bound(m_rows.begin(), m_rows.end(), serial);
    return int(it - m_rows.begin()) - 1;
}

int LogFilterModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogFilterModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : LogModel::ColumnCount;
}

QVariant LogFilterModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Serial serial = m_rows[size_t(index.row())];
    if (role == HighlightedRole)
        return m_filter.highlighted(serial);
    if (role == Qt::BackgroundRole) {
        if (m_filter.highlighted(serial))
            return QBrush(QColor(0xff, 0xf1, 0x76));
        return {};
    }
    return m_log->dataFor(serial, index.column(), role);
}

QVariant LogFilterModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical)
        return QAbstractTableModel::headerData(section, orientation, role);
    return LogModel::header(section, role);
}

} // namespace Parley::Monitor
