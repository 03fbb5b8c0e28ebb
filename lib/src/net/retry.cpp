// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/net.h>
#include <parley/retry.h>

#include <QtCore/QRandomGenerator>
#include <QtNetwork/QHostAddress>

#include <algorithm>

namespace Parley {

using namespace std::chrono_literals;

RetryPolicy RetryPolicy::loopback()
{
    return RetryPolicy{.firstSteps = {500ms, 1000ms},
                       .regularStep = 2000ms,
                       .limit = 0,
                       .randomisation = 1.0,
                       .truncation = 300000ms,
                       .stableAfter = 10000ms};
}

RetryPolicy RetryPolicy::privateNetwork()
{
    return RetryPolicy{.firstSteps = {1000ms, 2000ms, 4000ms},
                       .regularStep = 8000ms,
                       .limit = 0,
                       .randomisation = 1.0,
                       .truncation = 300000ms,
                       .stableAfter = 30000ms};
}

RetryPolicy RetryPolicy::publicNetwork()
{
    return RetryPolicy{.firstSteps = {2000ms, 4000ms, 8000ms, 16000ms},
                       .regularStep = 30000ms,
                       .limit = 0,
                       .randomisation = 1.0,
                       .truncation = 300000ms,
                       .stableAfter = 30000ms};
}

RetryPolicy RetryPolicy::forPeer(const HostPort &peer)
{
    switch (networkScope(peer.host)) {
    case NetworkScope::Loopback:
        return loopback();
    case NetworkScope::Private:
        return privateNetwork();
    case NetworkScope::Public:
        break;
    }
    return publicNetwork();
}

RetryPolicy::Milliseconds RetryPolicy::nominal(int step) const
{
    if (step >= 0 && size_t(step) < firstSteps.size())
        return firstSteps[size_t(step)];
    return regularStep;
}

NetworkScope networkScope(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return NetworkScope::Loopback;
    QHostAddress a;
    if (!a.setAddress(host))
        return NetworkScope::Public; // a name: not resolved here
    if (a.isLoopback())
        return NetworkScope::Loopback;
    static const std::pair<QHostAddress, int> privateRanges[] = {
        QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8")),
        QHostAddress::parseSubnet(QStringLiteral("172.16.0.0/12")),
        QHostAddress::parseSubnet(QStringLiteral("192.168.0.0/16")),
        QHostAddress::parseSubnet(QStringLiteral("169.254.0.0/16")),
        QHostAddress::parseSubnet(QStringLiteral("fc00::/7")),
        QHostAddress::parseSubnet(QStringLiteral("fe80::/10")),
    };
    // An IPv4-mapped IPv6 address counts as its IPv4 address.
    bool mapped = false;
    const quint32 v4 = a.toIPv4Address(&mapped);
    if (mapped && a.protocol() == QAbstractSocket::IPv6Protocol) {
        a = QHostAddress(v4);
        if (a.isLoopback())
            return NetworkScope::Loopback;
    }
    for (const auto &range : privateRanges) {
        if (a.isInSubnet(range))
            return NetworkScope::Private;
    }
    return NetworkScope::Public;
}

RetrySchedule::RetrySchedule(RetryPolicy policy, quint64 seed)
    : m_policy(std::move(policy)), m_random(seed)
{
}

quint64 RetrySchedule::randomSeed()
{
    return QRandomGenerator::global()->generate64();
}

std::optional<RetrySchedule::Milliseconds> RetrySchedule::next()
{
    if (m_policy.limit > 0 && m_step >= m_policy.limit)
        return std::nullopt;
    const double nominal = double(m_policy.nominal(m_step).count());
    ++m_step;
    const double r = std::clamp(m_policy.randomisation, 0.0, 1.0);
    // A uniform fraction in [0, 1) from the schedule's own generator: the same seed gives the
    // same delays on every platform (std::uniform_real_distribution would not promise that).
    const double u = double(m_random() >> 11) * 0x1.0p-53;
    const auto delay = Milliseconds(qint64(nominal * (1.0 - r * u)));
    return std::clamp(delay, Milliseconds{0}, std::max(m_policy.truncation, Milliseconds{0}));
}

void RetrySchedule::lost(Milliseconds upFor)
{
    if (upFor >= m_policy.stableAfter)
        m_step = 0;
}

} // namespace Parley
