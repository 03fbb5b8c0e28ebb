// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/helpers.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/machine.h>

#include <QtCore/QList>

#include <vector>

/// \file
/// Request helpers: machines that run a request, or many, and complete with the outcome.

namespace Parley {

/// Pairs a request message with the address it goes to and how long to wait for its reply.
struct Request
{
    Value message;
    Address to;
    /// How long to wait for this request's reply; zero means only the helper's own timeout
    /// applies. With both, the shorter one counts.
    Duration timeout = Duration::zero();
};

/// Carries the results of Concurrently or Sequentially, one per request, in request order.
///
/// Each slot holds the reply to its request, whatever its type (a fault included), or, when no
/// reply came in time, a TimedOut saying so ("no response to Lookup within 200 ms"). `missing`
/// counts those slots: a result with missing replies is *partial*.
struct Results
{
    QList<Value> values;
    qint32 missing = 0; ///< slots holding TimedOut because their reply did not come in time

    /// Returns true when some replies did not come in time (their slots hold TimedOut).
    [[nodiscard]] bool isPartial() const noexcept { return missing > 0; }
};
PARLEY_DECLARE_MESSAGE_AS(Results, "parley.Results", values, missing)

/// Sends one request and completes with the first message that comes back.
///
/// Completes with TimedOut when \a timeout (if non-zero) passes first, with Aborted on Stop.
/// Create it and hand its completion to a callback: the seeds' `GetResponse` + `then`.
///
/// \code
/// auto g = create<Parley::GetResponse>(Lookup{url}, worker, 5s);
/// then(g, [this](Parley::Value &v) { if (auto *c = v.getIf<Companies>()) use(*c); });
/// \endcode
class PARLEY_EXPORT GetResponse : public Machine
{
    Q_OBJECT
public:
    GetResponse(Value request, Address to, Duration timeout = Duration::zero());
};

/// Runs N requests at once and completes with Results holding their replies in request order.
///
/// Each reply, whatever its type (a fault included), fills its request's slot. A request whose
/// reply has not come when its time is up (its own Request::timeout, or \a timeout for all of
/// them, whichever is shorter; none when both are zero) gets a TimedOut in its slot and is
/// counted in Results::missing. When every slot is filled, Concurrently completes with
/// Results, partial or not: what arrived is never thrown away. On Stop, it completes with
/// Aborted.
///
/// \code
/// std::vector<Parley::Request> requests{{Lookup{a}, service}, {Lookup{b}, service, 50ms}};
/// create<Parley::Concurrently>(std::move(requests), 2s); // b waits 50 ms at most, a 2 s
/// \endcode
class PARLEY_EXPORT Concurrently : public Machine
{
    Q_OBJECT
public:
    explicit Concurrently(std::vector<Request> requests, Duration timeout = Duration::zero());

private:
    struct Slot
    {
        Address child;
        Duration deadline; ///< since Start; zero: none
        QString type;      ///< the request's type, for the TimedOut text
        bool filled = false;
    };
    void fill(size_t i, Value value, bool timedOut);
    [[nodiscard]] Duration elapsed() const;
    void startNextDeadline();
    void expire();

    std::vector<Request> m_requests;
    std::vector<Slot> m_slots;
    QList<Value> m_results;
    int m_pending = 0;
    int m_missing = 0;
    Duration m_timeout;
    std::chrono::steady_clock::time_point m_started; ///< on the runtime's timer clock
};

/// Runs N requests one after another; completes with Results, or with the first fault.
///
/// Each request waits at most its own Request::timeout or \a timeout, whichever is shorter
/// (none when both are zero); a reply that doesn't come in time is a TimedOut, a fault, which
/// ends it.
class PARLEY_EXPORT Sequentially : public Machine
{
    Q_OBJECT
public:
    explicit Sequentially(std::vector<Request> requests, Duration timeout = Duration::zero());

private:
    void next();
    std::vector<Request> m_requests;
    QList<Value> m_results;
    Duration m_timeout;
};

} // namespace Parley
