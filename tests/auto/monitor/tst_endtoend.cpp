// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The monitor with real programs: the hello-server and hello-client examples, started with
// --monitor, stream to a monitor listening in this test. Their processes, their objects and
// their conversation show up, the Hello and the Welcome each joined from the process that sent
// it to the process that received it, and the client is shown as gone when it has ended.

#include <app/listener.h>
#include <app/mainwindow.h>
#include <model/eventstore.h>
#include <model/ingest.h>

#include <parley/runtime.h>

#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

using namespace Parley;
using namespace Parley::Monitor;

namespace {

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
    /// Returns the node of the first object of \a source called \a name, or -1.
    int objectNamed(int source, const QString &name)
    {
        for (int n = 0; n < store().objectCount(); ++n) {
            const ObjectNode &o = store().object(n);
            if (o.source == source && o.id != 1 && store().string(o.name) == name)
                return n;
        }
        return -1;
    }
    /// The last \a n records of \a source, a line each (for failure messages).
    QString lastOf(int source, int n)
    {
        QStringList lines;
        for (Serial s = store().endSerial(); s > store().firstSerial() && lines.size() < n;) {
            const Record &r = store().record(--s);
            if (r.source == source)
                lines.prepend(QStringLiteral("%1 object %2 %3")
                                  .arg(int(r.kind))
                                  .arg(r.object)
                                  .arg(store().string(r.type)));
        }
        return QStringLiteral("the last records of source %1:\n%2")
            .arg(source)
            .arg(lines.join(u'\n'));
    }
    /// Returns the serial of the first record of \a source of \a kind about \a type.
    Serial recordOf(int source, EventKind kind, const QString &type)
    {
        for (Serial s = store().firstSerial(); s < store().endSerial(); ++s) {
            const Record &r = store().record(s);
            if (r.source == source && r.kind == kind && store().string(r.type) == type)
                return s;
        }
        return NoSerial;
    }
};

} // namespace

class tst_EndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void twoRealProgramsStreamAndTheirConversationJoins();
};

void tst_EndToEnd::twoRealProgramsStreamAndTheirConversationJoins()
{
#if !defined(HELLO_SERVER_PATH) || !defined(HELLO_CLIENT_PATH)
    QSKIP("the hello examples are not built");
#else
    Runtime runtime;
    TestMonitor monitor;
    QSignalSpy listening(monitor.window.ingestor(), &Ingestor::listening);
    const Address listener = runtime.createOn<StreamListener>(
        Placement::AnyWorker, monitor.queue, HostPort{QStringLiteral("127.0.0.1"), 0});
    QTRY_COMPARE_WITH_TIMEOUT(listening.count(), 1, 10000);
    const QString at = listening.first().at(0).toString();

    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
    env.insert(QStringLiteral("PARLEY_MONITOR"), at); // inherited, as a shell would pass it
    const QString ready = dir.filePath(QStringLiteral("ready"));
    QProcess server;
    server.setProcessEnvironment(env);
    server.start(QStringLiteral(HELLO_SERVER_PATH),
                 {QStringLiteral("--port=0"), QStringLiteral("--ready-file=") + ready,
                  QStringLiteral("-dl=NONE")});
    QVERIFY(server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(ready), 20000);
    QFile readyFile(ready);
    QVERIFY(readyFile.open(QIODevice::ReadOnly));
    const QString port = QString::fromUtf8(readyFile.readAll()).trimmed().section(u':', -1);

    QProcess client;
    client.setProcessEnvironment(env);
    client.start(QStringLiteral(HELLO_CLIENT_PATH),
                 {QStringLiteral("--port=") + port, QStringLiteral("--monitor=") + at,
                  QStringLiteral("-dl=NONE")});
    QVERIFY(client.waitForStarted());
    const qint64 clientPid = client.processId();
    QVERIFY(client.waitForFinished(30000));
    QCOMPARE(client.exitCode(), 0);

    // Both processes, the client gone once it has ended, the server still connected.
    QTRY_VERIFY_WITH_TIMEOUT(monitor.sourceNamed(QStringLiteral("hello-client")) >= 0, 20000);
    QTRY_VERIFY(monitor.sourceNamed(QStringLiteral("hello-server")) >= 0);
    const int clientSource = monitor.sourceNamed(QStringLiteral("hello-client"));
    const int serverSource = monitor.sourceNamed(QStringLiteral("hello-server"));
    QTRY_VERIFY_WITH_TIMEOUT(!monitor.store().source(clientSource).connected, 20000);
    QVERIFY(monitor.store().source(serverSource).connected);
    QCOMPARE(monitor.store().source(clientSource).info.pid, clientPid);

    // Their objects: the server's main routine and its listener; the client's main routine,
    // which completed and is shown destroyed.
    QTRY_VERIFY(monitor.objectNamed(serverSource, QStringLiteral("Listener")) >= 0);
    const int serverMain = monitor.objectNamed(serverSource, QStringLiteral("listenAtAddress"));
    QVERIFY(serverMain >= 0);
    QCOMPARE(monitor.store()
                 .object(monitor.objectNamed(serverSource, QStringLiteral("Listener")))
                 .parent,
             serverMain);
    const int clientMain = monitor.objectNamed(clientSource, QStringLiteral("connectToAddress"));
    QVERIFY(clientMain >= 0);
    QTRY_VERIFY2(monitor.store().object(clientMain).destroyed != 0,
                 qPrintable(monitor.lastOf(clientSource, 12)));

    // The conversation, joined across the processes: Hello from the client's main object to
    // the server's, Welcome back.
    Serial hello = NoSerial, welcome = NoSerial;
    QTRY_VERIFY(
        (hello = monitor.recordOf(clientSource, EventKind::Sent, QStringLiteral("demo.Hello")))
        != NoSerial);
    QTRY_VERIFY(
        (welcome = monitor.recordOf(serverSource, EventKind::Sent, QStringLiteral("demo.Welcome")))
        != NoSerial);
    const Serial helloThere = monitor.store().otherEnd(hello);
    QVERIFY(helloThere != NoSerial);
    QCOMPARE(monitor.store().record(helloThere).source, quint16(serverSource));
    QCOMPARE(monitor.store().record(helloThere).kind, EventKind::Received);
    QCOMPARE(monitor.store().record(helloThere).object, monitor.store().object(serverMain).id);
    const Serial welcomeThere = monitor.store().otherEnd(welcome);
    QVERIFY(welcomeThere != NoSerial);
    QCOMPARE(monitor.store().record(welcomeThere).source, quint16(clientSource));
    QCOMPARE(monitor.store().record(welcomeThere).object, monitor.store().object(clientMain).id);
    // The Welcome was sent while the server handled the Hello.
    QCOMPARE(monitor.store().causeOf(welcome), helloThere);

    ::kill(pid_t(server.processId()), SIGINT);
    QVERIFY(server.waitForFinished(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!monitor.store().source(serverSource).connected, 20000);
    runtime.send(Stop{}, listener);
#endif
}

QTEST_MAIN(tst_EndToEnd)
#include "tst_endtoend.moc"
