// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The monitor's sources: a fake streaming program (a Parley routine that connects and speaks
// the live stream protocol of docs/events.md) shows up in the tree and the log, is marked gone
// when it disconnects, and receives the capture filter the monitor sends; recordings open and
// merge by time, save and reopen; and bad input (a newer schema, a truncated or corrupt
// recording, a source that floods) is reported while the monitor keeps working.

#include "synthetic.h"

#include <app/listener.h>
#include <app/mainwindow.h>
#include <views/logview.h>
#include <views/objecttreeview.h>

#include <parley/codec.h>
#include <parley/net.h>
#include <parley/recording.h>
#include <parley/routine.h>
#include <parley/runtime.h>

#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>
#include <QtTest/QtTest>

using namespace Parley;
using namespace Parley::Monitor;
using namespace std::chrono_literals;

namespace {

/// What the fake program does: stream \a info and \a batches to the monitor at \a port, wait
/// for a CaptureFilter (when \a waitForFilter), then close. Completes with the filter it got,
/// or Ack.
Value streamingProgram(Routine &self, quint16 port, RuntimeInfo info, QList<QList<Event>> batches,
                       bool waitForFilter)
{
    Parley::connectTo(self, HostPort{QStringLiteral("127.0.0.1"), port});
    Value m = self.select<Connected, NotConnected>(10s);
    if (!m.is<Connected>())
        return m.take();
    const Address monitor = self.returnAddress();
    self.send(RuntimeInfo(info), monitor);
    for (QList<Event> &batch : batches)
        self.send(EventBatch{std::move(batch)}, monitor);
    Value result = Ack{};
    if (waitForFilter) {
        m = self.select<CaptureFilter>(20s);
        if (!m.is<CaptureFilter>())
            return m.take();
        result = m.take();
    }
    self.send(Close{}, monitor);
    self.select<Closed, Abandoned>(10s);
    return result;
}

/// Splits \a events into a snapshot-like first batch and batches of \a size.
QList<QList<Event>> batches(const QList<Event> &events, qsizetype size)
{
    QList<QList<Event>> out;
    for (qsizetype i = 0; i < events.size(); i += size)
        out.append(events.mid(i, size));
    return out;
}

QByteArray record(const QByteArray &envelope)
{
    QByteArray out(4, '\0');
    qToBigEndian(quint32(envelope.size()), out.data());
    return out + envelope;
}

QByteArray header()
{
    QByteArray h("PRLYREC\0", 8);
    h.append(8, '\0');
    qToBigEndian(RecordingFormatVersion, h.data() + 8);
    return h;
}

/// An event from a "future" schema: a kind and a field this monitor does not know.
struct FutureEvent
{
    QString kind;
    quint64 seq = 0;
    quint64 object = 0;
    QString name;
    QString text;
    QString hologram;
};
PARLEY_MESSAGE_AS(FutureEvent, "test.FutureEvent", kind, seq, object, name, text, hologram)

/// A monitor window with its queue, committing on its timer like the real program.
struct TestMonitor
{
    std::shared_ptr<IngestQueue> queue = std::make_shared<IngestQueue>();
    MainWindow window{queue};
    TestMonitor() { window.ingestor()->setInterval(20); }
    EventStore &store() { return *window.store(); }
    int sourceNamed(const QString &program)
    {
        for (int i = 0; i < store().sourceCount(); ++i) {
            if (store().source(i).info.program == program)
                return i;
        }
        return -1;
    }
    // wording checked on purpose: the monitor's own log lines are what its user reads.
    bool logContains(const QString &text)
    {
        LogFilterModel *log = window.logModel();
        for (int row = 0; row < log->rowCount(); ++row) {
            if (log->index(row, LogModel::EventColumn).data().toString().contains(text))
                return true;
        }
        return false;
    }
};

} // namespace

class tst_Live : public QObject
{
    Q_OBJECT

private slots:
    void aStreamingProgramAppearsIsGoneWhenItLeavesAndGetsTheCaptureFilter()
    {
        Runtime runtime;
        TestMonitor monitor;
        QSignalSpy listening(monitor.window.ingestor(), &Ingestor::listening);
        const Address listener = runtime.createOn<StreamListener>(
            Placement::AnyWorker, monitor.queue, HostPort{QStringLiteral("127.0.0.1"), 0});
        QTRY_COMPARE_WITH_TIMEOUT(listening.count(), 1, 10000);
        HostPort bound;
        QVERIFY(parseHostPort(listening.first().at(0).toString(), bound));
        QVERIFY(bound.port != 0);
        monitor.window.setCaptureSender([&runtime](const Address &to, const CaptureFilter &f) {
            runtime.send(CaptureFilter(f), to);
            return true;
        });

        const Synthetic::Run run = Synthetic::demoRun(2);
        const RuntimeInfo server = run.processes[0];
        const Address program = runtime.create(&streamingProgram, bound.port, server,
                                               batches(run.eventsOf(0), 16), true);

        // The tree and the log get what it sent.
        QTRY_VERIFY_WITH_TIMEOUT(monitor.sourceNamed(server.program) >= 0, 10000);
        const int source = monitor.sourceNamed(server.program);
        const qsizetype sent = run.eventsOf(0).size();
        QTRY_COMPARE_WITH_TIMEOUT(monitor.store().source(source).events, quint64(sent), 10000);
        QVERIFY(monitor.store().source(source).connected);
        QCOMPARE(monitor.store().source(source).info.runtimeId, server.runtimeId);
        ObjectTreeModel *tree = monitor.window.treeView()->model();
        const int greeter = monitor.store().findObject(source, 7);
        QVERIFY(greeter >= 0);
        QCOMPARE(monitor.store().string(monitor.store().object(greeter).name),
                 QStringLiteral("greeter"));
        const QModelIndex greeterIndex = tree->indexOfNode(greeter);
        QVERIFY(greeterIndex.isValid());
        QCOMPARE(greeterIndex.parent().parent().data().toString(), QStringLiteral("listener"));
        QVERIFY(monitor.logContains(QStringLiteral("Buster serving at 127.0.0.1:32011")));

        // A capture filter set in the monitor reaches the program.
        CaptureFilter filter;
        filter.level = LogLevel::Trace;
        filter.bodies = true;
        filter.types = QStringList{QStringLiteral("demo.Hello")};
        QVERIFY(monitor.window.sendCaptureFilter(source, filter));
        const std::optional<Value> result = runtime.waitForCompletion(program, 20s);
        QVERIFY(result.has_value());
        QVERIFY2(result->is<CaptureFilter>(), result->typeName());
        const CaptureFilter got = result->get<CaptureFilter>();
        QCOMPARE(got.level, LogLevel::Trace);
        QCOMPARE(got.bodies, true);
        QCOMPARE(got.types, filter.types);
        QVERIFY(monitor.logContains(QStringLiteral("capture filter sent to")));

        // It closed: the process is shown as gone.
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.store().source(source).connected, 10000);
        QCOMPARE(tree->index(tree->indexOfNode(monitor.store().source(source).node).row(),
                             ObjectTreeModel::StateColumn)
                     .data()
                     .toString(),
                 QStringLiteral("gone"));
        QVERIFY(monitor.logContains(QStringLiteral("disconnected")));
        runtime.send(Stop{}, listener);
    }

    void twoProgramsStreamAndTheirMessagesJoin()
    {
        Runtime runtime;
        TestMonitor monitor;
        QSignalSpy listening(monitor.window.ingestor(), &Ingestor::listening);
        runtime.createOn<StreamListener>(Placement::AnyWorker, monitor.queue,
                                         HostPort{QStringLiteral("127.0.0.1"), 0});
        QTRY_COMPARE_WITH_TIMEOUT(listening.count(), 1, 10000);
        HostPort bound;
        QVERIFY(parseHostPort(listening.first().at(0).toString(), bound));
        const Synthetic::Run run = Synthetic::demoRun(3);
        std::vector<Address> programs;
        for (int p = 0; p < 3; ++p)
            programs.push_back(runtime.create(&streamingProgram, bound.port,
                                              run.processes[size_t(p)], batches(run.eventsOf(p), 7),
                                              false));
        for (const Address &p : programs)
            QVERIFY(runtime.waitForCompletion(p, 20s).has_value());
        auto received = [&monitor] {
            quint64 n = 0;
            for (int i = 0; i < monitor.store().sourceCount(); ++i) {
                if (monitor.store().source(i).kind == SourceKind::Live)
                    n += monitor.store().source(i).events;
            }
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(received(), quint64(run.steps.size()), 10000);
        const MonitorSummary s = monitor.window.summary();
        QCOMPARE(s.sources, 3);
        QCOMPARE(s.crossProcessArrows, 3 * 2 * 2);
    }

    void aNewerSchemaIsShownAsUnknownAndSaidSo()
    {
        Runtime runtime;
        TestMonitor monitor;
        QSignalSpy listening(monitor.window.ingestor(), &Ingestor::listening);
        runtime.createOn<StreamListener>(Placement::AnyWorker, monitor.queue,
                                         HostPort{QStringLiteral("127.0.0.1"), 0});
        QTRY_COMPARE_WITH_TIMEOUT(listening.count(), 1, 10000);
        HostPort bound;
        QVERIFY(parseHostPort(listening.first().at(0).toString(), bound));

        RuntimeInfo info = Synthetic::runtimeInfo(0xf00d, QStringLiteral("future"), 77);
        info.schema = EventSchemaVersion + 1;
        Event unknown;
        unknown.kind = EventKind::Unknown; // what a kind this monitor doesn't know decodes to
        unknown.object = 2;
        unknown.name = QStringLiteral("teleporter");
        unknown.text = QStringLiteral("beamed up");
        Event known;
        known.kind = EventKind::Text;
        known.level = LogLevel::Console;
        known.object = 2;
        known.text = QStringLiteral("still talking");
        const Address program = runtime.create(&streamingProgram, bound.port, info,
                                               QList<QList<Event>>{{unknown}, {known}}, false);
        QVERIFY(runtime.waitForCompletion(program, 20s).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(monitor.logContains(QStringLiteral("still talking")), 10000);
        const int source = monitor.sourceNamed(QStringLiteral("future"));
        QVERIFY(source >= 0);
        QVERIFY(monitor.logContains(QStringLiteral("kind this monitor does not know")));
        QVERIFY(monitor.logContains(QStringLiteral("speaks event schema 2")));
        QVERIFY(!monitor.store().source(source).note.isEmpty());
    }

    void recordingsMergeByTimeAndSaveAndReopen()
    {
        QTemporaryDir dir;
        const Synthetic::Run run = Synthetic::demoRun(3);
        const QStringList files
            = Synthetic::writeRecordings(run, dir.filePath(QStringLiteral("in")));
        QCOMPARE(files.size(), 3);
        TestMonitor monitor;
        monitor.window.openFiles(files);
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.window.isBusy(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(monitor.window.summary().records,
                                  qint64(run.steps.size()) + 3 /* a "read N events" each */, 10000);
        // Merged by wall time: the log's records of the three files interleave in time order.
        EventStore &store = monitor.store();
        qint64 last = 0;
        for (Serial s = store.firstSerial(); s < store.endSerial(); ++s) {
            const Record &r = store.record(s);
            if (store.source(r.source).kind != SourceKind::File)
                continue;
            QVERIFY(r.wall >= last);
            last = r.wall;
        }
        QCOMPARE(monitor.window.summary().crossProcessArrows, 3 * 2 * 2);

        // Saved as one file per source in a folder, and read back the same.
        QString error;
        const QStringList saved
            = monitor.window.saveTo(dir.filePath(QStringLiteral("out")), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(saved.size(), 3);
        TestMonitor again;
        again.window.openFiles({dir.filePath(QStringLiteral("out"))}); // a folder
        QTRY_COMPARE_WITH_TIMEOUT(again.window.summary().records, qint64(run.steps.size()) + 3,
                                  10000);
        QCOMPARE(again.window.summary().arrows, monitor.window.summary().arrows);
        QCOMPARE(again.window.summary().objects, monitor.window.summary().objects);
    }

    void damagedRecordingsAreReadAsFarAsTheyGoAndSaidSo_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("said");
        QTest::addColumn<int>("readable");
        QTest::newRow("truncated") << "truncated"
                                   << "truncated" << 5;
        QTest::newRow("corrupt length") << "corrupt length"
                                        << "corrupt" << 5;
        QTest::newRow("garbled record") << "garbled"
                                        << "damaged records were skipped" << 9;
        QTest::newRow("future records") << "future"
                                        << "read 8 events" << 8;
    }
    void damagedRecordingsAreReadAsFarAsTheyGoAndSaidSo()
    {
        QFETCH(QString, damage);
        QFETCH(QString, said);
        QFETCH(int, readable);
        const Synthetic::Run run = Synthetic::demoRun(1);
        const RuntimeInfo info = run.processes[0];
        const QList<Event> events = run.eventsOf(0).mid(0, 10);
        QByteArray data = header() + record(encode(Value(RuntimeInfo(info))));
        for (int i = 0; i < 5; ++i)
            data += record(encode(Value(Event(events[i]))));
        if (damage == QLatin1String("truncated")) {
            data += record(encode(Value(Event(events[5]))));
            data.chop(5);
        } else if (damage == QLatin1String("corrupt length")) {
            data += QByteArray("\xff\xff\xff\xff", 4) + QByteArray(64, 'x');
        } else if (damage == QLatin1String("garbled")) {
            data += record(QByteArray("\x82\x6cparley.Event\x01", 15));
            for (int i = 5; i < 9; ++i)
                data += record(encode(Value(Event(events[i]))));
        } else {
            // a record type and an event kind from a newer schema
            data += record(QByteArray("\x82\x6cparley.Event", 14)
                           + encodeBody(FutureEvent{
                               QStringLiteral("Teleported"), 99, 2, QStringLiteral("beam"),
                               QStringLiteral("whoosh"), QStringLiteral("3d")}));
            for (int i = 5; i < 7; ++i)
                data += record(encode(Value(Event(events[i]))));
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("damaged.parley"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(data);
        file.close();

        TestMonitor monitor;
        QSignalSpy messages(monitor.window.ingestor(), &Ingestor::message);
        monitor.window.openFiles({path});
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.window.isBusy(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor.sourceNamed(info.program) >= 0, 10000);
        const int source = monitor.sourceNamed(info.program);
        QTRY_COMPARE_WITH_TIMEOUT(int(monitor.store().source(source).events), readable, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor.logContains(said), 10000);
        bool status = false;
        for (const auto &m : messages)
            status |= m.at(0).toString().contains(said);
        QVERIFY2(status, "the status bar was told");
        if (damage != QLatin1String("future"))
            QVERIFY(monitor.store().source(source).note.contains(said));
        else
            QVERIFY(
                monitor.logContains(QStringLiteral("Event of a kind this monitor does not know")));

        // ... and the monitor keeps working: the whole run opens fine (the server's recording
        // is the same runtime as the damaged one, so it joins that source).
        QTemporaryDir other;
        monitor.window.openFiles(Synthetic::writeRecordings(run, other.path()));
        QTRY_COMPARE_WITH_TIMEOUT(monitor.window.summary().sources, 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(monitor.window.summary().crossProcessArrows, 2 * 2, 10000);
    }

    void aFloodingSourceLosesBatchesHereAndItIsShown()
    {
        TestMonitor monitor;
        monitor.queue->setLimit(2000);
        monitor.window.ingestor()->stop();
        const int channel = monitor.queue->openChannel();
        monitor.queue->hello(channel, Synthetic::runtimeInfo(0xf100d, QStringLiteral("flood"), 5),
                             SourceKind::Live, QStringLiteral("127.0.0.1:5"));
        Synthetic::Flood flood(0xf100d, 100);
        int accepted = 0;
        for (int b = 0; b < 10; ++b) {
            QList<Event> batch;
            for (int i = 0; i < 500; ++i)
                batch.append(flood.next());
            accepted += monitor.queue->events(channel, std::move(batch));
        }
        QCOMPARE(accepted, 4);
        monitor.window.ingestor()->drainAll();
        const int source = monitor.sourceNamed(QStringLiteral("flood"));
        QCOMPARE(monitor.store().source(source).events, quint64(2000));
        QCOMPARE(monitor.store().source(source).droppedInMonitor, quint64(3000));
        QVERIFY(monitor.store().source(source).note.contains(u"faster than the monitor"));
        QVERIFY(monitor.logContains(QStringLiteral("faster than the monitor")));
        SourcesModel sources(&monitor.store());
        QCOMPARE(sources.index(source, SourcesModel::DroppedInMonitorColumn).data().toULongLong(),
                 quint64(3000));
        // The queue has room again: the source's next batch gets through.
        QList<Event> batch;
        for (int i = 0; i < 10; ++i)
            batch.append(flood.next());
        QVERIFY(monitor.queue->events(channel, std::move(batch)));
        monitor.window.ingestor()->drainAll();
        QCOMPARE(monitor.store().source(source).events, quint64(2010));
    }

    void aBadListenAddressIsReported()
    {
        Runtime runtime;
        TestMonitor monitor;
        QSignalSpy messages(monitor.window.ingestor(), &Ingestor::message);
        const Address listener = runtime.createOn<StreamListener>(
            Placement::AnyWorker, monitor.queue, HostPort{QStringLiteral("192.0.2.1"), 1});
        const std::optional<Value> result = runtime.waitForCompletion(listener, 20s);
        QVERIFY(result.has_value());
        QVERIFY(result->is<NotListening>());
        QTRY_VERIFY_WITH_TIMEOUT(monitor.logContains(QStringLiteral("cannot listen on")), 10000);
        QVERIFY(!messages.isEmpty());
    }
};

QTEST_MAIN(tst_Live)
#include "tst_live.moc"
