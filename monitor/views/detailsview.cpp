// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "detailsview.h"

#include "selectionhub.h"

#include <QtGui/QKeyEvent>
#include <QtWidgets/QHeaderView>

namespace Parley::Monitor {

DetailsView::DetailsView(DetailsModel *model, SelectionHub *hub, QWidget *parent)
    : QTreeView(parent), m_model(model), m_hub(hub)
{
    setModel(model);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setIndentation(14);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    header()->setStretchLastSection(true);
    connect(this, &QTreeView::doubleClicked, this, &DetailsView::follow);
    connect(model, &QAbstractItemModel::modelReset, this, &DetailsView::shown);
    connect(hub, &SelectionHub::recordSelected, this,
            [this](Serial serial, QObject *) { m_model->showRecord(serial); });
    connect(hub, &SelectionHub::objectSelected, this, [this](int node, QObject *, bool withRecord) {
        if (!withRecord)
            m_model->showObject(node);
    });
}

void DetailsView::shown()
{
    expandAll();
    resizeColumnToContents(DetailsModel::FieldColumn);
    setColumnWidth(DetailsModel::FieldColumn,
                   std::min(columnWidth(DetailsModel::FieldColumn) + 12, 180));
}

void DetailsView::follow(const QModelIndex &index)
{
    const Serial link = m_model->linkOf(index);
    if (link != NoSerial)
        m_hub->selectRecord(link, this);
}

void DetailsView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        follow(currentIndex());
        return;
    }
    QTreeView::keyPressEvent(event);
}

} // namespace Parley::Monitor
