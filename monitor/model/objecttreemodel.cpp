// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "objecttreemodel.h"

#include "logmodel.h"

#include <QtGui/QBrush>
#include <QtGui/QColor>
#include <QtGui/QFont>

#include <algorithm>
#include <map>

namespace Parley::Monitor {

ObjectTreeModel::ObjectTreeModel(EventStore *store, QObject *parent)
    : QAbstractItemModel(parent), m_store(store)
{
    connect(store, &EventStore::objectsCommitted, this, &ObjectTreeModel::committed);
    connect(store, &EventStore::sourcesChanged, this, &ObjectTreeModel::sourcesChanged);
    reset();
}

ObjectTreeModel::Mirror &ObjectTreeModel::mirror(int node)
{
    if (m_mirror.size() <= size_t(node))
        m_mirror.resize(std::max(size_t(node) + 1, size_t(m_store->objectCount())));
    return m_mirror[size_t(node)];
}

bool ObjectTreeModel::visible(int node) const
{
    const ObjectNode &n = m_store->object(node);
    if (n.isProcess)
        return m_store->source(n.source).kind != SourceKind::Monitor;
    return !(m_hideDestroyed && !n.alive);
}

void ObjectTreeModel::reset()
{
    beginResetModel();
    m_mirror.assign(size_t(m_store->objectCount()), Mirror());
    m_roots.clear();
    for (int node = 0; node < m_store->objectCount(); ++node) {
        if (m_store->object(node).isProcess && visible(node)) {
            Mirror &m = m_mirror[size_t(node)];
            m.row = int(m_roots.size());
            m.inModel = true;
            m_roots.push_back(node);
        }
    }
    endResetModel();
}

void ObjectTreeModel::setHideDestroyed(bool hide)
{
    if (hide == m_hideDestroyed)
        return;
    m_hideDestroyed = hide;
    reset();
}

void ObjectTreeModel::unmap(int node)
{
    Mirror &m = mirror(node);
    m.inModel = false;
    m.row = -1;
    if (m.populated) {
        const std::vector<int> rows = std::move(m.rows);
        m.rows.clear();
        m.populated = false;
        for (int child : rows)
            unmap(child);
    }
}

void ObjectTreeModel::committed(const QList<int> &added, const QList<int> &changed)
{
    mirror(m_store->objectCount() - 1);

    // -- new objects: one insertion per parent
    std::vector<int> newRoots;
    std::vector<int> groupOrder;
    std::map<int, std::vector<int>> groups;
    QList<int> touchedParents;
    for (int node : added) {
        if (m_mirror[size_t(node)].inModel)
            continue;
        const ObjectNode &n = m_store->object(node);
        if (n.isProcess) {
            if (visible(node))
                newRoots.push_back(node);
            continue;
        }
        const Mirror &p = m_mirror[size_t(n.parent)];
        if (!p.inModel)
            continue;
        if (!p.populated) {
            touchedParents.append(n.parent); // it may have gained its first child
            continue;
        }
        if (!visible(node))
            continue;
        auto &group = groups[n.parent];
        if (group.empty())
            groupOrder.push_back(n.parent);
        group.push_back(node);
    }
    if (!newRoots.empty()) {
        beginInsertRows({}, int(m_roots.size()), int(m_roots.size() + newRoots.size()) - 1);
        for (int node : newRoots) {
            Mirror &m = m_mirror[size_t(node)];
            m.row = int(m_roots.size());
            m.inModel = true;
            m_roots.push_back(node);
        }
        endInsertRows();
    }
    for (int parent : groupOrder) {
        Mirror &p = m_mirror[size_t(parent)];
        const auto &nodes = groups[parent];
        const QModelIndex parentIndex = createIndex(p.row, 0, quintptr(parent));
        beginInsertRows(parentIndex, int(p.rows.size()), int(p.rows.size() + nodes.size()) - 1);
        for (int node : nodes) {
            Mirror &m = m_mirror[size_t(node)];
            m.row = int(p.rows.size());
            m.inModel = true;
            p.rows.push_back(node);
        }
        endInsertRows();
    }

    // -- changed objects: removals (hidden once destroyed), then one dataChanged per parent
    std::map<int, std::vector<int>> removals;
    if (m_hideDestroyed) {
        for (int node : changed) {
            if (m_mirror[size_t(node)].inModel && !visible(node))
                removals[m_store->object(node).parent].push_back(node);
        }
    }
    for (auto &[parent, nodes] : removals) {
        if (parent >= 0 && !m_mirror[size_t(parent)].inModel)
            continue;
        std::vector<int> &rows = parent >= 0 ? m_mirror[size_t(parent)].rows : m_roots;
        const QModelIndex parentIndex = parent >= 0
            ? createIndex(m_mirror[size_t(parent)].row, 0, quintptr(parent))
            : QModelIndex();
        std::vector<int> doomed;
        for (int node : nodes) {
            if (m_mirror[size_t(node)].inModel)
                doomed.push_back(m_mirror[size_t(node)].row);
        }
        std::sort(doomed.begin(), doomed.end(), std::greater<>());
        size_t i = 0;
        while (i < doomed.size()) {
            // a run of consecutive rows, highest first
            size_t j = i;
            while (j + 1 < doomed.size() && doomed[j + 1] == doomed[j] - 1)
                ++j;
            const int hi = doomed[i], lo = doomed[j];
            beginRemoveRows(parentIndex, lo, hi);
            for (int r = lo; r <= hi; ++r)
                unmap(rows[size_t(r)]);
            rows.erase(rows.begin() + lo, rows.begin() + hi + 1);
            for (size_t r = size_t(lo); r < rows.size(); ++r)
                m_mirror[size_t(rows[r])].row = int(r);
            endRemoveRows();
            i = j + 1;
        }
    }

    std::map<int, std::pair<int, int>> ranges;
    auto note = [&](int node) {
        const Mirror &m = m_mirror[size_t(node)];
        if (!m.inModel)
            return;
        auto [it, fresh] = ranges.try_emplace(m_store->object(node).parent, m.row, m.row);
        if (!fresh) {
            it->second.first = std::min(it->second.first, m.row);
            it->second.second = std::max(it->second.second, m.row);
        }
    };
    for (int node : changed)
        note(node);
    for (int node : touchedParents)
        note(node);
    for (const auto &[parent, range] : ranges) {
        const QModelIndex parentIndex = parent >= 0
            ? createIndex(m_mirror[size_t(parent)].row, 0, quintptr(parent))
            : QModelIndex();
        emit dataChanged(index(range.first, 0, parentIndex),
                         index(range.second, ColumnCount - 1, parentIndex));
    }
}

void ObjectTreeModel::sourcesChanged()
{
    if (!m_roots.empty())
        emit dataChanged(index(0, 0), index(int(m_roots.size()) - 1, ColumnCount - 1));
}

int ObjectTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return -1;
    return int(index.internalId());
}

QModelIndex ObjectTreeModel::indexOfNode(int node, int column)
{
    if (node < 0 || node >= m_store->objectCount())
        return {};
    std::vector<int> path;
    for (int n = node; n >= 0; n = m_store->object(n).parent) {
        if (!visible(n))
            return {};
        path.push_back(n);
    }
    mirror(m_store->objectCount() - 1);
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const Mirror &m = m_mirror[size_t(*it)];
        if (!m.inModel)
            return {};
        if (*it != node && !m.populated)
            fetchMore(createIndex(m.row, 0, quintptr(*it)));
    }
    const Mirror &m = m_mirror[size_t(node)];
    return m.inModel ? createIndex(m.row, column, quintptr(node)) : QModelIndex();
}

int ObjectTreeModel::findNode(const QString &text, int after) const
{
    const int count = m_store->objectCount();
    if (text.isEmpty() || count == 0)
        return -1;
    for (int i = 1; i <= count; ++i) {
        const int node = ((after < 0 ? -1 : after) + i) % count;
        const ObjectNode &n = m_store->object(node);
        if (!visible(node))
            continue;
        if (m_store->string(n.name).contains(text, Qt::CaseInsensitive)
            || m_store->string(n.className).contains(text, Qt::CaseInsensitive)
            || (!n.isProcess && formatId(n.id).contains(text, Qt::CaseInsensitive)))
            return node;
    }
    return -1;
}

QModelIndex ObjectTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (size_t(row) >= m_roots.size())
            return {};
        return createIndex(row, column, quintptr(m_roots[size_t(row)]));
    }
    if (parent.column() != 0)
        return {};
    const Mirror &p = m_mirror[size_t(parent.internalId())];
    if (!p.populated || size_t(row) >= p.rows.size())
        return {};
    return createIndex(row, column, quintptr(p.rows[size_t(row)]));
}

QModelIndex ObjectTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int parent = m_store->object(int(child.internalId())).parent;
    if (parent < 0)
        return {};
    return createIndex(m_mirror[size_t(parent)].row, 0, quintptr(parent));
}

int ObjectTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_roots.size());
    if (parent.column() != 0)
        return 0;
    const Mirror &m = m_mirror[size_t(parent.internalId())];
    return m.populated ? int(m.rows.size()) : 0;
}

int ObjectTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool ObjectTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return !m_roots.empty();
    if (parent.column() != 0)
        return false;
    const Mirror &m = m_mirror[size_t(parent.internalId())];
    if (m.populated)
        return !m.rows.empty();
    return !m_store->object(int(parent.internalId())).children.empty();
}

bool ObjectTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (!parent.isValid() || parent.column() != 0)
        return false;
    const Mirror &m = m_mirror[size_t(parent.internalId())];
    return !m.populated && !m_store->object(int(parent.internalId())).children.empty();
}

void ObjectTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const int node = int(parent.internalId());
    mirror(m_store->objectCount() - 1);
    std::vector<int> rows;
    for (int child : m_store->object(node).children) {
        if (visible(child))
            rows.push_back(child);
    }
    Mirror &m = m_mirror[size_t(node)];
    if (rows.empty()) {
        m.populated = true;
        return;
    }
    beginInsertRows(parent, 0, int(rows.size()) - 1);
    m.populated = true;
    for (size_t i = 0; i < rows.size(); ++i) {
        Mirror &c = m_mirror[size_t(rows[i])];
        c.row = int(i);
        c.inModel = true;
    }
    m.rows = std::move(rows);
    endInsertRows();
}

QVariant ObjectTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const int node = int(index.internalId());
    const ObjectNode &n = m_store->object(node);
    const Source &source = m_store->source(n.source);
    const bool gone
        = n.isProcess ? (source.kind == SourceKind::Live && !source.connected) : !n.alive;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            if (n.isProcess)
                return source.label();
            return n.name ? m_store->string(n.name) : QStringLiteral("(unnamed)");
        case ClassColumn:
            return n.isProcess ? source.info.host : m_store->string(n.className);
        case IdColumn:
            return n.isProcess ? QString::number(source.info.runtimeId, 16).right(8)
                               : formatId(n.id);
        case StateColumn:
            if (n.isProcess) {
                if (source.kind == SourceKind::File)
                    return QStringLiteral("recording");
                return source.connected ? QStringLiteral("connected") : QStringLiteral("gone");
            }
            return m_store->string(n.state);
        case DepthColumn:
            return n.depth >= 0 && !n.isProcess ? QVariant(n.depth) : QVariant();
        case InColumn:
            return n.isProcess ? QVariant() : QVariant::fromValue(n.in);
        case OutColumn:
            return n.isProcess ? QVariant() : QVariant::fromValue(n.out);
        case CreatedColumn:
            return n.created ? RecordFormatter::time(n.created) : QString();
        case EndedColumn:
            return n.destroyed ? RecordFormatter::time(n.destroyed) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (n.isProcess)
            return QStringLiteral("%1 on %2\nruntime %3\n%4")
                .arg(source.label(), source.info.host, QString::number(source.info.runtimeId, 16),
                     source.location);
        return QStringLiteral("%1 %2 (%3)%4")
            .arg(formatId(n.id), m_store->string(n.name), m_store->string(n.className),
                 n.alive
                     ? QString()
                     : QStringLiteral("\ndestroyed at %1").arg(RecordFormatter::time(n.destroyed)));
    case Qt::ForegroundRole:
        if (gone)
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        if (index.column() == StateColumn && !n.isProcess)
            return QBrush(QColor(0x6a, 0x1b, 0x9a));
        return {};
    case Qt::FontRole:
        if (n.isProcess) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (!n.alive) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == DepthColumn || index.column() == InColumn
            || index.column() == OutColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case NodeRole:
        return node;
    case SourceRole:
        return n.source;
    case ObjectIdRole:
        return QVariant::fromValue(n.id);
    default:
        return {};
    }
}

QVariant ObjectTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[]
        = {"Name", "Class", "Id", "State", "Depth", "In", "Out", "Created", "Ended"};
    if (section < 0 || section >= ColumnCount)
        return {};
    return QString::fromLatin1(names[section]);
}

} // namespace Parley::Monitor
