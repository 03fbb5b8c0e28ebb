// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "testmessages.h"

#include <parley/codec.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonValue>
#include <QtCore/QTimeZone>
#include <QtTest/QtTest>

#include <cmath>
#include <limits>

using namespace codectest;

Q_DECLARE_METATYPE(codectest::Numbers)

// Round trips through the binary and the JSON text form; both must give back the value.
template <class T>
static T viaBinary(const T &message)
{
    const QByteArray bytes = Parley::encode(message);
    auto decoded = Parley::decode<T>(bytes);
    if (!decoded) {
        qWarning() << decoded.error().toString();
        return T{};
    }
    // The Value path and the body-only path agree with the typed one.
    Q_ASSERT(Parley::encode(Parley::Value(message)) == bytes);
    auto body = Parley::decodeBody<T>(Parley::encodeBody(message));
    Q_ASSERT(body.hasValue());
    return std::move(decoded).value();
}

template <class T>
static T viaJson(const T &message)
{
    // Through text, as a settings file or the log stream would carry it.
    const QJsonValue json = Parley::toJson(Parley::Value(message));
    const QByteArray text = QJsonDocument(json.toArray()).toJson();
    const QJsonValue parsed = QJsonDocument::fromJson(text).array();
    Parley::DecodeResult decoded = Parley::fromJson(parsed, Parley::typeOf<T>());
    if (!decoded) {
        qWarning() << decoded.error().toString() << text;
        return T{};
    }
    return decoded.value().template get<T>();
}

class tst_RoundTrip : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void numbersKeepTheirEdgeValues_data();
    void numbersKeepTheirEdgeValues();
    void floatsKeepNanAndInfinities();
    void textsKeepEveryCharacter_data();
    void textsKeepEveryCharacter();
    void datesKeepTheirZone_data();
    void datesKeepTheirZone();
    void containersNestAndStayEqual();
    void shortTextsAtEveryBufferOffset();
    void optionalsAreAbsentOrPresent();
    void addressesRoundTripAndAreRewritten();
    void anyMessageKeepsItsType();
    void completedCarriesAnyValue();
    void emptyValueEncodesAsNull();
    void standardMessagesAreEncodable();
    void printableFormIsJsonText();
    void typeInfoListsFields();

private:
    template <class T>
    T roundTrip(const T &message)
    {
        QFETCH_GLOBAL(bool, json);
        return json ? viaJson(message) : viaBinary(message);
    }
};

void tst_RoundTrip::initTestCase_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("binary") << false;
    QTest::newRow("json") << true;
}

void tst_RoundTrip::numbersKeepTheirEdgeValues_data()
{
    QTest::addColumn<Numbers>("numbers");
    QTest::newRow("zero") << Numbers{};
    QTest::newRow("minimum") << Numbers{false,
                                        std::numeric_limits<qint8>::min(),
                                        std::numeric_limits<qint16>::min(),
                                        std::numeric_limits<qint32>::min(),
                                        std::numeric_limits<qint64>::min(),
                                        0,
                                        0,
                                        0,
                                        0,
                                        std::numeric_limits<float>::lowest(),
                                        std::numeric_limits<double>::lowest()};
    QTest::newRow("maximum") << Numbers{true,
                                        std::numeric_limits<qint8>::max(),
                                        std::numeric_limits<qint16>::max(),
                                        std::numeric_limits<qint32>::max(),
                                        std::numeric_limits<qint64>::max(),
                                        std::numeric_limits<quint8>::max(),
                                        std::numeric_limits<quint16>::max(),
                                        std::numeric_limits<quint32>::max(),
                                        std::numeric_limits<quint64>::max(),
                                        std::numeric_limits<float>::max(),
                                        std::numeric_limits<double>::max()};
    QTest::newRow("head boundaries")
        << Numbers{false, 23, 24, 255, 65536, 24, 256, 65536, quint64(1) << 32, 0.1f, 1e-300};
    QTest::newRow("denormals and -0") << Numbers{
        false, -1, -24, -25, -257, 1, 2, 3, 4, std::numeric_limits<float>::denorm_min(), -0.0};
}

void tst_RoundTrip::numbersKeepTheirEdgeValues()
{
    QFETCH(Numbers, numbers);
    const Numbers back = roundTrip(numbers);
    QCOMPARE(back, numbers);
    QFETCH_GLOBAL(bool, json);
    if (!json) // JSON has no negative zero
        QCOMPARE(std::signbit(back.d), std::signbit(numbers.d));
}

void tst_RoundTrip::floatsKeepNanAndInfinities()
{
    const double specials[]
        = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
           -std::numeric_limits<double>::infinity()};
    for (double s : specials) {
        Numbers n;
        n.d = s;
        n.f = float(s);
        const Numbers back = roundTrip(n);
        if (std::isnan(s)) {
            QVERIFY(std::isnan(back.d));
            QVERIFY(std::isnan(back.f));
        } else {
            QCOMPARE(back.d, s);
            QCOMPARE(back.f, float(s));
        }
    }
}

void tst_RoundTrip::textsKeepEveryCharacter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("ascii") << QStringLiteral("hello") << QByteArray("\0\1\2", 3);
    QTest::newRow("non-ascii") << QStringLiteral("Grüße, 世界 — 🙂")
                               << QByteArray(300, '\xff');
    QTest::newRow("leading BOM") << QStringLiteral("\uFEFFbom") << QByteArray("x");
    QTest::newRow("23 and 24 bytes")
        << QString(23, QLatin1Char('a')) + QStringLiteral("é") << QByteArray(24, 'b');
    QTest::newRow("1 MiB") << QString(1 << 20, QLatin1Char('x')) << QByteArray(1 << 20, 'y');
    QTest::newRow("1 MiB non-ascii") << QString(1 << 19, QChar(0x00e9)) << QByteArray();
}

void tst_RoundTrip::textsKeepEveryCharacter()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, bytes);
    QFETCH_GLOBAL(bool, json);
    if (json && text.startsWith(QChar(0xfeff)))
        QSKIP("QJsonDocument::fromJson drops a leading U+FEFF inside a string (Qt 6.4)");
    Texts t{text, bytes, QUuid::createUuid(), Colour::Blue};
    const Texts back = roundTrip(t);
    QCOMPARE(back.text, text);
    QCOMPARE(back.bytes, bytes);
    QCOMPARE(back.uuid, t.uuid);
    QCOMPARE(back.colour, Colour::Blue);
}

void tst_RoundTrip::datesKeepTheirZone_data()
{
    QTest::addColumn<QDateTime>("at");
    const QDate date(2026, 3, 29); // a DST change in Europe
    const QTime time(1, 30, 15, 123);
    QTest::newRow("invalid") << QDateTime();
    QTest::newRow("utc") << QDateTime(date, time, Qt::UTC);
    QTest::newRow("offset +05:30") << QDateTime(date, time, Qt::OffsetFromUTC, 5 * 3600 + 1800);
    QTest::newRow("offset -08:00") << QDateTime(date, time, Qt::OffsetFromUTC, -8 * 3600);
    QTest::newRow("Europe/Paris") << QDateTime(date, time, QTimeZone("Europe/Paris"));
    QTest::newRow("America/New_York") << QDateTime(date, time, QTimeZone("America/New_York"));
    QTest::newRow("Asia/Tokyo") << QDateTime(QDate(1969, 7, 20), time, QTimeZone("Asia/Tokyo"));
    QTest::newRow("local time") << QDateTime(date, time, Qt::LocalTime);
}

void tst_RoundTrip::datesKeepTheirZone()
{
    QFETCH(QDateTime, at);
    const When back = roundTrip(When{at});
    QCOMPARE(back.at.isValid(), at.isValid());
    if (!at.isValid())
        return;
    QCOMPARE(back.at.toMSecsSinceEpoch(), at.toMSecsSinceEpoch());
    QCOMPARE(back.at.timeSpec(), at.timeSpec());
    QCOMPARE(back.at.offsetFromUtc(), at.offsetFromUtc());
    QCOMPARE(back.at.timeZone().id(), at.timeZone().id());
}

void tst_RoundTrip::containersNestAndStayEqual()
{
    Containers c;
    QCOMPARE(roundTrip(c), c);
    c.numbers = {0, -1, 1, std::numeric_limits<qint32>::min()};
    c.names = {QStringLiteral("a"), QString(), QStringLiteral("ü")};
    c.byName = {{QStringLiteral("one"), 1}, {QStringLiteral("zwei"), 2}};
    c.byNumber = {{-3, QStringLiteral("minus three")}, {7, QStringLiteral("seven")}};
    c.paths.insert(QStringLiteral("line"), {Point{0, 0}, Point{3, 4}});
    c.paths.insert(QStringLiteral("empty"), {});
    c.ids = {std::numeric_limits<qint64>::min(), 0, 42};
    c.tags = {QStringLiteral("x"), QStringLiteral("y")};
    c.maybe = 0;
    c.maybePoint = Point{-1, -2};
    c.nested = {{QStringLiteral("a"), std::nullopt}, {}, {std::nullopt}};
    c.byColour = {{Colour::Green, Point{1, 1}}, {Colour::Red, Point{2, 2}}};
    QCOMPARE(roundTrip(c), c);
}

void tst_RoundTrip::shortTextsAtEveryBufferOffset()
{
    // Texts of 0..40 characters land on every offset relative to the writer's buffer growth
    // (a regression found by fuzzing: the head of a short text was written after a reallocation).
    Containers c;
    for (int i = 0; i < 600; ++i)
        c.names.append(QString(i % 41, QChar(i % 3 ? 0x61 : 0xe9)));
    QCOMPARE(roundTrip(c).names, c.names);
}

void tst_RoundTrip::optionalsAreAbsentOrPresent()
{
    Containers absent;
    QVERIFY(!roundTrip(absent).maybe.has_value());
    Containers present;
    present.maybe = 5;
    QCOMPARE(roundTrip(present).maybe, std::optional<qint32>(5));
}

void tst_RoundTrip::addressesRoundTripAndAreRewritten()
{
    const Routed r{
        Parley::Address{7, 9}, {Parley::Address(), Parley::Address{1, 2, 3, 4, 5}}, Point{1, 2}};
    QCOMPARE(roundTrip(r), r);

    // The hook sees every address in the body, on both sides.
    QFETCH_GLOBAL(bool, json);
    int seen = 0;
    Parley::EncodeContext out;
    out.rewriteAddress = [&seen](const Parley::Address &a) {
        ++seen;
        Parley::Address b = a;
        if (!b.isNull())
            b.setLast(0); // "goes home"
        return b;
    };
    Parley::DecodeContext in;
    in.rewriteAddress = [](const Parley::Address &a) {
        Parley::Address b = a;
        b.append(99); // via proxy 99
        return b;
    };
    Parley::DecodeResult back = json
        ? Parley::fromJson(Parley::toJson(Parley::Value(r), out), nullptr, in)
        : Parley::decode(Parley::encode(Parley::Value(r), out), nullptr, in);
    QVERIFY2(back.hasValue(), qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(seen, 3);
    const Routed &got = back.value().get<Routed>();
    QCOMPARE(got.to, (Parley::Address{7, 0, 99}));
    QCOMPARE(got.via.at(0), (Parley::Address{99}));
    QCOMPARE(got.via.at(1), (Parley::Address{1, 2, 3, 4, 0, 99}));
}

void tst_RoundTrip::anyMessageKeepsItsType()
{
    Envelope e;
    e.any = Welcome{QStringLiteral("ann"), QStringLiteral("srv")};
    e.many = {Parley::Value(Point{1, 2}), Parley::Value(), Parley::Value(Parley::Ack{}),
              Parley::Value(Envelope{Parley::Value(Point{3, 4}), {}})};
    const Envelope back = roundTrip(e);
    QVERIFY(back.any.is<Welcome>());
    QCOMPARE(back.any.get<Welcome>(), e.any.get<Welcome>());
    QCOMPARE(back.many.size(), 4);
    QCOMPARE(back.many[0].get<Point>(), (Point{1, 2}));
    QVERIFY(back.many[1].isEmpty());
    QVERIFY(back.many[2].is<Parley::Ack>());
    QCOMPARE(back.many[3].get<Envelope>().any.get<Point>(), (Point{3, 4}));
}

void tst_RoundTrip::completedCarriesAnyValue()
{
    const Parley::Completed c{Parley::Value(
        Parley::Faulted{QStringLiteral("cannot connect"), QStringLiteral("refused"), 3})};
    const Parley::Completed back = roundTrip(c);
    QVERIFY(back.value.is<Parley::Faulted>());
    QCOMPARE(back.value.get<Parley::Faulted>().explanation, QStringLiteral("refused"));
    QCOMPARE(back.value.get<Parley::Faulted>().exitStatus, 3);
}

void tst_RoundTrip::emptyValueEncodesAsNull()
{
    QCOMPARE(Parley::encode(Parley::Value()), QByteArray("\xf6"));
    Parley::DecodeResult r = Parley::decode(QByteArray("\xf6"));
    QVERIFY(r.hasValue());
    QVERIFY(r.value().isEmpty());
    QCOMPARE(Parley::toText(Parley::Value()), QStringLiteral("null"));
}

void tst_RoundTrip::standardMessagesAreEncodable()
{
    for (const Parley::TypeInfo *t :
         {Parley::typeOf<Parley::Start>(), Parley::typeOf<Parley::Stop>(),
          Parley::typeOf<Parley::Completed>(), Parley::typeOf<Parley::Ack>(),
          Parley::typeOf<Parley::Nak>(), Parley::typeOf<Parley::Faulted>(),
          Parley::typeOf<Parley::Aborted>(), Parley::typeOf<Parley::TimedOut>(),
          Parley::typeOf<Parley::T1>(), Parley::typeOf<Parley::SelectTimer>()}) {
        QVERIFY2(Parley::isEncodable(t), t->wireName);
        const QByteArray bytes = Parley::encode(Parley::Value::defaultOf(t));
        Parley::DecodeResult r = Parley::decode(bytes, t);
        QVERIFY2(r.hasValue(), t->wireName);
    }
}

void tst_RoundTrip::printableFormIsJsonText()
{
    const Parley::Value v(Welcome{QStringLiteral("ann"), QStringLiteral("srv")});
    QCOMPARE(Parley::toText(v),
             QStringLiteral(R"(["demo.Welcome",{"myName":"srv","yourName":"ann"}])"));
    QCOMPARE(v.type()->toText(v.data()), QStringLiteral(R"({"myName":"srv","yourName":"ann"})"));
    const Parley::Value t(Texts{QStringLiteral("x"), QByteArray("hi"), QUuid(), Colour::Green});
    QCOMPARE(t.type()->toText(t.data()),
             QStringLiteral(R"({"bytes":"aGk=","colour":"Green","text":"x",)"
                            R"("uuid":"00000000-0000-0000-0000-000000000000"})"));
}

void tst_RoundTrip::typeInfoListsFields()
{
    const Parley::TypeInfo *t = Parley::findType(u"demo.Welcome");
    QVERIFY(t);
    QCOMPARE(t->fieldCount, std::size_t(2));
    QCOMPARE(t->fieldNames[0], "yourName");
    QCOMPARE(t->fieldNames[1], "myName");
    QVERIFY(!t->fieldNames[2]);
}

QTEST_GUILESS_MAIN(tst_RoundTrip)
#include "tst_roundtrip.moc"
