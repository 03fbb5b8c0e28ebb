// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_NET
#error "<parley/retry.h> is in the net layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/parley_export.h>

#include <QtCore/QString>

#include <chrono>
#include <optional>
#include <random>
#include <vector>

/// \file
/// Delays between connection attempts: RetryPolicy (what the seeds call RetryIntervals) and
/// RetrySchedule, the running state of one entry that follows a policy.

namespace Parley {

struct HostPort;

/// Describes the delays between attempts to connect (or listen) again.
///
/// The nth delay is firstSteps[n] while there are first steps, then regularStep for every
/// attempt after them. Each delay is then randomised *downwards* by up to \a randomisation
/// (a fraction: 0.5 gives a delay in [0.5 d, d]; the defaults use 1.0, "full jitter", a delay
/// in [0, d]), so clients that lost one server at the same moment spread their attempts
/// instead of coming back in waves, and the nominal delay stays an upper bound. Finally it is
/// truncated to \a truncation (the longest delay ever used).
/// With a \a limit, the schedule ends after that many delays and the entry gives up.
///
/// The count of attempts goes back to the start only when a connection has stayed up for
/// \a stableAfter: a link that drops soon after each connect (a flapping link) keeps the long
/// delays instead of looping tightly.
struct RetryPolicy
{
    using Milliseconds = std::chrono::milliseconds;

    std::vector<Milliseconds> firstSteps; ///< the first delays, in order
    Milliseconds regularStep{30000};      ///< every delay after the first steps
    int limit = 0;                        ///< the most delays before giving up; 0: never give up
    double randomisation = 1.0;           ///< fraction in [0, 1] taken off at random
    Milliseconds truncation{300000};      ///< the longest delay, after randomisation
    Milliseconds stableAfter{30000};      ///< uptime after which the count starts again

    /// Returns the default for peers on this host: first steps 0.5, 1 s, then 2 s.
    [[nodiscard]] PARLEY_EXPORT static RetryPolicy loopback();
    /// Returns the default for peers on a private network (RFC 1918, link-local, ULA): first
    /// steps 1, 2, 4 s, then 8 s.
    [[nodiscard]] PARLEY_EXPORT static RetryPolicy privateNetwork();
    /// Returns the default for peers elsewhere: first steps 2, 4, 8, 16 s, then 30 s.
    [[nodiscard]] PARLEY_EXPORT static RetryPolicy publicNetwork();
    /// Returns the default for \a peer, by its scope (see networkScope()).
    [[nodiscard]] PARLEY_EXPORT static RetryPolicy forPeer(const HostPort &peer);
    /// Returns the nominal (not randomised, not truncated) delay before attempt \a step
    /// (counting from 0).
    [[nodiscard]] PARLEY_EXPORT Milliseconds nominal(int step) const;
};

/// Says how far away a peer is; the default retry policy follows it.
enum class NetworkScope {
    Loopback, ///< 127.0.0.0/8, ::1 and "localhost"
    Private,  ///< 10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10
    Public,   ///< any other address, and host names other than "localhost"
};

/// Returns the scope of \a host: an address literal by its range, a host name as Public unless
/// it is "localhost" (names are not resolved here).
[[nodiscard]] PARLEY_EXPORT NetworkScope networkScope(const QString &host);

/// Follows a RetryPolicy for one entry: hands out delays and remembers where it is.
///
/// Deterministic for a given seed (tests pass one; the default seed is random per schedule).
class PARLEY_EXPORT RetrySchedule
{
public:
    using Milliseconds = std::chrono::milliseconds;

    /// Creates a schedule following \a policy, randomised from \a seed.
    explicit RetrySchedule(RetryPolicy policy, quint64 seed = randomSeed());

    /// Returns the delay before the next attempt and counts it; std::nullopt once the policy's
    /// limit is reached.
    [[nodiscard]] std::optional<Milliseconds> next();
    /// Tells the schedule a connection ended after being up for \a upFor: the count starts
    /// again when \a upFor reaches the policy's stableAfter, and is kept otherwise.
    void lost(Milliseconds upFor);
    /// Starts the count again.
    void reset() { m_step = 0; }
    /// Returns how many delays have been handed out since the count last started.
    [[nodiscard]] int step() const { return m_step; }
    /// Returns the policy.
    [[nodiscard]] const RetryPolicy &policy() const { return m_policy; }

    /// Returns a fresh random seed.
    [[nodiscard]] static quint64 randomSeed();

private:
    RetryPolicy m_policy;
    std::mt19937_64 m_random;
    int m_step = 0;
};

} // namespace Parley
