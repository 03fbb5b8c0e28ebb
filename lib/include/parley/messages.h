// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CODEC
#error "<parley/messages.h> is in the codec layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/address.h>
#include <parley/message.h>

/// \file
/// The standard messages every object understands or produces.

namespace Parley {

// -- lifecycle ----------------------------------------------------------------------------------

/// Delivered first to every new object, from its parent.
struct Start
{
};
/// Asks an object to finish; every handler set in the examples handles it (control-C sends it).
struct Stop
{
};
/// Tells a parent that a child has completed; comes from the child's address.
struct Completed
{
    Value value; ///< the child's completion value
};

// -- generic replies ----------------------------------------------------------------------------

/// Acknowledges a request positively.
struct Ack
{
};
/// Acknowledges a request negatively.
struct Nak
{
};

// -- faults -------------------------------------------------------------------------------------

/// Reports that something failed: what, why, and the exit status a program should end with.
struct Faulted
{
    QString condition;   ///< what failed, e.g. "cannot connect"
    QString explanation; ///< why, e.g. "connection refused"
    int exitStatus = 0;  ///< exit status for the program; 0 means the documented default (71)
};
/// Reports that an object gave up because it was asked to stop (user or software interrupt).
struct Aborted
{
    QString explanation;
};
/// Reports that an operation did not finish in time.
struct TimedOut
{
    QString explanation;
};

// -- delivery -----------------------------------------------------------------------------------

/// Says why a message was not delivered (also used by the event schema, parley/events.h).
enum class DropReason : quint8 {
    Unknown = 0,       ///< a reason this reader does not know
    NoSuchObject,      ///< no object has the address (it ended, or never existed)
    NullAddress,       ///< sent to the null address
    NoHandler,         ///< the object has no handler for the type in its current state
    ObjectCompleted,   ///< the object completed with the message still in its mailbox
    QueueFull,         ///< a connection's send queue was full
    ConnectionClosing, ///< the connection was closing or closed
    TooLarge,          ///< the encoded message exceeds the connection's frame limit
    NotEncodable,      ///< the message (or a field) has no wire codec
    UnknownType,       ///< the receiving process does not know the message's type
};

/// Tells a sender that a message it sent could not be delivered: the address names no object
/// (any more), here or in the process the address leads to, or that process does not know the
/// type. Comes back from the address the message was sent to. A notice and a fault: an ask()
/// or a GetResponse to a dead address ends with it at once.
struct Undeliverable
{
    Address to;   ///< where the message was sent
    QString type; ///< the message's wire name
    DropReason reason = DropReason::NoSuchObject;
    QString note; ///< details, e.g. "no such object"
};

// -- timers -------------------------------------------------------------------------------------

/// Timer messages for use with Object::start(); any message type can serve as a timer.
struct T1
{
};
struct T2
{
};
struct T3
{
};
struct T4
{
};
/// Returned by Routine::select() when its timeout expires first.
struct SelectTimer
{
};

/// The exit status used for faults that don't carry their own.
inline constexpr int DefaultFaultExitStatus = 71;

template <>
struct FaultTraits<Faulted>
{
    static constexpr bool isFault = true;
    static FaultView view(const Faulted &f) { return {f.condition, f.explanation, f.exitStatus}; }
};
template <>
struct FaultTraits<Aborted>
{
    static constexpr bool isFault = true;
    static FaultView view(const Aborted &f)
    {
        return {QStringLiteral("aborted"),
                f.explanation.isEmpty() ? QStringLiteral("user or software interrupt")
                                        : f.explanation,
                0};
    }
};
template <>
struct FaultTraits<TimedOut>
{
    static constexpr bool isFault = true;
    static FaultView view(const TimedOut &f)
    {
        return {QStringLiteral("timed out"), f.explanation, 0};
    }
};

template <>
struct FaultTraits<Undeliverable>
{
    static constexpr bool isFault = true;
    static FaultView view(const Undeliverable &f)
    {
        return {QStringLiteral("cannot deliver %1 to %2").arg(f.type, f.to.toString()), f.note, 0};
    }
};
template <>
struct NoticeTraits<Undeliverable>
{
    static constexpr bool isNotice = true;
};
template <>
struct NoticeTraits<Completed>
{
    static constexpr bool isNotice = true;
};
template <>
struct NoticeTraits<Stop>
{
    static constexpr bool isNotice = true;
};

PARLEY_ENUM(DropReason, Unknown, NoSuchObject, NullAddress, NoHandler, ObjectCompleted, QueueFull,
            ConnectionClosing, TooLarge, NotEncodable, UnknownType)

PARLEY_DECLARE_MESSAGE_AS(Start, "parley.Start")
PARLEY_DECLARE_MESSAGE_AS(Stop, "parley.Stop")
PARLEY_DECLARE_MESSAGE_AS(Completed, "parley.Completed", value)
PARLEY_DECLARE_MESSAGE_AS(Ack, "parley.Ack")
PARLEY_DECLARE_MESSAGE_AS(Nak, "parley.Nak")
PARLEY_DECLARE_MESSAGE_AS(Faulted, "parley.Faulted", condition, explanation, exitStatus)
PARLEY_DECLARE_MESSAGE_AS(Aborted, "parley.Aborted", explanation)
PARLEY_DECLARE_MESSAGE_AS(TimedOut, "parley.TimedOut", explanation)
PARLEY_DECLARE_MESSAGE_AS(Undeliverable, "parley.Undeliverable", to, type, reason, note)
PARLEY_DECLARE_MESSAGE_AS(T1, "parley.T1")
PARLEY_DECLARE_MESSAGE_AS(T2, "parley.T2")
PARLEY_DECLARE_MESSAGE_AS(T3, "parley.T3")
PARLEY_DECLARE_MESSAGE_AS(T4, "parley.T4")
PARLEY_DECLARE_MESSAGE_AS(SelectTimer, "parley.SelectTimer")

} // namespace Parley
