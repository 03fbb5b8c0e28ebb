// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/machine.h>

#include <QtCore/QList>

#include <vector>

/// \file
/// Request helpers: machines that run a request, or many, and complete with the outcome.

namespace Parley {

/// Pairs a request message with the address it goes to.
struct Request
{
    Value message;
    Address to;
};

/// Carries the results of Concurrently or Sequentially, one per request, in request order.
struct Results
{
    QList<Value> values;
};
PARLEY_MESSAGE_AS(Results, "parley.Results", values)

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
/// Each reply, whatever its type (a fault included), fills its request's slot. When \a timeout
/// (if non-zero) passes before every reply is in, completes with TimedOut; on Stop, Aborted.
class PARLEY_EXPORT Concurrently : public Machine
{
    Q_OBJECT
public:
    explicit Concurrently(std::vector<Request> requests, Duration timeout = Duration::zero());

private:
    std::vector<Request> m_requests;
    QList<Value> m_results;
    std::vector<Address> m_children;
    int m_pending = 0;
    Duration m_timeout;
};

/// Runs N requests one after another; completes with Results, or with the first fault.
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
