// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The type registry: one wire name, one message shape. A header included by two translation
// units shares one entry, and so do identical declarations of two C++ types; two shapes under
// one wire name stop the program at registration (checked in child processes).

#include "registry/shared.h"

#include <parley/codec.h>

#include <QtCore/QProcess>
#include <QtTest/QtTest>

namespace {
// Declared exactly like the Tick in registry/otherunit.cpp, but a different C++ type: each
// lives in its own unit's anonymous namespace.
struct Tick
{
    qint32 n = 0;
};
PARLEY_MESSAGE_AS(Tick, "registrytest.Tick", n)
} // namespace

using registrytest::Note;

class tst_Registry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aHeaderIncludedInTwoUnitsSharesOneEntry();
    void identicalDeclarationsOfTwoTypesShareOneEntry();
    void theFingerprintNamesEveryFieldAndItsType();
    void twoShapesUnderOneWireNameStopTheProgramNamingBoth_data();
    void twoShapesUnderOneWireNameStopTheProgramNamingBoth();
};

void tst_Registry::aHeaderIncludedInTwoUnitsSharesOneEntry()
{
    QCOMPARE(Parley::typeOf<Note>(), registrytest::noteTypeInOtherUnit());
    QCOMPARE(Parley::findType(u"registrytest.Note"), Parley::typeOf<Note>());
    Parley::Value v = registrytest::noteFromOtherUnit(QStringLiteral("hi"), 3);
    QVERIFY(v.is<Note>());
    QCOMPARE(v.get<Note>().text, QStringLiteral("hi"));
    QCOMPARE(v.get<Note>().n, 3);
    // It crosses the codec like any message.
    Parley::DecodeResult decoded = Parley::decode(Parley::encode(v));
    QVERIFY(decoded.hasValue());
    QCOMPARE(decoded.value().get<Note>().text, QStringLiteral("hi"));
}

void tst_Registry::identicalDeclarationsOfTwoTypesShareOneEntry()
{
    // Two C++ types ...
    QVERIFY(typeid(Tick) != registrytest::tickCppTypeInOtherUnit());
    // ... with one wire name and one shape are one message type.
    QCOMPARE(Parley::typeOf<Tick>(), registrytest::tickTypeInOtherUnit());
    Parley::Value v = registrytest::tickFromOtherUnit(9);
    QVERIFY(v.is<Tick>());
    QCOMPARE(v.get<Tick>().n, 9);
}

void tst_Registry::theFingerprintNamesEveryFieldAndItsType()
{
    const QByteArray note(Parley::typeOf<Note>()->fingerprint);
    QVERIFY2(note.startsWith("registrytest.Note[" + QByteArray::number(qulonglong(sizeof(Note)))
                             + '/' + QByteArray::number(qulonglong(alignof(Note))) + ']'),
             note.constData());
    QVERIFY2(note.endsWith("{text:QString,n:int}"), note.constData());
    QCOMPARE(QByteArray(Parley::typeOf<Parley::Stop>()->fingerprint),
             QByteArray("parley.Stop[1/1]{}"));
}

void tst_Registry::twoShapesUnderOneWireNameStopTheProgramNamingBoth_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("otherDeclaration");
    QTest::newRow("a field of another type")
        << QStringLiteral(REGISTRY_COLLISION_TYPE) << QStringLiteral("b::Hello {QByteArray text}");
    QTest::newRow("a field of another name")
        << QStringLiteral(REGISTRY_COLLISION_NAME) << QStringLiteral("b::Hello {QString body}");
}

void tst_Registry::twoShapesUnderOneWireNameStopTheProgramNamingBoth()
{
    QFETCH(QString, program);
    QFETCH(QString, otherDeclaration);
    QProcess child;
    child.start(program, {});
    QVERIFY2(child.waitForFinished(30000), "the colliding program did not end");
    const QString out = QString::fromUtf8(child.readAllStandardOutput());
    const QString err = QString::fromUtf8(child.readAllStandardError());
    // Stopped (qFatal aborts) before main could run.
    QVERIFY2(child.exitStatus() == QProcess::CrashExit || child.exitCode() != 0, qPrintable(err));
    QVERIFY2(!out.contains(QStringLiteral("main ran")), qPrintable(out));
    QVERIFY2(err.contains(QStringLiteral("two message types have the wire name \"Hello\"")),
             qPrintable(err));
    // Both types, by their C++ names and fields, in whichever order they registered.
    QVERIFY2(err.contains(QStringLiteral("a::Hello {QString text}")), qPrintable(err));
    QVERIFY2(err.contains(otherDeclaration), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("PARLEY_MESSAGE_AS")), qPrintable(err));
}

QTEST_GUILESS_MAIN(tst_Registry)
#include "tst_registry.moc"
