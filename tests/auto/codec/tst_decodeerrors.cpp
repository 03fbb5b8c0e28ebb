// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "testmessages.h"

#include <parley/codec.h>

#include <QtCore/QCborArray>
#include <QtCore/QCborMap>
#include <QtCore/QCborValue>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

using namespace codectest;
using Kind = Parley::DecodeError::Kind;

Q_DECLARE_METATYPE(Parley::DecodeError::Kind)

// Builds [wire name, body] with Qt's own CBOR encoder, independent of Parley's.
static QByteArray envelope(const char *wireName, const QCborValue &body)
{
    return QCborValue(QCborArray{QLatin1String(wireName), body}).toCbor();
}

static QByteArray withText(const char *wireName, const char *field, const QByteArray &utf8)
{
    // A text string with raw (possibly invalid) UTF-8 bytes, which QCborValue can't produce.
    QByteArray body("\xa1");
    body += char(0x60 + qstrlen(field));
    body += field;
    body += char(0x78);
    body += char(utf8.size());
    body += utf8;
    QByteArray out("\x82");
    out += char(0x60 + qstrlen(wireName));
    out += wireName;
    return out + body;
}

static QCborValue nestedEnvelopes(int depth)
{
    QCborValue v(nullptr);
    for (int i = 0; i < depth; ++i)
        v = QCborArray{QStringLiteral("test.Envelope"), QCborMap{{QStringLiteral("any"), v}}};
    return v;
}

class tst_DecodeErrors : public QObject
{
    Q_OBJECT

private slots:
    void binaryErrorsNameTheField_data();
    void binaryErrorsNameTheField();
    void jsonErrorsNameTheField_data();
    void jsonErrorsNameTheField();
    void forgedCountsAllocateNothing();
    void everyTruncationFailsCleanly();
};

void tst_DecodeErrors::binaryErrorsNameTheField_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // wire name the caller expects, or empty for any
    QTest::addColumn<QString>("limit");    // a tighter DecodeContext limit: "depth=3", or empty
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("text");

    const QByteArray welcome = Parley::encode(Welcome{QStringLiteral("ann"), QStringLiteral("s")});

    QTest::newRow("text expected, integer given")
        << envelope("demo.Welcome", QCborMap{{QStringLiteral("yourName"), 1}}) << QString()
        << QString() << Kind::TypeMismatch << "Welcome.yourName: expected text, got integer";
    QTest::newRow("empty input") << QByteArray() << QString() << QString() << Kind::Truncated
                                 << "expected array, got the end of the input";
    QTest::newRow("not an envelope") << QByteArray("\x01") << QString() << QString()
                                     << Kind::TypeMismatch << "expected array, got integer";
    QTest::newRow("envelope of three")
        << QCborValue(QCborArray{QStringLiteral("demo.Welcome"), QCborMap{}, 1}).toCbor()
        << QString() << QString() << Kind::InvalidValue
        << "expected [wire name, body], got 3 elements";
    QTest::newRow("truncated") << welcome.left(welcome.size() - 1) << QString() << QString()
                               << Kind::Truncated
                               << "Welcome.myName: string of 1 bytes but only 0 bytes left";
    QTest::newRow("trailing byte") << welcome + '\0' << QString() << QString() << Kind::TrailingData
                                   << "1 bytes left after the value";
    QTest::newRow("unknown type") << envelope("no.Such", QCborMap{}) << QString() << QString()
                                  << Kind::UnknownType << "unknown message type \"no.Such\"";
    QTest::newRow("unexpected type")
        << Parley::encode(Point{1, 2}) << "demo.Welcome" << QString() << Kind::UnexpectedType
        << "expected demo.Welcome, got test.Point";
    QTest::newRow("field name not text")
        << envelope("demo.Welcome", QCborMap{{1, QStringLiteral("x")}}) << QString() << QString()
        << Kind::TypeMismatch << "Welcome: expected text (a field name), got integer";
    QTest::newRow("invalid UTF-8")
        << withText("demo.Welcome", "yourName", "ab\xc3\x28") << QString() << QString()
        << Kind::InvalidUtf8 << "Welcome.yourName: invalid UTF-8 in text";
    QTest::newRow("overlong UTF-8")
        << withText("demo.Welcome", "myName", "\xc0\xaf") << QString() << QString()
        << Kind::InvalidUtf8 << "Welcome.myName: invalid UTF-8 in text";
    QTest::newRow("UTF-8 surrogate")
        << withText("demo.Welcome", "myName", "\xed\xa0\x80") << QString() << QString()
        << Kind::InvalidUtf8 << "Welcome.myName: invalid UTF-8 in text";
    QTest::newRow("int8 too big") << envelope("test.Numbers", QCborMap{{QStringLiteral("i8"), 300}})
                                  << QString() << QString() << Kind::OutOfRange
                                  << "Numbers.i8: 300 is out of range for int8";
    QTest::newRow("negative unsigned")
        << envelope("test.Numbers", QCborMap{{QStringLiteral("u8"), -1}}) << QString() << QString()
        << Kind::OutOfRange << "Numbers.u8: -1 is out of range for uint8";
    QTest::newRow("int64 below minimum")
        << QByteArray("\x82\x6ctest.Numbers\xa1\x63i64\x3b\x80\0\0\0\0\0\0\0", 28) << QString()
        << QString() << Kind::OutOfRange
        << "Numbers.i64: -9223372036854775809 is out of range for int64";
    QTest::newRow("double expected")
        << envelope("test.Numbers", QCborMap{{QStringLiteral("d"), QStringLiteral("1.5")}})
        << QString() << QString() << Kind::TypeMismatch << "Numbers.d: expected number, got text";
    QTest::newRow("unknown enumerator")
        << envelope("test.Texts", QCborMap{{QStringLiteral("colour"), QStringLiteral("Purple")}})
        << QString() << QString() << Kind::InvalidValue
        << "Texts.colour: unknown enumerator \"Purple\"";
    QTest::newRow("UUID of 2 bytes")
        << envelope("test.Texts", QCborMap{{QStringLiteral("uuid"), QByteArray("\1\2")}})
        << QString() << QString() << Kind::InvalidValue
        << "Texts.uuid: expected 16 bytes for a UUID, got 2";
    QTest::newRow("unknown time zone")
        << envelope("test.When",
                    QCborMap{{QStringLiteral("at"), QCborArray{0, QStringLiteral("Mars/Olympus")}}})
        << QString() << QString() << Kind::InvalidValue
        << "When.at: unknown time zone \"Mars/Olympus\"";
    QTest::newRow("list element") << envelope(
        "test.Containers", QCborMap{{QStringLiteral("names"), QCborArray{QStringLiteral("a"), 5}}})
                                  << QString() << QString() << Kind::TypeMismatch
                                  << "Containers.names[1]: expected text, got integer";
    QTest::newRow("map value") << envelope(
        "test.Containers",
        QCborMap{
            {QStringLiteral("paths"),
             QCborMap{{QStringLiteral("p"), QCborArray{QCborMap{{QStringLiteral("x"), true}}}}}}})
                               << QString() << QString() << Kind::TypeMismatch
                               << "Containers.paths[0][0].x: expected integer, got boolean";
    QTest::newRow("inside an any-message")
        << envelope("parley.Completed",
                    QCborMap{{QStringLiteral("value"),
                              QCborArray{QStringLiteral("demo.Welcome"),
                                         QCborMap{{QStringLiteral("yourName"), 1}}}}})
        << QString() << QString() << Kind::TypeMismatch
        << "Completed.value.yourName: expected text, got integer";
    QTest::newRow("forged array count")
        << QByteArray("\x82\x6ftest.Containers\xa1\x67numbers\x9a\xff\xff\xff\xff", 31) << QString()
        << QString() << Kind::Truncated
        << "Containers.numbers: array of 4294967295 elements but only 0 bytes left";
    QTest::newRow("forged string length")
        << QByteArray("\x82\x6c"
                      "demo.Welcome\xa1\x68yourName\x7b\xff\xff\xff\xff\xff\xff\xff\xff",
                      33)
        << QString() << QString() << Kind::Truncated
        << "Welcome.yourName: string of 18446744073709551615 bytes but only 0 bytes left";
    QTest::newRow("string over the limit")
        << Parley::encode(Welcome{QString(20, QLatin1Char('n')), {}}) << QString() << "string=15"
        << Kind::LimitExceeded << "Welcome.yourName: string of 20 bytes exceeds the limit of 15";
    QTest::newRow("too deep") << nestedEnvelopes(5).toCbor() << QString() << "depth=3"
                              << Kind::LimitExceeded
                              << "Envelope.any: nesting deeper than the limit of 3";
    QTest::newRow("address too long")
        << envelope("test.Routed", QCborMap{{QStringLiteral("to"), QCborArray{1, 2, 3}}})
        << QString() << "address=2" << Kind::LimitExceeded
        << "Routed.to: address of 3 ids exceeds the limit of 2";
    QTest::newRow("indefinite length") << QByteArray("\x9f\xff") << QString() << QString()
                                       << Kind::Malformed << "indefinite lengths are not supported";
    QTest::newRow("integer for a wire name")
        << QByteArray("\x82\x1c\0", 3) << QString() << QString() << Kind::TypeMismatch
        << "expected text (a wire name), got integer";
    QTest::newRow("reserved head in a skipped field")
        << QByteArray("\x82\x6c"
                      "demo.Welcome\xa1\x61z\x1c",
                      18)
        << QString() << QString() << Kind::Malformed
        << "Welcome: reserved CBOR additional information 28";
}

void tst_DecodeErrors::binaryErrorsNameTheField()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QFETCH(QString, limit);
    QFETCH(Kind, kind);
    QFETCH(QString, text);

    Parley::DecodeContext context;
    const int value = limit.section(QLatin1Char('='), 1).toInt();
    if (limit.startsWith(QLatin1String("depth")))
        context.maxDepth = value;
    else if (limit.startsWith(QLatin1String("string")))
        context.maxStringSize = value;
    else if (limit.startsWith(QLatin1String("address")))
        context.maxAddressLength = value;
    const Parley::TypeInfo *type = expected.isEmpty() ? nullptr : Parley::findType(expected);
    const Parley::DecodeResult r = Parley::decode(bytes, type, context);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().toString(), text);
    QCOMPARE(Parley::DecodeError::kindName(r.error().kind), Parley::DecodeError::kindName(kind));
}

void tst_DecodeErrors::jsonErrorsNameTheField_data()
{
    QTest::addColumn<QJsonValue>("json");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("text");

    auto env = [](const char *name, const QJsonObject &body) {
        return QJsonValue(QJsonArray{QLatin1String(name), body});
    };
    QTest::newRow("text expected, integer given")
        << env("demo.Welcome", {{QStringLiteral("yourName"), 1}}) << Kind::TypeMismatch
        << "Welcome.yourName: expected text, got integer";
    QTest::newRow("fraction for an integer")
        << env("test.Numbers", {{QStringLiteral("i32"), 1.5}}) << Kind::TypeMismatch
        << "Numbers.i32: expected integer, got float";
    QTest::newRow("int16 too big")
        << env("test.Numbers", {{QStringLiteral("i16"), 40000}}) << Kind::OutOfRange
        << "Numbers.i16: 40000 is out of range for int16";
    QTest::newRow("bad base64") << env("test.Texts", {{QStringLiteral("bytes"), "!!"}})
                                << Kind::InvalidValue << "Texts.bytes: invalid base64";
    QTest::newRow("bad date") << env("test.When", {{QStringLiteral("at"), "yesterday"}})
                              << Kind::InvalidValue << "When.at: invalid date-time \"yesterday\"";
    QTest::newRow("bad UUID") << env("test.Texts", {{QStringLiteral("uuid"), "nope"}})
                              << Kind::InvalidValue << "Texts.uuid: invalid UUID \"nope\"";
    QTest::newRow("unknown type") << env("no.Such", {}) << Kind::UnknownType
                                  << "unknown message type \"no.Such\"";
    QTest::newRow("body not an object")
        << QJsonValue(QJsonArray{"demo.Welcome", 3}) << Kind::TypeMismatch
        << "Welcome: expected map, got integer";
}

void tst_DecodeErrors::jsonErrorsNameTheField()
{
    QFETCH(QJsonValue, json);
    QFETCH(Kind, kind);
    QFETCH(QString, text);
    const Parley::DecodeResult r = Parley::fromJson(json);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().toString(), text);
    QCOMPARE(Parley::DecodeError::kindName(r.error().kind), Parley::DecodeError::kindName(kind));
}

void tst_DecodeErrors::forgedCountsAllocateNothing()
{
    // Every container header claims the maximum; each must be refused before reserving.
    const char *heads[]
        = {"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "\xbb\x7f\xff\xff\xff\xff\xff\xff\xff",
           "\x5b\x7f\xff\xff\xff\xff\xff\xff\xff"};
    for (const char *head : heads) {
        for (const char *field : {"numbers", "byName", "ids", "paths", "nested"}) {
            QByteArray bytes("\x82\x6ftest.Containers\xa1");
            bytes += char(0x60 + qstrlen(field));
            bytes += field;
            bytes += QByteArray(head, 9);
            const Parley::DecodeResult r = Parley::decode(bytes);
            QVERIFY(!r.hasValue());
            QVERIFY2(r.error().path.startsWith(QLatin1String("Containers.") + QLatin1String(field)),
                     qPrintable(r.error().toString()));
        }
    }
}

void tst_DecodeErrors::everyTruncationFailsCleanly()
{
    Containers c;
    c.names = {QStringLiteral("ä"), QStringLiteral("b")};
    c.paths.insert(QStringLiteral("p"), {Point{1, 2}});
    c.maybePoint = Point{3, 4};
    Envelope e{Parley::Value(c), {Parley::Value(When{QDateTime::currentDateTime()})}};
    const QByteArray bytes = Parley::encode(e);
    for (qsizetype n = 0; n < bytes.size(); ++n) {
        const Parley::DecodeResult r = Parley::decode(QByteArrayView(bytes).first(n));
        QVERIFY2(!r.hasValue(), qPrintable(QString::number(n)));
        QCOMPARE(Parley::DecodeError::kindName(r.error().kind),
                 Parley::DecodeError::kindName(Kind::Truncated));
    }
    QVERIFY(Parley::decode(bytes).hasValue());
}

QTEST_GUILESS_MAIN(tst_DecodeErrors)
#include "tst_decodeerrors.moc"
