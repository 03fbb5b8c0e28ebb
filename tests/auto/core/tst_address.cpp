// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/address.h>

#include <QtTest/QtTest>

using Parley::Address;

class tst_Address : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nullAddressNamesNothing()
    {
        Address a;
        QVERIFY(a.isNull());
        QCOMPARE(a.size(), 0);
        QCOMPARE(a.last(), 0u);
        QVERIFY(Address(0).isNull());
    }
    void lastIdNamesTheLocalObject()
    {
        const Address a{7, 9, 42};
        QCOMPARE(a.size(), 3);
        QCOMPARE(a.last(), 42u);
        QCOMPARE(a.at(0), 7u);
    }
    void growsPastInlineCapacityAndBack()
    {
        Address a{1, 2, 3};
        a.append(4);
        a.append(5);
        a.append(6);
        a.append(7);
        QCOMPARE(a.size(), 7);
        QCOMPARE(a.last(), 7u);
        const Address copy = a;
        QCOMPARE(copy, a);
        for (int i = 0; i < 4; ++i)
            a.removeLast();
        QCOMPARE(a, (Address{1, 2, 3}));
        a.removeLast();
        QCOMPARE(a, (Address{1, 2}));
        Address moved = std::move(a);
        QCOMPARE(moved, (Address{1, 2}));
        QVERIFY(a.isNull()); // NOLINT(bugprone-use-after-move): moved-from is documented null
    }
    void copyAssignBetweenHeapAndInline()
    {
        Address big{1, 2, 3, 4, 5};
        Address small{9};
        small = big;
        QCOMPARE(small, big);
        big = Address{8};
        QCOMPARE(big, Address(8));
        Address other{1, 2, 3, 4, 5, 6};
        other = small;
        QCOMPARE(other, (Address{1, 2, 3, 4, 5}));
    }
    void setLastReplacesTheLocalHop()
    {
        Address a{3, 4};
        a.setLast(0);
        QCOMPARE(a, (Address{3, 0}));
    }
    void textFormMatchesTheLog()
    {
        QCOMPARE(Address(0x1a).toString(), QStringLiteral("<0000001a>"));
        QCOMPARE((Address{0x12, 0x17}).toString(), QStringLiteral("<00000012.00000017>"));
        QCOMPARE(Parley::formatId(0x16), QStringLiteral("<00000016>"));
    }
    void hashesAndOrders()
    {
        QSet<Address> set{Address{1, 2}, Address{1, 2}, Address{2}};
        QCOMPARE(set.size(), 2);
        QVERIFY(Address{1} < Address{2});
        QVERIFY(Address{1} < (Address{1, 0}));
    }
};

QTEST_GUILESS_MAIN(tst_Address)
#include "tst_address.moc"
