// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

#include <parley/recording.h>

#include <csignal>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/// Runs the helper programs (a routine function, a callable and a machine behind Parley::run)
/// with QProcess.
class tst_Run : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();

    void printsTheResultAsJsonAndExitsZero();
    void printsAFaultOnStderrWithItsExitStatus_data();
    void printsAFaultOnStderrWithItsExitStatus();
    void helpListsSettingsWithTypesAndDefaultsAndFlags();
    void badArgumentsExitTwoNamingTheArgument_data();
    void badArgumentsExitTwoNamingTheArgument();
    void storedSettingsRoundTrip();
    void settingsFileSitsBetweenStoredSettingsAndTheCommandLine();
    void aSignalStopsTheMainObjectWithAborted_data();
    void aSignalStopsTheMainObjectWithAborted();
    void secondSigintEndsTheProcessAtOnce();
    void debugLevelLogsInTheTextFormat_data();
    void debugLevelLogsInTheTextFormat();
    void consoleWarningAndFaultLinesShowByDefault();
    void debugLevelRaisesOrLowersWhatShows_data();
    void debugLevelRaisesOrLowersWhatShows();
    void aMonitorThatIsNotThereNeitherStopsNorSlowsTheProgram();
    void recordWritesARecordingOfTheRun();
    void badRecordAndCaptureArgumentsAreUsageErrors();
    void readyFileAppearsWhenTheMainObjectSaysSoAndGoesAtTheEnd();
    void readyFdGetsOneLineThenItsEnd();
    void readyFdOfAProgramThatNeverSaysSoJustEnds();
    void notifySocketGetsReadyLikeSdNotify();

private:
    struct Outcome
    {
        int status = -1;
        qint64 pid = 0;
        QString out;
        QString err;
    };
    [[nodiscard]] QString program() const;
    void configure(QProcess &process) const;
    Outcome runHelper(const QStringList &arguments);
    /// Starts the helper with --mode=\a mode and waits until it says "ready" on stderr.
    bool startUntilReady(QProcess &process, const QString &mode, QString &err) const;
    static bool waitForStderr(QProcess &process, QString &err, const QString &marker);
    static QJsonObject settingsFrom(const QString &out);
    /// Returns the markers of the helper's Chatty lines in \a err, in order ("^?!").
    static QString chattyMarkers(const QString &err);
    /// Reads from \a fd until end of file or 10 s; returns what came, or "(timeout)".
    static QByteArray readToEnd(int fd);
    /// Stops a helper waiting for Stop with SIGINT and returns its exit status.
    static int interrupt(QProcess &process);

    QString m_program;
    std::unique_ptr<QTemporaryDir> m_configDir;
    [[nodiscard]] const QTemporaryDir &config() const { return *m_configDir; }
};

void tst_Run::initTestCase_data()
{
    QTest::addColumn<QString>("program");
    QTest::newRow("routine") << QStringLiteral(RUNHELPER_PATH);
    QTest::newRow("machine") << QStringLiteral(RUNMACHINE_PATH);
    QTest::newRow("callable") << QStringLiteral(RUNCALLABLE_PATH);
}

void tst_Run::init()
{
    // A fresh XDG_CONFIG_HOME per test, so stored settings never leak between tests or to $HOME.
    QFETCH_GLOBAL(QString, program);
    m_program = program;
    m_configDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_configDir->isValid());
}

QString tst_Run::program() const
{
    return m_program;
}

void tst_Run::configure(QProcess &process) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config().path());
    process.setProcessEnvironment(env);
    process.setProgram(program());
}

tst_Run::Outcome tst_Run::runHelper(const QStringList &arguments)
{
    QProcess process;
    configure(process);
    process.setArguments(arguments);
    process.start();
    Outcome outcome;
    outcome.pid = process.processId();
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return outcome;
    }
    outcome.status = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

QJsonObject tst_Run::settingsFrom(const QString &out)
{
    const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8());
    const QJsonArray result = doc.array();
    if (result.size() != 2 || result.at(0).toString() != QLatin1String("Settings"))
        return {};
    return result.at(1).toObject();
}

void tst_Run::printsTheResultAsJsonAndExitsZero()
{
    const Outcome o = runHelper(
        {QStringLiteral("--server-name=Ann Smith"), QStringLiteral("--port=8080"),
         QStringLiteral("--verbose"), QStringLiteral("--ratio=0.5"),
         QStringLiteral(R"(--tags=["a","b c"])"),
         QStringLiteral(R"(--peer={"host":"h1","port":7})"), QStringLiteral("--mode=Echo")});
    // The main object's console line goes to stderr; only the result goes to stdout.
    QCOMPARE(o.err.count(QLatin1Char('\n')), 1);
    QVERIFY2(o.err.contains(QStringLiteral(" ^ "))
                 && o.err.endsWith(QStringLiteral("echo Ann Smith\n")),
             qPrintable(o.err));
    QCOMPARE(o.status, 0);
    QVERIFY(o.out.endsWith(QLatin1Char('\n')));
    QCOMPARE(o.out.count(QLatin1Char('\n')), 1);
    const QJsonObject s = settingsFrom(o.out);
    QCOMPARE(s.value(QLatin1String("serverName")).toString(), QStringLiteral("Ann Smith"));
    QCOMPARE(s.value(QLatin1String("port")).toInt(), 8080);
    QCOMPARE(s.value(QLatin1String("verbose")).toBool(), true);
    QCOMPARE(s.value(QLatin1String("ratio")).toDouble(), 0.5);
    QCOMPARE(s.value(QLatin1String("tags")).toArray(),
             (QJsonArray{QStringLiteral("a"), QStringLiteral("b c")}));
    QCOMPARE(s.value(QLatin1String("peer")).toObject().value(QLatin1String("host")).toString(),
             QStringLiteral("h1"));
    QCOMPARE(s.value(QLatin1String("mode")).toString(), QStringLiteral("Echo"));
}

void tst_Run::printsAFaultOnStderrWithItsExitStatus_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("status");
    QTest::newRow("own status") << QStringList{QStringLiteral("--mode=Fault"),
                                               QStringLiteral("--exit-status=42")}
                                << 42;
    QTest::newRow("default status") << QStringList{QStringLiteral("--mode=Fault")} << 71;
}

void tst_Run::printsAFaultOnStderrWithItsExitStatus()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, status);
    const Outcome o = runHelper(arguments);
    QCOMPARE(o.status, status);
    QCOMPARE(o.out, QString());
    QCOMPARE(o.err,
             QFileInfo(program()).fileName()
                 + QStringLiteral(": cannot connect (connection refused)\n"));
}

void tst_Run::helpListsSettingsWithTypesAndDefaultsAndFlags()
{
    const Outcome o = runHelper({QStringLiteral("--help")});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.err, QString());
    for (const char *expected :
         {"--server-name=TEXT\n      default \"Buster\"", "--port=UINT16\n      default 32011",
          "--verbose=BOOL\n      default false", "--tags=LIST (JSON)\n      default []",
          "--peer=OBJECT (JSON)",
          "--mode=ECHO|FAULT|WAIT|STUBBORN|READY|CHATTY\n      default \"Echo\"",
          "--exit-status=INT32", "--help, -h", "--debug-level=LEVEL, -dl=LEVEL",
          "--log-file=PATH, -lf=PATH", "--monitor=HOST:PORT, -m=HOST:PORT",
          "--settings-file=PATH, -sf=PATH", "--store-settings, -ss", "--factory-reset, -fr",
          "--ready-file=PATH, -rf=PATH", "--ready-fd=N, -rfd=N"}) {
        QVERIFY2(o.out.contains(QLatin1String(expected)), expected);
    }
    QVERIFY(o.out.contains(config().path() + QStringLiteral("/parley/")));
}

void tst_Run::badArgumentsExitTwoNamingTheArgument_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("why");
    QTest::newRow("unknown setting")
        << QStringLiteral("--colour=red") << QStringLiteral("unknown argument");
    QTest::newRow("unknown short flag")
        << QStringLiteral("-zz") << QStringLiteral("unknown argument");
    QTest::newRow("not an argument")
        << QStringLiteral("stray") << QStringLiteral("unexpected argument");
    QTest::newRow("wrong type") << QStringLiteral("--port=abc") << QStringLiteral("Settings.port");
    QTest::newRow("out of range") << QStringLiteral("--port=70000") << QStringLiteral("uint16");
    QTest::newRow("negative unsigned") << QStringLiteral("--port=-1") << QStringLiteral("uint16");
    QTest::newRow("bad JSON list")
        << QStringLiteral("--tags=[1,") << QStringLiteral("not valid JSON");
    QTest::newRow("bad enumerator")
        << QStringLiteral("--mode=Sideways") << QStringLiteral("Settings.mode");
    QTest::newRow("missing value") << QStringLiteral("--port") << QStringLiteral("needs a value");
    QTest::newRow("bad level") << QStringLiteral("--debug-level=LOUD")
                               << QStringLiteral("unknown level");
    QTest::newRow("bad monitor") << QStringLiteral("--monitor=nowhere")
                                 << QStringLiteral("HOST:PORT");
    QTest::newRow("closed ready fd")
        << QStringLiteral("--ready-fd=457") << QStringLiteral("not an open file descriptor");
    QTest::newRow("ready fd not a number")
        << QStringLiteral("--ready-fd=three") << QStringLiteral("not an open file descriptor");
}

void tst_Run::badArgumentsExitTwoNamingTheArgument()
{
    QFETCH(QString, argument);
    QFETCH(QString, why);
    const Outcome o = runHelper({argument});
    QCOMPARE(o.status, 2);
    QCOMPARE(o.out, QString());
    QCOMPARE(o.err.count(QLatin1Char('\n')), 1);
    QVERIFY2(o.err.startsWith(QFileInfo(program()).fileName() + QStringLiteral(": ")),
             qPrintable(o.err));
    QVERIFY2(o.err.contains(argument), qPrintable(o.err));
    QVERIFY2(o.err.contains(why), qPrintable(o.err));
}

void tst_Run::storedSettingsRoundTrip()
{
    const QString stored = config().path() + QStringLiteral("/parley/")
        + QFileInfo(program()).fileName() + QStringLiteral("/settings.json");

    Outcome o = runHelper({QStringLiteral("--server-name=Stored"), QStringLiteral("-ss")});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.out, QString());
    QVERIFY(QFile::exists(stored));

    o = runHelper({QStringLiteral("--port=9")});
    QCOMPARE(o.status, 0);
    QJsonObject s = settingsFrom(o.out);
    QCOMPARE(s.value(QLatin1String("serverName")).toString(), QStringLiteral("Stored"));
    QCOMPARE(s.value(QLatin1String("port")).toInt(), 9);

    // The command line is not stored unless asked: the next run is back to the stored port.
    o = runHelper({});
    QCOMPARE(settingsFrom(o.out).value(QLatin1String("port")).toInt(), 32011);

    o = runHelper({QStringLiteral("--factory-reset")});
    QCOMPARE(o.status, 0);
    QVERIFY(!QFile::exists(stored));
    o = runHelper({});
    QCOMPARE(settingsFrom(o.out).value(QLatin1String("serverName")).toString(),
             QStringLiteral("Buster"));
}

void tst_Run::settingsFileSitsBetweenStoredSettingsAndTheCommandLine()
{
    QCOMPARE(runHelper({QStringLiteral("--server-name=Stored"), QStringLiteral("--port=1"),
                        QStringLiteral("--store-settings")})
                 .status,
             0);
    const QString path = config().filePath(QStringLiteral("extra.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"port": 2, "ratio": 1.5})");
    file.close();

    Outcome o = runHelper({QStringLiteral("-sf=") + path, QStringLiteral("--ratio=2.5")});
    QCOMPARE(o.status, 0);
    const QJsonObject s = settingsFrom(o.out);
    QCOMPARE(s.value(QLatin1String("serverName")).toString(), QStringLiteral("Stored"));
    QCOMPARE(s.value(QLatin1String("port")).toInt(), 2);
    QCOMPARE(s.value(QLatin1String("ratio")).toDouble(), 2.5);

    file.open(QIODevice::WriteOnly);
    file.write(R"({"port": "two"})");
    file.close();
    o = runHelper({QStringLiteral("--settings-file=") + path});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains(QStringLiteral("--settings-file="))
                 && o.err.contains(QStringLiteral("Settings.port")),
             qPrintable(o.err));
}

void tst_Run::aSignalStopsTheMainObjectWithAborted_data()
{
    QTest::addColumn<int>("signo");
    QTest::newRow("SIGINT") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

void tst_Run::aSignalStopsTheMainObjectWithAborted()
{
    QFETCH(int, signo);
    QProcess process;
    QString err;
    QVERIFY(startUntilReady(process, QStringLiteral("Wait"), err));
    ::kill(pid_t(process.processId()), signo);
    QVERIFY(process.waitForFinished(10000));
    err += QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 71);
    QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()), QString());
    QCOMPARE(err,
             QStringLiteral("ready\n") + QFileInfo(program()).fileName()
                 + QStringLiteral(": aborted (user or software interrupt)\n"));
}

void tst_Run::secondSigintEndsTheProcessAtOnce()
{
    if (m_program == QLatin1String(RUNMACHINE_PATH))
        QSKIP("the machine helper always honours Stop");
    QProcess process;
    QString err;
    QVERIFY(startUntilReady(process, QStringLiteral("Stubborn"), err));
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(waitForStderr(process, err, QStringLiteral("ignoring stop\n")));
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
}

bool tst_Run::startUntilReady(QProcess &process, const QString &mode, QString &err) const
{
    configure(process);
    process.setArguments({QStringLiteral("--mode=") + mode});
    process.start();
    return process.waitForStarted(10000) && waitForStderr(process, err, QStringLiteral("ready\n"));
}

bool tst_Run::waitForStderr(QProcess &process, QString &err, const QString &marker)
{
    QDeadlineTimer deadline(10000);
    process.setReadChannel(QProcess::StandardError); // what waitForReadyRead() waits on
    for (;;) {
        err += QString::fromUtf8(process.readAllStandardError());
        if (err.contains(marker))
            return true;
        if (deadline.hasExpired() || !process.waitForReadyRead(int(deadline.remainingTime())))
            return err.contains(marker);
    }
}

void tst_Run::debugLevelLogsInTheTextFormat_data()
{
    QTest::addColumn<QString>("argument");
    QTest::newRow("long") << QStringLiteral("--debug-level=DEBUG");
    QTest::newRow("short") << QStringLiteral("-dl=debug");
}

void tst_Run::debugLevelLogsInTheTextFormat()
{
    QFETCH(QString, argument);
    const Outcome o = runHelper({argument, QStringLiteral("--server-name=Zed")});
    QCOMPARE(o.status, 0);
    QCOMPARE(settingsFrom(o.out).value(QLatin1String("serverName")).toString(),
             QStringLiteral("Zed"));
    static const QRegularExpression line(
        QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d{3} [+X<>~^?!_] <[0-9a-f]{8}>\S+ - )"));
    const QStringList lines = o.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 3);
    for (const QString &l : lines)
        QVERIFY2(line.match(l).hasMatch(), qPrintable(l));
    QVERIFY(o.err.contains(QStringLiteral(" ^ ")) && o.err.contains(QStringLiteral("echo Zed")));
}

QString tst_Run::chattyMarkers(const QString &err)
{
    static const QRegularExpression chatty(
        QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d{3} (.) <[0-9a-f]{8}>\S+ - a \w+ line$)"));
    QString markers;
    for (const QString &line : err.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const auto m = chatty.match(line);
        if (m.hasMatch())
            markers += m.captured(1);
    }
    return markers;
}

void tst_Run::consoleWarningAndFaultLinesShowByDefault()
{
    const Outcome o = runHelper({QStringLiteral("--mode=Chatty")});
    QCOMPARE(o.status, 0);
    QCOMPARE(chattyMarkers(o.err), QStringLiteral("^?!"));
    // Nothing else: no object events, no debug or trace lines.
    QCOMPARE(o.err.count(QLatin1Char('\n')), 3);
    QVERIFY(o.err.contains(QStringLiteral("a console line\n")));
}

void tst_Run::debugLevelRaisesOrLowersWhatShows_data()
{
    QTest::addColumn<QString>("level");
    QTest::addColumn<QString>("markers");
    QTest::newRow("DEBUG") << QStringLiteral("DEBUG") << QStringLiteral("_~^?!");
    QTest::newRow("TRACE") << QStringLiteral("trace") << QStringLiteral("~^?!");
    QTest::newRow("CONSOLE") << QStringLiteral("CONSOLE") << QStringLiteral("^?!");
    QTest::newRow("WARNING") << QStringLiteral("WARNING") << QStringLiteral("?!");
    QTest::newRow("FAULT") << QStringLiteral("FAULT") << QStringLiteral("!");
    QTest::newRow("NONE") << QStringLiteral("NONE") << QString();
}

void tst_Run::debugLevelRaisesOrLowersWhatShows()
{
    QFETCH(QString, level);
    QFETCH(QString, markers);
    const Outcome o
        = runHelper({QStringLiteral("--mode=Chatty"), QStringLiteral("--debug-level=") + level});
    QCOMPARE(o.status, 0);
    QCOMPARE(chattyMarkers(o.err), markers);
    if (level == QLatin1String("NONE"))
        QCOMPARE(o.err, QString()); // silent
}

void tst_Run::aMonitorThatIsNotThereNeitherStopsNorSlowsTheProgram()
{
    // Nothing listens on the port: the stream keeps trying in the background, and the program
    // does its work, prints its result and ends as it would without --monitor.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    const QString at = QStringLiteral("127.0.0.1:%1").arg(port);
    Outcome o = runHelper({QStringLiteral("--monitor=") + at, QStringLiteral("-dl=NONE")});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.err, QString());
    QVERIFY2(o.out.contains(QStringLiteral("Buster")), qPrintable(o.out));
    o = runHelper({QStringLiteral("-m=") + at});
    QCOMPARE(o.status, 0);
    QVERIFY2(o.out.contains(QStringLiteral("Buster")), qPrintable(o.out));
}

void tst_Run::recordWritesARecordingOfTheRun()
{
    const QString path = config().filePath(QStringLiteral("run.prec"));
    const Outcome o = runHelper({QStringLiteral("--record=") + path, QStringLiteral("-dl=NONE"),
                                 QStringLiteral("--mode=Chatty")});
    QCOMPARE(o.status, 0);
    Parley::RecordingReader reader;
    QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
    QCOMPARE(reader.info().program, QFileInfo(program()).fileName());
    QCOMPARE(reader.info().schema, Parley::EventSchemaVersion);
    QVERIFY(reader.info().runtimeId != 0);
    QCOMPARE(reader.info().pid, qint64(o.pid));
    // The main object's life, in order, each event numbered after the one before.
    Parley::Event e;
    quint64 lastSeq = 0, main = 0;
    bool created = false, completed = false, destroyed = false, fault = false;
    while (reader.next(e) == Parley::RecordingReader::Status::Ok) {
        QVERIFY(e.seq > lastSeq);
        lastSeq = e.seq;
        if (e.kind == Parley::EventKind::Created && e.parent == 1 && !created) {
            created = true;
            main = e.object;
        } else if (e.object == main && e.kind == Parley::EventKind::Completed) {
            completed = true;
        } else if (e.object == main && e.kind == Parley::EventKind::Destroyed) {
            destroyed = completed;
        } else if (e.object == main && e.kind == Parley::EventKind::Text
                   && e.level == Parley::LogLevel::Fault) {
            fault = e.text == QLatin1String("a fault line");
        }
    }
    QCOMPARE(reader.next(e), Parley::RecordingReader::Status::End);
    QVERIFY(created);
    QVERIFY(completed);
    QVERIFY(destroyed);
    QVERIFY(fault);
}

void tst_Run::badRecordAndCaptureArgumentsAreUsageErrors()
{
    Outcome o = runHelper({QStringLiteral("--record=/nonexistent-dir/x.prec")});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains(QStringLiteral("--record=/nonexistent-dir/x.prec: cannot create")),
             qPrintable(o.err));
    o = runHelper({QStringLiteral("--capture=LOUD")});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains(QStringLiteral("\"LOUD\" is not a level")), qPrintable(o.err));
    o = runHelper({QStringLiteral("--capture=subtree=x")});
    QCOMPARE(o.status, 2);
    o = runHelper({QStringLiteral("--monitor=nowhere")});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains(QStringLiteral("expected HOST:PORT")), qPrintable(o.err));
}

int tst_Run::interrupt(QProcess &process)
{
    ::kill(pid_t(process.processId()), SIGINT);
    if (!process.waitForFinished(10000))
        return -1;
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
}

QByteArray tst_Run::readToEnd(int fd)
{
    QByteArray got;
    QDeadlineTimer deadline(10000);
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, int(deadline.remainingTime()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return QByteArrayLiteral("(timeout)");
        char buffer[256];
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return got;
        got.append(buffer, n);
    }
}

void tst_Run::readyFileAppearsWhenTheMainObjectSaysSoAndGoesAtTheEnd()
{
    const QString path = config().filePath(QStringLiteral("ready"));
    {
        QFile stale(path); // an earlier run's file must not pass for this run's
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write("stale\n");
    }
    QProcess process;
    configure(process);
    process.setArguments({QStringLiteral("--mode=Ready"), QStringLiteral("--server-name=Ann"),
                          QStringLiteral("--ready-file=") + path});
    process.start();
    QVERIFY(process.waitForStarted(10000));
    const auto content = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QTRY_COMPARE_WITH_TIMEOUT(content(), QByteArray("Ann\n"), 10000);
    QCOMPARE(interrupt(process), 71);
    QVERIFY(!QFile::exists(path));
}

void tst_Run::readyFdGetsOneLineThenItsEnd()
{
    int fds[2];
    QVERIFY(::pipe2(fds, O_CLOEXEC) == 0);
    QProcess process;
    configure(process);
    const int writeEnd = fds[1];
    process.setChildProcessModifier([writeEnd] { ::dup2(writeEnd, 3); });
    process.setArguments({QStringLiteral("--mode=Ready"), QStringLiteral("--server-name=Ann"),
                          QStringLiteral("--ready-fd=3")});
    process.start();
    const bool started = process.waitForStarted(10000);
    ::close(fds[1]);
    QByteArray got;
    if (started)
        got = readToEnd(fds[0]);
    ::close(fds[0]);
    QVERIFY(started);
    // One line, then the end while the program still runs: it closed the descriptor.
    QCOMPARE(got, QByteArray("Ann\n"));
    QCOMPARE(process.state(), QProcess::Running);
    QCOMPARE(interrupt(process), 71);
}

void tst_Run::readyFdOfAProgramThatNeverSaysSoJustEnds()
{
    int fds[2];
    QVERIFY(::pipe2(fds, O_CLOEXEC) == 0);
    QProcess process;
    configure(process);
    const int writeEnd = fds[1];
    process.setChildProcessModifier([writeEnd] { ::dup2(writeEnd, 3); });
    process.setArguments({QStringLiteral("--mode=Fault"), QStringLiteral("--ready-fd=3")});
    process.start();
    const bool started = process.waitForStarted(10000);
    ::close(fds[1]);
    QByteArray got;
    if (started)
        got = readToEnd(fds[0]);
    ::close(fds[0]);
    QVERIFY(started);
    QCOMPARE(got, QByteArray()); // the end, without a line: it never was ready
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 71);
}

void tst_Run::notifySocketGetsReadyLikeSdNotify()
{
    const QByteArray path = QFile::encodeName(config().filePath(QStringLiteral("notify")));
    const int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(sock >= 0);
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    QVERIFY(size_t(path.size()) < sizeof(address.sun_path));
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    QCOMPARE(::bind(sock, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);

    QProcess process;
    configure(process);
    QProcessEnvironment env = process.processEnvironment();
    env.insert(QStringLiteral("NOTIFY_SOCKET"), QString::fromLocal8Bit(path));
    process.setProcessEnvironment(env);
    process.setArguments({QStringLiteral("--mode=Ready"), QStringLiteral("--server-name=Ann")});
    process.start();
    pollfd p{sock, POLLIN, 0};
    const bool came = ::poll(&p, 1, 10000) == 1;
    char buffer[256] = {};
    const ssize_t n = came ? ::recv(sock, buffer, sizeof buffer - 1, 0) : -1;
    ::close(sock);
    QVERIFY2(came, "no datagram within 10 s");
    QCOMPARE(QByteArray(buffer, int(n)), QByteArray("READY=1\nSTATUS=Ann"));
    QCOMPARE(interrupt(process), 71);
}

QTEST_GUILESS_MAIN(tst_Run)
#include "tst_run.moc"
