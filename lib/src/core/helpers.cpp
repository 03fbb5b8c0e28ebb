// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/helpers.h>

namespace Parley {

namespace {
QString millis(Duration d)
{
    return QString::number(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}
} // namespace

// -- GetResponse --------------------------------------------------------------------------------

GetResponse::GetResponse(Value request, Address to, Duration timeout)
{
    on<Start>([this, request = std::move(request), to = std::move(to), timeout]() mutable {
        if (timeout > Duration::zero())
            start(T1{}, timeout);
        sendValue(std::move(request), to);
    });
    on<T1>([this, timeout] {
        complete(TimedOut{QStringLiteral("no response within %1 ms").arg(millis(timeout))});
    });
    on<Stop>([this] { complete(Aborted{}); });
    // Whatever comes back first is the response, whatever its type.
    onUnknown([this](Value &v) { complete(v.take()); });
}

// -- Concurrently -------------------------------------------------------------------------------

Concurrently::Concurrently(std::vector<Request> requests, Duration timeout)
    : m_requests(std::move(requests)), m_timeout(timeout)
{
    on<Start>([this] {
        m_results.resize(qsizetype(m_requests.size()));
        m_pending = int(m_requests.size());
        if (m_pending == 0) {
            complete(Results{});
            return;
        }
        if (m_timeout > Duration::zero())
            start(T1{}, m_timeout);
        for (size_t i = 0; i < m_requests.size(); ++i) {
            Request &r = m_requests[i];
            const Address child = create<GetResponse>(std::move(r.message), r.to);
            then(child, [this, i](Value &v) {
                m_results[qsizetype(i)] = v.take();
                if (--m_pending == 0)
                    complete(Results{std::move(m_results)});
            });
        }
        m_requests.clear();
    });
    on<T1>([this] {
        complete(TimedOut{QStringLiteral("%1 of %2 responses missing after %3 ms")
                              .arg(m_pending)
                              .arg(m_results.size())
                              .arg(millis(m_timeout))});
    });
    on<Stop>([this] { complete(Aborted{}); });
}

// -- Sequentially -------------------------------------------------------------------------------

Sequentially::Sequentially(std::vector<Request> requests, Duration timeout)
    : m_requests(std::move(requests)), m_timeout(timeout)
{
    on<Start>([this] { next(); });
    on<Stop>([this] { complete(Aborted{}); });
}

void Sequentially::next()
{
    const size_t i = size_t(m_results.size());
    if (i == m_requests.size()) {
        complete(Results{std::move(m_results)});
        return;
    }
    Request &r = m_requests[i];
    const Address child = create<GetResponse>(std::move(r.message), r.to, m_timeout);
    then(child, [this](Value &v) {
        if (v.isFault()) {
            complete(v.take());
            return;
        }
        m_results.append(v.take());
        next();
    });
}

} // namespace Parley
