// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "sourcesmodel.h"

#include "logmodel.h"

#include <QtGui/QBrush>
#include <QtGui/QColor>

namespace Parley::Monitor {

SourcesModel::SourcesModel(EventStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_rows(store->sourceCount())
{
    connect(store, &EventStore::sourceAdded, this, [this](int index) {
        if (index < m_rows)
            return;
        beginInsertRows({}, m_rows, index);
        m_rows = index + 1;
        endInsertRows();
    });
    connect(store, &EventStore::sourcesChanged, this, [this] {
        if (m_rows > 0)
            emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1));
    });
}

int SourcesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int SourcesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SourcesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows)
        return {};
    const Source &s = m_store->source(index.row());
    auto state = [&s] {
        switch (s.kind) {
        case SourceKind::File:
            return QStringLiteral("recording");
        case SourceKind::Monitor:
            return QStringLiteral("this monitor");
        case SourceKind::Live:
            break;
        }
        return s.connected ? QStringLiteral("connected") : QStringLiteral("gone");
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ProgramColumn:
            return s.kind == SourceKind::Monitor ? QStringLiteral("monitor") : s.info.program;
        case PidColumn:
            return QVariant::fromValue(s.info.pid);
        case HostColumn:
            return s.info.host;
        case RuntimeColumn:
            return s.info.runtimeName.isEmpty() ? QString::number(s.info.runtimeId, 16)
                                                : s.info.runtimeName;
        case StateColumn:
            return state();
        case EventsColumn:
            return QVariant::fromValue(s.events);
        case RateColumn:
            return s.kind == SourceKind::Live ? QVariant(qRound64(s.rate)) : QVariant();
        case DroppedAtSourceColumn:
            return QVariant::fromValue(s.droppedAtSource);
        case DroppedInMonitorColumn:
            return QVariant::fromValue(s.droppedInMonitor);
        case NoteColumn:
            return s.note;
        }
        return {};
    case Qt::ToolTipRole:
        return QStringLiteral("%1\nruntime id %2, schema %3, Parley %4\n%5%6")
            .arg(s.label(), QString::number(s.info.runtimeId, 16))
            .arg(s.info.schema)
            .arg(s.info.parleyVersion, s.location,
                 s.note.isEmpty() ? QString() : QStringLiteral("\n") + s.note);
    case Qt::ForegroundRole:
        if ((index.column() == DroppedAtSourceColumn && s.droppedAtSource)
            || (index.column() == DroppedInMonitorColumn && s.droppedInMonitor)
            || (index.column() == NoteColumn && !s.note.isEmpty()))
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (s.kind == SourceKind::Live && !s.connected)
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        if (index.column() == StateColumn && s.kind == SourceKind::Live)
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PidColumn || index.column() == EventsColumn
            || index.column() == RateColumn || index.column() == DroppedAtSourceColumn
            || index.column() == DroppedInMonitorColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SourceRole:
        return index.row();
    default:
        return {};
    }
}

QVariant SourcesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[]
        = {"Program", "PID",      "Host",           "Runtime",   "State",
           "Events",  "Events/s", "Lost at source", "Lost here", "Note"};
    if (section < 0 || section >= ColumnCount)
        return {};
    return QString::fromLatin1(names[section]);
}

} // namespace Parley::Monitor
