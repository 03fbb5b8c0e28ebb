// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Keeps the output quoted in docs/run.md true: every ```console block there is run as a shell
// script (each "$ " line a command, every other line the output expected, stdout and stderr
// together) with the programs it names on PATH, and its output must match line for line.
// "server" is runhelper (a program with the settings the page describes); example programs are
// used when the examples are built. Times of day (HH:MM:SS.mmm) match any time.

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

class tst_RunDocs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void consoleBlocksShowRealOutput_data();
    void consoleBlocksShowRealOutput();

private:
    /// Returns the programs a block may name, by name.
    static QHash<QString, QString> programs();
    static QString normalised(QString text);

    QTemporaryDir m_bin;
};

QHash<QString, QString> tst_RunDocs::programs()
{
    QHash<QString, QString> known{{QStringLiteral("server"), QStringLiteral(RUNHELPER_PATH)}};
#ifdef HELLO_CLIENT_PATH
    known.insert(QStringLiteral("hello-client"), QStringLiteral(HELLO_CLIENT_PATH));
#endif
    return known;
}

void tst_RunDocs::initTestCase()
{
    // Each program under the name the page uses: run() names itself after argv[0].
    QVERIFY(m_bin.isValid());
    const auto known = programs();
    for (auto it = known.begin(); it != known.end(); ++it)
        QVERIFY(QFile::link(it.value(), m_bin.filePath(it.key())));
}

QString tst_RunDocs::normalised(QString text)
{
    static const QRegularExpression time(QStringLiteral(R"(\b\d\d:\d\d:\d\d\.\d{3}\b)"));
    return text.replace(time, QStringLiteral("HH:MM:SS.mmm"));
}

void tst_RunDocs::consoleBlocksShowRealOutput_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QStringList>("needs");

    QFile page(QStringLiteral(PARLEY_SOURCE_DIR "/docs/run.md"));
    QVERIFY2(page.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(page.fileName()));
    const QStringList lines = QString::fromUtf8(page.readAll()).split(QLatin1Char('\n'));
    int blocks = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i] != QLatin1String("```console"))
            continue;
        const qsizetype start = i + 1;
        QString script;
        QString expected;
        QStringList needs;
        for (++i; i < lines.size() && lines[i] != QLatin1String("```"); ++i) {
            if (lines[i].startsWith(QLatin1String("$ "))) {
                const QString command = lines[i].mid(2);
                script += command + QLatin1Char('\n');
                const QString program = command.section(QLatin1Char(' '), 0, 0);
                if (program != QLatin1String("echo"))
                    needs << program;
            } else {
                expected += lines[i] + QLatin1Char('\n');
            }
        }
        ++blocks;
        QTest::addRow("docs/run.md line %d", int(start)) << script << expected << needs;
    }
    QVERIFY2(blocks >= 3, "docs/run.md has fewer console blocks than it used to");
}

void tst_RunDocs::consoleBlocksShowRealOutput()
{
    QFETCH(QString, script);
    QFETCH(QString, expected);
    QFETCH(QStringList, needs);
    const auto known = programs();
    for (const QString &program : needs) {
        if (!known.contains(program))
            QSKIP(qPrintable(QStringLiteral("%1 is not built here").arg(program)));
    }
    QTemporaryDir work; // the working directory and XDG_CONFIG_HOME: no stored settings
    QVERIFY(work.isValid());
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"),
               m_bin.path() + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), work.path());
    shell.setProcessEnvironment(env);
    shell.setWorkingDirectory(work.path());
    shell.setProcessChannelMode(QProcess::MergedChannels);
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    QVERIFY2(shell.waitForFinished(60000), qPrintable(script));
    const QString out = QString::fromUtf8(shell.readAll());
    QCOMPARE(normalised(out), normalised(expected));
}

QTEST_GUILESS_MAIN(tst_RunDocs)
#include "tst_rundocs.moc"
