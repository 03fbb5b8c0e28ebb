// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The live event stream (docs/events.md, "The live stream"): a monitor that starts after the
// program gets the program's whole history, then the events as they happen; the monitor's
// capture filter changes what comes; a monitor that restarts is found again and gets the
// objects alive first (a snapshot); the stream never records its own link.

#include <parley/parley.h>

#include <QtCore/QMutex>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include <atomic>

#include <unistd.h>

using namespace Parley;
using namespace std::chrono_literals;

namespace {

/// What the fake monitor received, in order, from every program.
struct Received
{
    mutable QMutex lock;
    QList<RuntimeInfo> infos;
    QList<Event> events;
    Address program; ///< where a CaptureFilter goes (the RuntimeInfo's return address)
    QString listening;

    QString listeningAt() const
    {
        QMutexLocker l(&lock);
        return listening;
    }
    Address programAddress() const
    {
        QMutexLocker l(&lock);
        return program;
    }
    int infoCount() const
    {
        QMutexLocker l(&lock);
        return int(infos.size());
    }
    QList<Event> all() const
    {
        QMutexLocker l(&lock);
        return events;
    }
    int count(EventKind kind) const
    {
        QMutexLocker l(&lock);
        return int(std::count_if(events.begin(), events.end(),
                                 [kind](const Event &e) { return e.kind == kind; }));
    }
    bool has(EventKind kind, const QString &name) const
    {
        QMutexLocker l(&lock);
        return std::any_of(events.begin(), events.end(),
                           [&](const Event &e) { return e.kind == kind && e.name == name; });
    }
};

/// One connection of the fake monitor: keeps what the program streams.
class Collector : public Machine
{
public:
    Collector(std::shared_ptr<Received> into, const SessionInfo &)
    {
        on<RuntimeInfo>([this, into](const RuntimeInfo &info) {
            QMutexLocker l(&into->lock);
            into->infos.append(info);
            into->program = returnAddress();
        });
        on<EventBatch>([into](EventBatch &batch) {
            QMutexLocker l(&into->lock);
            into->events.append(batch.events);
        });
        on<Stop>([this] { complete(Ack{}); });
    }
};

/// The fake monitor: listens at a port and makes a Collector per connection.
class FakeMonitor : public Machine
{
public:
    FakeMonitor(std::shared_ptr<Received> into, quint16 port)
    {
        on<Start>([this, into, port] {
            ConnectionOptions options;
            options.session = createFrame<Collector>(into);
            options.maxFrameSize = 16 << 20;
            Parley::listenAt(*this, HostPort{QStringLiteral("127.0.0.1"), port}, options);
        });
        on<Listening>([into](const Listening &l) {
            QMutexLocker lock(&into->lock);
            into->listening = l.bound.toString();
        });
        on<NotListening>([this](const NotListening &n) { complete(n); });
        on<Accepted>([] {});
        on<Closed>([] {});
        on<Abandoned>([] {});
        on<Stop>([this] { complete(Aborted{}); });
    }
};

/// Sends a Question to its peer on Go; answers a Question with an Answer.
struct Question
{
    int n = 0;
};
struct Answer
{
    int n = 0;
};
struct Go
{
};
PARLEY_MESSAGE_AS(Question, "test.Question", n)
PARLEY_MESSAGE_AS(Answer, "test.Answer", n)
PARLEY_MESSAGE_AS(Go, "test.Go")

class Answerer : public Machine
{
public:
    Answerer()
    {
        on<Question>([this](const Question &q) { reply(Answer{q.n * 2}); });
        on<Stop>([this] { complete(Aborted{}); });
    }
};

class Asker : public Machine
{
public:
    explicit Asker(int children)
    {
        on<Start>([this, children] {
            for (int i = 0; i < children; ++i)
                m_answerers.append(create<Answerer>());
        });
        on<Go>([this] { send(Question{21}, m_answerers.value(0)); });
        on<Answer>([this](const Answer &) { warning("answered"); });
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    QList<Address> m_answerers;
};

/// Writes \a lines console lines on Start, then waits.
class Chatty : public Machine
{
public:
    /// Each line is "line N", then \a padding characters.
    Chatty(int lines, std::shared_ptr<std::atomic<bool>> done, int padding = 0)
    {
        on<Start>([this, lines, done, padding] {
            const QString pad(padding, QLatin1Char('.'));
            for (int i = 0; i < lines; ++i)
                console("line ", i, pad);
            done->store(true);
        });
        on<Stop>([this] { complete(Aborted{}); });
    }
};

/// Completes at once with an Ack: shows that its runtime still runs work.
class Prompt : public Machine
{
public:
    Prompt()
    {
        on<Start>([this] { complete(Ack{}); });
    }
};

/// A monitor that greets and then never reads again, as a frozen process: it keeps the accepted
/// sockets' descriptors and no QTcpSocket, which would read everything into its own buffer.
class FrozenMonitor : public QTcpServer
{
public:
    ~FrozenMonitor() override
    {
        for (qintptr fd : std::as_const(m_accepted))
            ::close(int(fd));
    }
    /// Connections accepted so far.
    int accepted() const { return int(m_accepted.size()); }

protected:
    void incomingConnection(qintptr fd) override
    {
        static const char preamble[] = {'P', 'R', 'L', 'Y', 2, 0, 0, 0}; // version 2, plain
        (void)!::write(int(fd), preamble, sizeof preamble);
        m_accepted.append(fd);
    }

private:
    QList<qintptr> m_accepted;
};

/// Counts the events its runtime emits at OBJECT level and above: those a stream with the
/// default capture filter gets.
class EventCounter : public LogSink
{
public:
    EventCounter() : LogSink(LogLevel::Object) {}
    void write(const Event &) override { ++m_count; }
    [[nodiscard]] quint64 count() const { return m_count.load(); }

private:
    std::atomic<quint64> m_count{0};
};

/// Returns a port nobody listens on now.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    return probe.serverPort();
}

std::unique_ptr<Runtime> startMonitor(const std::shared_ptr<Received> &into, quint16 port)
{
    auto rt = std::make_unique<Runtime>(Runtime::Options{.workers = 1, .name = "monitor"});
    rt->create<FakeMonitor>(into, port);
    return rt;
}

} // namespace

class tst_Stream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aLateMonitorGetsTheWholeHistoryThenTheEvents();
    void theMonitorsCaptureFilterChangesWhatComes();
    void aMonitorThatRestartsIsFoundAgain();
    void aHistoryOnePastTheBoundIsReplacedByASnapshot();
    void aMonitorThatStopsReadingCostsTheProgramNothingButEvents();
};

void tst_Stream::aLateMonitorGetsTheWholeHistoryThenTheEvents()
{
    const quint16 port = freePort();
    QVERIFY(port);
    Runtime program(Runtime::Options{.workers = 2, .name = "program"});
    auto stream = MonitorStream::start(program, HostPort{QStringLiteral("127.0.0.1"), port});
    // The program runs before any monitor is there.
    const Address asker = program.create<Asker>(3);
    QTRY_COMPARE(program.objectCount(), 5); // the asker, its three answerers, the stream's link
    QVERIFY(!stream->isConnected());

    auto received = std::make_shared<Received>();
    auto monitor = startMonitor(received, port);
    QTRY_COMPARE_WITH_TIMEOUT(received->infoCount(), 1, 20000);
    QTRY_COMPARE(received->count(EventKind::Created), 4);
    QCOMPARE(stream->connections(), 1);
    {
        QMutexLocker l(&received->lock);
        const RuntimeInfo &info = received->infos.first();
        QCOMPARE(info.runtimeId, program.info().runtimeId);
        QCOMPARE(info.runtimeName, QStringLiteral("program"));
        QCOMPARE(info.schema, EventSchemaVersion);
    }
    // What happened before the monitor was there, from the first event on, in order: the
    // asker, then its answerers (created while it handled its Start); nothing of the stream's
    // own link, and no snapshot (the history says it all).
    QList<Event> events = received->all();
    QCOMPARE(events.first().seq, quint64(1));
    QCOMPARE(events.first().kind, EventKind::Created);
    QCOMPARE(events.first().object, asker.last());
    QCOMPARE(events.first().className, QStringLiteral("Asker"));
    QList<quint64> seen;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &e = events[i];
        QVERIFY(i == 0 || e.seq > events[i - 1].seq);
        QVERIFY(e.kind != EventKind::Snapshot && e.kind != EventKind::SnapshotEnd);
        if (e.kind == EventKind::Created) {
            QVERIFY2(e.parent == 1 || seen.contains(e.parent), "a child before its parent");
            seen.append(e.object);
        }
    }
    QCOMPARE(seen.size(), 4);

    // Then events as they happen: the question, its answer, the warning it brings.
    program.send(Go{}, asker);
    QTRY_VERIFY(received->has(EventKind::Text, QStringLiteral("Asker")));
    events = received->all();
    quint64 question = 0;
    for (const Event &e : events) {
        if (e.kind == EventKind::Sent && e.type == QLatin1String("test.Question"))
            question = e.messageId;
        QVERIFY2(!e.className.contains(QLatin1String("MonitorLink"))
                     && e.className != QLatin1String("Connection")
                     && e.type != QLatin1String("parley.EventBatch"),
                 qPrintable(formatEvent(e))); // the stream does not record itself
    }
    QVERIFY(question != 0);
    // The answer was sent while handling the question: its cause.
    const auto answer = std::find_if(events.begin(), events.end(), [](const Event &e) {
        return e.kind == EventKind::Sent && e.type == QLatin1String("test.Answer");
    });
    QVERIFY(answer != events.end());
    QCOMPARE(answer->cause, question);
    QCOMPARE(stream->eventsDropped(), quint64(0));
}

void tst_Stream::theMonitorsCaptureFilterChangesWhatComes()
{
    auto received = std::make_shared<Received>();
    auto monitor = startMonitor(received, 0);
    QTRY_VERIFY(!received->listeningAt().isEmpty());
    HostPort at;
    QVERIFY(parseMonitorAddress(received->listeningAt(), at));

    Runtime program(Runtime::Options{.workers = 2, .name = "program"});
    auto stream = MonitorStream::start(program, at);
    QTRY_COMPARE_WITH_TIMEOUT(received->infoCount(), 1, 20000);
    const Address asker = program.create<Asker>(1);
    program.send(Go{}, asker);
    QTRY_VERIFY(received->has(EventKind::Text, QStringLiteral("Asker")));
    QVERIFY(received->count(EventKind::Sent) > 0);

    // The monitor wants warnings and worse only.
    const Address back = received->programAddress();
    monitor->send(CaptureFilter{.level = LogLevel::Warning}, back);
    QTRY_COMPARE(stream->filter().level, LogLevel::Warning);
    const int sentBefore = received->count(EventKind::Sent);
    const int textsBefore = received->count(EventKind::Text);
    program.send(Go{}, asker);
    QTRY_COMPARE(received->count(EventKind::Text), textsBefore + 1);
    QCOMPARE(received->count(EventKind::Sent), sentBefore);
}

void tst_Stream::aMonitorThatRestartsIsFoundAgain()
{
    const quint16 port = freePort();
    QVERIFY(port);
    auto received = std::make_shared<Received>();
    auto monitor = startMonitor(received, port);
    Runtime program(Runtime::Options{.workers = 2, .name = "program"});
    auto stream = MonitorStream::start(program, HostPort{QStringLiteral("127.0.0.1"), port});
    QTRY_COMPARE_WITH_TIMEOUT(received->infoCount(), 1, 20000);
    const Address asker = program.create<Asker>(2);
    QTRY_VERIFY(received->has(EventKind::Created, QStringLiteral("Asker")));

    monitor.reset(); // the monitor goes away ...
    QTRY_VERIFY_WITH_TIMEOUT(!stream->isConnected(), 20000);
    auto again = std::make_shared<Received>();
    monitor = startMonitor(again, port); // ... and comes back on the same port
    QTRY_COMPARE_WITH_TIMEOUT(again->infoCount(), 1, 30000);
    QCOMPARE(stream->connections(), 2);
    // The new monitor learns what is alive from the snapshot.
    QTRY_COMPARE(again->count(EventKind::SnapshotEnd), 1);
    QVERIFY(again->has(EventKind::Snapshot, QStringLiteral("Asker")));
    program.send(Go{}, asker);
    QTRY_VERIFY(again->has(EventKind::Text, QStringLiteral("Asker")));
}

void tst_Stream::aHistoryOnePastTheBoundIsReplacedByASnapshot()
{
    // Before the first connection the stream keeps the history up to MaxPending events; one
    // more and the first monitor gets a snapshot of what is alive instead.
    const quint16 port = freePort();
    QVERIFY(port);
    Runtime program(Runtime::Options{.workers = 1, .name = "program"});
    program.logger().setCapacity(4 * MonitorStream::MaxPending); // the logger keeps them all
    auto stream = MonitorStream::start(program, HostPort{QStringLiteral("127.0.0.1"), port});
    // Created, Received Start and the lines (and Handled) go past the bound by more than one.
    auto done = std::make_shared<std::atomic<bool>>(false);
    const Address chatty = program.create<Chatty>(int(MonitorStream::MaxPending), done);
    QVERIFY(program.contains(chatty));
    QTRY_VERIFY_WITH_TIMEOUT(done->load(), 20000); // all its lines are written before ...
    program.logger().flush();                      // ... they are all in the stream's history
    QVERIFY(!stream->isConnected());
    QCOMPARE(program.logger().dropped(), quint64(0));

    auto received = std::make_shared<Received>();
    auto monitor = startMonitor(received, port);
    QTRY_COMPARE_WITH_TIMEOUT(received->infoCount(), 1, 20000);
    QTRY_COMPARE(received->count(EventKind::SnapshotEnd), 1);
    QVERIFY(received->has(EventKind::Snapshot, QStringLiteral("Chatty")));
    QCOMPARE(received->count(EventKind::Text), 0); // the history is gone, not half sent
    QCOMPARE(received->count(EventKind::Created), 0);
}

void tst_Stream::aMonitorThatStopsReadingCostsTheProgramNothingButEvents()
{
    // A monitor that greets and then never reads again (a frozen process): the program keeps
    // running, what cannot go is dropped and counted, and its end does not wait for the
    // monitor. (The monitor must really not read: a QTcpSocket would read everything into its
    // unbounded buffer whenever this thread's event loop ran, as QTRY_* lets it; on a busy or
    // single core that kept up with the program and nothing was ever dropped.)
    FrozenMonitor frozen;
    QVERIFY(frozen.listen(QHostAddress::LocalHost));
    // A shutdown grace far longer than the end may take: the end must not wait for it.
    auto program = std::make_unique<Runtime>(
        Runtime::Options{.workers = 2, .name = "program", .stopGrace = std::chrono::seconds(60)});
    // The logger keeps every line (and the few other events), so what is lost is the stream's.
    program->logger().setCapacity(4 * MonitorStream::MaxPending + 1024);
    auto emitted = std::make_shared<EventCounter>();
    program->logger().addSink(emitted);
    auto stream = MonitorStream::start(*program,
                                       HostPort{QStringLiteral("127.0.0.1"), frozen.serverPort()});
    QTRY_VERIFY_WITH_TIMEOUT(stream->isConnected(), 20000);

    // Four times the stream's bound in lines of about 520 bytes, 136 MB: far more than the
    // kernel's buffers, the connection's send queue (16 MiB) and the stream's bound
    // (MaxPending events, 34 MB of these) hold together, whatever the timing. (Should the
    // connection go stale first, 15 s without a byte from the monitor, the batches the stream
    // held back for it count as dropped.)
    auto done = std::make_shared<std::atomic<bool>>(false);
    program->create<Chatty>(int(4 * MonitorStream::MaxPending), done, 512);
    QTRY_VERIFY_WITH_TIMEOUT(done->load(), 120000);
    program->logger().flush();
    QCOMPARE(program->logger().dropped(), quint64(0));
    QTRY_VERIFY_WITH_TIMEOUT(stream->eventsDropped() > 0, 60000);
    const quint64 sent = stream->eventsSent();
    QVERIFY2(sent < quint64(4 * MonitorStream::MaxPending),
             qPrintable(QStringLiteral("%1 events handed to the connection").arg(sent)));

    // The program still runs work while its stream is stuck.
    const Address prompt = program->create<Prompt>();
    const auto value = program->waitForCompletion(prompt, std::chrono::seconds(60));
    QVERIFY(value && value->is<Ack>());

    // Its end waits for the monitor twice the stream's close timeout (1 s) at most: for the
    // batches held back to go, then for the close to be confirmed; not for the monitor to read,
    // nor for its connection to go stale (15 s after the monitor's last byte), nor for the
    // runtime's grace. The bound here is generous; it only catches such a wait.
    QElapsedTimer clock;
    clock.start();
    program.reset();
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));

    // What the stream counts are the runtime's events, each once: sent, or dropped (so far as
    // it had them; a stream between two connections has none).
    QVERIFY2(stream->eventsSent() + stream->eventsDropped() <= emitted->count(),
             qPrintable(QStringLiteral("%1 sent + %2 dropped of %3 events")
                            .arg(stream->eventsSent())
                            .arg(stream->eventsDropped())
                            .arg(emitted->count())));
    QVERIFY(frozen.accepted() >= 1);
}

QTEST_GUILESS_MAIN(tst_Stream)
#include "tst_stream.moc"
