// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// parley-trace (tools/parley-trace, docs/events.md "parley-trace"), run with QProcess on
// recordings the test writes with RecordingWriter: two sources with interleaved wall times,
// merged in order with their prefixes, as text and as JSON lines; each filter; and damaged,
// future, foreign and missing files, and bad arguments. Each event of the two recordings
// carries a unique object name (a1 ... a7, b1 ... b4) that both outputs show, so the tests
// check which events came out, and in which order, without reading English.

#include <parley/codec.h>
#include <parley/recording.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>
#include <QtTest/QtTest>

#include <limits>

using namespace Parley;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 Ms = 1'000'000;
constexpr qint64 T0 = 1'796'000'000'000 * Ms; // alpha's start (wall ns)

struct Outcome
{
    int status = -1;
    bool crashed = false;
    QStringList out; ///< stdout lines
    QStringList err; ///< stderr lines
};

Outcome runTrace(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(PARLEY_TRACE_PATH), arguments);
    Outcome o;
    if (!process.waitForStarted(30000) || !process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        o.err << QStringLiteral("(parley-trace did not finish)");
        return o;
    }
    o.crashed = process.exitStatus() != QProcess::NormalExit;
    o.status = process.exitCode();
    const auto lines = [](const QByteArray &bytes) {
        QStringList l = QString::fromUtf8(bytes).split(QLatin1Char('\n'));
        if (!l.isEmpty() && l.last().isEmpty())
            l.removeLast();
        return l;
    };
    o.out = lines(process.readAllStandardOutput());
    o.err = lines(process.readAllStandardError());
    return o;
}

RuntimeInfo info(const QString &program, qint64 pid, quint64 runtimeId, qint64 startWall)
{
    RuntimeInfo i;
    i.runtimeId = runtimeId;
    i.pid = pid;
    i.host = QStringLiteral("lab-1");
    i.program = program;
    i.runtimeName = program;
    i.startWall = startWall;
    i.parleyVersion = QStringLiteral("0.1.0");
    return i;
}

/// An event about \a object, named \a name, at \a wallMs after T0.
Event anEvent(EventKind kind, quint64 seq, qint64 wallMs, quint64 object, const QString &name)
{
    Event e;
    e.kind = kind;
    e.seq = seq;
    e.wall = T0 + wallMs * Ms;
    e.time = wallMs * Ms;
    e.object = object;
    e.name = name;
    return e;
}

Event created(quint64 seq, qint64 wallMs, quint64 object, quint64 parent, const QString &name)
{
    Event e = anEvent(EventKind::Created, seq, wallMs, object, name);
    e.parent = parent;
    return e;
}

Event message(EventKind kind, quint64 seq, qint64 wallMs, quint64 object, const QString &name,
              const QString &type, quint64 messageId)
{
    Event e = anEvent(kind, seq, wallMs, object, name);
    e.type = type;
    e.messageId = messageId;
    e.from = Address(object);
    e.to = Address{7, 2};
    return e;
}

Event text(quint64 seq, qint64 wallMs, quint64 object, const QString &name, LogLevel level,
           const QString &line)
{
    Event e = anEvent(EventKind::Text, seq, wallMs, object, name);
    e.level = level;
    e.text = line;
    return e;
}

const quint64 AlphaId = 0xa1a1a1a1a1a1a1a1ULL; // above 2^63: the JSON form is a string
const quint64 BetaId = 0x0b0b0b0b0b0b0b0bULL;

/// alpha:101 — objects 2 (a1) > 3 (a2) > 4 (a5), and 5 (a7) made by the runtime.
QList<Event> alphaEvents()
{
    return {
        created(1, 1, 2, 1, QStringLiteral("a1")),
        created(2, 3, 3, 2, QStringLiteral("a2")),
        message(EventKind::Sent, 3, 5, 3, QStringLiteral("a3"), QStringLiteral("demo.Hello"), 31),
        text(4, 7, 2, QStringLiteral("a4"), LogLevel::Warning, QStringLiteral("careful")),
        created(5, 9, 4, 3, QStringLiteral("a5")),
        message(EventKind::Received, 6, 11, 4, QStringLiteral("a6"), QStringLiteral("demo.Welcome"),
                32),
        created(7, 13, 5, 1, QStringLiteral("a7"))};
}

/// beta:202 — starts 1 ms after alpha; its b3 has the same wall time as alpha's a6.
QList<Event> betaEvents()
{
    return {created(1, 2, 2, 1, QStringLiteral("b1")),
            message(EventKind::Received, 2, 6, 2, QStringLiteral("b2"),
                    QStringLiteral("demo.Hello"), 41),
            message(EventKind::Sent, 3, 11, 2, QStringLiteral("b3"), QStringLiteral("demo.Welcome"),
                    42),
            text(4, 12, 2, QStringLiteral("b4"), LogLevel::Fault, QStringLiteral("broken"))};
}

const QStringList MergedOrder
    = {QStringLiteral("a1"), QStringLiteral("b1"), QStringLiteral("a2"), QStringLiteral("a3"),
       QStringLiteral("b2"), QStringLiteral("a4"), QStringLiteral("a5"), QStringLiteral("a6"),
       QStringLiteral("b3"), QStringLiteral("b4"), QStringLiteral("a7")};

bool writeRecording(const QString &path, const RuntimeInfo &i, const QList<Event> &events,
                    qint64 *lastRecordAt = nullptr)
{
    RecordingWriter writer;
    if (!writer.open(path, i))
        return false;
    for (const Event &e : events) {
        if (lastRecordAt)
            *lastRecordAt = writer.bytesWritten();
        if (!writer.write(e))
            return false;
    }
    writer.close();
    return true;
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

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// The object names of the text lines of \a lines, in order ("<0000001a>a3 - ..." -> "a3").
QStringList namesOf(const QStringList &lines)
{
    static const QRegularExpression re(QStringLiteral("<[0-9a-f]{8,}>([a-z][0-9]+)"));
    QStringList names;
    for (const QString &line : lines) {
        const QRegularExpressionMatch m = re.match(line);
        names << (m.hasMatch() ? m.captured(1) : QStringLiteral("?"));
    }
    return names;
}

/// An event of a newer schema: a kind this build does not know (declared under another wire
/// name, since a type has one declaration per process; the test writes it as a parley.Event).
struct FutureEvent
{
    QString kind;
    quint64 seq = 0;
    QString name;
};
PARLEY_MESSAGE_AS(FutureEvent, "test.FutureEvent", kind, seq, name)

} // namespace

class tst_Trace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void textMergesByWallTimeWithPrefixes_data();
    void textMergesByWallTimeWithPrefixes();
    void oneFileHasNoPrefix();
    void jsonLinesCarryTheFieldsAndTheirRuntime();
    void filtersPickEvents_data();
    void filtersPickEvents();
    void filtersCombineWithJson();
    void infoCountsEventsByKind();
    void aTruncatedFileWarnsAndPrintsWhatCameBefore();
    void aCorruptRecordIsSkipped();
    void aCorruptLengthEndsTheFileWithAWarning();
    void unreadableFilesFailAfterPrintingTheOthers_data();
    void unreadableFilesFailAfterPrintingTheOthers();
    void recordsOfAFutureSchemaAreShown();
    void hostileContentStaysOneLinePerEvent();
    void badArgumentsAreUsageErrors_data();
    void badArgumentsAreUsageErrors();
    void helpPrintsTheOptions();

private:
    QTemporaryDir m_dir;
    QString m_alpha, m_beta;
    qint64 m_alphaLastRecordAt = 0;
    [[nodiscard]] QString path(const char *name) const
    {
        return m_dir.filePath(QLatin1String(name));
    }
};

void tst_Trace::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_alpha = path("alpha.prec");
    m_beta = path("beta.prec");
    QVERIFY(writeRecording(m_alpha, info(QStringLiteral("alpha"), 101, AlphaId, T0), alphaEvents(),
                           &m_alphaLastRecordAt));
    QVERIFY(
        writeRecording(m_beta, info(QStringLiteral("beta"), 202, BetaId, T0 + Ms), betaEvents()));
}

void tst_Trace::textMergesByWallTimeWithPrefixes_data()
{
    QTest::addColumn<bool>("betaFirst");
    QTest::newRow("alpha first") << false;
    QTest::newRow("beta first") << true;
}

void tst_Trace::textMergesByWallTimeWithPrefixes()
{
    QFETCH(bool, betaFirst);
    const Outcome o
        = runTrace(betaFirst ? QStringList{m_beta, m_alpha} : QStringList{m_alpha, m_beta});
    QVERIFY2(!o.crashed && o.status == 0, qPrintable(o.err.join(u'\n')));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err.join(u'\n')));
    QStringList expected = MergedOrder;
    if (betaFirst)
        expected.swapItemsAt(expected.indexOf(u"a6"), expected.indexOf(u"b3")); // the tie
    QCOMPARE(namesOf(o.out), expected);
    for (const QString &line : o.out) {
        const QString prefix = line.startsWith(u"alpha") ? QStringLiteral("alpha:101 ")
                                                         : QStringLiteral("beta:202 ");
        QVERIFY2(line.startsWith(prefix), qPrintable(line));
        QCOMPARE(namesOf({line}).first().at(0), prefix.at(0)); // a* from alpha, b* from beta
        // The line after the prefix is the log's own rendering: "HH:MM:SS.mmm M <id>name - ..."
        QVERIFY2(QRegularExpression(QStringLiteral("^\\S+ \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [+<>?!^~_X]"
                                                   " <[0-9a-f]{8}>"))
                     .match(line)
                     .hasMatch(),
                 qPrintable(line));
    }
}

void tst_Trace::oneFileHasNoPrefix()
{
    const Outcome o = runTrace({m_beta});
    QCOMPARE(o.status, 0);
    QCOMPARE(namesOf(o.out), (QStringList{u"b1"_s, u"b2"_s, u"b3"_s, u"b4"_s}));
    for (const QString &line : o.out)
        QVERIFY2(!line.startsWith(u"beta"), qPrintable(line));
    // The same line a program's stderr log shows.
    QCOMPARE(o.out.at(3), formatEvent(betaEvents().at(3)));
}

void tst_Trace::jsonLinesCarryTheFieldsAndTheirRuntime()
{
    const Outcome o = runTrace({QStringLiteral("--json"), m_alpha, m_beta});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.out.size(), 2 + MergedOrder.size());
    QHash<QString, QJsonValue> runtimes; // program -> runtimeId as the JSON form has it
    QList<QJsonObject> lines;
    for (const QString &line : o.out) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
        QVERIFY2(doc.isObject(), qPrintable(error.errorString() + u": "_s + line));
        QVERIFY2(!line.contains(u'\n'), "compact: one line per record");
        lines << doc.object();
    }
    // First a line per file with its identity, in file order.
    for (int i = 0; i < 2; ++i) {
        QVERIFY(lines[i].contains(u"runtimeInfo"));
        const QJsonObject ri = lines[i].value(u"runtimeInfo").toObject();
        DecodeResult decoded = fromJsonBody(ri, findType(u"parley.RuntimeInfo"));
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().toString()));
        const RuntimeInfo &back = decoded->get<RuntimeInfo>();
        QCOMPARE(back.program, i == 0 ? u"alpha"_s : u"beta"_s);
        QCOMPARE(back.pid, qint64(i == 0 ? 101 : 202));
        QCOMPARE(back.runtimeId, i == 0 ? AlphaId : BetaId);
        QCOMPARE(lines[i].value(u"file").toString(), i == 0 ? m_alpha : m_beta);
        runtimes.insert(back.program, ri.value(u"runtimeId"));
    }
    // Then the events, merged, each with the fields of parley.Event and its source's runtime.
    QStringList names;
    const QList<Event> alpha = alphaEvents(), beta = betaEvents();
    for (int i = 2; i < lines.size(); ++i) {
        const QJsonObject &line = lines[i];
        QVERIFY(line.contains(u"runtime"));
        QJsonObject body = line;
        body.remove(u"runtime"_s);
        DecodeResult decoded = fromJsonBody(body, findType(u"parley.Event"));
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().toString()));
        const Event &e = decoded->get<Event>();
        names << e.name;
        const bool fromAlpha = e.name.startsWith(u'a');
        QCOMPARE(line.value(u"runtime"), runtimes.value(fromAlpha ? u"alpha"_s : u"beta"_s));
        const Event &original = (fromAlpha ? alpha : beta).at(int(e.seq) - 1);
        QCOMPARE(e.name, original.name);
        QCOMPARE(e.kind, original.kind);
        QCOMPARE(e.wall, original.wall);
        QCOMPARE(e.object, original.object);
        QCOMPARE(e.parent, original.parent);
        QCOMPARE(e.type, original.type);
        QCOMPARE(e.messageId, original.messageId);
        QCOMPARE(e.to, original.to);
        QCOMPARE(e.level, original.level);
        QCOMPARE(e.text, original.text);
    }
    QCOMPARE(names, MergedOrder);
    // Kinds and levels are named, as the codec writes enumerations.
    QCOMPARE(lines[2].value(u"kind").toString(), u"Created"_s);
}

void tst_Trace::filtersPickEvents_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("names");
    const auto l = [](const char *names) {
        return QString::fromLatin1(names).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("level") << l("--level=WARNING") << l("a4 b4");
    QTest::newRow("level, lower case") << l("--level=fault") << l("b4");
    QTest::newRow("object") << l("--object=3") << l("a2 a3");
    QTest::newRow("object, hex") << l("--object=0x2") << l("a1 b1 b2 a4 b3 b4");
    QTest::newRow("object, as the log writes it") << l("--object=<00000004>") << l("a5 a6");
    QTest::newRow("subtree") << l("--subtree=3") << l("a2 a3 a5 a6");
    QTest::newRow("subtree of the runtime") << l("--subtree=1") << MergedOrder;
    QTest::newRow("type, wire name") << l("--type=demo.Hello") << l("a3 b2");
    QTest::newRow("type, display name") << l("--type=Welcome") << l("a6 b3");
    QTest::newRow("type, twice") << l("--type=Hello --type=demo.Welcome") << l("a3 b2 a6 b3");
    QTest::newRow("type, unknown") << l("--type=Nothing") << QStringList();
    QTest::newRow("kind") << l("--kind=Created") << l("a1 b1 a2 a5 a7");
    QTest::newRow("kind, twice") << l("--kind=sent --kind=Received") << l("a3 b2 a6 b3");
    QTest::newRow("since") << l("--since=0.011") << l("a6 b3 b4 a7");
    QTest::newRow("until") << l("--until=0.005") << l("a1 b1 a2 a3");
    QTest::newRow("since and until") << l("--since=0.004 --until=0.009") << l("a3 b2 a4 a5");
    QTest::newRow("since, whole seconds") << l("--since=1") << QStringList();
    QTest::newRow("combined") << l("--kind=Received --type=Hello") << l("b2");
    QTest::newRow("combined with subtree") << l("--subtree=2 --level=WARNING") << l("a4 b4");
}

void tst_Trace::filtersPickEvents()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, names);
    const Outcome o = runTrace(arguments + QStringList{m_alpha, m_beta});
    QVERIFY2(!o.crashed && o.status == 0, qPrintable(o.err.join(u'\n')));
    QCOMPARE(namesOf(o.out), names);
}

void tst_Trace::filtersCombineWithJson()
{
    const Outcome o
        = runTrace({QStringLiteral("--json"), QStringLiteral("--kind=Sent"), m_alpha, m_beta});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.out.size(), 2 + 2); // the two identities, then a3 and b3
    QStringList names;
    for (const QString &line : o.out.mid(2))
        names << QJsonDocument::fromJson(line.toUtf8()).object().value(u"name").toString();
    QCOMPARE(names, (QStringList{u"a3"_s, u"b3"_s}));
}

void tst_Trace::infoCountsEventsByKind()
{
    const Outcome o
        = runTrace({QStringLiteral("--info"), QStringLiteral("--json"), m_alpha, m_beta});
    QCOMPARE(o.status, 0);
    QCOMPARE(o.out.size(), 2);
    const QJsonObject a = QJsonDocument::fromJson(o.out[0].toUtf8()).object();
    const QJsonObject b = QJsonDocument::fromJson(o.out[1].toUtf8()).object();
    QCOMPARE(a.value(u"file").toString(), m_alpha);
    QCOMPARE(a.value(u"runtimeInfo").toObject().value(u"program").toString(), u"alpha"_s);
    QCOMPARE(a.value(u"events").toInteger(), qint64(7));
    QCOMPARE(a.value(u"kinds").toObject(),
             (QJsonObject{{u"Created"_s, 4}, {u"Sent"_s, 1}, {u"Text"_s, 1}, {u"Received"_s, 1}}));
    QCOMPARE(a.value(u"first").toInteger(), T0 + 1 * Ms);
    QCOMPARE(a.value(u"last").toInteger(), T0 + 13 * Ms);
    QCOMPARE(b.value(u"events").toInteger(), qint64(4));
    QCOMPARE(b.value(u"last").toInteger(), T0 + 12 * Ms);

    // Filters apply to the counts; the text form has a block per file.
    const Outcome f
        = runTrace({QStringLiteral("--info"), QStringLiteral("--kind=Created"), m_alpha, m_beta});
    QCOMPARE(f.status, 0);
    QVERIFY(f.out.size() >= 2);
    QCOMPARE(f.out.first(), m_alpha);
    QCOMPARE(f.out.count(m_beta), qsizetype(1));
    QVERIFY2(f.out.filter(QRegularExpression(QStringLiteral("^\\s+events\\s+4\\b"))).size() == 1,
             qPrintable(f.out.join(u'\n')));
    QVERIFY2(f.out.filter(QRegularExpression(QStringLiteral("^\\s+events\\s+1\\b"))).size() == 1,
             qPrintable(f.out.join(u'\n')));
}

void tst_Trace::aTruncatedFileWarnsAndPrintsWhatCameBefore()
{
    QFile in(m_alpha);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray bytes = in.readAll();
    bytes.chop(3); // a program killed while writing its last record
    const QString cut = path("cut.prec");
    QVERIFY(writeBytes(cut, bytes));

    const Outcome o = runTrace({cut, m_beta});
    QVERIFY(!o.crashed);
    QCOMPARE(o.status, 0);
    QStringList expected = MergedOrder;
    expected.removeAll(u"a7"_s);
    QCOMPARE(namesOf(o.out), expected);
    QCOMPARE(o.err.size(), 1);
    QVERIFY2(o.err[0].contains(cut), qPrintable(o.err[0]));
    QVERIFY2(o.err[0].contains(QStringLiteral("byte %1").arg(m_alphaLastRecordAt)),
             qPrintable(o.err[0]));
}

void tst_Trace::aCorruptRecordIsSkipped()
{
    // The framing is intact, the record inside is not CBOR of an Event: skip it, go on.
    const QByteArray bytes = header() + record(encode(Value(info(u"gamma"_s, 7, 77, T0))))
        + record(encode(Value(created(1, 1, 2, 1, u"c1"_s))))
        + record(QByteArray("\x82\x6cparley.Event\x01", 15)) + record(QByteArray("\xff\xff\xff", 3))
        + record(encode(Value(created(4, 2, 3, 2, u"c4"_s))));
    const QString damaged = path("garbled.prec");
    QVERIFY(writeBytes(damaged, bytes));
    const Outcome o = runTrace({damaged});
    QVERIFY(!o.crashed);
    QCOMPARE(o.status, 0);
    QCOMPARE(namesOf(o.out), (QStringList{u"c1"_s, u"c4"_s}));
    QCOMPARE(o.err.size(), 2); // one line per damaged record
    for (const QString &line : o.err)
        QVERIFY2(line.contains(damaged), qPrintable(line));

    // Many damaged records: a bounded number of lines, then one count.
    QByteArray many = header() + record(encode(Value(info(u"gamma"_s, 7, 77, T0))));
    for (int i = 0; i < 500; ++i)
        many += record(QByteArray("\xff", 1));
    many += record(encode(Value(created(501, 2, 3, 2, u"c9"_s))));
    const QString worse = path("many.prec");
    QVERIFY(writeBytes(worse, many));
    const Outcome w = runTrace({worse});
    QCOMPARE(w.status, 0);
    QCOMPARE(namesOf(w.out), QStringList{u"c9"_s});
    QVERIFY2(w.err.size() > 1 && w.err.size() <= 20, qPrintable(w.err.join(u'\n')));
    QVERIFY2(w.err.last().contains(u"490"), qPrintable(w.err.last())); // 500 less those shown
}

void tst_Trace::aCorruptLengthEndsTheFileWithAWarning()
{
    const QByteArray bytes = header() + record(encode(Value(info(u"gamma"_s, 7, 77, T0))))
        + record(encode(Value(created(1, 1, 2, 1, u"c1"_s)))) + QByteArray("\xff\xff\xff\xff", 4)
        + record(encode(Value(created(2, 2, 3, 2, u"c2"_s))));
    const QString damaged = path("length.prec");
    QVERIFY(writeBytes(damaged, bytes));
    const Outcome o = runTrace({damaged, m_beta});
    QVERIFY(!o.crashed);
    QCOMPARE(o.status, 0);
    QCOMPARE(namesOf(o.out), (QStringList{u"c1"_s, u"b1"_s, u"b2"_s, u"b3"_s, u"b4"_s}));
    QCOMPARE(o.err.size(), 1);
    QVERIFY2(o.err[0].contains(damaged), qPrintable(o.err[0]));
}

void tst_Trace::unreadableFilesFailAfterPrintingTheOthers_data()
{
    QTest::addColumn<QByteArray>("bytes"); // empty: the file does not exist
    QTest::newRow("missing") << QByteArray();
    QTest::newRow("not a recording") << QByteArray("hello world, this is text\n");
    QTest::newRow("empty file") << QByteArray("", 0);
    QTest::newRow("newer format version")
        << header(RecordingFormatVersion + 1) + record(encode(Value(info(u"x"_s, 1, 1, T0))));
    QTest::newRow("no identity") << header();
    QTest::newRow("identity garbled") << header() + record(QByteArray("\x82\x01\x02", 3));
}

void tst_Trace::unreadableFilesFailAfterPrintingTheOthers()
{
    QFETCH(QByteArray, bytes);
    const QString bad = path("bad.prec");
    QFile::remove(bad);
    if (QByteArrayView(QTest::currentDataTag()) != "missing")
        QVERIFY(writeBytes(bad, bytes));
    const Outcome o = runTrace({m_beta, bad});
    QVERIFY(!o.crashed);
    QCOMPARE(o.status, 1);
    QCOMPARE(o.err.size(), 1);
    QVERIFY2(o.err[0].contains(bad), qPrintable(o.err[0]));
    QCOMPARE(namesOf(o.out), (QStringList{u"b1"_s, u"b2"_s, u"b3"_s, u"b4"_s}));
}

void tst_Trace::recordsOfAFutureSchemaAreShown()
{
    // An event of a kind this build does not know reads as Unknown and is still printed; a
    // record type it does not know is skipped without a word.
    const QByteArray futureEvent = QByteArray("\x82\x6cparley.Event", 14)
        + encodeBody(FutureEvent{u"Teleported"_s, 5, u"z5"_s});
    const QByteArray bytes = header() + record(encode(Value(info(u"gamma"_s, 7, 77, T0))))
        + record(QByteArray("\x82\x6ctest.Unknown\xa0", 15)) + record(futureEvent)
        + record(encode(Value(created(6, 2, 3, 2, u"z6"_s))));
    const QString future = path("future.prec");
    QVERIFY(writeBytes(future, bytes));
    const Outcome o = runTrace({future});
    QCOMPARE(o.status, 0);
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err.join(u'\n')));
    QCOMPARE(namesOf(o.out), (QStringList{u"z5"_s, u"z6"_s}));
    const Outcome k = runTrace({QStringLiteral("--kind=Unknown"), future});
    QCOMPARE(namesOf(k.out), QStringList{u"z5"_s});
}

void tst_Trace::hostileContentStaysOneLinePerEvent()
{
    Event nasty = text(1, 1, std::numeric_limits<quint64>::max(), u"h1"_s, LogLevel::Console,
                       QStringLiteral("two\nlines \x1b[2J and a bell\a"));
    Event early = anEvent(EventKind::Destroyed, 2, 0, 2, u"h2"_s);
    early.wall = std::numeric_limits<qint64>::min();
    Event late = anEvent(EventKind::Sent, 3, 0, 3, u"h3"_s);
    late.wall = std::numeric_limits<qint64>::max();
    const QString hostile = path("hostile.prec");
    QVERIFY(writeRecording(hostile, info(u"\x1b[31mred\n"_s, -1, 0, 0), {nasty, early, late}));
    for (const QStringList &extra :
         {QStringList{}, QStringList{QStringLiteral("--json")},
          QStringList{QStringLiteral("--info")}, QStringList{QStringLiteral("--since=1")}}) {
        const Outcome o = runTrace(extra + QStringList{hostile, m_beta});
        QVERIFY2(!o.crashed && o.status == 0, qPrintable(extra.join(u' ')));
        for (const QString &line : o.out + o.err)
            QVERIFY2(!line.contains(QChar(0x1b)) && !line.contains(u'\a'), qPrintable(line));
        if (extra.isEmpty()) {
            // One line per event, whatever the text holds. A file keeps its own order (h2's
            // wall time is before everything, but it was recorded after h1).
            QVERIFY2(namesOf(o.out) == QString::fromLatin1("h1 h2 b1 b2 b3 b4 h3").split(u' '),
                     qPrintable(o.out.join(u'\n')));
        }
    }
}

void tst_Trace::badArgumentsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    const auto l = [](const char *arguments) {
        return QString::fromLatin1(arguments).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("no file") << QStringList();
    QTest::newRow("no file, only options") << l("--json --level=FAULT");
    QTest::newRow("unknown option") << l("--colour FILE");
    QTest::newRow("bad level") << l("--level=LOUD FILE");
    QTest::newRow("level without value") << l("FILE --level");
    QTest::newRow("bad object") << l("--object=abc FILE");
    QTest::newRow("object zero") << l("--object=0 FILE");
    QTest::newRow("bad hex") << l("--subtree=0xZZ FILE");
    QTest::newRow("object too big") << l("--object=99999999999999999999999 FILE");
    QTest::newRow("bad kind") << l("--kind=Exploded FILE");
    QTest::newRow("empty type") << l("--type= FILE");
    QTest::newRow("negative since") << l("--since=-1 FILE");
    QTest::newRow("since not a number") << l("--since=soon FILE");
    QTest::newRow("until infinite") << l("--until=inf FILE");
    QTest::newRow("since after until") << l("--since=2 --until=1 FILE");
}

void tst_Trace::badArgumentsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    arguments.replaceInStrings(QStringLiteral("FILE"), m_alpha);
    const Outcome o = runTrace(arguments);
    QVERIFY(!o.crashed);
    QCOMPARE(o.status, 2);
    QCOMPARE(o.err.size(), 1);
    QVERIFY(o.out.isEmpty());
}

void tst_Trace::helpPrintsTheOptions()
{
    const Outcome o = runTrace({QStringLiteral("--help")});
    QCOMPARE(o.status, 0);
    for (const char *option : {"--json", "--info", "--level", "--object", "--subtree", "--type",
                               "--kind", "--since", "--until"})
        QVERIFY2(o.out.filter(QLatin1String(option)).size() >= 1, option);
}

QTEST_GUILESS_MAIN(tst_Trace)
#include "tst_trace.moc"
