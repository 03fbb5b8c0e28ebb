// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Testing a server: the hello example's state-machine server, driven by probes. Every test runs
// twice (initTestCase_data): once with the probe sending straight to the server, once over a
// loopback TCP connection, with the same checks.

#include "../hello/server-fsm.h"

#include <parley/test.h>

#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace std::chrono_literals;

class tst_Hello : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void answersHelloWithWelcome();
    void everyClientGetsItsOwnWelcome();
    void stopEndsIt();
    void aBusyPortEndsItWithNotListening();

private:
    /// Starts a server on a free port and waits until it listens.
    Parley::Address startServer(Parley::Runtime &runtime);
    /// Returns where a probe sends to reach \a target: the target, or a TCP proxy to it.
    Parley::Address reach(Parley::Runtime &runtime, Parley::Test::Probe &probe,
                          const Parley::Address &target);
};

//! [both-ways]
void tst_Hello::initTestCase_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("in-process") << false;
    QTest::newRow("tcp") << true;
}

Parley::Address tst_Hello::reach(Parley::Runtime &runtime, Parley::Test::Probe &probe,
                                 const Parley::Address &target)
{
    QFETCH_GLOBAL(bool, tcp);
    if (!tcp)
        return target;
    const Parley::HostPort at = Parley::Test::exposeOverLoopback(runtime, target);
    if (at.port == 0)
        return {}; // the test has failed, saying why
    return probe.connectTo(at);
}
//! [both-ways]

Parley::Address tst_Hello::startServer(Parley::Runtime &runtime)
{
    // Port 0: a free one. The spy shows the listener telling the server it listens; from then
    // on the server answers Hello (before that it is PENDING and would drop it).
    Parley::Test::SendSpy spy(runtime);
    const ServerSettings settings{QStringLiteral("Buster"), QStringLiteral("127.0.0.1"), 0};
    const Parley::Address server = runtime.create<ListenAtAddress>(settings);
    const auto listening = [&] {
        for (const Parley::Test::Sent &s : spy.all()) {
            if (s.type == u"Listening" && s.to == server)
                return true;
        }
        return false;
    };
    if (!QTest::qWaitFor(listening, 5000))
        QTest::qFail("the hello server did not start listening", __FILE__, __LINE__);
    return server;
}

void tst_Hello::answersHelloWithWelcome()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
    Parley::Test::Probe probe(runtime);
    const Parley::Address server = startServer(runtime);
    const Parley::Address to = reach(runtime, probe, server);
    if (to.isNull())
        return; // reach() has failed the test, saying why

    //! [probe]
    probe.send(Hello{QStringLiteral("Gladys")}, to);
    PARLEY_EXPECT(probe, Welcome, welcome); // on failure: fails the test and returns
    QCOMPARE(welcome.yourName, QStringLiteral("Gladys"));
    QCOMPARE(welcome.myName, QStringLiteral("Buster"));
    //! [probe]
    PARLEY_EXPECT_NOTHING(probe, 50ms); // one answer, no more
}

void tst_Hello::everyClientGetsItsOwnWelcome()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
    const Parley::Address server = startServer(runtime);
    std::vector<std::unique_ptr<Parley::Test::Probe>> probes;
    const QStringList names{QStringLiteral("Ann"), QStringLiteral("Bob"), QStringLiteral("Cy")};
    for (const QString &name : names) {
        probes.push_back(std::make_unique<Parley::Test::Probe>(runtime, name));
        const Parley::Address to = reach(runtime, *probes.back(), server);
        if (to.isNull())
            return;
        probes.back()->send(Hello{name}, to);
    }
    for (size_t i = 0; i < probes.size(); ++i) {
        PARLEY_EXPECT(*probes[i], Welcome, welcome);
        QCOMPARE(welcome.yourName, names[qsizetype(i)]);
    }
}

void tst_Hello::stopEndsIt()
{
    Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
    const Parley::Address server = startServer(runtime);
    runtime.send(Parley::Stop{}, server);
    const auto result = runtime.waitForCompletion(server, 5s);
    QVERIFY(result);
    QVERIFY(result->is<Parley::Aborted>());
}

void tst_Hello::aBusyPortEndsItWithNotListening()
{
    QFETCH_GLOBAL(bool, tcp);
    if (tcp)
        QSKIP("about the server's own listener; once is enough");
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    Parley::Runtime runtime(Parley::Runtime::Options{.workers = 2});
    const Parley::Address server = runtime.create<ListenAtAddress>(ServerSettings{
        QStringLiteral("Buster"), QStringLiteral("127.0.0.1"), squatter.serverPort()});
    const auto result = runtime.waitForCompletion(server, 5s);
    QVERIFY(result);
    QVERIFY(result->is<Parley::NotListening>());
    QCOMPARE(result->get<Parley::NotListening>().reason, Parley::ListenError::AddressInUse);
}

QTEST_GUILESS_MAIN(tst_Hello)
#include "tst_hello.moc"
