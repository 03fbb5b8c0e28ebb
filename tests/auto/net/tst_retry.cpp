// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// RetryPolicy and RetrySchedule: the delays between attempts, their randomisation from a seed,
// the limit, truncation, the count that resets only after a stable connection, and the
// defaults chosen by the peer's network scope.

#include <parley/net.h>
#include <parley/retry.h>

#include <QtTest/QtTest>

using namespace Parley;
using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

Q_DECLARE_METATYPE(Parley::NetworkScope)

namespace {

RetryPolicy exact(std::vector<Ms> first, Ms regular)
{
    RetryPolicy p;
    p.firstSteps = std::move(first);
    p.regularStep = regular;
    p.randomisation = 0.0;
    return p;
}

} // namespace

class tst_Retry : public QObject
{
    Q_OBJECT

private slots:
    void firstStepsThenRegularSteps()
    {
        RetrySchedule s(exact({10ms, 20ms, 40ms}, 100ms), 1);
        QList<qint64> got;
        for (int i = 0; i < 6; ++i)
            got << s.next().value().count();
        QCOMPARE(got, (QList<qint64>{10, 20, 40, 100, 100, 100}));
        QCOMPARE(s.step(), 6);
    }

    void randomisationTakesOffUpToItsFractionAndFollowsTheSeed()
    {
        RetryPolicy p = exact({}, 1000ms);
        p.randomisation = 0.5;
        RetrySchedule a(p, 42), b(p, 42), c(p, 43);
        QList<qint64> da, db, dc;
        for (int i = 0; i < 200; ++i) {
            da << a.next()->count();
            db << b.next()->count();
            dc << c.next()->count();
        }
        QCOMPARE(da, db);  // same seed, same delays
        QVERIFY(da != dc); // another seed, other delays
        const auto [lo, hi] = std::minmax_element(da.cbegin(), da.cend());
        QVERIFY2(*lo >= 500 && *hi <= 1000, qPrintable(QStringLiteral("%1..%2").arg(*lo).arg(*hi)));
        // Spread, not clustered at one end: both halves of the range are used.
        QVERIFY(std::count_if(da.cbegin(), da.cend(), [](qint64 d) { return d < 750; }) > 50);
        QVERIFY(std::count_if(da.cbegin(), da.cend(), [](qint64 d) { return d >= 750; }) > 50);
    }

    void theLimitEndsTheSchedule()
    {
        RetryPolicy p = exact({1ms}, 2ms);
        p.limit = 3;
        RetrySchedule s(p, 7);
        QVERIFY(s.next());
        QVERIFY(s.next());
        QVERIFY(s.next());
        QVERIFY(!s.next());
        QVERIFY(!s.next());
        s.reset();
        QVERIFY(s.next());
    }

    void truncationCapsEveryDelay()
    {
        RetryPolicy p = exact({50ms, 5000ms}, 60000ms);
        p.truncation = 1000ms;
        RetrySchedule s(p, 1);
        QCOMPARE(s.next()->count(), 50);
        QCOMPARE(s.next()->count(), 1000);
        QCOMPARE(s.next()->count(), 1000);
    }

    void aShortConnectionKeepsTheCount()
    {
        // A flapping link: up for less than stableAfter each time, so the delays keep growing.
        RetryPolicy p = exact({10ms, 20ms, 40ms}, 80ms);
        p.stableAfter = 1000ms;
        RetrySchedule s(p, 1);
        QCOMPARE(s.next()->count(), 10);
        s.lost(999ms);
        QCOMPARE(s.next()->count(), 20);
        s.lost(0ms);
        QCOMPARE(s.next()->count(), 40);
        s.lost(500ms);
        QCOMPARE(s.next()->count(), 80);
    }

    void aStableConnectionStartsTheCountAgain()
    {
        RetryPolicy p = exact({10ms, 20ms}, 80ms);
        p.stableAfter = 1000ms;
        RetrySchedule s(p, 1);
        (void)s.next();
        (void)s.next();
        (void)s.next();
        s.lost(1000ms);
        QCOMPARE(s.step(), 0);
        QCOMPARE(s.next()->count(), 10);
    }

    void theScopeFollowsTheAddress_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<NetworkScope>("scope");
        QTest::newRow("IPv4 loopback") << "127.0.0.1" << NetworkScope::Loopback;
        QTest::newRow("IPv4 loopback range") << "127.3.2.1" << NetworkScope::Loopback;
        QTest::newRow("IPv6 loopback") << "::1" << NetworkScope::Loopback;
        QTest::newRow("localhost") << "LocalHost" << NetworkScope::Loopback;
        QTest::newRow("mapped loopback") << "::ffff:127.0.0.1" << NetworkScope::Loopback;
        QTest::newRow("10/8") << "10.1.2.3" << NetworkScope::Private;
        QTest::newRow("172.16/12") << "172.31.0.1" << NetworkScope::Private;
        QTest::newRow("172.32 is public") << "172.32.0.1" << NetworkScope::Public;
        QTest::newRow("192.168/16") << "192.168.1.20" << NetworkScope::Private;
        QTest::newRow("link-local") << "169.254.9.9" << NetworkScope::Private;
        QTest::newRow("mapped private") << "::ffff:192.168.0.1" << NetworkScope::Private;
        QTest::newRow("IPv6 ULA") << "fd00::1" << NetworkScope::Private;
        QTest::newRow("IPv6 link-local") << "fe80::1" << NetworkScope::Private;
        QTest::newRow("public IPv4") << "8.8.8.8" << NetworkScope::Public;
        QTest::newRow("public IPv6") << "2001:db8::1" << NetworkScope::Public;
        QTest::newRow("host name") << "example.org" << NetworkScope::Public;
    }
    void theScopeFollowsTheAddress()
    {
        QFETCH(QString, host);
        QFETCH(NetworkScope, scope);
        QCOMPARE(networkScope(host), scope);
    }

    void delaysGrowWithTheScope()
    {
        const RetryPolicy l = RetryPolicy::forPeer({QStringLiteral("127.0.0.1"), 1});
        const RetryPolicy p = RetryPolicy::forPeer({QStringLiteral("192.168.0.2"), 1});
        const RetryPolicy w = RetryPolicy::forPeer({QStringLiteral("example.org"), 1});
        for (int step = 0; step < 8; ++step) {
            QVERIFY(l.nominal(step) < p.nominal(step));
            QVERIFY(p.nominal(step) < w.nominal(step));
        }
        // Every default grows, then levels off, and never gives up on its own.
        for (const RetryPolicy *policy : {&l, &p, &w}) {
            for (int step = 1; step < 8; ++step)
                QVERIFY(policy->nominal(step) >= policy->nominal(step - 1));
            QCOMPARE(policy->limit, 0);
            QVERIFY(policy->randomisation > 0);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Retry)
#include "tst_retry.moc"
