// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/detailsmodel.h>

#include <QtWidgets/QTreeView>

namespace Parley::Monitor {

class SelectionHub;

/// Shows the selected record's fields and body, or the selected object's; a double-click (or
/// Enter) on a link ("received by", "caused by", "last record") selects that record everywhere.
class DetailsView : public QTreeView
{
    Q_OBJECT

public:
    DetailsView(DetailsModel *model, SelectionHub *hub, QWidget *parent = nullptr);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void follow(const QModelIndex &index);
    void shown();

    DetailsModel *m_model;
    SelectionHub *m_hub;
};

} // namespace Parley::Monitor
