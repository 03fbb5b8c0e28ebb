// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "eventstore.h"

#include <QtCore/QAbstractItemModel>

#include <vector>

class QJsonValue;

namespace Parley::Monitor {

/// Shows one record's fields, its message body as a tree, and where it links to (the other end
/// of its message, the message whose handler sent it), or one object's fields.
class DetailsModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    /// Names the columns.
    enum Column { FieldColumn, ValueColumn, ColumnCount };

    explicit DetailsModel(EventStore *store, QObject *parent = nullptr);

    /// Shows record \a serial (NoSerial clears).
    void showRecord(Serial serial);
    /// Shows object \a node.
    void showObject(int node);
    void clear();
    [[nodiscard]] Serial shownRecord() const { return m_record; }
    /// Returns the record a row links to (SerialRole holds it too), or NoSerial.
    [[nodiscard]] Serial linkOf(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Item
    {
        QString field;
        QString value;
        std::vector<int> children;
        int parent = -1;
        int row = 0;
        Serial link = NoSerial;
    };
    int add(const QString &field, const QString &value, int parent = -1, Serial link = NoSerial);
    void addJson(const QString &field, const QJsonValue &value, int parent);
    void evicted();

    EventStore *m_store;
    std::vector<Item> m_items;
    std::vector<int> m_top;
    Serial m_record = NoSerial;
};

} // namespace Parley::Monitor
