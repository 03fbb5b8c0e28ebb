// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtTest/QtTest>

/// Runs guihelper (a Parley::runGui program) on Qt's offscreen platform.
class tst_RunGui : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mainObjectRunsOnTheGuiThreadOfAQApplication()
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(GUIHELPER_PATH), {QStringLiteral("--title=Parley")});
        QVERIFY(process.waitForFinished(30000));
        const QByteArray out = process.readAllStandardOutput();
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QJsonArray result = QJsonDocument::fromJson(out).array();
        QCOMPARE(result.at(0).toString(), QStringLiteral("Title"));
        QCOMPARE(result.at(1)[QLatin1String("text")].toString(), QStringLiteral("Parley"));
        QVERIFY(result.at(1)[QLatin1String("onGuiThread")].toBool());
    }
};

QTEST_GUILESS_MAIN(tst_RunGui)
#include "tst_rungui.moc"
