// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

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

PARLEY_MESSAGE_AS(Start, "parley.Start")
PARLEY_MESSAGE_AS(Stop, "parley.Stop")
PARLEY_MESSAGE_AS(Completed, "parley.Completed", value)
PARLEY_MESSAGE_AS(Ack, "parley.Ack")
PARLEY_MESSAGE_AS(Nak, "parley.Nak")
PARLEY_MESSAGE_AS(Faulted, "parley.Faulted", condition, explanation, exitStatus)
PARLEY_MESSAGE_AS(Aborted, "parley.Aborted", explanation)
PARLEY_MESSAGE_AS(TimedOut, "parley.TimedOut", explanation)
PARLEY_MESSAGE_AS(T1, "parley.T1")
PARLEY_MESSAGE_AS(T2, "parley.T2")
PARLEY_MESSAGE_AS(T3, "parley.T3")
PARLEY_MESSAGE_AS(T4, "parley.T4")
PARLEY_MESSAGE_AS(SelectTimer, "parley.SelectTimer")

} // namespace Parley
