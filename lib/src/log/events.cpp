// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The descriptors (and codecs) of the messages declared in events.h, compiled once here; the
// text form of an event; the capture filter.
#include <parley/events.h>

#include <QtCore/QDateTime>

namespace Parley {

PARLEY_DEFINE_MESSAGE(Event)
PARLEY_DEFINE_MESSAGE(RuntimeInfo)
PARLEY_DEFINE_MESSAGE(EventBatch)
PARLEY_DEFINE_MESSAGE(CaptureFilter)

namespace {

QString idText(quint64 id)
{
    return QStringLiteral("<%1>").arg(id, 8, 16, QLatin1Char('0'));
}

char levelMarker(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return '_';
    case LogLevel::Trace:
        return '~';
    case LogLevel::Console:
        return '^';
    case LogLevel::Warning:
        return '?';
    case LogLevel::Fault:
        return '!';
    case LogLevel::Object:
    case LogLevel::None:
        break;
    }
    return '~';
}

QString durationText(qint64 ns)
{
    if (ns >= 10'000'000)
        return QStringLiteral("%1 ms").arg(ns / 1'000'000);
    if (ns >= 10'000)
        return QStringLiteral("%1 us").arg(ns / 1'000);
    return QStringLiteral("%1 ns").arg(ns);
}

/// The message type as the text log has always named it: its display name ("Hello") when this
/// process knows the type, else its wire name ("demo.Hello"), else "message".
QString typeText(const Event &e)
{
    if (e.type.isEmpty())
        return QStringLiteral("message");
    if (const TypeInfo *type = findType(e.type))
        return QString::fromUtf8(type->displayName);
    return e.type;
}

QString withDetails(QString line, const QString &details)
{
    if (!details.isEmpty())
        line += QStringLiteral(" (%1)").arg(details);
    return line;
}

} // namespace

char eventMarker(const Event &e)
{
    switch (e.kind) {
    case EventKind::Created:
    case EventKind::Snapshot:
        return '+';
    case EventKind::Destroyed:
        return 'X';
    case EventKind::Sent:
    case EventKind::Forwarded:
    case EventKind::Relayed:
    case EventKind::Completed:
        return '>';
    case EventKind::Received:
    case EventKind::Replayed:
    case EventKind::Deferred:
    case EventKind::Handled:
        return '<';
    case EventKind::StateChanged:
    case EventKind::TimerStarted:
    case EventKind::TimerFired:
    case EventKind::TimerCancelled:
    case EventKind::Listening:
    case EventKind::Accepted:
    case EventKind::Connected:
    case EventKind::SnapshotEnd:
        return '~';
    case EventKind::Dropped:
    case EventKind::NotListening:
    case EventKind::NotConnected:
    case EventKind::Closed:
    case EventKind::Abandoned:
    case EventKind::Text:
    case EventKind::EventsDropped:
    case EventKind::Unknown:
        break;
    }
    return levelMarker(e.level);
}

QString eventText(const Event &e)
{
    switch (e.kind) {
    case EventKind::Created:
        return QStringLiteral("Created by %1").arg(idText(e.parent));
    case EventKind::Snapshot:
        return QStringLiteral("Alive, created by %1").arg(idText(e.parent));
    case EventKind::Destroyed:
        return QStringLiteral("Destroyed");
    case EventKind::Sent:
        return QStringLiteral("Sent %1 to %2").arg(typeText(e), e.to.toString());
    case EventKind::Forwarded:
        return QStringLiteral("Forward %1 to %2 (from %3)")
            .arg(typeText(e), e.to.toString(), e.from.toString());
    case EventKind::Relayed:
        return QStringLiteral("Relayed %1 to %2 (from %3)")
            .arg(typeText(e), e.to.toString(), e.from.toString());
    case EventKind::Received:
        return QStringLiteral("Received %1 from %2").arg(typeText(e), e.from.toString());
    case EventKind::Replayed:
        return QStringLiteral("Replayed %1 from %2").arg(typeText(e), e.from.toString());
    case EventKind::Deferred:
        return QStringLiteral("Deferred %1 from %2").arg(typeText(e), e.from.toString());
    case EventKind::Handled:
        return QStringLiteral("Handled %1 in %2").arg(typeText(e), durationText(e.handledNs));
    case EventKind::Dropped:
        return withDetails(QStringLiteral("Dropped %1 to %2").arg(typeText(e), e.to.toString()),
                           e.text);
    case EventKind::Completed:
        if (e.to.isNull())
            return QStringLiteral("Completed");
        return QStringLiteral("Completed with %1 to %2").arg(typeText(e), e.to.toString());
    case EventKind::StateChanged:
        return QStringLiteral("State %1 -> %2").arg(e.previousState, e.state);
    case EventKind::TimerStarted:
        return QStringLiteral("Timer %1 in %2%3")
            .arg(typeText(e), durationText(e.duration),
                 e.repeating ? QStringLiteral(", repeating") : QString());
    case EventKind::TimerFired:
        return QStringLiteral("Timer %1 fired").arg(typeText(e));
    case EventKind::TimerCancelled:
        return QStringLiteral("Timer %1 cancelled").arg(typeText(e));
    case EventKind::Listening:
        return QStringLiteral("Listening at %1").arg(e.endpoint);
    case EventKind::NotListening:
        return withDetails(QStringLiteral("Cannot listen at %1").arg(e.endpoint), e.text);
    case EventKind::Accepted:
        return withDetails(
            QStringLiteral("Accepted %1%2")
                .arg(e.endpoint, e.encrypted ? QStringLiteral(", encrypted") : QString()),
            e.peerKey);
    case EventKind::Connected:
        return withDetails(
            QStringLiteral("Connected to %1%2")
                .arg(e.endpoint, e.encrypted ? QStringLiteral(", encrypted") : QString()),
            e.peerKey);
    case EventKind::NotConnected:
        return withDetails(QStringLiteral("Cannot connect to %1").arg(e.endpoint), e.text);
    case EventKind::Closed:
        return withDetails(QStringLiteral("Closed %1").arg(e.endpoint), e.text);
    case EventKind::Abandoned:
        return withDetails(QStringLiteral("Lost %1").arg(e.endpoint), e.text);
    case EventKind::Text:
        return e.text;
    case EventKind::EventsDropped:
        return e.text.isEmpty() ? QStringLiteral("%1 event(s) lost").arg(e.count) : e.text;
    case EventKind::SnapshotEnd:
        return QStringLiteral("Snapshot of %1 object(s)").arg(e.count);
    case EventKind::Unknown:
        break;
    }
    return withDetails(QStringLiteral("(an event of a newer kind)"), e.text);
}

QString formatEvent(const Event &e)
{
    const qint64 ms = e.wall / 1'000'000;
    QString out = QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz"));
    out += QLatin1Char(' ');
    out += QLatin1Char(eventMarker(e));
    out += QLatin1Char(' ');
    out += idText(e.object);
    out += e.name;
    if (!e.state.isEmpty()) {
        out += QLatin1Char('[');
        out += e.state;
        out += QLatin1Char(']');
    }
    out += QLatin1String(" - ");
    out += eventText(e);
    if (!e.body.isEmpty()) {
        out += QLatin1Char(' ');
        out += e.body;
        if (e.bodyTruncated)
            out += QStringLiteral("...");
    }
    return out;
}

// -- CaptureState -------------------------------------------------------------------------------

void CaptureState::setFilter(CaptureFilter filter)
{
    m_filter = std::move(filter);
}

bool CaptureState::admits(const Event &e)
{
    if (e.kind == EventKind::Created || e.kind == EventKind::Snapshot)
        m_parents.insert(e.object, e.parent);
    bool in = true;
    if (m_filter.subtree != 0) {
        in = false;
        quint64 id = e.object;
        for (int hops = 0; id != 0 && hops < 4096; ++hops) {
            if (id == m_filter.subtree) {
                in = true;
                break;
            }
            const auto it = m_parents.constFind(id);
            if (it == m_parents.cend())
                break;
            id = it.value();
        }
    }
    if (e.kind == EventKind::Destroyed)
        m_parents.remove(e.object);
    // What the pipeline says about itself always passes.
    if (e.kind == EventKind::EventsDropped || e.kind == EventKind::SnapshotEnd)
        return true;
    if (quint8(e.level) < quint8(m_filter.level) || !in)
        return false;
    if (!m_filter.types.isEmpty() && !e.type.isEmpty()) {
        switch (e.kind) {
        case EventKind::Sent:
        case EventKind::Forwarded:
        case EventKind::Relayed:
        case EventKind::Received:
        case EventKind::Handled:
        case EventKind::Dropped:
        case EventKind::Deferred:
        case EventKind::Replayed:
            return m_filter.types.contains(e.type);
        default:
            break;
        }
    }
    return true;
}

} // namespace Parley
