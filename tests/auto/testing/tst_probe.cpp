// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The Parley::Test kit: probes in threaded and deterministic runtimes, in-process and over
// loopback TCP, the send spy, and that failed expectations really fail a test.

#include "kit.h"

#include <parley/test.h>

#include <QtCore/QProcess>
#include <QtTest/QtTest>

using namespace Parley;
using namespace KitTest;
using namespace std::chrono_literals;

class tst_Probe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void aProbeGetsTheReplyToWhatItSent();
    void expectNothingPassesWhenNothingComes();
    void theSendSpySeesWhatAnObjectSends();
    void aDeterministicRuntimeRunsOnlyWhenAsked();
    void failedExpectationsFailTheTestOnceAndEndIt();
    void readingAFailedExpectationEndsTheProgramNamingIt();

private:
    /// Returns where the probe should send to reach \a target: the target itself, or (in the
    /// "tcp" rows) the proxy of a loopback connection to it.
    Address reach(Runtime &runtime, Test::Probe &probe, const Address &target);
};

void tst_Probe::initTestCase_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("in-process") << false;
    QTest::newRow("tcp") << true;
}

Address tst_Probe::reach(Runtime &runtime, Test::Probe &probe, const Address &target)
{
    QFETCH_GLOBAL(bool, tcp);
    if (!tcp)
        return target;
    const HostPort at = Test::exposeOverLoopback(runtime, target);
    if (at.port == 0)
        return {};
    return probe.connectTo(at);
}

void tst_Probe::aProbeGetsTheReplyToWhatItSent()
{
    Runtime runtime(Runtime::Options{.workers = 2});
    Test::Probe probe(runtime);
    const Address echo = runtime.create<Echo>();
    const Address to = reach(runtime, probe, echo);
    QVERIFY(!to.isNull());
    probe.send(Ping{7}, to);
    PARLEY_EXPECT(probe, Pong, pong);
    QCOMPARE(pong.n, 7);
    QFETCH_GLOBAL(bool, tcp);
    // The reply came from the echo: directly, or one hop behind the probe's proxy.
    QCOMPARE(probe.returnAddress().ids().front(), echo.last());
    QCOMPARE(probe.returnAddress().size(), tcp ? 2 : 1);
    // Replying to it reaches the echo again.
    probe.reply(Ping{8});
    PARLEY_EXPECT(probe, Pong, again);
    QCOMPARE(again.n, 8);
}

void tst_Probe::expectNothingPassesWhenNothingComes()
{
    Runtime runtime(Runtime::Options{.workers = 2});
    Test::Probe probe(runtime);
    const Address echo = runtime.create<Echo>();
    const Address to = reach(runtime, probe, echo);
    QVERIFY(!to.isNull());
    PARLEY_EXPECT_NOTHING(probe, 50ms);
    probe.send(Ping{1}, to);
    PARLEY_EXPECT(probe, Pong, pong);
    QCOMPARE(pong.n, 1);
    PARLEY_EXPECT_NOTHING(probe, 50ms);
    QCOMPARE(probe.pendingCount(), 0);
}

void tst_Probe::theSendSpySeesWhatAnObjectSends()
{
    Runtime runtime(Runtime::Options{.workers = 2});
    Test::SendSpy spy(runtime);
    Test::Probe probe(runtime);
    const Address echo = runtime.create<Echo>();
    const Address to = reach(runtime, probe, echo);
    QVERIFY(!to.isNull());
    for (int i = 0; i < 3; ++i)
        probe.send(Ping{i}, to);
    for (int i = 0; i < 3; ++i) {
        PARLEY_EXPECT(probe, Pong, pong);
        QCOMPARE(pong.n, i);
    }
    QTRY_COMPARE(spy.count<Pong>(echo), 3);
    QCOMPARE(spy.count<Ping>(echo), 0);
    const auto sent = spy.sentBy(echo);
    QCOMPARE(sent.size(), 3);
    QCOMPARE(sent.front().type, QStringLiteral("Pong"));
}

void tst_Probe::aDeterministicRuntimeRunsOnlyWhenAsked()
{
    QFETCH_GLOBAL(bool, tcp);
    Runtime runtime(Runtime::Options{.deterministic = true});
    Test::Probe probe(runtime);
    const Address door = runtime.create<Door>();
    runtime.runUntilIdle();
    QCOMPARE(runtime.objectAt(door)->parleyStateName(), QStringLiteral("CLOSED"));
    const Address to = reach(runtime, probe, door);
    QVERIFY(!to.isNull());
    probe.send(Ping{1}, to);
    // Deferred while closed; no real time passes, so without a clock move it stays closed.
    PARLEY_EXPECT_NOTHING(probe, tcp ? 100ms : 0ms);
    runtime.advanceClock(1s);
    PARLEY_EXPECT(probe, Pong, pong, tcp ? std::optional(5000ms) : std::nullopt);
    QCOMPARE(pong.n, 1);
    QCOMPARE(runtime.objectAt(door)->parleyStateName(), QStringLiteral("OPEN"));
}

void tst_Probe::failedExpectationsFailTheTestOnceAndEndIt()
{
    QFETCH_GLOBAL(bool, tcp);
    if (tcp)
        QSKIP("the child runs its own cases; once is enough");
    QProcess child;
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationDirPath() + QStringLiteral("/probe_failing"),
                {QStringLiteral("aRightTypePasses"), QStringLiteral("aWrongTypeFails"),
                 QStringLiteral("silenceFails"), QStringLiteral("silenceFailsExpectAny"),
                 QStringLiteral("anUnexpectedMessageFails")});
    QVERIFY2(child.waitForFinished(60000), "the failing cases did not finish");
    const QString out = QString::fromUtf8(child.readAll());
    // Qt Test exits with the number of failed functions: four fail, each with one text.
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QVERIFY2(child.exitCode() == 4, qPrintable(out));
    QCOMPARE(out.count(QStringLiteral("FAIL!  : ")), 4);
    const QRegularExpression wrongType(
        QStringLiteral("FAIL!  : tst_ProbeFailing::aWrongTypeFails\\(\\) expected Ping, but Pong "
                       "arrived from <[0-9a-f]{8}>"));
    QVERIFY2(wrongType.match(out).hasMatch(), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("FAIL!  : tst_ProbeFailing::silenceFails() expected "
                                         "Pong, but nothing arrived within 100 ms")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("FAIL!  : tst_ProbeFailing::silenceFailsExpectAny() "
                                         "expected a message, but nothing arrived (the runtime "
                                         "is idle)")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("FAIL!  : tst_ProbeFailing::anUnexpectedMessageFails() "
                                         "expected nothing, but Pong arrived from")),
             qPrintable(out));
    // Each failure ended its function: nothing after the expectation ran.
    QVERIFY2(!out.contains(QStringLiteral("went on after the failure")), qPrintable(out));
    // The failure points at the line of the expectation in the child's source.
    QVERIFY2(out.contains(QStringLiteral("probe_failing.cpp(")), qPrintable(out));
    // And the passing case in the child passed.
    QVERIFY2(out.contains(QStringLiteral("PASS   : tst_ProbeFailing::aRightTypePasses()")),
             qPrintable(out));
}

void tst_Probe::readingAFailedExpectationEndsTheProgramNamingIt()
{
    QFETCH_GLOBAL(bool, tcp);
    if (tcp)
        QSKIP("the child runs its own case; once is enough");
    QProcess child;
    child.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QTEST_DISABLE_STACKTRACE"), QStringLiteral("1")); // no debugger
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationDirPath() + QStringLiteral("/probe_failing"),
                {QStringLiteral("readingAFailedExpectationIsFatal")});
    QVERIFY2(child.waitForFinished(60000), "the case did not finish");
    const QString out = QString::fromUtf8(child.readAll());
    // No value that isn't there is handed out: the program stops, saying where and why.
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    QVERIFY2(!out.contains(QStringLiteral("went on")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("expected Ping, but Pong arrived from")), qPrintable(out));
    const QRegularExpression fatal(QStringLiteral(
        R"(the expectation at \S*probe_failing\.cpp\(\d+\) failed, and what it took was read)"));
    QVERIFY2(fatal.match(out).hasMatch(), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("PARLEY_EXPECT")), qPrintable(out));
}

QTEST_GUILESS_MAIN(tst_Probe)
#include "tst_probe.moc"
