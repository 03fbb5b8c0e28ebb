// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// A message with every field kind, registered in the fuzz target and the corpus generator.

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
#include <vector>

namespace fuzz {

enum class Mode { Off, On, Auto };
PARLEY_ENUM(Mode, Off, On, Auto)

struct Inner
{
    qint32 x = 0;
    std::optional<QString> label;
};
PARLEY_MESSAGE_AS(Inner, "fuzz.Inner", x, label)

struct Everything
{
    bool b = false;
    qint8 i8 = 0;
    qint64 i64 = 0;
    quint16 u16 = 0;
    quint64 u64 = 0;
    float f = 0;
    double d = 0;
    QString text;
    QByteArray bytes;
    QDateTime when;
    QUuid id;
    Mode mode = Mode::Off;
    std::vector<Inner> inners;
    QMap<QString, QList<qint32>> table;
    std::map<qint64, Inner> byId;
    QSet<QString> tags;
    Parley::Address to;
    Parley::Value any;
};
PARLEY_MESSAGE_AS(Everything, "fuzz.Everything", b, i8, i64, u16, u64, f, d, text, bytes, when, id,
                  mode, inners, table, byId, tags, to, any)

} // namespace fuzz
