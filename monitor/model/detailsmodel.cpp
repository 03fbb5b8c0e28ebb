// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "detailsmodel.h"

#include "logmodel.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtGui/QBrush>
#include <QtGui/QColor>
#include <QtGui/QFont>

namespace Parley::Monitor {

namespace {

QString nanoseconds(qint64 ns)
{
    if (ns < 0)
        return {};
    if (ns < 1'000'000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 3);
}

QString fullTime(qint64 wall)
{
    return QDateTime::fromMSecsSinceEpoch(wall / 1'000'000)
               .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
        + QStringLiteral("%1").arg(wall % 1'000'000 / 1000, 3, 10, QLatin1Char('0'));
}

} // namespace

DetailsModel::DetailsModel(EventStore *store, QObject *parent)
    : QAbstractItemModel(parent), m_store(store)
{
    connect(store, &EventStore::recordsEvicted, this, &DetailsModel::evicted);
}

void DetailsModel::evicted()
{
    if (m_record != NoSerial && m_record < m_store->firstSerial())
        clear();
}

void DetailsModel::clear()
{
    beginResetModel();
    m_items.clear();
    m_top.clear();
    m_record = NoSerial;
    endResetModel();
}

int DetailsModel::add(const QString &field, const QString &value, int parent, Serial link)
{
    Item item;
    item.field = field;
    item.value = value;
    item.parent = parent;
    item.link = link;
    std::vector<int> &siblings = parent < 0 ? m_top : m_items[size_t(parent)].children;
    item.row = int(siblings.size());
    m_items.push_back(std::move(item));
    const int index = int(m_items.size()) - 1;
    (parent < 0 ? m_top : m_items[size_t(parent)].children).push_back(index);
    return index;
}

void DetailsModel::addJson(const QString &field, const QJsonValue &value, int parent)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        const int item = add(field, QStringLiteral("{%1 fields}").arg(o.size()), parent);
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(it.key(), it.value(), item);
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        const int item = add(field, QStringLiteral("[%1 items]").arg(a.size()), parent);
        for (qsizetype i = 0; i < a.size(); ++i)
            addJson(QStringLiteral("[%1]").arg(i), a.at(i), item);
    } else if (value.isString()) {
        add(field, QStringLiteral("\"%1\"").arg(value.toString()), parent);
    } else if (value.isBool()) {
        add(field, value.toBool() ? QStringLiteral("true") : QStringLiteral("false"), parent);
    } else if (value.isDouble()) {
        add(field, QString::number(value.toDouble(), 'g', 17), parent);
    } else {
        add(field, QStringLiteral("null"), parent);
    }
}

void DetailsModel::showRecord(Serial serial)
{
    beginResetModel();
    m_items.clear();
    m_top.clear();
    m_record = NoSerial;
    if (serial != NoSerial && m_store->contains(serial) && serial < m_store->endSerial()) {
        m_record = serial;
        const Record &r = m_store->record(serial);
        const RecordExtra *x = m_store->extra(serial);
        const Source &s = m_store->source(r.source);
        const RecordFormatter format(*m_store);
        add(QStringLiteral("event"),
            QStringLiteral("%1 %2").arg(markerOf(r.kind, r.level)).arg(kindName(r.kind)));
        add(QStringLiteral("summary"), format.summary(serial));
        add(QStringLiteral("level"), levelName(r.level));
        add(QStringLiteral("time"), fullTime(r.wall));
        add(QStringLiteral("process"), s.label());
        add(QStringLiteral("sequence"), QString::number(r.seq));
        add(QStringLiteral("runtime time"),
            QStringLiteral("%1 s").arg(double(r.time) / 1e9, 0, 'f', 6));
        if (r.object)
            add(QStringLiteral("object"), format.object(r));
        if (r.className)
            add(QStringLiteral("class"), m_store->string(r.className));
        if (r.state)
            add(QStringLiteral("state"), m_store->string(r.state));
        if (x && x->previousState)
            add(QStringLiteral("previous state"), m_store->string(x->previousState));
        if (r.thread)
            add(QStringLiteral("thread"), m_store->string(r.thread));
        if (r.kind == EventKind::Created || r.kind == EventKind::Snapshot)
            add(QStringLiteral("parent"), format.objectName(r.source, r.peer));
        if (isMessageKind(r.kind)) {
            add(QStringLiteral("from"), m_store->fromAddress(serial).toString());
            add(QStringLiteral("to"), m_store->toAddress(serial).toString());
        }
        if (r.type)
            add(QStringLiteral("type"), m_store->string(r.type));
        if (r.messageId) {
            add(QStringLiteral("message id"),
                QStringLiteral("%1 (runtime %2)")
                    .arg(r.messageId)
                    .arg(QString::number(r.origin, 16)));
            const Serial other = m_store->otherEnd(serial);
            if (other != NoSerial) {
                const Record &o = m_store->record(other);
                add(o.kind == EventKind::Received ? QStringLiteral("received by")
                                                  : QStringLiteral("sent by"),
                    QStringLiteral("%1 in %2 — double-click to go there")
                        .arg(format.object(o), m_store->source(o.source).label()),
                    -1, other);
            }
        }
        if (r.cause) {
            const Serial cause = m_store->causeOf(serial);
            const QString id = QStringLiteral("%1 (runtime %2)")
                                   .arg(r.cause)
                                   .arg(QString::number(r.causeOrigin, 16));
            if (cause != NoSerial) {
                const Record &c = m_store->record(cause);
                add(QStringLiteral("caused by"),
                    QStringLiteral("%1 received by %2 — double-click to go there")
                        .arg(m_store->string(c.type), format.object(c)),
                    -1, cause);
            } else {
                add(QStringLiteral("caused by"), QStringLiteral("message ") + id);
            }
        }
        if (r.depth >= 0)
            add(QStringLiteral("mailbox depth"), QString::number(r.depth));
        if (r.queuedNs >= 0)
            add(QStringLiteral("time in mailbox"), nanoseconds(r.queuedNs));
        if (r.handledNs >= 0)
            add(QStringLiteral("time in handler"), nanoseconds(r.handledNs));
        if (x) {
            if (r.kind == EventKind::Dropped)
                add(QStringLiteral("drop reason"), dropReasonName(x->dropReason));
            if (x->duration)
                add(QStringLiteral("duration"), nanoseconds(x->duration));
            if (r.kind == EventKind::TimerStarted)
                add(QStringLiteral("repeating"),
                    x->repeating ? QStringLiteral("yes") : QStringLiteral("no"));
            if (!x->endpoint.isEmpty())
                add(QStringLiteral("endpoint"), x->endpoint);
            if (r.kind == EventKind::Accepted || r.kind == EventKind::Connected)
                add(QStringLiteral("encrypted"),
                    x->encrypted ? QStringLiteral("yes") : QStringLiteral("no"));
            if (!x->peerKey.isEmpty())
                add(QStringLiteral("peer key"), x->peerKey);
            if (x->count)
                add(QStringLiteral("count"), QString::number(x->count));
            if (!x->text.isEmpty())
                add(QStringLiteral("text"), x->text);
            if (!x->body.isEmpty()) {
                QJsonParseError error;
                const QJsonDocument doc = QJsonDocument::fromJson(x->body.toUtf8(), &error);
                const QString label = x->bodyTruncated ? QStringLiteral("body (truncated)")
                                                       : QStringLiteral("body");
                if (error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray()))
                    addJson(label,
                            doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()),
                            -1);
                else
                    add(label, x->body);
            }
        }
    }
    endResetModel();
}

void DetailsModel::showObject(int node)
{
    beginResetModel();
    m_items.clear();
    m_top.clear();
    m_record = NoSerial;
    if (node >= 0 && node < m_store->objectCount()) {
        const ObjectNode &n = m_store->object(node);
        const Source &s = m_store->source(n.source);
        if (n.isProcess) {
            add(QStringLiteral("process"), s.label());
            add(QStringLiteral("program"), s.info.program);
            add(QStringLiteral("pid"), QString::number(s.info.pid));
            add(QStringLiteral("host"), s.info.host);
            add(QStringLiteral("runtime"), s.info.runtimeName);
            add(QStringLiteral("runtime id"), QString::number(s.info.runtimeId, 16));
            add(QStringLiteral("schema"), QString::number(s.info.schema));
            add(QStringLiteral("Parley"), s.info.parleyVersion);
            if (s.info.startWall)
                add(QStringLiteral("started"), fullTime(s.info.startWall));
            add(QStringLiteral("from"), s.location);
            add(QStringLiteral("events"), QString::number(s.events));
            if (!s.note.isEmpty())
                add(QStringLiteral("note"), s.note);
        } else {
            add(QStringLiteral("object"), formatId(n.id));
            add(QStringLiteral("name"), m_store->string(n.name));
            add(QStringLiteral("class"), m_store->string(n.className));
            if (n.state)
                add(QStringLiteral("state"), m_store->string(n.state));
            add(QStringLiteral("process"), s.label());
            add(QStringLiteral("parent"),
                n.parent >= 0 && !m_store->object(n.parent).isProcess
                    ? QStringLiteral("%1 %2").arg(formatId(m_store->object(n.parent).id),
                                                  m_store->string(m_store->object(n.parent).name))
                    : QStringLiteral("(top level)"));
            add(QStringLiteral("children"), QString::number(n.children.size()));
            if (n.created)
                add(QStringLiteral("created"), fullTime(n.created));
            add(QStringLiteral("destroyed"),
                n.alive ? QStringLiteral("no (alive)") : fullTime(n.destroyed));
            add(QStringLiteral("messages in"), QString::number(n.in));
            add(QStringLiteral("messages out"), QString::number(n.out));
            if (n.depth >= 0)
                add(QStringLiteral("mailbox depth"), QString::number(n.depth));
            const auto records = m_store->objectRecords(node);
            add(QStringLiteral("records held"), QString::number(records.size()));
            if (!records.empty())
                add(QStringLiteral("last record"),
                    RecordFormatter(*m_store).summary(records.back())
                        + QStringLiteral(" — double-click to go there"),
                    -1, records.back());
        }
    }
    endResetModel();
}

Serial DetailsModel::linkOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return NoSerial;
    return m_items[size_t(index.internalId())].link;
}

QModelIndex DetailsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const std::vector<int> &rows
        = parent.isValid() ? m_items[size_t(parent.internalId())].children : m_top;
    if (size_t(row) >= rows.size())
        return {};
    return createIndex(row, column, quintptr(rows[size_t(row)]));
}

QModelIndex DetailsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int parent = m_items[size_t(child.internalId())].parent;
    if (parent < 0)
        return {};
    return createIndex(m_items[size_t(parent)].row, 0, quintptr(parent));
}

int DetailsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_top.size());
    if (parent.column() != 0)
        return 0;
    return int(m_items[size_t(parent.internalId())].children.size());
}

int DetailsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DetailsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Item &item = m_items[size_t(index.internalId())];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return index.column() == FieldColumn ? item.field : item.value;
    case Qt::ForegroundRole:
        if (item.link != NoSerial && index.column() == ValueColumn)
            return QBrush(QColor(0x15, 0x65, 0xc0));
        if (index.column() == FieldColumn)
            return QBrush(QColor(0x55, 0x55, 0x55));
        return {};
    case Qt::FontRole:
        if (item.link != NoSerial && index.column() == ValueColumn) {
            QFont f;
            f.setUnderline(true);
            return f;
        }
        return {};
    case SerialRole:
        return item.link == NoSerial ? QVariant() : QVariant::fromValue<quint64>(item.link);
    default:
        return {};
    }
}

QVariant DetailsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == FieldColumn ? QStringLiteral("Field") : QStringLiteral("Value");
}

} // namespace Parley::Monitor
