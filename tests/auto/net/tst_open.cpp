// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// connectThen() / listenThen(): a machine or a state machine opens a connection or a listener
// in one call and hears the outcome once, in a callback, instead of in its handlers.

#include "nettest.h"

#include <parley/group.h>

#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace Parley;
using namespace NetTest;
using namespace std::chrono_literals;

namespace {

/// What a callback saw, for the test thread.
struct Outcome
{
    QMutex lock;
    int calls = 0;
    bool up = false;
    Address address;     ///< Opened::address
    Address returned;    ///< what connectThen()/listenThen() returned
    QString messageType; ///< Opened::message's type, or Opened::fault's
    HostPort at;

    void take(const Opened &o, const Address &returned_)
    {
        QMutexLocker guard(&lock);
        ++calls;
        up = bool(o);
        address = o.address;
        returned = returned_;
        messageType = QString::fromUtf8(up ? o.message.typeName() : o.fault.typeName());
        at = o.at;
    }
    int callCount()
    {
        QMutexLocker guard(&lock);
        return calls;
    }
};

/// Opens (connects to \a to, or listens at it) on Start; records the outcome and every other
/// message it is handed (in the inbox: Connected or Listening must not be among them).
class Opener : public Machine
{
public:
    Opener(std::shared_ptr<Outcome> outcome, std::shared_ptr<Inbox> inbox, HostPort to, bool listen)
    {
        on<Start>([this, outcome, to, listen] {
            auto proxy = std::make_shared<Address>();
            auto done = [outcome, proxy](Opened &o) { outcome->take(o, *proxy); };
            *proxy = listen ? listenThen(*this, to, done) : connectThen(*this, to, done);
        });
        on<Stop>([this] { complete(Aborted{}); });
        onUnknown([inbox, this](Value &v) { inbox->add(v.take(), returnAddress()); });
    }
};

/// The same from a state machine.
class OpenerFsm : public StateMachine
{
public:
    OpenerFsm(std::shared_ptr<Outcome> outcome, std::shared_ptr<Inbox> inbox, HostPort to)
    {
        opening
            .on<Start>([this, outcome, to] {
                auto proxy = std::make_shared<Address>();
                *proxy = connectThen(*this, to,
                                     [outcome, proxy](Opened &o) { outcome->take(o, *proxy); });
                return opening;
            })
            .on<Stop>([this] { return complete(Aborted{}); })
            .onUnknown([this, inbox](Value &v) {
                inbox->add(v.take(), returnAddress());
                return opening;
            });
    }
    State opening{this, "OPENING"};
};

} // namespace

class tst_Open : public QObject
{
    Q_OBJECT

private slots:
    void aMachineConnectsInOneCall_data();
    void aMachineConnectsInOneCall();
    void aRefusedConnectionIsTheFault();
    void aMachineListensInOneCall();
    void aListenThatFailsIsTheFault();
};

void tst_Open::aMachineConnectsInOneCall_data()
{
    QTest::addColumn<bool>("stateMachine");
    QTest::newRow("machine") << false;
    QTest::newRow("state machine") << true;
}

void tst_Open::aMachineConnectsInOneCall()
{
    QFETCH(bool, stateMachine);
    Runtime runtime;
    auto serverInbox = std::make_shared<Inbox>();
    runtime.create<Agent>(serverInbox, listening(loopback(0)), true);
    QTRY_COMPARE(countOf<Listening>(*serverInbox), 1);
    const quint16 port = first<Listening>(*serverInbox).message.get<Listening>().bound.port;

    auto outcome = std::make_shared<Outcome>();
    auto inbox = std::make_shared<Inbox>();
    if (stateMachine)
        runtime.create<OpenerFsm>(outcome, inbox, loopback(port));
    else
        runtime.create<Opener>(outcome, inbox, loopback(port), false);
    QTRY_COMPARE(outcome->callCount(), 1);
    QVERIFY(outcome->up);
    QCOMPARE(outcome->messageType, QStringLiteral("Connected"));
    QVERIFY(!outcome->address.isNull());
    QCOMPARE(outcome->address, outcome->returned); // the proxy connectThen() returned
    QCOMPARE(outcome->at.port, port);
    QTRY_COMPARE(countOf<Accepted>(*serverInbox), 1);
    // The callback took the Connected: the handlers never saw it.
    QCOMPARE(countOf<Connected>(*inbox), 0);
}

void tst_Open::aRefusedConnectionIsTheFault()
{
    // A port nothing listens at: bind one, note it, close it.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    Runtime runtime;
    auto outcome = std::make_shared<Outcome>();
    auto inbox = std::make_shared<Inbox>();
    runtime.create<Opener>(outcome, inbox, loopback(port), false);
    QTRY_COMPARE(outcome->callCount(), 1);
    QVERIFY(!outcome->up);
    QVERIFY(outcome->address.isNull());
    QCOMPARE(outcome->messageType, QStringLiteral("NotConnected"));
    QCOMPARE(countOf<NotConnected>(*inbox), 0);
}

void tst_Open::aMachineListensInOneCall()
{
    Runtime runtime;
    auto outcome = std::make_shared<Outcome>();
    auto inbox = std::make_shared<Inbox>();
    runtime.create<Opener>(outcome, inbox, loopback(0), true);
    QTRY_COMPARE(outcome->callCount(), 1);
    QVERIFY(outcome->up);
    QCOMPARE(outcome->messageType, QStringLiteral("Listening"));
    QCOMPARE(outcome->address, outcome->returned);
    QVERIFY(outcome->at.port != 0);
    QCOMPARE(countOf<Listening>(*inbox), 0);
}

void tst_Open::aListenThatFailsIsTheFault()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    Runtime runtime;
    auto outcome = std::make_shared<Outcome>();
    auto inbox = std::make_shared<Inbox>();
    runtime.create<Opener>(outcome, inbox, loopback(taken.serverPort()), true);
    QTRY_COMPARE(outcome->callCount(), 1);
    QVERIFY(!outcome->up);
    QCOMPARE(outcome->messageType, QStringLiteral("NotListening"));
    QCOMPARE(countOf<NotListening>(*inbox), 0);
}

QTEST_GUILESS_MAIN(tst_Open)
#include "tst_open.moc"
