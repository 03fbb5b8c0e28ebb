// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_codec: encode+decode per second of a small message (2 fields) and a medium one (10
// fields and a list of 100 strings) with Parley's binary codec, next to two baselines measured
// in the same run: hand-written QDataStream operators and hand-written QJsonDocument code.
// One `figure=... ratio=...` line per figure and baseline; ratio > 1: Parley is faster.
// Each figure is the best of several alternating rounds, because these machines are noisy.
// A contender that does not give the message back is not timed: its line prints nan and says
// so, and the exit status is 1 when that contender is Parley.

#include "report.h"

#include <parley/codec.h>

#include <QtCore/QDataStream>
#include <QtCore/QIODevice>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace Bench {

struct Small
{
    QString name;
    qint32 count = 0;
    friend bool operator==(const Small &, const Small &) = default;
};
PARLEY_MESSAGE_AS(Small, "bench.Small", name, count)

struct Medium
{
    qint64 id = 0;
    qint32 count = 0;
    double ratio = 0;
    bool enabled = false;
    QString name;
    QString host;
    quint16 port = 0;
    QByteArray token;
    float score = 0;
    QString comment;
    QList<QString> items;
    friend bool operator==(const Medium &, const Medium &) = default;
};
PARLEY_MESSAGE_AS(Medium, "bench.Medium", id, count, ratio, enabled, name, host, port, token, score,
                  comment, items)

// -- baseline: hand-written QDataStream operators -----------------------------------------------

QDataStream &operator<<(QDataStream &s, const Small &m)
{
    return s << m.name << m.count;
}
QDataStream &operator>>(QDataStream &s, Small &m)
{
    return s >> m.name >> m.count;
}
QDataStream &operator<<(QDataStream &s, const Medium &m)
{
    return s << m.id << m.count << m.ratio << m.enabled << m.name << m.host << m.port << m.token
             << m.score << m.comment << m.items;
}
QDataStream &operator>>(QDataStream &s, Medium &m)
{
    return s >> m.id >> m.count >> m.ratio >> m.enabled >> m.name >> m.host >> m.port >> m.token
        >> m.score >> m.comment >> m.items;
}

// -- baseline: hand-written QJsonDocument code --------------------------------------------------

QByteArray toJson(const Small &m)
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("name"), m.name}, {QStringLiteral("count"), m.count}})
        .toJson(QJsonDocument::Compact);
}
void fromJson(const QByteArray &bytes, Small &m)
{
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    m.name = o.value(QLatin1String("name")).toString();
    m.count = o.value(QLatin1String("count")).toInt();
}
QByteArray toJson(const Medium &m)
{
    QJsonArray items;
    for (const QString &s : m.items)
        items.append(s);
    return QJsonDocument(
               QJsonObject{{QStringLiteral("id"), m.id},
                           {QStringLiteral("count"), m.count},
                           {QStringLiteral("ratio"), m.ratio},
                           {QStringLiteral("enabled"), m.enabled},
                           {QStringLiteral("name"), m.name},
                           {QStringLiteral("host"), m.host},
                           {QStringLiteral("port"), m.port},
                           {QStringLiteral("token"), QString::fromLatin1(m.token.toBase64())},
                           {QStringLiteral("score"), m.score},
                           {QStringLiteral("comment"), m.comment},
                           {QStringLiteral("items"), items}})
        .toJson(QJsonDocument::Compact);
}
void fromJson(const QByteArray &bytes, Medium &m)
{
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    m.id = o.value(QLatin1String("id")).toInteger();
    m.count = o.value(QLatin1String("count")).toInt();
    m.ratio = o.value(QLatin1String("ratio")).toDouble();
    m.enabled = o.value(QLatin1String("enabled")).toBool();
    m.name = o.value(QLatin1String("name")).toString();
    m.host = o.value(QLatin1String("host")).toString();
    m.port = quint16(o.value(QLatin1String("port")).toInt());
    m.token = QByteArray::fromBase64(o.value(QLatin1String("token")).toString().toLatin1());
    m.score = float(o.value(QLatin1String("score")).toDouble());
    m.comment = o.value(QLatin1String("comment")).toString();
    const QJsonArray items = o.value(QLatin1String("items")).toArray();
    m.items.clear();
    m.items.reserve(items.size());
    for (const QJsonValue &v : items)
        m.items.append(v.toString());
}

} // namespace Bench

namespace {

using Clock = std::chrono::steady_clock;

// Runs \a once repeatedly for about \a seconds and returns the rate per second.
double rate(const std::function<void()> &once, double seconds)
{
    qint64 n = 0;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    auto now = start;
    do {
        for (int i = 0; i < 64; ++i)
            once();
        n += 64;
        now = Clock::now();
    } while (now < until);
    return double(n) / std::chrono::duration<double>(now - start).count();
}

/// Measures \a figure for \a message; returns false when Parley did not round-trip it.
template <class T>
bool measure(const char *figure, const T &message, double seconds, int rounds)
{
    T out;
    // Correctness first: a contender that does not give the message back is not timed.
    auto r = Parley::decodeBody<T>(Parley::encodeBody(message));
    const bool parleyOk = r && *r == message;
    QByteArray ds;
    {
        QDataStream s(&ds, QIODevice::WriteOnly);
        s << message;
    }
    {
        QDataStream s(ds);
        s >> out;
    }
    const bool dataStreamOk = out == message;
    out = T{};
    Bench::fromJson(Bench::toJson(message), out);
    const bool jsonOk = out == message;
    const QString wrong = QStringLiteral("the message did not round-trip");

    std::size_t sink = 0;
    const std::function<void()> parley = [&] {
        const QByteArray bytes = Parley::encodeBody(message);
        auto r = Parley::decodeBody<T>(bytes);
        sink += bytes.size() + r.hasValue();
    };
    const std::function<void()> dataStream = [&] {
        QByteArray bytes;
        {
            QDataStream s(&bytes, QIODevice::WriteOnly);
            s << message;
        }
        QDataStream s(bytes);
        s >> out;
        sink += bytes.size();
    };
    const std::function<void()> json = [&] {
        const QByteArray bytes = Bench::toJson(message);
        Bench::fromJson(bytes, out);
        sink += bytes.size();
    };
    const double nan = std::nan("");
    double best[3] = {parleyOk ? 0 : nan, dataStreamOk ? 0 : nan, jsonOk ? 0 : nan};
    const std::function<void()> *contenders[3] = {&parley, &dataStream, &json};
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < 3; ++i) {
            if (!std::isnan(best[i]))
                best[i] = std::max(best[i], rate(*contenders[i], seconds));
        }
    }
    using BenchReport::Better;
    using BenchReport::missingNote;
    BenchReport::printFigure(figure, best[0], "roundtrips/s", 0, "qdatastream", best[1],
                             Better::Higher, missingNote(best[0], wrong, best[1], wrong));
    BenchReport::printFigure(figure, best[0], "roundtrips/s", 0, "qjsondocument", best[2],
                             Better::Higher, missingNote(best[0], wrong, best[2], wrong));
    std::fprintf(
        stderr, "# %s: parley %lld bytes, qdatastream %lld bytes, json %lld bytes (sink %zu)\n",
        figure, qint64(Parley::encodeBody(message).size()),
        [&] {
            QByteArray b;
            QDataStream s(&b, QIODevice::WriteOnly);
            s << message;
            return qint64(b.size());
        }(),
        qint64(Bench::toJson(message).size()), sink);
    return parleyOk;
}

} // namespace

int main(int argc, char **argv)
{
    // --quick: a smoke run (tiny durations) for CI.
    const bool quick = argc > 1 && qstrcmp(argv[1], "--quick") == 0;
    const double seconds = quick ? 0.02 : 0.5;
    const int rounds = quick ? 1 : 5;

    const Bench::Small small{QStringLiteral("hello, world"), 42};
    Bench::Medium medium;
    medium.id = 1234567890123;
    medium.count = 77;
    medium.ratio = 0.125;
    medium.enabled = true;
    medium.name = QStringLiteral("render-node-17");
    medium.host = QStringLiteral("farm.example.org");
    medium.port = 8443;
    medium.token = QByteArray(16, '\x5a');
    medium.score = 3.5f;
    medium.comment = QStringLiteral("a medium-sized message with a list of 100 strings");
    for (int i = 0; i < 100; ++i)
        medium.items.append(QStringLiteral("item-%1-of-the-list").arg(i));

    bool ok = measure("codec_small_encode_decode", small, seconds, rounds);
    ok = measure("codec_medium_encode_decode", medium, seconds, rounds) && ok;
    return ok ? 0 : 1;
}
