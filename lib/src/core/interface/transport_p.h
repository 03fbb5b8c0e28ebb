// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/events.h>
#include <parley/log.h>
#include <parley/object.h>

#include <QtCore/QString>

/// \file
/// What a transport (the net layer: connections, listeners) may ask of the runtime that runs its
/// objects. This is the whole interface between lib/src/net and the core's internals; the net
/// layer's include path holds this directory and no other of the core's.
/// \internal

namespace Parley::Internal {

/// The runtime as one transport object sees it. Cheap to make: a view of the object's private
/// part, made where needed (not stored across the object's end).
class TransportHost
{
public:
    explicit TransportHost(Object *transport);

    /// A quiet object ends without a Completed to its parent (a proxy's controller hears
    /// Closed or Abandoned instead).
    void setQuiet(bool quiet) const;
    /// Asks for parleyBatchDone() after each batch of the transport's mail.
    void wantBatchDone() const;
    /// Marks a transport that passes most of its mail on to another process: the runtime
    /// records no Received for it; the transport records its own controls with received().
    void setPassesOn() const;
    /// Records that the transport took \a envelope for itself (a control, not mail to pass on).
    void received(const detail::Envelope &envelope) const;
    /// Records that the transport passed \a envelope, from another process, on (Relayed).
    void passedOn(const detail::Envelope &envelope) const;
    /// Whether the transport is inside one of its handlers right now.
    [[nodiscard]] bool dispatching() const;

    /// Delivers \a message from \a from to \a to, sent by the transport (logged as such); drops
    /// it with a warning when there is no such object.
    bool deliver(const Address &to, const Address &from, Value &&message,
                 const detail::Stamp &stamp = {}) const;
    /// Delivers \a message when \a to still exists; otherwise drops it with a DEBUG line only
    /// (for notices whose addressee may end at any moment without that being a mistake).
    bool deliverIfThere(const Address &to, const Address &from, Value &message,
                        const detail::Stamp &stamp = {}) const;
    /// Logs that \a envelope, sent to the transport, was dropped, and why.
    void logDropped(const detail::Envelope &envelope, const char *why) const;

    /// A warning through the runtime's throttle: the first of a burst with \a key at once, the
    /// rest as one summary line with a count.
    void warnThrottled(quint64 key, const QString &text) const;
    [[nodiscard]] bool wants(LogLevel level) const;
    /// A line of text of the transport's at \a level.
    void text(LogLevel level, const QString &text) const;
    /// A connection or listener event (Listening, Accepted, Connected, Closed, Abandoned, ...).
    void connectionEvent(EventKind kind, LogLevel level, const QString &endpoint,
                         const QString &text = {}, bool encrypted = false,
                         const QString &peerKey = {}) const;
    /// Records \a message forwarded by the transport to \a to as if from \a from; returns the
    /// stamp it travels with.
    detail::Stamp forwarded(const Value &message, const Address &to, const Address &from) const;
    /// Records a frame of \a type passed on to a further hop; returns the stamp it goes on with.
    detail::Stamp relayed(const QString &type, const Address &to, const Address &from,
                          quint64 messageId, quint64 origin) const;
    /// Returns the stamp of a message that arrived with \a messageId from runtime \a origin.
    [[nodiscard]] detail::Stamp arrived(quint64 messageId, quint64 origin) const;
    /// Returns this runtime's id (RuntimeInfo::runtimeId).
    [[nodiscard]] quint64 runtimeId() const;

    /// Whether the object with \a id is still in the table; \a host is a TransportHost.
    static bool isAlive(void *host, quint64 id);

    /// Holds the wake-ups of the transport's executor while a burst of input is parsed, so
    /// that what it brings is handled in one pass; returns false (and holds nothing) when the
    /// executor has no event loop or a hold is already in place.
    [[nodiscard]] bool holdWakes() const;
    /// Ends a hold taken by holdWakes() and handles the mail that arrived during it.
    void releaseWakes() const;

private:
    Object *m_transport;
};

} // namespace Parley::Internal
