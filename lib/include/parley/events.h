// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_LOG
#error "<parley/events.h> is in the log layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/address.h>
#include <parley/log.h>
#include <parley/message.h>
#include <parley/messages.h>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

/// \file
/// The event schema (version 1): what a runtime records and streams about itself.
///
/// Everything a runtime does is an Event: objects created and destroyed, messages sent,
/// received, forwarded, relayed and dropped, state changes, timers, connections, and text at a
/// level. Each stream and each recording starts with the runtime's RuntimeInfo. The text log
/// is a rendering of these records; the monitor and parley-trace read them. docs/events.md
/// documents every kind and field exactly.
///
/// Readers must skip what they don't know: unknown fields are ignored by the codec, and an
/// unknown kind or drop reason decodes as `Unknown`, so a newer program can stream to an older
/// monitor.

namespace Parley {

/// The schema version written in RuntimeInfo::schema.
inline constexpr quint32 EventSchemaVersion = 1;

/// Says what an Event records.
enum class EventKind : quint8 {
    Unknown = 0,    ///< a kind this reader does not know (written by a newer runtime)
    Created,        ///< an object was created: object, name, className, parent, state
    Destroyed,      ///< an object was destroyed (it completed, or the runtime ended it)
    Sent,           ///< object sent a message: from, to, type, messageId, cause, body
    Forwarded,      ///< object forwarded a message as if from `from`
    Relayed,        ///< a proxy passed a message from another process on to a further hop
    Received,       ///< object handled a message: from, to, type, messageId, origin, depth,
                    ///< queuedNs, handledNs
    Dropped,        ///< a message could not be delivered: dropReason, text
    Deferred,       ///< a state machine set a message aside in its current state
    Replayed,       ///< a deferred message was handed to the machine again
    Completed,      ///< object completed: type is the completion value's wire name
    StateChanged,   ///< a state machine moved: previousState -> state
    TimerStarted,   ///< type is the timer message; duration, repeating
    TimerFired,     ///< a timer's message was delivered
    TimerCancelled, ///< a timer was cancelled
    Listening,      ///< a listener is accepting at endpoint
    NotListening,   ///< a listen failed: text
    Accepted,       ///< a connection from endpoint was accepted (object: its proxy)
    Connected,      ///< a connection to endpoint is up (object: its proxy)
    NotConnected,   ///< a connect failed: text
    Closed,         ///< this end closed the connection: text says why
    Abandoned,      ///< the peer or the network ended the connection: text says why
    Text,           ///< a line at `level` (console, trace, warning, fault, debug): text
    EventsDropped,  ///< the pipeline lost `count` events (its queue was full)
    Snapshot,       ///< an object alive when a stream subscriber attached (as Created)
    SnapshotEnd,    ///< the end of a snapshot; `count` objects were in it
    Handled,        ///< object's handler for messageId returned after handledNs (machines)
};

/// Records one thing a runtime did. Fields that don't apply to a kind keep their defaults (and
/// are left out of the binary form).
struct Event
{
    EventKind kind = EventKind::Unknown;
    LogLevel level = LogLevel::Object;
    quint64 seq = 0;    ///< per runtime, from 1, in the order events were emitted
    qint64 time = 0;    ///< monotonic nanoseconds since the runtime started
    qint64 wall = 0;    ///< wall-clock nanoseconds since 1970-01-01 UTC
    quint64 object = 0; ///< the object the event is about (1 = the runtime itself)
    QString name;       ///< its name ("worker"; a class or function name unless set)
    QString className;  ///< its class ("GetResponse", "Connection"); routines: "routine"
    QString state;      ///< its state (state machines), after a StateChanged the new one
    QString thread;     ///< the thread it ran on ("parley-worker-0", "gui", a routine's name)

    // -- objects
    quint64 parent = 0;    ///< Created, Snapshot: the creator's id (1 = the runtime)
    QString previousState; ///< StateChanged

    // -- messages
    Address from;               ///< the sender (Forwarded: the original sender it goes out as)
    Address to;                 ///< the receiver, as addressed
    QString type;               ///< the message's wire name ("demo.Hello"); timers, completions too
    quint64 messageId = 0;      ///< identifies the message within its origin runtime
    quint64 origin = 0;         ///< the runtime that assigned messageId; 0 = this runtime
    quint64 cause = 0;          ///< the message being handled when this one was sent; 0 = none
    quint64 causeOrigin = 0;    ///< the runtime that assigned cause; 0 = this runtime
    qint32 depth = -1;          ///< Received: messages still waiting in the mailbox; -1 = unknown
    qint64 queuedNs = -1;       ///< Received: time the message waited in the mailbox
    qint64 handledNs = -1;      ///< Handled: time the handler took
    QString body;               ///< the message as JSON text, when bodies are captured
    bool bodyTruncated = false; ///< body was cut at the capture limit
    DropReason dropReason = DropReason::Unknown; ///< Dropped

    // -- timers
    qint64 duration = 0;    ///< TimerStarted: nanoseconds until it fires
    bool repeating = false; ///< TimerStarted

    // -- connections
    QString endpoint;       ///< the peer's (or the listener's) host:port
    bool encrypted = false; ///< the connection is encrypted
    QString peerKey;        ///< the peer's key fingerprint, when encrypted

    // -- text and counts
    QString text;      ///< Text: the line; Dropped, Closed ...: the details
    quint64 count = 0; ///< EventsDropped, SnapshotEnd
};

/// Identifies the runtime a stream or a recording comes from; sent once, first.
struct RuntimeInfo
{
    quint32 schema = EventSchemaVersion; ///< the event schema version
    quint64 runtimeId = 0; ///< random, 64 bits: names this runtime in Event::origin elsewhere
    qint64 pid = 0;
    QString host;          ///< the host name
    QString program;       ///< the program's name (argv[0] without the directory)
    QString runtimeName;   ///< Runtime::Options::name
    qint64 startWall = 0;  ///< wall-clock ns since the epoch when the runtime started
    QString parleyVersion; ///< the library's version, "0.1.0"
};

/// Carries a batch of events on a live stream (one message for many events).
struct EventBatch
{
    QList<Event> events;
};

/// Asks a runtime to capture only some events: sent by a monitor to a streaming runtime, or
/// set on the command line. It filters what is recorded and streamed, not what a viewer shows.
struct CaptureFilter
{
    LogLevel level = LogLevel::Object; ///< the lowest level captured
    quint64 subtree = 0; ///< only events about this object and its descendants; 0 = all
    QStringList types;   ///< only message events of these wire names; empty = all
    bool bodies = false; ///< capture message bodies (as capped JSON)
};

/// Returns the marker character of \a event's text form: `+` created, `X` destroyed, `>` sent,
/// forwarded or completed, `<` received or replayed, `~` trace, `^` console, `?` warning,
/// `!` fault, `_` debug.
PARLEY_EXPORT char eventMarker(const Event &event);
/// Returns what the text form says after the object: "Sent demo.Hello to <0000001f>".
PARLEY_EXPORT QString eventText(const Event &event);
/// Returns the text form of \a event, the line the stderr sink writes:
/// `HH:MM:SS.mmm + <0000001a>worker - Created by <00000016>`.
PARLEY_EXPORT QString formatEvent(const Event &event);

/// Applies a CaptureFilter to a stream of events in emission order, following Created and
/// Destroyed events to know which objects are in the chosen subtree.
class PARLEY_EXPORT CaptureState
{
public:
    CaptureState() = default;
    explicit CaptureState(CaptureFilter filter) : m_filter(std::move(filter)) {}
    /// Replaces the filter; the subtree is the chosen object and what it creates from now on
    /// (and what this state has seen it create).
    void setFilter(CaptureFilter filter);
    [[nodiscard]] const CaptureFilter &filter() const { return m_filter; }
    /// Returns true when \a event passes the filter (call for every event, in order).
    bool admits(const Event &event);

private:
    CaptureFilter m_filter;
    QHash<quint64, quint64> m_parents; ///< live objects: id -> parent
};

PARLEY_ENUM(LogLevel, Debug, Trace, Object, Console, Warning, Fault, None)
PARLEY_ENUM(EventKind, Unknown, Created, Destroyed, Sent, Forwarded, Relayed, Received, Dropped,
            Deferred, Replayed, Completed, StateChanged, TimerStarted, TimerFired, TimerCancelled,
            Listening, NotListening, Accepted, Connected, NotConnected, Closed, Abandoned, Text,
            EventsDropped, Snapshot, SnapshotEnd, Handled)

PARLEY_DECLARE_MESSAGE_AS(Event, "parley.Event", kind, level, seq, time, wall, object, name,
                          className, state, thread, parent, previousState, from, to, type,
                          messageId, origin, cause, causeOrigin, depth, queuedNs, handledNs, body,
                          bodyTruncated, dropReason, duration, repeating, endpoint, encrypted,
                          peerKey, text, count)
PARLEY_DECLARE_MESSAGE_AS(RuntimeInfo, "parley.RuntimeInfo", schema, runtimeId, pid, host, program,
                          runtimeName, startWall, parleyVersion)
PARLEY_DECLARE_MESSAGE_AS(EventBatch, "parley.EventBatch", events)
PARLEY_DECLARE_MESSAGE_AS(CaptureFilter, "parley.CaptureFilter", level, subtree, types, bodies)

} // namespace Parley
