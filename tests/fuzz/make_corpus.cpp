// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Writes the seed corpus of fuzz_decode into the directory given as the first argument:
// valid encodings of every field kind plus a handful of hostile inputs.
// Run: make_corpus tests/fuzz/corpus/decode

#include "fuzzmessages.h"

#include <parley/codec.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTimeZone>

#include <cstdio>

using namespace fuzz;

static void write(const QDir &dir, const char *name, const QByteArray &bytes)
{
    QFile file(dir.filePath(QLatin1String(name)));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        std::fprintf(stderr, "cannot write %s\n", name);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus <directory>\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    Everything e;
    write(dir, "valid-default", Parley::encode(e));
    write(dir, "valid-default-body", Parley::encodeBody(e));
    e.b = true;
    e.i8 = -128;
    e.i64 = std::numeric_limits<qint64>::min();
    e.u16 = 65535;
    e.u64 = std::numeric_limits<quint64>::max();
    e.f = 1.5f;
    e.d = -0.0;
    e.text = QStringLiteral("Grüße 🙂");
    e.bytes = QByteArray("\0\1\2\3", 4);
    e.when = QDateTime(QDate(2026, 3, 29), QTime(1, 30), QTimeZone("Europe/Paris"));
    e.id = QUuid::fromString(QStringLiteral("{67c8770b-44f1-410a-ab9a-f9b5446f13ee}"));
    e.mode = Mode::Auto;
    e.inners = {Inner{1, QStringLiteral("one")}, Inner{2, std::nullopt}};
    e.table.insert(QStringLiteral("row"), {1, 2, 3});
    e.byId.emplace(-7, Inner{7, {}});
    e.tags = {QStringLiteral("t")};
    e.to = Parley::Address{1, 0, 3};
    e.any = Parley::Completed{Parley::Value(Inner{9, QStringLiteral("nested")})};
    write(dir, "valid-full", Parley::encode(e));
    write(dir, "valid-full-body", Parley::encodeBody(e));
    e.when = QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::OffsetFromUTC, -3600);
    e.any = Parley::Faulted{QStringLiteral("c"), QStringLiteral("e"), 2};
    write(dir, "valid-offset-and-fault", Parley::encode(e));
    write(dir, "valid-empty-value", Parley::encode(Parley::Value()));
    write(dir, "valid-stop", Parley::encode(Parley::Stop{}));

    const QByteArray full = Parley::encode(e);
    write(dir, "invalid-truncated", full.left(full.size() / 2));
    write(dir, "invalid-trailing", full + '\0');
    write(dir, "invalid-forged-count",
          QByteArray("\x82\x6f"
                     "fuzz.Everything\xa1\x66inners\x9b\xff\xff\xff\xff\xff\xff\xff\xff"));
    write(dir, "invalid-utf8",
          QByteArray("\x82\x6a"
                     "fuzz.Inner\xa1\x65label\x62\xc3\x28"));
    write(dir, "invalid-unknown-type", QByteArray("\x82\x67no.Such\xa0"));
    write(dir, "invalid-indefinite", QByteArray("\x9f\x9f\x9f\xff\xff\xff"));
    QByteArray deep;
    for (int i = 0; i < 200; ++i)
        deep += QByteArray("\x82\x70parley.Completed\xa1\x65value");
    write(dir, "invalid-deep", deep + '\xf6');
    return 0;
}
