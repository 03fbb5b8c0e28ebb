// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/routine.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/object.h>

#include <array>
#include <chrono>
#include <optional>

namespace Parley {

/// A function with its own thread that receives messages with a blocking select().
///
/// A routine is any callable `R f(Routine &self, Args...)`; create it with
/// `create<&f>(args...)` (named after the function) or `create(callable, args...)`. Its return
/// value is its completion value (a message, or a Value; `void` completes with Ack). An
/// exception escaping it completes it with Faulted.
///
/// select() returns the first queued message of one of the listed types, in arrival order.
/// Messages of other types stay queued for a later select() (a `?` warning is logged each time
/// the backlog of such messages doubles past 1000), so nothing is lost while a routine waits
/// for a particular reply. Notices (Undeliverable, ConnectionLost, a Completed with no
/// callback ...) are kept too, but only the latest 64 that no select() took: a routine that
/// never selects them does not grow.
class PARLEY_EXPORT Routine : public Object
{
    Q_OBJECT
public:
    ~Routine() override;

    /// Waits for the first message of one of \a Ts and returns it.
    template <Message... Ts>
    Value select()
    {
        const std::array<const TypeInfo *, sizeof...(Ts)> types{typeOf<Ts>()...};
        return selectTypes(types.data(), int(types.size()), std::nullopt);
    }
    /// Waits at most \a timeout for a message of one of \a Ts; returns SelectTimer on timeout.
    template <Message... Ts>
    Value select(Duration timeout)
    {
        const std::array<const TypeInfo *, sizeof...(Ts)> types{typeOf<Ts>()...};
        return selectTypes(types.data(), int(types.size()), timeout);
    }
    /// Waits for the next message of any type.
    Value receive();
    /// Sends \a request to \a to and waits for one of \a Responses, Stop, or TimedOut after
    /// \a timeout (the seeds' `ask`). A fault notice about the request ends the wait at once
    /// and is returned: Undeliverable when \a to names no object, or the connection's fault
    /// (ConnectionLost, SendFailed) when the request went through a connection that broke or
    /// refused it.
    template <Message... Responses, Message Request>
    Value ask(Request &&request, const Address &to, Duration timeout)
    {
        send(std::forward<Request>(request), to);
        const std::array<const TypeInfo *, sizeof...(Responses) + 1> types{typeOf<Responses>()...,
                                                                           typeOf<Stop>()};
        Value v = selectTypes(types.data(), int(types.size()), timeout, &to);
        if (v.is<SelectTimer>())
            return Value(TimedOut{
                QStringLiteral("no response to %1 within %2 ms")
                    .arg(QString::fromUtf8(typeOf<std::remove_cvref_t<Request>>()->displayName))
                    .arg(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count())});
        return v;
    }

    /// Drops messages of \a Ts as they arrive from now on, instead of keeping them for a select()
    /// that never comes: `self.ignore<Parley::Closed, Parley::Abandoned>()` in a routine that
    /// learns about its connections another way (a group, an ask() that fails). Each drop is a
    /// DEBUG line; nobody is told. A select() for an ignored type waits in vain, and an ask()
    /// does not end early on an ignored fault notice (ConnectionLost): it times out instead.
    template <Message... Ts>
    void ignore()
    {
        (ignoreType(typeOf<Ts>()), ...);
    }

    /// Returns the number of messages waiting (selected or not).
    [[nodiscard]] int pendingCount() const;

private:
    void ignoreType(const TypeInfo *type);
    friend class RoutineRunner;
    Routine();
    void parleyReceive(detail::Envelope &envelope) override;
    /// Returns the first saved message of one of \a types (any type when \a count is -1); with
    /// \a askedTo, also a fault notice about a message sent there (see ask()).
    Value selectTypes(const TypeInfo *const *types, int count, std::optional<Duration> timeout,
                      const Address *askedTo = nullptr);

    struct Private;
    std::unique_ptr<Private> m_r;
};

} // namespace Parley
