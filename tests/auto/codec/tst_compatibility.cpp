// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "testmessages.h"

#include <parley/codec.h>

#include <QtCore/QCborArray>
#include <QtCore/QCborMap>
#include <QtCore/QCborValue>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

// Two versions of one message. Wire names are unique per process, so the versions get distinct
// names and are decoded as bodies of an explicitly given type, as a peer with the other version
// would decode them.
namespace compat {
struct V1
{
    QString name;
    qint32 count = 0;
};
PARLEY_MESSAGE_AS(V1, "test.Versioned.v1", name, count)

struct V2
{
    qint64 added = 77; // new, and first
    QString name;
    QList<codectest::Point> morePoints = {codectest::Point{9, 9}}; // new
    qint32 count = 0;
};
PARLEY_MESSAGE_AS(V2, "test.Versioned.v2", added, name, morePoints, count)
} // namespace compat

using namespace compat;

class tst_Compatibility : public QObject
{
    Q_OBJECT

private slots:
    void olderReaderIgnoresAddedFields();
    void newerReaderKeepsDefaultsOfMissingFields();
    void fieldOrderDoesNotMatter();
    void unknownFieldsOfAnyShapeAreSkipped();
    void jsonIsTolerantBothWays();
};

void tst_Compatibility::olderReaderIgnoresAddedFields()
{
    const V2 v2{5, QStringLiteral("new"), {codectest::Point{1, 2}}, 3};
    Parley::DecodeResult r = Parley::decodeBody(Parley::encodeBody(v2), Parley::typeOf<V1>());
    QVERIFY2(r.hasValue(), qPrintable(r ? QString() : r.error().toString()));
    QCOMPARE(r.value().get<V1>().name, QStringLiteral("new"));
    QCOMPARE(r.value().get<V1>().count, 3);
}

void tst_Compatibility::newerReaderKeepsDefaultsOfMissingFields()
{
    const V1 v1{QStringLiteral("old"), 4};
    auto r = Parley::decodeBody<V2>(Parley::encodeBody(v1));
    QVERIFY(r.hasValue());
    QCOMPARE(r->name, QStringLiteral("old"));
    QCOMPARE(r->count, 4);
    QCOMPARE(r->added, 77);
    QCOMPARE(r->morePoints, (QList<codectest::Point>{codectest::Point{9, 9}}));
}

void tst_Compatibility::fieldOrderDoesNotMatter()
{
    const QByteArray body = QCborValue(QCborMap{{QStringLiteral("count"), 8},
                                                {QStringLiteral("name"), QStringLiteral("x")}})
                                .toCbor();
    auto r = Parley::decodeBody<V1>(body);
    QVERIFY(r.hasValue());
    QCOMPARE(r->count, 8);
    QCOMPARE(r->name, QStringLiteral("x"));
}

void tst_Compatibility::unknownFieldsOfAnyShapeAreSkipped()
{
    QCborMap body{{QStringLiteral("name"), QStringLiteral("x")}};
    body.insert(QStringLiteral("aMap"), QCborMap{{1, QCborArray{1.5, QByteArray("b"), true}}});
    body.insert(QStringLiteral("aTag"),
                QCborValue(QCborKnownTags::DateTimeString, QStringLiteral("2026-01-01T00:00:00Z")));
    body.insert(QStringLiteral("aNull"), QCborValue(nullptr));
    body.insert(QStringLiteral("aNegative"), -100000);
    body.insert(QStringLiteral("count"), 2);
    auto r = Parley::decodeBody<V1>(QCborValue(body).toCbor());
    QVERIFY2(r.hasValue(), qPrintable(r ? QString() : r.error().toString()));
    QCOMPARE(r->name, QStringLiteral("x"));
    QCOMPARE(r->count, 2);
}

void tst_Compatibility::jsonIsTolerantBothWays()
{
    const V2 v2{5, QStringLiteral("new"), {}, 3};
    Parley::DecodeResult old
        = Parley::fromJsonBody(Parley::toJsonBody(Parley::Value(v2)), Parley::typeOf<V1>());
    QVERIFY(old.hasValue());
    QCOMPARE(old.value().get<V1>().count, 3);

    const QJsonObject settings{{QStringLiteral("name"), QStringLiteral("from a file")},
                               {QStringLiteral("unknown"), QJsonObject{}}};
    Parley::DecodeResult fresh = Parley::fromJsonBody(settings, Parley::typeOf<V2>());
    QVERIFY(fresh.hasValue());
    QCOMPARE(fresh.value().get<V2>().name, QStringLiteral("from a file"));
    QCOMPARE(fresh.value().get<V2>().added, 77);
}

QTEST_GUILESS_MAIN(tst_Compatibility)
#include "tst_compatibility.moc"
