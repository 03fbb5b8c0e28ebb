// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A Parley server with ten healthy clients that keep talking to it while a raw socket feeds it
// one kind of bad input: the bad connection alone is closed, with the documented reason and a
// warning line, the server keeps accepting, and the healthy clients lose nothing. And a client
// whose server resets the connection under a pending write notices at once.

#include "nettest.h"

#include "net/frame_p.h"

#include <parley/codec.h>

#include "rawframes.h"
#include <QtCore/QSemaphore>
#include <QtCore/QTimer>
#include <QtCore/QtEndian>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <QtTest/QtTest>

#include <optional>

#include <sys/socket.h>

using namespace Parley;
using namespace NetTest;
using namespace std::chrono_literals;

namespace {

using namespace RawFrames;

const HostPort Loopback{QStringLiteral("127.0.0.1"), 0};
constexpr int HealthyClients = 10;
/// How long a QTRY waits for a state: long, to catch a hang, not to time anything (a state that
/// comes sooner ends the wait at once; sanitizers and a busy machine make things slow).
constexpr int Patience = 30000;

/// The kinds of input the raw peer sends, one per data row.
enum class Bad {
    Garbage,
    Silence,
    WrongVersion,
    Encrypted,
    TruncatedHeader,
    LengthTooShort,
    LengthOverLimit,
    LengthAllOnes,
    MillionIds,
    BookEntryOver64,
    UnknownKind,
    PingWithBody,
    UndecodableBody,
    UnknownType,
    BookIndexOutside,
    Dribbled,
    StopsReading,
};

/// What the server's controller hears about the raw connection.
enum class Outcome {
    NeverGreeted, ///< nothing: the connection never sent a valid preamble
    Closed,       ///< Closed{reason}
    Abandoned,    ///< Abandoned{reason}
    Delivered,    ///< the dribbled Query arrives; the connection stays up
};

QByteArray preamble()
{
    QByteArray out;
    Wire::appendPreamble(out);
    return out;
}
/// A frame the raw peer sends with an already encoded body: to the server's controller (the
/// one id in `to` is dropped on arrival), from the raw peer's object 5.
QByteArray encodedFrame(QByteArrayView type, QByteArrayView body,
                        const std::vector<Address> &book = {})
{
    QByteArray out;
    QString error;
    if (!Wire::appendEncoded(out, Address(1), Address(5), type, body, book, 1, 1 << 20, error))
        qWarning() << "appendEncoded:" << error;
    return out;
}
QByteArray queryFrame(int n)
{
    QByteArray out;
    QString error;
    if (!Wire::appendMessage(out, Address(1), Address(5), Value(Query{n}), 1, 1 << 20, error))
        qWarning() << "appendMessage:" << error;
    return out;
}

/// Counts the records at WARNING level whose text contains \a fragment. (Text: which bad input
/// a warning is about is said only in its text until records carry an event kind and reason.)
int warningsWith(const CountingSink &sink, const QString &fragment)
{
    int n = 0;
    for (const Event &r : sink.records()) {
        if (r.level == LogLevel::Warning && r.text.contains(fragment))
            ++n;
    }
    return n;
}

/// The frames in what a raw peer received (after the server's preamble); stops at the first
/// incomplete or bad frame.
struct RawFrame
{
    Wire::Kind kind;
    QByteArray type;
    QByteArray body;
    std::vector<Address> book;
};
std::vector<RawFrame> framesIn(const QByteArray &bytes)
{
    std::vector<RawFrame> out;
    // (An empty view is not passed on: see tst_frame, aPreambleCheckOfNothingNeedsMore.)
    if (bytes.size() < Wire::PreambleSize || Wire::checkPreamble(bytes) != Wire::PreambleCheck::Ok)
        return out;
    QByteArrayView rest = QByteArrayView(bytes).sliced(Wire::PreambleSize);
    for (;;) {
        Wire::Frame f;
        qsizetype consumed = 0, needed = 0;
        QString error;
        if (Wire::parseFrame(rest, 1 << 20, f, consumed, needed, error) != Wire::ParseStatus::Ok)
            return out;
        out.push_back({f.kind, f.type.toByteArray(), f.body.toByteArray(), f.book});
        rest = rest.sliced(consumed);
    }
}

/// A listening server and ten clients, each sending numbered Queries through its own
/// connection on every tick of a timer; the server answers each.
struct Scene
{
    std::shared_ptr<CountingSink> serverLog, clientLog;
    std::unique_ptr<Runtime> serverRuntime, clientRuntime;
    std::shared_ptr<Inbox> server = std::make_shared<Inbox>();
    Address serverAgent;
    HostPort at;
    std::vector<std::shared_ptr<Inbox>> clients;
    std::vector<Address> agents, proxies;
    std::vector<int> sent;
    QTimer traffic; // last: stops before the runtimes go

    /// Starts the server and the healthy clients, and the traffic; false on failure.
    bool start(const ConnectionOptions &serverOptions)
    {
        serverRuntime = startRecordedRuntime(serverLog);
        clientRuntime = startRecordedRuntime(clientLog);
        serverAgent = serverRuntime->create<Agent>(server, listening(Loopback, serverOptions),
                                                   /*answer=*/true);
        [&] { QTRY_COMPARE(countOf<Listening>(*server), 1); }();
        if (QTest::currentTestFailed())
            return false;
        at = HostPort{QStringLiteral("127.0.0.1"),
                      first<Listening>(*server).message.get<Listening>().bound.port};
        for (int i = 0; i < HealthyClients; ++i) {
            clients.push_back(std::make_shared<Inbox>());
            agents.push_back(clientRuntime->create<Agent>(clients.back(), connecting(at)));
        }
        [&] {
            for (const auto &c : clients)
                QTRY_COMPARE_WITH_TIMEOUT(countOf<Connected>(*c), 1, Patience);
            QTRY_COMPARE_WITH_TIMEOUT(countOf<Accepted>(*server), HealthyClients, Patience);
        }();
        if (QTest::currentTestFailed())
            return false;
        for (const auto &c : clients)
            proxies.push_back(first<Connected>(*c).from);
        sent.assign(clients.size(), 0);
        traffic.setInterval(10);
        QObject::connect(&traffic, &QTimer::timeout, [this] { tick(); });
        traffic.start();
        return true;
    }
    /// Sends a few Queries from each client, so requests and answers overlap on every
    /// connection.
    void tick()
    {
        for (int burst = 0; burst < 3; ++burst) {
            for (size_t i = 0; i < agents.size(); ++i)
                clientRuntime->send(Do{proxies[i], Value(Query{sent[i]++})}, agents[i]);
        }
    }
    /// Returns the fewest answers any healthy client has received.
    int fewestAnswers() const
    {
        int fewest = std::numeric_limits<int>::max();
        for (const auto &c : clients)
            fewest = std::min(fewest, countOf<Answer>(*c));
        return fewest;
    }
    /// Waits until every healthy client has at least \a n answers.
    void waitForAnswers(int n) const { QTRY_VERIFY_WITH_TIMEOUT(fewestAnswers() >= n, Patience); }
    /// Stops the traffic and checks that every client got every answer once, in order, and
    /// never lost its connection.
    void finish()
    {
        traffic.stop();
        for (size_t i = 0; i < clients.size(); ++i) {
            const Inbox &c = *clients[i];
            QTRY_COMPARE_WITH_TIMEOUT(countOf<Answer>(c), sent[i], Patience);
            std::vector<int> answers;
            for (int k = 0; k < c.count(); ++k) {
                const ::Received r = c.at(k);
                if (r.message.is<Answer>())
                    answers.push_back(r.message.get<Answer>().n);
            }
            QCOMPARE(int(answers.size()), sent[i]);
            for (int k = 0; k < int(answers.size()); ++k) {
                if (answers[size_t(k)] != k)
                    QFAIL(qPrintable(QStringLiteral("client %1: answer %2 is %3")
                                         .arg(i)
                                         .arg(k)
                                         .arg(answers[size_t(k)])));
            }
            QCOMPARE(countOf<Abandoned>(c), 0);
            QCOMPARE(countOf<Closed>(c), 0);
            QCOMPARE(countOf<Faulted>(c), 0);
        }
    }
    /// Returns the server-side proxy of the connection from local port \a port, once accepted.
    Address acceptedFrom(quint16 port) const
    {
        for (int i = 0; i < server->count(); ++i) {
            const ::Received r = server->at(i);
            if (r.message.is<Accepted>() && r.message.get<Accepted>().remote.port == port)
                return r.from;
        }
        return {};
    }
    /// Returns how many Closed and Abandoned the server's controller has heard.
    int endings() const { return countOf<Closed>(*server) + countOf<Abandoned>(*server); }
};

/// Asks a Sleeper to block its thread until the test wakes it, then send three Queries to its
/// proxy.
struct Nap
{
};
PARLEY_MESSAGE_AS(Nap, "badinput.Nap")

/// The test's hold on a Sleeper's thread: the Sleeper says it is asleep, the test wakes it.
struct Bed
{
    QSemaphore asleep;
    QSemaphore wake;
};

/// Connects to \a at; on Nap, blocks its thread (so it handles nothing meanwhile) until the
/// test wakes it, then sends.
class Sleeper : public Machine
{
public:
    Sleeper(std::shared_ptr<Inbox> inbox, HostPort at, std::shared_ptr<Bed> bed)
        : m_inbox(std::move(inbox))
    {
        on<Start>([this, at] { m_proxy = Parley::connectTo(*this, at); });
        on<Nap>([this, bed] {
            bed->asleep.release();
            // A watchdog, not a delay: the test wakes it long before.
            if (!bed->wake.tryAcquire(1, 30000))
                qWarning("Sleeper: nobody woke it within 30 s");
            for (int i = 0; i < 3; ++i)
                send(Query{i}, m_proxy);
        });
        on<Stop>([this] { complete(Aborted{}); });
        onUnknown([this](Value &v) { m_inbox->add(v.take(), returnAddress()); });
    }

private:
    std::shared_ptr<Inbox> m_inbox;
    Address m_proxy;
};

} // namespace

Q_DECLARE_METATYPE(Bad)
Q_DECLARE_METATYPE(Outcome)
Q_DECLARE_METATYPE(Parley::EndOfTransport)

class tst_BadInput : public QObject
{
    Q_OBJECT

private slots:
    void onePeerMisbehavingLeavesTheOthersAlone_data();
    void onePeerMisbehavingLeavesTheOthersAlone();
    void aResetMetByAWriteIsNoticedAtOnce();
};

void tst_BadInput::onePeerMisbehavingLeavesTheOthersAlone_data()
{
    QTest::addColumn<Bad>("bad");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<EndOfTransport>("reason");
    QTest::addColumn<QString>("note");    // in the Closed/Abandoned note and the close frame
    QTest::addColumn<QString>("warning"); // in a WARNING line of the server; empty: none expected

    const auto none = EndOfTransport::OnRequest; // unused where nothing is heard
    const auto inbound = EndOfTransport::InboundStreaming;
    QTest::newRow("garbage instead of a preamble")
        << Bad::Garbage << Outcome::NeverGreeted << none << QString()
        << QStringLiteral("does not speak Parley");
    QTest::newRow("silence instead of a preamble")
        << Bad::Silence << Outcome::NeverGreeted << none << QString()
        << QStringLiteral("no preamble within");
    QTest::newRow("another protocol version") << Bad::WrongVersion << Outcome::NeverGreeted << none
                                              << QString() << QStringLiteral("protocol version 3");
    QTest::newRow("an encrypted preamble") << Bad::Encrypted << Outcome::NeverGreeted << none
                                           << QString() << QStringLiteral("encrypted");
    // A partial frame followed by silence is a silent peer: it goes stale (traced, no warning,
    // as docs/protocol.md section 4 says).
    QTest::newRow("a truncated header, then silence")
        << Bad::TruncatedHeader << Outcome::Abandoned << EndOfTransport::WentStale
        << QStringLiteral("nothing from the peer") << QString();
    QTest::newRow("a length shorter than a header")
        << Bad::LengthTooShort << Outcome::Closed << inbound
        << QStringLiteral("frame length 3 is shorter than a header")
        << QStringLiteral("frame length 3 is shorter than a header");
    QTest::newRow("a length over the limit")
        << Bad::LengthOverLimit << Outcome::Closed << inbound
        << QStringLiteral("frame length 1048577 exceeds the limit of 1048576")
        << QStringLiteral("exceeds the limit");
    QTest::newRow("a length of 0xFFFFFFFF")
        << Bad::LengthAllOnes << Outcome::Closed << inbound
        << QStringLiteral("frame length 4294967295 exceeds the limit")
        << QStringLiteral("4294967295");
    QTest::newRow("a length claiming 10^6 ids (8 MB)")
        << Bad::MillionIds << Outcome::Closed << inbound
        << QStringLiteral("frame length 8000008 exceeds the limit") << QStringLiteral("8000008");
    QTest::newRow("a book entry of 200 ids")
        << Bad::BookEntryOver64 << Outcome::Closed << inbound
        << QStringLiteral("a body address of 200 hops exceeds the limit of 64")
        << QStringLiteral("200 hops");
    QTest::newRow("an unknown frame kind")
        << Bad::UnknownKind << Outcome::Closed << inbound << QStringLiteral("unknown frame kind 9")
        << QStringLiteral("unknown frame kind 9");
    QTest::newRow("a ping with a body")
        << Bad::PingWithBody << Outcome::Closed << inbound
        << QStringLiteral("a control frame with a body") << QStringLiteral("a control frame");
    QTest::newRow("a body that does not decode")
        << Bad::UndecodableBody << Outcome::Closed << inbound
        << QStringLiteral("cannot decode test.Query: Query.n") << QStringLiteral("cannot decode");
    // One unknown type is answered (tst_contract); a peer that keeps sending them is closed.
    QTest::newRow("unknown type names, again and again")
        << Bad::UnknownType << Outcome::Closed << inbound
        << QStringLiteral("more than 10 messages of unknown types within 60 s (the last "
                          "\"test.NoSuchThing\")")
        << QStringLiteral("unknown types within");
    QTest::newRow("a book index outside the book")
        << Bad::BookIndexOutside << Outcome::Closed << inbound
        << QStringLiteral("address index 5 is outside the frame's book of 0")
        << QStringLiteral("outside the frame's book");
    QTest::newRow("a valid frame dribbled a byte at a time")
        << Bad::Dribbled << Outcome::Delivered << none << QString() << QString();
    QTest::newRow("a peer that stops reading")
        << Bad::StopsReading << Outcome::Closed << EndOfTransport::StoppedReading
        << QStringLiteral("the peer took no bytes for 500 ms") << QStringLiteral("took no bytes");
}

void tst_BadInput::onePeerMisbehavingLeavesTheOthersAlone()
{
    QFETCH(Bad, bad);
    QFETCH(Outcome, outcome);
    QFETCH(EndOfTransport, reason);
    QFETCH(QString, note);
    QFETCH(QString, warning);

    // Short deadlines keep the silent rows quick; elsewhere they are long, so that a loaded
    // machine (sanitizers, parallel ctest) can't make a healthy connection look stale. A peer
    // that stops reading is only found out with heartbeats off (else it goes stale first).
    ConnectionOptions options;
    options.greetingTimeout = bad == Bad::Silence ? 300ms : 10s;
    options.heartbeatInterval = 1s;
    options.heartbeatTimeout = 10s;
    if (bad == Bad::TruncatedHeader) {
        options.heartbeatInterval = 100ms;
        options.heartbeatTimeout = 1000ms;
    }
    if (bad == Bad::StopsReading) {
        options.heartbeatInterval = 0ms;
        options.sendQueueBytes = 1 << 20;
        options.stallTimeout = 500ms;
    }

    Scene scene;
    QVERIFY(scene.start(options));
    // Traffic flows before the bad input.
    scene.waitForAnswers(20);
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(scene.endings(), 0);

    QTcpSocket raw;
    raw.setProxy(QNetworkProxy::NoProxy);
    QByteArray received;
    bool reading = bad != Bad::StopsReading;
    if (!reading)
        raw.setReadBufferSize(512);
    QObject::connect(&raw, &QTcpSocket::readyRead, [&] {
        if (reading)
            received += raw.readAll();
    });
    raw.connectToHost(QHostAddress::LocalHost, scene.at.port);
    QVERIFY(raw.waitForConnected(5000));
    raw.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const quint16 rawPort = raw.localPort();

    // Sends the preamble and waits until the server has accepted the raw connection.
    Address rawProxy;
    auto greet = [&] {
        raw.write(preamble());
        QTRY_VERIFY_WITH_TIMEOUT(!(rawProxy = scene.acceptedFrom(rawPort)).isNull(), Patience);
    };
    const int answersAtStart = scene.fewestAnswers();

    switch (bad) {
    case Bad::Garbage:
        raw.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        break;
    case Bad::Silence:
        break;
    case Bad::WrongVersion:
        raw.write(QByteArray("PRLY\x03\x00\x00\x00", 8));
        break;
    case Bad::Encrypted:
        raw.write(QByteArray("PRLY\x02\x01\x00\x00", 8));
        break;
    case Bad::TruncatedHeader:
        greet();
        raw.write(queryFrame(1).left(6));
        break;
    case Bad::LengthTooShort:
        greet();
        raw.write(u32(3) + QByteArray(8, '\0'));
        break;
    case Bad::LengthOverLimit:
        greet();
        raw.write(u32((1 << 20) + 1) + QByteArray(8, '\0'));
        break;
    case Bad::LengthAllOnes:
        greet();
        raw.write(u32(0xFFFFFFFF) + QByteArray(8, '\0'));
        break;
    case Bad::MillionIds:
        // A message header whose length claims 10^6 ids, then the first 64 KiB of them: the
        // server must refuse at the length, not wait for (or buffer) 8 MB.
        greet();
        raw.write(rawFrame(1, 64, 64, 10, 0, ids(8192), 8 + 8 * 1000000));
        break;
    case Bad::BookEntryOver64: {
        greet();
        const QByteArray body = Parley::encodeBody(Query{1});
        raw.write(rawFrame(1, 1, 1, 10, quint32(body.size()),
                           ids(1) + ids(1) + "test.Query" + body + char(200) + ids(200)));
        break;
    }
    case Bad::UnknownKind:
        greet();
        raw.write(rawFrame(9, 0, 0, 0, 0, {}));
        break;
    case Bad::PingWithBody:
        greet();
        raw.write(rawFrame(2, 0, 0, 0, 3, "abc"));
        break;
    case Bad::UndecodableBody:
        greet();
        // {"n": "x"}: text where Query.n is an integer.
        raw.write(encodedFrame("test.Query", QByteArray::fromHex("a1616e6178")));
        break;
    case Bad::UnknownType:
        greet();
        for (int i = 0; i < 11; ++i)
            raw.write(encodedFrame("test.NoSuchThing", QByteArray::fromHex("a0")));
        break;
    case Bad::BookIndexOutside:
        greet();
        // {"address": 5, "label": ""} with an empty book.
        raw.write(
            encodedFrame("test.Carry", QByteArray::fromHex("a2676164647265737305656c6162656c60")));
        break;
    case Bad::Dribbled: {
        // The preamble and a Query, one byte per write, each flushed before the next.
        const QByteArray all = preamble() + queryFrame(999);
        for (qsizetype i = 0; i < all.size(); ++i) {
            raw.write(all.constData() + i, 1);
            raw.flush();
            raw.waitForBytesWritten(100);
            // Time passing is the point here (the server should see the bytes come one by one),
            // not synchronisation: the outcome is the same if some arrive together.
            QTest::qWait(1);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!(rawProxy = scene.acceptedFrom(rawPort)).isNull(), Patience);
        break;
    }
    case Bad::StopsReading: {
        greet();
        QVERIFY(!QTest::currentTestFailed());
        // The server pushes to the raw peer, which never reads: kernel buffers fill, then the
        // send queue; the peer is dropped after stallTimeout. Each round pushes (64 KiB blobs
        // sharing one buffer) until the queue refuses, asks for Drained and waits for it or
        // Closed: the connection's own messages pace the test, not a clock.
        const QByteArray bytes(64 << 10, 'x');
        const Inbox &heard = *scene.server;
        for (int round = 1; countOf<Closed>(heard) == 0; ++round) {
            QVERIFY2(round <= 100, "the queue keeps draining: does the peer read after all?");
            const int refused = countOf<SendFailed>(heard), drained = countOf<Drained>(heard);
            for (int i = 0; i < 400 && countOf<SendFailed>(heard) == refused; ++i)
                scene.serverRuntime->send(Do{rawProxy, Value(Blob{i, bytes})}, scene.serverAgent);
            QTRY_VERIFY_WITH_TIMEOUT(
                countOf<SendFailed>(heard) > refused || countOf<Closed>(heard) > 0, Patience);
            scene.serverRuntime->send(Do{rawProxy, Value(WhenDrained{})}, scene.serverAgent);
            QTRY_VERIFY_WITH_TIMEOUT(
                countOf<Drained>(heard) > drained || countOf<Closed>(heard) > 0, Patience);
        }
        break;
    }
    }
    QVERIFY(!QTest::currentTestFailed());

    // What the server's controller hears.
    switch (outcome) {
    case Outcome::NeverGreeted:
        QTRY_VERIFY_WITH_TIMEOUT(warningsWith(*scene.serverLog, warning) >= 1, Patience);
        QVERIFY(scene.acceptedFrom(rawPort).isNull());
        break;
    case Outcome::Closed:
        QTRY_COMPARE_WITH_TIMEOUT(countOf<Closed>(*scene.server), 1, Patience);
        QCOMPARE(first<Closed>(*scene.server).from, rawProxy);
        QCOMPARE(first<Closed>(*scene.server).message.get<Closed>().reason, reason);
        QVERIFY2(first<Closed>(*scene.server).message.get<Closed>().note.contains(note),
                 qPrintable(first<Closed>(*scene.server).message.get<Closed>().note));
        QCOMPARE(first<Closed>(*scene.server).message.get<Closed>().remote.port, rawPort);
        break;
    case Outcome::Abandoned:
        QTRY_COMPARE_WITH_TIMEOUT(countOf<Abandoned>(*scene.server), 1, Patience);
        QCOMPARE(first<Abandoned>(*scene.server).from, rawProxy);
        QCOMPARE(first<Abandoned>(*scene.server).message.get<Abandoned>().reason, reason);
        QVERIFY2(first<Abandoned>(*scene.server).message.get<Abandoned>().note.contains(note),
                 qPrintable(first<Abandoned>(*scene.server).message.get<Abandoned>().note));
        break;
    case Outcome::Delivered: {
        // The server's controller got the Query, from the raw peer's object behind its proxy,
        // and answered it over the same connection.
        auto queryArrived = [&] {
            for (int i = 0; i < scene.server->count(); ++i) {
                const ::Received r = scene.server->at(i);
                if (r.message.is<Query>() && r.message.get<Query>().n == 999)
                    return r.from == Address({5, rawProxy.last()});
            }
            return false;
        };
        auto answerArrived = [&] {
            for (const auto &f : framesIn(received)) {
                if (f.kind == Wire::Kind::Message && f.type == "test.Answer") {
                    const auto answer = decodeBody<Answer>(f.body);
                    return answer.hasValue() && answer->n == 999;
                }
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(queryArrived(), Patience);
        QTRY_VERIFY_WITH_TIMEOUT(answerArrived(), Patience);
        QCOMPARE(raw.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(scene.endings(), 0);
        break;
    }
    }

    // A warning line says what happened (where the documentation promises one).
    if (!warning.isEmpty())
        QTRY_VERIFY2_WITH_TIMEOUT(warningsWith(*scene.serverLog, warning) == 1,
                                  qPrintable(scene.serverLog->lines().join(u'\n')), Patience);

    // The bad connection is closed: the raw peer sees the end of it.
    if (outcome == Outcome::Delivered) {
        raw.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(countOf<Abandoned>(*scene.server), 1, Patience);
        QCOMPARE(first<Abandoned>(*scene.server).message.get<Abandoned>().reason,
                 EndOfTransport::AbandonedByRemote);
    } else {
        if (!reading) {
            // It reads again, to find the end of the stream.
            reading = true;
            raw.setReadBufferSize(0);
            received += raw.readAll();
        }
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, Patience);
        received += raw.readAll();
    }
    // A peer closed for a bad frame was told why in a close frame, its last.
    if (outcome == Outcome::Closed && reason == EndOfTransport::InboundStreaming) {
        const auto frames = framesIn(received);
        QVERIFY2(
            !frames.empty() && frames.back().kind == Wire::Kind::Close,
            qPrintable(
                QStringLiteral("%1 frames in %2 bytes").arg(frames.size()).arg(received.size())));
        QVERIFY2(QString::fromUtf8(frames.back().body).contains(note),
                 frames.back().body.constData());
    }
    // Nothing else ended: one ending for the raw connection where one is expected.
    QCOMPARE(scene.endings(), outcome == Outcome::NeverGreeted ? 0 : 1);
    // The server's proxy for it is gone.
    if (!rawProxy.isNull())
        QTRY_VERIFY_WITH_TIMEOUT(!scene.serverRuntime->contains(rawProxy), Patience);

    // Traffic flowed during the bad input and flows after it.
    scene.waitForAnswers(std::max(answersAtStart, scene.fewestAnswers()) + 20);
    QVERIFY(!QTest::currentTestFailed());

    // The server still accepts a new connection, and answers on it.
    auto late = std::make_shared<Inbox>();
    const Address lateAgent = scene.clientRuntime->create<Agent>(late, connecting(scene.at));
    QTRY_COMPARE_WITH_TIMEOUT(countOf<Connected>(*late), 1, Patience);
    scene.clientRuntime->send(Do{first<Connected>(*late).from, Value(Query{4242})}, lateAgent);
    QTRY_COMPARE_WITH_TIMEOUT(countOf<Answer>(*late), 1, Patience);
    QCOMPARE(first<Answer>(*late).message.get<Answer>().n, 4242);

    // Every healthy client got every answer, once and in order.
    scene.finish();
    QVERIFY(!QTest::currentTestFailed());
    // No other connection of the server ended.
    QCOMPARE(scene.endings(), outcome == Outcome::NeverGreeted ? 0 : 1);
}

void tst_BadInput::aResetMetByAWriteIsNoticedAtOnce()
{
    // A raw server greets a Parley client, then resets the connection while the client's
    // thread is busy; the first thing the client does next is write. The write fails (the
    // socket is gone): the client must report the peer gone at once, as it does when it reads
    // the reset first (docs/protocol.md section 4: "noticed at once from EOF/RST").
    QTcpServer server;
    server.setProxy(QNetworkProxy::NoProxy);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    std::shared_ptr<CountingSink> log;
    auto runtime = startRecordedRuntime(log);
    auto inbox = std::make_shared<Inbox>();
    auto bed = std::make_shared<Bed>();
    const Address sleeper = runtime->create<Sleeper>(
        inbox, HostPort{QStringLiteral("127.0.0.1"), server.serverPort()}, bed);
    QTRY_VERIFY(server.hasPendingConnections());
    QTcpSocket *peer = server.nextPendingConnection();
    peer->write(preamble());
    QTRY_COMPARE(countOf<Connected>(*inbox), 1);

    runtime->send(Nap{}, sleeper);
    QVERIFY(bed->asleep.tryAcquire(1, 30000)); // the client's thread is blocked now
    // Reset, not close: linger with a zero timeout makes close() send RST.
    const linger reset{1, 0};
    QVERIFY(::setsockopt(int(peer->socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset)
            == 0);
    peer->abort();
    // On loopback the reset has reached the client's socket when abort() returns; if it had
    // not, the client would read it a moment later, which this test accepts as well.
    bed->wake.release();

    QTRY_COMPARE_WITH_TIMEOUT(countOf<Abandoned>(*inbox), 1, Patience);
    QCOMPARE(first<Abandoned>(*inbox).message.get<Abandoned>().reason,
             EndOfTransport::AbandonedByRemote);
}

QTEST_GUILESS_MAIN(tst_BadInput)
#include "tst_badinput.moc"
