// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "displayfilter.h"
#include "eventstore.h"

#include <QtCore/QAbstractTableModel>
#include <QtCore/QSet>

#include <deque>
#include <vector>

namespace Parley::Monitor {

/// Holds the data of the message flow (a sequence diagram): one lifeline per object that sends
/// or receives, one arrow per message, rows in the order messages were first seen.
///
/// A message is one arrow even when both of its ends were recorded: the Sent in one process and
/// the Received in another are joined by (origin runtime, message id), with no clock agreement.
/// Until the other end is known an arrow ends at what the sender addressed (for a message to
/// another process, the local connection's proxy).
///
/// Which messages: those the display filter accepts (Scope::Displayed, Wireshark's "displayed
/// packets"), or those sent or received by a set of objects (Scope::Objects). The model is a
/// table (time, from, to, message) so that it can be listed and tested like any other.
class FlowModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// Chooses which messages become arrows.
    enum class Scope { Displayed, Objects };
    /// Names the columns.
    enum Column { TimeColumn, FromColumn, ToColumn, MessageColumn, ColumnCount };

    /// Describes one lifeline.
    struct Lifeline
    {
        int source = -1;
        quint64 object = 0;
        int arrows = 0; ///< arrows that start or end here
    };
    /// Describes one arrow.
    struct Arrow
    {
        Serial sent = NoSerial;     ///< the Sent (or Forwarded) record
        Serial received = NoSerial; ///< the Received record
        int from = -1;              ///< lifeline index
        int to = -1;                ///< lifeline index
        quint32 type = 0;           ///< interned wire name
        qint64 wall = 0;            ///< when it was sent (or received, when that is all we have)
        bool dropped = false;       ///< a Dropped record names it
        /// Returns true when sender and receiver are in different processes.
        [[nodiscard]] bool crossesProcesses(const FlowModel &flow) const;
        /// Returns the serial that stands for the arrow (the Sent, else the Received).
        [[nodiscard]] Serial serial() const { return sent != NoSerial ? sent : received; }
    };

    explicit FlowModel(EventStore *store, QObject *parent = nullptr);

    /// Uses \a filter for Scope::Displayed; rebuilds.
    void setFilter(const DisplayFilter &filter);
    /// Shows the messages of \a nodes (object nodes; a process node means all its objects).
    void setObjects(const QList<int> &nodes);
    void setScope(Scope scope);
    [[nodiscard]] Scope scope() const { return m_scope; }
    /// Keeps the model up to date while active; an inactive model catches up when activated.
    void setActive(bool active);
    /// Takes new records in slices of at most \a ms between other events (0: at once, as they
    /// are committed). Keeps the flow off the path that commits records.
    void setBudget(int ms) { m_budgetMs = ms; }
    /// Takes every record still waiting now.
    void catchUp();
    /// Returns true while records wait to become arrows.
    [[nodiscard]] bool isCatchingUp() const { return m_pendingFrom < m_pendingTo; }

    [[nodiscard]] EventStore *store() const { return m_store; }
    [[nodiscard]] const std::vector<Lifeline> &lifelines() const { return m_lifelines; }
    [[nodiscard]] const Arrow &arrow(int row) const { return m_arrows[size_t(row)]; }
    [[nodiscard]] int arrowCount() const { return m_rows; }
    /// Returns the row of the arrow that record \a serial belongs to, or -1.
    [[nodiscard]] int rowOf(Serial serial) const;
    /// Returns "name" for a lifeline and "program (pid)" for its process.
    [[nodiscard]] QString lifelineName(int lifeline) const;
    [[nodiscard]] QString lifelineProcess(int lifeline) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    /// Emitted when lifelines were added (at the end) or the whole flow was rebuilt.
    void lifelinesChanged();

private:
    struct Key
    {
        quint64 origin;
        quint64 id;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &k, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, k.origin, k.id);
        }
    };
    void rebuild();
    void appended(Serial first, Serial end);
    void process(qint64 budgetMs);
    void schedule();
    void aboutToEvict(Serial newFirst);
    void evicted();
    bool wanted(Serial serial, const Record &r) const;
    void add(Serial serial, QList<int> &changedRows);
    void join(Arrow &a, Serial serial, const Record &r);
    int lifeline(int source, quint64 object);
    void setEnd(Arrow &a, bool from, int lifeline);

    EventStore *m_store;
    DisplayFilter m_filter;
    Scope m_scope = Scope::Displayed;
    QSet<QPair<int, quint64>> m_objects; ///< Scope::Objects: (source, id); id 1 = whole process
    bool m_active = true;
    bool m_stale = false;

    std::vector<Lifeline> m_lifelines;
    QHash<QPair<int, quint64>, int> m_lifelineIndex;
    std::deque<Arrow> m_arrows;
    quint64 m_arrowBase = 0;                   ///< absolute number of m_arrows.front()
    ShardedHash<Key, quint64> m_arrowIndex;    ///< message -> absolute arrow number
    ShardedHash<Serial, quint64> m_standalone; ///< arrows of records without a message id
    qsizetype m_evictRows = 0;
    int m_rows = 0; ///< arrows announced to views (m_arrows may hold more during an update)
    Serial m_pendingFrom = 0; ///< records [m_pendingFrom, m_pendingTo) wait to become arrows
    Serial m_pendingTo = 0;
    int m_budgetMs = 0;
    bool m_scheduled = false;
};

} // namespace Parley::Monitor
