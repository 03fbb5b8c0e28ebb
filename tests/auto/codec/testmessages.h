// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// Messages covering every field type the codec supports, shared by the codec tests.

#include <parley/address.h>
#include <parley/messages.h>

#include <QtCore/QDateTime>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QSet>
#include <QtCore/QUuid>

#include <map>
#include <optional>
#include <set>
#include <vector>

namespace codectest {

enum class Colour { Red, Green, Blue };
PARLEY_ENUM(Colour, Red, Green, Blue)

struct Numbers
{
    bool flag = false;
    qint8 i8 = 0;
    qint16 i16 = 0;
    qint32 i32 = 0;
    qint64 i64 = 0;
    quint8 u8 = 0;
    quint16 u16 = 0;
    quint32 u32 = 0;
    quint64 u64 = 0;
    float f = 0;
    double d = 0;
    friend bool operator==(const Numbers &, const Numbers &) = default;
};
PARLEY_MESSAGE_AS(Numbers, "test.Numbers", flag, i8, i16, i32, i64, u8, u16, u32, u64, f, d)

struct Texts
{
    QString text;
    QByteArray bytes;
    QUuid uuid;
    Colour colour = Colour::Red;
    friend bool operator==(const Texts &, const Texts &) = default;
};
PARLEY_MESSAGE_AS(Texts, "test.Texts", text, bytes, uuid, colour)

struct When
{
    QDateTime at;
};
PARLEY_MESSAGE_AS(When, "test.When", at)

struct Point
{
    qint32 x = 0;
    qint32 y = 0;
    friend bool operator==(const Point &, const Point &) = default;
};
PARLEY_MESSAGE_AS(Point, "test.Point", x, y)

struct Containers
{
    std::vector<qint32> numbers;
    QList<QString> names;
    std::map<QString, qint32> byName;
    QMap<qint32, QString> byNumber;
    QHash<QString, QList<Point>> paths;
    std::set<qint64> ids;
    QSet<QString> tags;
    std::optional<qint32> maybe;
    std::optional<Point> maybePoint;
    QList<std::vector<std::optional<QString>>> nested;
    std::map<Colour, Point> byColour;
    friend bool operator==(const Containers &, const Containers &) = default;
};
PARLEY_MESSAGE_AS(Containers, "test.Containers", numbers, names, byName, byNumber, paths, ids, tags,
                  maybe, maybePoint, nested, byColour)

struct Routed
{
    Parley::Address to;
    QList<Parley::Address> via;
    Point where;
    friend bool operator==(const Routed &, const Routed &) = default;
};
PARLEY_MESSAGE_AS(Routed, "test.Routed", to, via, where)

struct Welcome
{
    QString yourName;
    QString myName;
    friend bool operator==(const Welcome &, const Welcome &) = default;
};
PARLEY_MESSAGE_AS(Welcome, "demo.Welcome", yourName, myName)

struct Envelope
{
    Parley::Value any;
    QList<Parley::Value> many;
};
PARLEY_MESSAGE_AS(Envelope, "test.Envelope", any, many)

} // namespace codectest
