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
#include <QtTest/QTest>

#include <csignal>
#include <memory>

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
    void staysQuietWithoutDebugLevel();
    void monitorIsAcceptedAndReserved();

private:
    struct Outcome
    {
        int status = -1;
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
    QCOMPARE(o.err, QString());
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
          "--peer=OBJECT (JSON)", "--mode=ECHO|FAULT|WAIT|STUBBORN\n      default \"Echo\"",
          "--exit-status=INT32", "--help, -h", "--debug-level=LEVEL, -dl=LEVEL",
          "--log-file=PATH, -lf=PATH", "--monitor=HOST:PORT, -m=HOST:PORT",
          "--settings-file=PATH, -sf=PATH", "--store-settings, -ss", "--factory-reset, -fr"}) {
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

void tst_Run::staysQuietWithoutDebugLevel()
{
    const Outcome o = runHelper({QStringLiteral("--server-name=Zed")});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.err, QString());
}

void tst_Run::monitorIsAcceptedAndReserved()
{
    Outcome o = runHelper({QStringLiteral("--monitor=127.0.0.1:32099")});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.err, QString());
    o = runHelper({QStringLiteral("-m=127.0.0.1:32099"), QStringLiteral("-dl=TRACE")});
    QCOMPARE(o.status, 0);
    QVERIFY2(o.err.contains(QStringLiteral("not wired yet")), qPrintable(o.err));
}

QTEST_GUILESS_MAIN(tst_Run)
#include "tst_run.moc"
