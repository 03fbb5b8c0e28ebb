// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "objecttreeview.h"

#include "selectionhub.h"

#include <model/logmodel.h>

#include <QtWidgets/QCheckBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

namespace Parley::Monitor {

ObjectTreeView::ObjectTreeView(ObjectTreeModel *model, SelectionHub *hub, QWidget *parent)
    : QWidget(parent), m_model(model), m_hub(hub)
{
    m_search = new QLineEdit;
    m_search->setPlaceholderText(QStringLiteral("Find object by name, class or id…"));
    m_search->setClearButtonEnabled(true);
    m_hide = new QCheckBox(QStringLiteral("Hide destroyed"));
    m_hide->setToolTip(QStringLiteral("Hide objects that have ended (Ctrl+D)"));
    m_found = new QLabel;
    m_found->setStyleSheet(QStringLiteral("color: #9e9e9e"));
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 2);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_found);
    bar->addWidget(m_hide);

    m_tree = new QTreeView;
    m_tree->setModel(model);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setAlternatingRowColors(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setIndentation(14);
    QHeaderView *header = m_tree->header();
    header->setStretchLastSection(false);
    const QFontMetrics fm = fontMetrics();
    header->resizeSection(ObjectTreeModel::NameColumn,
                          fm.horizontalAdvance(QStringLiteral("hello-client/bob (4251)")) + 70);
    header->resizeSection(ObjectTreeModel::ClassColumn,
                          fm.horizontalAdvance(QStringLiteral("GetResponse")) + 16);
    header->resizeSection(ObjectTreeModel::IdColumn,
                          fm.horizontalAdvance(QStringLiteral("<0000001a>")) + 12);
    header->resizeSection(ObjectTreeModel::StateColumn,
                          fm.horizontalAdvance(QStringLiteral("connected")) + 14);
    for (int c :
         {ObjectTreeModel::DepthColumn, ObjectTreeModel::InColumn, ObjectTreeModel::OutColumn})
        header->resizeSection(c, fm.horizontalAdvance(QStringLiteral("00000")) + 12);
    for (int c : {ObjectTreeModel::CreatedColumn, ObjectTreeModel::EndedColumn})
        header->resizeSection(c, fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 16);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);

    // Processes open as they appear; what the user expands is remembered by object node, so a
    // reset (hiding destroyed objects) gives it back.
    connect(model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &parent, int first, int last) {
                if (parent.isValid())
                    return;
                for (int row = first; row <= last; ++row)
                    m_tree->expand(m_model->index(row, 0));
            });
    connect(m_tree, &QTreeView::expanded, this,
            [this](const QModelIndex &index) { m_expanded.insert(m_model->nodeOf(index)); });
    connect(m_tree, &QTreeView::collapsed, this,
            [this](const QModelIndex &index) { m_expanded.remove(m_model->nodeOf(index)); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        const QSet<int> expanded = m_expanded;
        for (int row = 0; row < m_model->rowCount(); ++row)
            m_tree->expand(m_model->index(row, 0));
        for (int node : expanded) {
            const QModelIndex index = m_model->indexOfNode(node);
            if (index.isValid())
                m_tree->expand(index);
        }
        if (m_hub->object() >= 0)
            showNode(m_hub->object());
    });
    for (int row = 0; row < m_model->rowCount(); ++row)
        m_tree->expand(m_model->index(row, 0));

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { currentChanged(current); });
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { emit selectionChanged(selectedNodes()); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_lastFound = -1;
        if (text.isEmpty())
            m_found->clear();
        else
            findNext(text);
    });
    connect(m_hide, &QCheckBox::toggled, this, [this](bool on) { m_model->setHideDestroyed(on); });
    connect(hub, &SelectionHub::objectSelected, this, [this](int node, QObject *origin, bool) {
        if (origin != this)
            showNode(node);
    });
}

QList<int> ObjectTreeView::selectedNodes() const
{
    QList<int> nodes;
    for (const QModelIndex &index : m_tree->selectionModel()->selectedRows())
        nodes.append(m_model->nodeOf(index));
    return nodes;
}

void ObjectTreeView::currentChanged(const QModelIndex &current)
{
    if (m_selecting || !current.isValid())
        return;
    m_hub->selectObject(m_model->nodeOf(current), this);
}

void ObjectTreeView::showNode(int node)
{
    const QModelIndex index = m_model->indexOfNode(node);
    if (!index.isValid())
        return;
    m_selecting = true;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    m_selecting = false;
}

bool ObjectTreeView::findNext(const QString &text)
{
    const int node = m_model->findNode(text, m_lastFound);
    if (node < 0) {
        m_found->setText(QStringLiteral("not found"));
        return false;
    }
    m_lastFound = node;
    m_found->setText(QStringLiteral("Enter: next"));
    const QModelIndex index = m_model->indexOfNode(node);
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    return true;
}

void ObjectTreeView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ObjectTreeView::setHideDestroyed(bool hide)
{
    m_hide->setChecked(hide);
}

} // namespace Parley::Monitor
