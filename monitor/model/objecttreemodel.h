// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "eventstore.h"

#include <QtCore/QAbstractItemModel>

#include <vector>

namespace Parley::Monitor {

/// Shows the objects of every process as a tree: processes at the top, each object under the
/// object that created it, live.
///
/// Children are fetched lazily (canFetchMore()/fetchMore()), so a process with 100k objects
/// costs nothing until it is expanded. Changes arrive per commit: new objects are inserted in
/// one batch per parent, changed ones are announced with one dataChanged() per parent.
/// Destroyed objects stay, greyed, with their end time, unless hidden (setHideDestroyed()).
class ObjectTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    /// Names the columns.
    enum Column {
        NameColumn,
        ClassColumn,
        IdColumn,
        StateColumn,
        DepthColumn,
        InColumn,
        OutColumn,
        CreatedColumn,
        EndedColumn,
        ColumnCount
    };

    explicit ObjectTreeModel(EventStore *store, QObject *parent = nullptr);

    /// Hides destroyed objects (and what is below them), or shows them greyed.
    void setHideDestroyed(bool hide);
    [[nodiscard]] bool hidesDestroyed() const { return m_hideDestroyed; }

    /// Returns the object node of \a index, or -1.
    [[nodiscard]] int nodeOf(const QModelIndex &index) const;
    /// Returns the index of \a node, fetching its ancestors' children as needed; invalid when
    /// the node is hidden.
    [[nodiscard]] QModelIndex indexOfNode(int node, int column = 0);
    /// Returns the next node after \a after (in creation order, wrapping) whose name, class or
    /// id contains \a text, or -1.
    [[nodiscard]] int findNode(const QString &text, int after) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Mirror
    {
        std::vector<int> rows; ///< visible children, once populated
        int row = -1;          ///< row within the parent's rows (or among the roots)
        bool populated = false;
        bool inModel = false;
    };
    void committed(const QList<int> &added, const QList<int> &changed);
    void sourcesChanged();
    bool visible(int node) const;
    Mirror &mirror(int node);
    void reset();
    void unmap(int node);

    EventStore *m_store;
    std::vector<Mirror> m_mirror;
    std::vector<int> m_roots;
    bool m_hideDestroyed = false;
};

} // namespace Parley::Monitor
