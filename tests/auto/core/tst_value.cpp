// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/messages.h>

#include <QtTest/QtTest>

#include <memory>

namespace demo {
struct Hello
{
    QString myName;
};
PARLEY_MESSAGE_AS(Hello, "demo.Hello", myName)

struct Big
{
    QString a, b, c, d;
    qint64 n = 0;
};
PARLEY_MESSAGE(Big, a, b, c, d, n)
} // namespace demo

struct Counted
{
    static inline int alive = 0;
    Counted() { ++alive; }
    Counted(const Counted &) { ++alive; }
    Counted(Counted &&) noexcept { ++alive; }
    ~Counted() { --alive; }
};
PARLEY_MESSAGE(Counted)

struct Qualified
{
    int x = 0;
};
PARLEY_MESSAGE_AS(Qualified, "outer::inner::Qualified", x)

class tst_Value : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void typesRegisterByWireNameBeforeFirstUse()
    {
        // Nothing in this test has touched demo::Big through typeOf<> yet: the declaration
        // registered it at start-up.
        const Parley::TypeInfo *big = Parley::findType(u"Big");
        QVERIFY(big);
        QCOMPARE(big, Parley::typeOf<demo::Big>());
        QCOMPARE(Parley::findType(u"demo.Hello"), Parley::typeOf<demo::Hello>());
        QCOMPARE(QByteArray(Parley::typeOf<demo::Hello>()->displayName), QByteArray("Hello"));
        QVERIFY(!Parley::findType(u"no.such.Type"));
    }
    void standardMessagesHaveParleyNames()
    {
        QCOMPARE(QByteArray(Parley::typeOf<Parley::Stop>()->wireName), QByteArray("parley.Stop"));
        QCOMPARE(Parley::findType(u"parley.Completed"), Parley::typeOf<Parley::Completed>());
    }
    void colonsInWireNamesBecomeDots()
    {
        QCOMPARE(QByteArray(Parley::typeOf<Qualified>()->wireName),
                 QByteArray("outer.inner.Qualified"));
    }
    void descriptionListsFieldsInOrder()
    {
        constexpr auto d = Parley::describeMessage<demo::Big>();
        static_assert(decltype(d)::fieldCount == 5);
        QCOMPARE(QByteArray(std::get<0>(d.fields).name), QByteArray("a"));
        QCOMPARE(QByteArray(std::get<4>(d.fields).name), QByteArray("n"));
        demo::Big b;
        b.*(std::get<4>(d.fields).member) = 7;
        QCOMPARE(b.n, 7);
    }
    void holdsSmallMessagesInlineAndLargeOnTheHeap()
    {
        Parley::Value small(demo::Hello{QStringLiteral("Gladys")});
        QVERIFY(small.is<demo::Hello>());
        QCOMPARE(small.get<demo::Hello>().myName, QStringLiteral("Gladys"));
        QVERIFY(small.data() >= static_cast<void *>(&small)
                && small.data() < static_cast<void *>(&small + 1));

        Parley::Value big(demo::Big{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"),
                                    QStringLiteral("4"), 5});
        QVERIFY(!(big.data() >= static_cast<void *>(&big)
                  && big.data() < static_cast<void *>(&big + 1)));
        Parley::Value moved = std::move(big);
        QVERIFY(big.isEmpty()); // NOLINT(bugprone-use-after-move)
        QCOMPARE(moved.get<demo::Big>().n, 5);
        Parley::Value copy = moved;
        QCOMPARE(copy.get<demo::Big>().d, QStringLiteral("4"));
        QCOMPARE(moved.get<demo::Big>().d, QStringLiteral("4"));
    }
    void destroysWhatItHolds()
    {
        QCOMPARE(Counted::alive, 0);
        {
            Parley::Value v{Counted{}};
            QCOMPARE(Counted::alive, 1);
            Parley::Value w = v;
            QCOMPARE(Counted::alive, 2);
            Parley::Value t = w.take();
            QCOMPARE(Counted::alive, 2);
            QVERIFY(w.isEmpty());
            v = Parley::Value(demo::Hello{});
            QCOMPARE(Counted::alive, 1);
        }
        QCOMPARE(Counted::alive, 0);
    }
    void getIfReturnsNullForOtherTypes()
    {
        Parley::Value v(Parley::Ack{});
        QVERIFY(v.getIf<Parley::Ack>());
        QVERIFY(!v.getIf<Parley::Nak>());
        QCOMPARE(QByteArray(v.typeName()), QByteArray("Ack"));
        QCOMPARE(QByteArray(Parley::Value().typeName()), QByteArray("(empty)"));
    }
    void faultsDescribeThemselves()
    {
        Parley::FaultView f;
        QVERIFY(Parley::Value(Parley::Faulted{"cannot connect", "refused", 3}).fault(&f));
        QCOMPARE(f.condition, QStringLiteral("cannot connect"));
        QCOMPARE(f.exitStatus, 3);
        QVERIFY(Parley::Value(Parley::Aborted{}).isFault());
        QVERIFY(Parley::Value(Parley::TimedOut{}).isFault());
        QVERIFY(!Parley::Value(Parley::Ack{}).isFault());
        QVERIFY(!Parley::Value(Parley::Ack{}).fault(&f));
    }
    void defaultOfBuildsAnyRegisteredType()
    {
        Parley::Value v = Parley::Value::defaultOf(Parley::findType(u"Big"));
        QVERIFY(v.is<demo::Big>());
        QCOMPARE(v.get<demo::Big>().n, 0);
        QVERIFY(Parley::Value::defaultOf(nullptr).isEmpty());
    }
    void completedCarriesAValue()
    {
        Parley::Completed c{Parley::Value(demo::Hello{QStringLiteral("x")})};
        Parley::Value v(std::move(c));
        QCOMPARE(v.get<Parley::Completed>().value.get<demo::Hello>().myName, QStringLiteral("x"));
    }
};

QTEST_GUILESS_MAIN(tst_Value)
#include "tst_value.moc"
