// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "eventstore.h"

#include <QtCore/QAbstractTableModel>

namespace Parley::Monitor {

/// Lists the sources: each streaming program and each recording, with what the monitor knows
/// of it (program, pid, host, runtime, connected or gone, events/s, drops at the source and in
/// the monitor, the last problem).
class SourcesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// Names the columns.
    enum Column {
        ProgramColumn,
        PidColumn,
        HostColumn,
        RuntimeColumn,
        StateColumn,
        EventsColumn,
        RateColumn,
        DroppedAtSourceColumn,
        DroppedInMonitorColumn,
        NoteColumn,
        ColumnCount
    };

    explicit SourcesModel(EventStore *store, QObject *parent = nullptr);

    /// Returns the source shown in \a row.
    [[nodiscard]] int sourceAt(int row) const { return row; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    EventStore *m_store;
    int m_rows = 0;
};

} // namespace Parley::Monitor
