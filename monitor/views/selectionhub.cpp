// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "selectionhub.h"

namespace Parley::Monitor {

SelectionHub::SelectionHub(EventStore *store, QObject *parent) : QObject(parent), m_store(store) {}

void SelectionHub::selectRecord(Serial serial, QObject *origin)
{
    if (m_busy || serial == NoSerial || !m_store->contains(serial))
        return;
    m_busy = true;
    m_record = serial;
    m_object = m_store->objectOf(serial);
    emit recordSelected(serial, origin);
    if (m_object >= 0)
        emit objectSelected(m_object, origin, true);
    m_busy = false;
}

void SelectionHub::selectObject(int node, QObject *origin)
{
    if (m_busy || node < 0 || node >= m_store->objectCount())
        return;
    m_busy = true;
    m_object = node;
    emit objectSelected(node, origin, false);
    m_busy = false;
}

} // namespace Parley::Monitor
