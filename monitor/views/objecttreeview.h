// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/objecttreemodel.h>

#include <QtCore/QSet>
#include <QtWidgets/QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTreeView;

namespace Parley::Monitor {

class SelectionHub;

/// Shows the object tree with a search by name (Enter finds the next match) and a "hide
/// destroyed" toggle. Rows have one height, children are fetched when a node is expanded,
/// processes are expanded as they appear, and what the user expanded stays expanded while the
/// tree updates (and across a hide/show of destroyed objects).
class ObjectTreeView : public QWidget
{
    Q_OBJECT

public:
    ObjectTreeView(ObjectTreeModel *model, SelectionHub *hub, QWidget *parent = nullptr);

    [[nodiscard]] QTreeView *tree() const { return m_tree; }
    [[nodiscard]] ObjectTreeModel *model() const { return m_model; }
    /// Returns the object nodes selected (for the flow's "selected objects").
    [[nodiscard]] QList<int> selectedNodes() const;
    /// Selects \a node (expanding its ancestors) without announcing it.
    void showNode(int node);
    /// Finds the next object whose name contains \a text and selects it; false when none does.
    bool findNext(const QString &text);
    void focusSearch();
    void setHideDestroyed(bool hide);

signals:
    /// Emitted when the set of selected objects changed.
    void selectionChanged(const QList<int> &nodes);

private:
    void currentChanged(const QModelIndex &current);

    ObjectTreeModel *m_model;
    SelectionHub *m_hub;
    QTreeView *m_tree;
    QLineEdit *m_search;
    QCheckBox *m_hide;
    QLabel *m_found;
    QSet<int> m_expanded;
    int m_lastFound = -1;
    bool m_selecting = false;
};

} // namespace Parley::Monitor
