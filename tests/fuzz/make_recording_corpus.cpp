// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Writes the seed corpus of fuzz_recording into the directory given as the first argument:
// small valid recordings and the ways a recording goes wrong (cut, damaged, newer, foreign).
// Run: make_recording_corpus tests/fuzz/corpus/recording

#include <parley/codec.h>
#include <parley/recording.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>

#include <cstdio>

using namespace Parley;

namespace {

/// An event of a newer schema: a kind, a drop reason and a field this build does not know
/// (declared under another wire name and written as a parley.Event).
struct FutureEvent
{
    QString kind;
    QString dropReason;
    quint64 seq = 0;
    QString hologram;
};
PARLEY_MESSAGE_AS(FutureEvent, "fuzz.FutureEvent", kind, dropReason, seq, hologram)

/// A record type this build does not know at all.
struct FutureRecord
{
    QString what;
};
PARLEY_MESSAGE_AS(FutureRecord, "fuzz.FutureRecord", what)

bool ok = true;

void write(const QDir &dir, const char *name, const QByteArray &bytes)
{
    QFile file(dir.filePath(QLatin1String(name)));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        std::fprintf(stderr, "cannot write %s\n", name);
        ok = false;
    }
}

QByteArray header(quint32 version = RecordingFormatVersion)
{
    QByteArray h("PRLYREC\0", 8);
    h.append(8, '\0');
    qToBigEndian(version, h.data() + 8);
    return h;
}

QByteArray record(const QByteArray &envelope)
{
    QByteArray out(4, '\0');
    qToBigEndian(quint32(envelope.size()), out.data());
    return out + envelope;
}

RuntimeInfo info()
{
    RuntimeInfo i;
    i.runtimeId = 0xfeedfacecafebeefULL;
    i.pid = 4242;
    i.host = QStringLiteral("lab-1");
    i.program = QStringLiteral("hello-server");
    i.runtimeName = QStringLiteral("main");
    i.startWall = 1'796'000'000'000'000'000;
    i.parleyVersion = QStringLiteral("0.1.0");
    return i;
}

/// A short life: objects created under one another, a message each way, a state change, text.
QList<Event> events()
{
    QList<Event> out;
    quint64 seq = 0;
    auto next = [&](EventKind kind, quint64 object) {
        Event e;
        e.kind = kind;
        e.seq = ++seq;
        e.time = qint64(seq) * 1000;
        e.wall = info().startWall + e.time;
        e.object = object;
        e.name = QStringLiteral("obj%1").arg(object);
        e.thread = QStringLiteral("parley-worker-0");
        return e;
    };
    Event e = next(EventKind::Created, 2);
    e.parent = 1;
    e.className = QStringLiteral("routine");
    out << e;
    e = next(EventKind::Created, 3);
    e.parent = 2;
    e.className = QStringLiteral("Connection");
    e.state = QStringLiteral("INITIAL");
    out << e;
    e = next(EventKind::Sent, 2);
    e.from = Address(2);
    e.to = Address{3, 0};
    e.type = QStringLiteral("demo.Hello");
    e.messageId = 7;
    e.body = QStringLiteral("{\"myName\":\"Gladys\"}");
    out << e;
    e = next(EventKind::Received, 3);
    e.from = Address{2, 9};
    e.to = Address(3);
    e.type = QStringLiteral("demo.Hello");
    e.messageId = 7;
    e.origin = 0x1234;
    e.cause = 5;
    e.depth = 0;
    e.queuedNs = 1200;
    out << e;
    e = next(EventKind::StateChanged, 3);
    e.previousState = QStringLiteral("INITIAL");
    e.state = QStringLiteral("NORMAL");
    out << e;
    e = next(EventKind::Dropped, 3);
    e.dropReason = DropReason::NoSuchObject;
    e.text = QStringLiteral("no object <00000009>");
    out << e;
    e = next(EventKind::Text, 2);
    e.level = LogLevel::Warning;
    e.text = QStringLiteral("two\nlines");
    out << e;
    e = next(EventKind::Destroyed, 3);
    out << e;
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_recording_corpus <directory>\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));

    // The writer's own bytes for the valid recordings.
    QTemporaryDir scratch;
    const QString path = scratch.filePath(QStringLiteral("valid.prec"));
    RecordingWriter writer;
    if (!writer.open(path, info())) {
        std::fprintf(stderr, "%s\n", qPrintable(writer.errorString()));
        return 1;
    }
    const qint64 identityEnd = writer.bytesWritten();
    qint64 lastRecordAt = 0;
    for (const Event &e : events()) {
        lastRecordAt = writer.bytesWritten();
        writer.write(e);
    }
    writer.close();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray valid = file.readAll();
    write(dir, "valid-small", valid);
    write(dir, "valid-identity-only", valid.left(identityEnd));

    const QByteArray identity = header() + record(encode(Value(info())));
    const QByteArray oneEvent = record(encode(Value(events().first())));
    write(dir, "valid-future-kind-and-record-type",
          identity + record(encode(Value(FutureRecord{QStringLiteral("a new record type")})))
              + record(
                  QByteArray("\x82\x6cparley.Event", 14)
                  + encodeBody(FutureEvent{QStringLiteral("Teleported"),
                                           QStringLiteral("EatenByGrue"), 5, QStringLiteral("3d")}))
              + oneEvent);
    write(dir, "valid-older-version", header(0) + record(encode(Value(info()))) + oneEvent);

    write(dir, "truncated-inside-record", valid.left(valid.size() - 3));
    write(dir, "truncated-inside-length", valid.left(lastRecordAt + 2));
    write(dir, "truncated-header", valid.left(10));
    write(dir, "truncated-identity", valid.left(identityEnd - 5));

    write(dir, "corrupt-length-all-ones",
          identity + oneEvent + QByteArray("\xff\xff\xff\xff", 4) + QByteArray(64, 'x'));
    write(dir, "corrupt-length-zero", identity + QByteArray(4, '\0') + oneEvent);
    write(dir, "corrupt-length-past-end", identity + QByteArray("\x00\x00\x10\x00", 4) + oneEvent);
    write(dir, "corrupt-record-body",
          identity + record(QByteArray("\x82\x6cparley.Event\x01", 15)) + oneEvent);
    write(dir, "corrupt-record-not-cbor",
          identity + record(QByteArray("\xff\xfe\xfd", 3)) + oneEvent);
    write(dir, "corrupt-record-forged-count",
          identity
              + record(QByteArray("\x82\x6cparley.Event\xbb\xff\xff\xff\xff\xff\xff\xff\xff", 23))
              + oneEvent);
    write(dir, "corrupt-identity", header() + record(QByteArray("\x82\x01\x02", 3)) + oneEvent);
    write(dir, "corrupt-identity-is-an-event", header() + oneEvent + oneEvent);

    write(dir, "future-version",
          header(RecordingFormatVersion + 1) + record(encode(Value(info()))) + oneEvent);
    write(dir, "unknown-record-type",
          identity + record(QByteArray("\x82\x67no.Such\xa0", 10)) + oneEvent);
    write(dir, "not-a-recording", QByteArray("hello world, this is text\n"));
    write(dir, "empty", QByteArray());
    return ok ? 0 : 1;
}
