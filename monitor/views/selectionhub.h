// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/eventstore.h>

#include <QtCore/QObject>

namespace Parley::Monitor {

/// Links the views' selections: a record or an object selected in one view is announced to all
/// the others, which select the same thing. A view ignores announcements it made itself
/// (\a origin), and selections made while an announcement is going round are not announced
/// again, so linked views never ping-pong.
class SelectionHub : public QObject
{
    Q_OBJECT

public:
    explicit SelectionHub(EventStore *store, QObject *parent = nullptr);

    /// Selects record \a serial (and the object it is about) on behalf of \a origin.
    void selectRecord(Serial serial, QObject *origin);
    /// Selects object \a node on behalf of \a origin.
    void selectObject(int node, QObject *origin);

    [[nodiscard]] Serial record() const { return m_record; }
    [[nodiscard]] int object() const { return m_object; }
    [[nodiscard]] EventStore *store() const { return m_store; }

signals:
    /// Announces a selected record.
    void recordSelected(Parley::Monitor::Serial serial, QObject *origin);
    /// Announces a selected object; \a withRecord when it comes with a record just announced.
    void objectSelected(int node, QObject *origin, bool withRecord);

private:
    EventStore *m_store;
    Serial m_record = NoSerial;
    int m_object = -1;
    bool m_busy = false;
};

} // namespace Parley::Monitor
