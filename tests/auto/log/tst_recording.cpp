// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/codec.h>
#include <parley/recording.h>

#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>
#include <QtTest/QtTest>

using namespace Parley;

namespace {

/// An event from a "future" schema: a kind, a drop reason and a field this reader doesn't know.
struct FutureEvent
{
    QString kind;
    QString dropReason;
    quint64 seq = 0;
    QString hologram;
};
PARLEY_MESSAGE_AS(FutureEvent, "test.FutureEvent", kind, dropReason, seq, hologram)

/// Returns the envelope of \a body as if it were a parley.Event (a type may have one
/// declaration per process, so the future form is declared under another name).
QByteArray asEventEnvelope(const QByteArray &body)
{
    return QByteArray("\x82\x6cparley.Event", 14) + body;
}

/// A record type this reader doesn't know at all.
struct FutureRecord
{
    QString what;
};
PARLEY_MESSAGE_AS(FutureRecord, "test.FutureRecord", what)

RuntimeInfo sampleInfo()
{
    RuntimeInfo info;
    info.runtimeId = 0x1234567890abcdefULL;
    info.pid = 4242;
    info.host = QStringLiteral("lab-1");
    info.program = QStringLiteral("hello-server");
    info.runtimeName = QStringLiteral("main");
    info.startWall = 1'700'000'000'000'000'000;
    info.parleyVersion = QStringLiteral("0.1.0");
    return info;
}

Event sampleEvent(quint64 seq)
{
    Event e;
    e.kind = EventKind::Sent;
    e.seq = seq;
    e.time = qint64(seq) * 1000;
    e.object = 10 + seq;
    e.name = QStringLiteral("worker");
    e.from = Address(10 + seq);
    e.to = Address{7, 3};
    e.type = QStringLiteral("demo.Hello");
    e.messageId = 100 + seq;
    return e;
}

QByteArray record(const QByteArray &envelope)
{
    QByteArray out(4, '\0');
    qToBigEndian(quint32(envelope.size()), out.data());
    return out + envelope;
}

QByteArray header(quint32 version = RecordingFormatVersion)
{
    QByteArray h("PRLYREC\0", 8);
    h.append(8, '\0');
    qToBigEndian(version, h.data() + 8);
    return h;
}

} // namespace

class tst_Recording : public QObject
{
    Q_OBJECT

private slots:
    void writtenEventsReadBackInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("run.parley"));
        RecordingWriter writer;
        QVERIFY2(writer.open(path, sampleInfo()), qPrintable(writer.errorString()));
        for (quint64 i = 1; i <= 1000; ++i)
            QVERIFY(writer.write(sampleEvent(i)));
        writer.close();

        RecordingReader reader;
        QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
        QCOMPARE(reader.info().runtimeId, sampleInfo().runtimeId);
        QCOMPARE(reader.info().program, QStringLiteral("hello-server"));
        Event e;
        for (quint64 i = 1; i <= 1000; ++i) {
            QCOMPARE(reader.next(e), RecordingReader::Status::Ok);
            QCOMPARE(e.seq, i);
            QCOMPARE(e.kind, EventKind::Sent);
            QCOMPARE(e.to, (Address{7, 3}));
            QCOMPARE(e.messageId, 100 + i);
        }
        QCOMPARE(reader.next(e), RecordingReader::Status::End);
        QCOMPARE(reader.position(), reader.size());
    }

    void aTruncatedRecordingSaysSo()
    {
        QByteArray data = header() + record(encode(Value(sampleInfo())))
            + record(encode(Value(sampleEvent(1)))) + record(encode(Value(sampleEvent(2))));
        data.chop(3);
        RecordingReader reader;
        QVERIFY(reader.openData(data));
        Event e;
        QCOMPARE(reader.next(e), RecordingReader::Status::Ok);
        QCOMPARE(reader.next(e), RecordingReader::Status::Truncated);
        QVERIFY2(reader.errorString().contains(u"ends inside a record"),
                 qPrintable(reader.errorString()));
    }

    void aCorruptLengthIsRefused()
    {
        QByteArray data = header() + record(encode(Value(sampleInfo())));
        data += QByteArray("\xff\xff\xff\xff", 4) + QByteArray(64, 'x');
        RecordingReader reader;
        QVERIFY(reader.openData(data));
        Event e;
        QCOMPARE(reader.next(e), RecordingReader::Status::Corrupt);
        QVERIFY2(reader.errorString().contains(u"damaged"), qPrintable(reader.errorString()));
        QCOMPARE(reader.next(e), RecordingReader::Status::Corrupt); // stays dead
    }

    void aGarbledRecordIsReportedAndSkippable()
    {
        QByteArray data = header() + record(encode(Value(sampleInfo())))
            + record(QByteArray("\x82\x6cparley.Event\x01", 15))
            + record(encode(Value(sampleEvent(7))));
        RecordingReader reader;
        QVERIFY(reader.openData(data));
        Event e;
        QCOMPARE(reader.next(e), RecordingReader::Status::Corrupt);
        QVERIFY2(reader.errorString().contains(u"byte "), qPrintable(reader.errorString()));
        QCOMPARE(reader.next(e), RecordingReader::Status::Ok);
        QCOMPARE(e.seq, quint64(7));
    }

    void notARecordingAndNewerFormatsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("bad header");
        QTest::newRow("text file")
            << QByteArray("hello world, this is text\n") << QStringLiteral("bad header");
        QTest::newRow("newer format")
            << header(RecordingFormatVersion + 1) + record(encode(Value(sampleInfo())))
            << QStringLiteral("newer than this reader");
        QTest::newRow("no identity") << header() << QStringLiteral("no runtime identity");
    }
    void notARecordingAndNewerFormatsAreRefused()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, error);
        RecordingReader reader;
        QVERIFY(!reader.openData(data));
        QVERIFY2(reader.errorString().contains(error), qPrintable(reader.errorString()));
    }

    void recordsFromAFutureSchemaAreReadOrSkipped()
    {
        const QByteArray data = header() + record(encode(Value(sampleInfo())))
            + record(encode(Value(FutureRecord{QStringLiteral("a new record type")})))
            + record(asEventEnvelope(
                encodeBody(FutureEvent{QStringLiteral("Teleported"), QStringLiteral("EatenByGrue"),
                                       5, QStringLiteral("3d")})))
            + record(encode(Value(sampleEvent(6))));
        RecordingReader reader;
        QVERIFY(reader.openData(data));
        Event e;
        QCOMPARE(reader.next(e), RecordingReader::Status::Ok);
        QCOMPARE(e.kind, EventKind::Unknown); // an unknown kind reads as Unknown
        QCOMPARE(e.dropReason, DropReason::Unknown);
        QCOMPARE(e.seq, quint64(5)); // the fields it does know are there
        QCOMPARE(reader.next(e), RecordingReader::Status::Ok);
        QCOMPARE(e.seq, quint64(6));
        QCOMPARE(reader.next(e), RecordingReader::Status::End);
    }
};

QTEST_GUILESS_MAIN(tst_Recording)
#include "tst_recording.moc"
