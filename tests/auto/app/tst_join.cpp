// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Two processes, two recordings, one conversation (docs/events.md, "Joining events across
// processes"): hello-client asks hello-server, both started with --record. Read together, the
// recordings join every message that crossed between them, Sent in one to Received in the
// other, by message id and origin runtime, with no clock agreement; and the cause ids chain
// the request to the handler that replied and the reply.

#include <parley/recording.h>

#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

using namespace Parley;

namespace {

struct Recording
{
    RuntimeInfo info;
    QList<Event> events;
};

bool read(const QString &path, Recording &out, QString &error)
{
    RecordingReader reader;
    if (!reader.open(path)) {
        error = reader.errorString();
        return false;
    }
    out.info = reader.info();
    Event e;
    RecordingReader::Status status;
    while ((status = reader.next(e)) == RecordingReader::Status::Ok)
        out.events.append(e);
    if (status != RecordingReader::Status::End) {
        error = reader.errorString();
        return false;
    }
    return true;
}

/// The events of \a r of \a kind about messages of wire type \a type.
QList<Event> about(const Recording &r, EventKind kind, const QString &type)
{
    QList<Event> out;
    for (const Event &e : r.events) {
        if (e.kind == kind && e.type == type)
            out.append(e);
    }
    return out;
}

} // namespace

class tst_Join : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoRecordingsJoinEveryMessageThatCrossed();
};

void tst_Join::twoRecordingsJoinEveryMessageThatCrossed()
{
#if !defined(HELLO_SERVER_PATH) || !defined(HELLO_CLIENT_PATH)
    QSKIP("the hello examples are not built");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString serverRecording = dir.filePath(QStringLiteral("server.prec"));
    const QString clientRecording = dir.filePath(QStringLiteral("client.prec"));
    const QString ready = dir.filePath(QStringLiteral("ready"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path()); // no stored settings
    env.remove(QStringLiteral("PARLEY_MONITOR"));

    QProcess server;
    server.setProcessEnvironment(env);
    server.start(QStringLiteral(HELLO_SERVER_PATH),
                 {QStringLiteral("--port=0"), QStringLiteral("--record=") + serverRecording,
                  QStringLiteral("--ready-file=") + ready, QStringLiteral("-dl=NONE")});
    QVERIFY(server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(ready), 20000);
    QFile readyFile(ready);
    QVERIFY(readyFile.open(QIODevice::ReadOnly));
    const QString bound = QString::fromUtf8(readyFile.readAll()).trimmed(); // 127.0.0.1:PORT
    const QString port = bound.section(QLatin1Char(':'), -1);
    QVERIFY2(port.toUInt() > 0, qPrintable(bound));

    QProcess client;
    client.setProcessEnvironment(env);
    client.start(QStringLiteral(HELLO_CLIENT_PATH),
                 {QStringLiteral("--port=") + port, QStringLiteral("--record=") + clientRecording,
                  QStringLiteral("-dl=NONE")});
    QVERIFY(client.waitForFinished(30000));
    QCOMPARE(client.exitCode(), 0);
    ::kill(pid_t(server.processId()), SIGINT); // the server ends (and flushes its recording)
    QVERIFY(server.waitForFinished(30000));

    Recording a, b;
    QString error;
    QVERIFY2(read(clientRecording, a, error), qPrintable(error));
    QVERIFY2(read(serverRecording, b, error), qPrintable(error));
    QVERIFY(a.info.runtimeId != b.info.runtimeId);

    // The request: the client's Sent, the server's Received, joined by id and origin.
    const QList<Event> helloSent = about(a, EventKind::Sent, QStringLiteral("demo.Hello"));
    QCOMPARE(helloSent.size(), 1);
    const quint64 hello = helloSent.first().messageId;
    QVERIFY(hello != 0);
    QCOMPARE(helloSent.first().origin, quint64(0)); // assigned here
    const QList<Event> helloReceived = about(b, EventKind::Received, QStringLiteral("demo.Hello"));
    QCOMPARE(helloReceived.size(), 1);
    QCOMPARE(helloReceived.first().messageId, hello);
    QCOMPARE(helloReceived.first().origin, a.info.runtimeId);

    // The handler that received it replied: the reply's cause is the request, in A's numbering.
    const QList<Event> welcomeSent = about(b, EventKind::Sent, QStringLiteral("demo.Welcome"));
    QCOMPARE(welcomeSent.size(), 1);
    QCOMPARE(welcomeSent.first().object, helloReceived.first().object);
    QCOMPARE(welcomeSent.first().cause, hello);
    QCOMPARE(welcomeSent.first().causeOrigin, a.info.runtimeId);

    // The reply: the server's Sent, the client's Received.
    const quint64 welcome = welcomeSent.first().messageId;
    QVERIFY(welcome != 0);
    const QList<Event> welcomeReceived
        = about(a, EventKind::Received, QStringLiteral("demo.Welcome"));
    QCOMPARE(welcomeReceived.size(), 1);
    QCOMPARE(welcomeReceived.first().messageId, welcome);
    QCOMPARE(welcomeReceived.first().origin, b.info.runtimeId);
    QCOMPARE(welcomeReceived.first().object, helloSent.first().object);

    // Every message one side received from the other names a message the other side sent.
    for (const auto &[here, there] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        for (const Event &r : here->events) {
            if (r.kind != EventKind::Received || r.origin != there->info.runtimeId)
                continue;
            const bool joined
                = std::any_of(there->events.begin(), there->events.end(), [&](const Event &s) {
                      return (s.kind == EventKind::Sent || s.kind == EventKind::Forwarded
                              || s.kind == EventKind::Completed)
                          && s.messageId == r.messageId && s.origin == 0;
                  });
            QVERIFY2(joined, qPrintable(formatEvent(r)));
        }
    }
    // Connection events name the peer.
    const auto connected = std::find_if(a.events.begin(), a.events.end(), [](const Event &e) {
        return e.kind == EventKind::Connected;
    });
    QVERIFY(connected != a.events.end());
    QCOMPARE(connected->endpoint, bound);
#endif
}

QTEST_GUILESS_MAIN(tst_Join)
#include "tst_join.moc"
