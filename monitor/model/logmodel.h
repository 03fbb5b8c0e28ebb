// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "displayfilter.h"
#include "eventstore.h"

#include <QtCore/QAbstractTableModel>

#include <vector>

namespace Parley::Monitor {

/// Names the roles the monitor's models add to Qt's.
enum Role {
    SerialRole = Qt::UserRole + 1, ///< quint64: the record's serial
    KindRole,                      ///< int: the EventKind
    LevelRole,                     ///< int: the LogLevel
    SourceRole,                    ///< int: the source index
    ObjectIdRole,                  ///< quint64: the object id
    NodeRole,                      ///< int: the object node (object tree)
    HighlightedRole,               ///< bool: the record matches the highlight set
    MarkerRole,                    ///< QString: the text log's marker
};

/// Renders records the way the log shows them; shared by the log models and the details pane.
class RecordFormatter
{
public:
    explicit RecordFormatter(const EventStore &store) : m_store(store) {}

    /// Returns "HH:MM:SS.mmm" (local time) for wall-clock \a wall ns.
    [[nodiscard]] static QString time(qint64 wall);
    /// Returns "<0000001a> worker".
    [[nodiscard]] QString object(const Record &r) const;
    /// Returns the object \a id of \a source with its name when known.
    [[nodiscard]] QString objectName(int source, quint64 id) const;
    /// Returns the event as one line, without time and object ("Sent demo.Hello to <…>").
    [[nodiscard]] QString summary(Serial serial) const;
    /// Returns the colour for a record's marker and text.
    [[nodiscard]] static QColor colour(EventKind kind, LogLevel level);

private:
    QString address(const Address &address, int source) const;
    const EventStore &m_store;
};

/// Shows every committed record of the store as a table, oldest first.
///
/// Rows follow the store: appended in one batch per commit, removed from the top when the
/// store evicts.
class LogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// Names the columns.
    enum Column { TimeColumn, ProcessColumn, ObjectColumn, MarkerColumn, EventColumn, ColumnCount };

    explicit LogModel(EventStore *store, QObject *parent = nullptr);

    [[nodiscard]] EventStore *store() const { return m_store; }
    /// Returns the serial of \a row.
    [[nodiscard]] Serial serialAt(int row) const { return m_first + Serial(row); }
    /// Returns the row of \a serial, or -1.
    [[nodiscard]] int rowOf(Serial serial) const;
    /// Returns what \a role of \a column shows for record \a serial (any model may ask).
    [[nodiscard]] QVariant dataFor(Serial serial, int column, int role) const;
    [[nodiscard]] static QVariant header(int section, int role);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void aboutToEvict(Serial newFirst);
    void evicted();
    void appended(Serial first, Serial end);

    EventStore *m_store;
    RecordFormatter m_format;
    Serial m_first = 0; ///< serial of row 0
    Serial m_end = 0;   ///< one past the serial of the last row
    bool m_removing = false;
};

/// Shows the records a DisplayFilter accepts, highlights what its highlight set matches, and
/// can pause: while paused it keeps filtering what arrives but shows it only on resume
/// ("N new").
///
/// Filtering is incremental: at each commit only the new records are tested; a filter change
/// re-tests the records held, reading them directly (not through data()).
class LogFilterModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit LogFilterModel(LogModel *log, QObject *parent = nullptr);

    /// Replaces the filter and re-filters everything held.
    void setFilter(const DisplayFilter &filter);
    [[nodiscard]] const DisplayFilter &filter() const { return m_filter; }

    /// Stops showing new records (they are still kept and filtered) or shows them again.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    /// Returns the number of accepted records that arrived while paused.
    [[nodiscard]] qsizetype newWhilePaused() const { return qsizetype(m_heldBack.size()); }

    [[nodiscard]] Serial serialAt(int row) const { return m_rows[size_t(row)]; }
    /// Returns the row showing \a serial, or -1 when it is filtered out (or held back).
    [[nodiscard]] int rowOf(Serial serial) const;
    /// Returns the row of the last shown record at or before \a serial, or -1.
    [[nodiscard]] int rowAtOrBefore(Serial serial) const;
    [[nodiscard]] LogModel *logModel() const { return m_log; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    /// Emitted when the filter changed and the rows were rebuilt.
    void filterChanged();
    /// Emitted when the paused state or the count of new records changed.
    void pauseChanged(bool paused, qsizetype newRecords);

private:
    void aboutToEvict(Serial newFirst);
    void evicted();
    void appended(Serial first, Serial end);
    void refilter();

    LogModel *m_log;
    EventStore *m_store;
    DisplayFilter m_filter;
    std::vector<Serial> m_rows;     ///< accepted, shown
    std::vector<Serial> m_heldBack; ///< accepted while paused
    Serial m_evictTo = 0;
    qsizetype m_evictRows = 0;
    bool m_paused = false;
};

} // namespace Parley::Monitor
