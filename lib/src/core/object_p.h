// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "executor_p.h"

#include <parley/object.h>

#include <QtCore/QHash>
#include <QtCore/QSet>

#include <functional>
#include <memory>
#include <vector>

namespace Parley {

class RuntimePrivate;

namespace detail {
/// The birth steps every object shares: checks the runtime takes new objects, allocates the id,
/// names the parent. The caller chooses the executor (prepareBirth() for machines, the routine
/// runner its own thread). Returns a Birth with id 0 when no object may be created.
Birth beginBirth(Runtime *runtime, const Object *creator, const QString &className);
} // namespace detail

/// \internal
/// The framework's half of an Object: identity, mailbox and bookkeeping. The mailbox
/// (`incoming`, `scheduled`, `dead`, `startPending`) belongs to the executor's thread on a loop
/// executor (mail from other threads reaches it through the executor's inbox) and is guarded
/// by the executor's lock on the others; everything else belongs to the object's own thread.
class ObjectPrivate
{
public:
    struct Timer
    {
        quint64 generation;
        bool repeating;
    };
    /// Rarely used parts, allocated on first use to keep a plain machine small.
    struct Extra
    {
        QHash<const TypeInfo *, Timer> timers;
        QHash<quint64, std::function<void(Value &)>> callbacks;
        QHash<quint64, std::function<void(Value &)>> nextFrom; ///< see Object::nextFrom
        std::vector<quint64> children; ///< created here; compacted as it doubles
        size_t compactAt = 64;
    };

    // Laid out to fit 88 bytes: a million machines each carry one (a static_assert in object.cpp).
    Object *q = nullptr;
    Internal::Executor *executor = nullptr; ///< null for an object made outside create()
    quint64 id = 0;
    quint64 parentId = 0;
    const QString *className = nullptr;
    const detail::Envelope *current = nullptr; ///< the envelope being handled
    std::unique_ptr<Extra> extra;

    // -- the executor's thread (loop executors), or guarded by executor->tableLock()
    std::vector<detail::Envelope> incoming;
    bool scheduled = false;    ///< queued on the executor's ready list
    bool dead = false;         ///< completed and out of the table; delete when next seen
    bool startPending = false; ///< Start is due first (made when drained: no allocation)

    // -- the object's own thread
    bool dispatching = false;
    bool completed = false;
    // Set once while the object is set up, then only read: packed in one byte (the three flags
    // above under the lock, and the two written while it runs, keep bytes of their own, so that
    // no two threads ever write one byte). With them ObjectPrivate is 88 bytes, not 96: a 96-byte
    // block in glibc's malloc instead of a 112-byte one, per machine (issue 17).
    bool ownThread : 1 = false;  ///< a routine: complete() records, the runner retires
    bool quiet : 1 = false;      ///< completes without a Completed to its parent (network proxies)
    bool batchHook : 1 = false;  ///< wants parleyBatchDone() after each batch of its mail
    bool unrecorded : 1 = false; ///< the event stream's own link: no events (they would feed back)
    bool passesOn : 1 = false;   ///< a proxy: records the receipt of its own controls only

    /// Returns the runtime, or null for an object made outside create().
    [[nodiscard]] RuntimePrivate *runtime() const
    {
        return executor ? executor->runtime() : nullptr;
    }

    Extra &ensureExtra()
    {
        if (!extra)
            extra = std::make_unique<Extra>();
        return *extra;
    }
    static ObjectPrivate *get(Object *o) { return o->m_d.get(); }
    /// Tells the object a batch of its mail has been handled (when it asked, batchHook).
    void batchDone() { q->parleyBatchDone(); }
    /// Records \a child, so that completing stops it if it is still running.
    void adoptChild(quint64 child);
    /// Enters a newly constructed object in the table and sends it Start (unless a routine).
    static Address registerBorn(const detail::Birth &birth, Object *object, bool sendStart);

    /// Handles one envelope: timer staleness, completion callbacks, then the style's dispatch.
    /// Returns false once the object has completed (the rest of its batch is dropped).
    bool deliver(detail::Envelope &envelope, qint32 depth = -1);
    /// Checks a timer envelope; returns false when it is stale (cancelled or restarted).
    bool acceptTimer(const detail::Envelope &envelope);
    /// Runs a registered completion callback for a Completed envelope; true when one ran.
    bool runCallback(detail::Envelope &envelope);
    /// Runs a registered nextFrom() callback for the sender of \a envelope; true when one ran.
    bool runNextFrom(detail::Envelope &envelope);
    /// Returns true when a then() callback waits for this Completed envelope.
    [[nodiscard]] bool hasCallback(const detail::Envelope &envelope) const
    {
        return extra && extra->callbacks.contains(envelope.from.last());
    }
    /// Does what completing means: leave the table, stop children, tell the parent.
    void finish(Value value);
    /// Logs and drops envelopes that can no longer be delivered to this object.
    void dropUndelivered(std::vector<detail::Envelope> &envelopes,
                         const char *why = "object completed");
    /// Wraps an escaping exception into Faulted and completes.
    void faultFromException(const QString &what);
};

} // namespace Parley
