// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// parley-trace: prints recordings written by --record=FILE as the familiar text log or as JSON
// lines. Several recordings of one run merge by wall time, each line prefixed with its source.
// Filters pick events by level, object, subtree, message type, kind and time. A damaged file
// prints what could be read and says what is wrong in one line on stderr. docs/events.md has
// the manual.

#include <parley/codec.h>
#include <parley/events.h>
#include <parley/recording.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>
#include <QtCore/QTimeZone>
#include <QtCore/QtNumeric>

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <queue>
#include <tuple>
#include <vector>

using namespace Parley;

namespace {

constexpr int ExitOk = 0;
constexpr int ExitUnreadable = 1; ///< a file could not be read at all
constexpr int ExitUsage = 2;
/// Warnings about damaged records per file; the rest are counted in one line at the end.
constexpr quint64 MaxCorruptWarnings = 10;
constexpr qint64 MaxSeconds = 9'000'000'000; ///< --since/--until in ns must fit in 64 bits
constexpr size_t KindCount = size_t(EventKind::Handled) + 1;

// -- output -------------------------------------------------------------------------------------

void writeOut(const QString &line)
{
    const QByteArray bytes = line.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fputc('\n', stdout);
}

/// Returns \a text with control characters escaped, so that one event stays one line and a
/// hostile file can't send escape sequences to the terminal.
QString oneLine(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n')
            out += QLatin1String("\\n");
        else if (u == u'\r')
            out += QLatin1String("\\r");
        else if (u == u'\t')
            out += QLatin1String("\\t");
        else if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0))
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

void warn(const QString &line)
{
    std::fflush(stdout); // keeps the order readable when both go to one terminal
    std::fprintf(stderr, "parley-trace: %s\n", qPrintable(oneLine(line)));
}

[[noreturn]] void usageError(const QString &line)
{
    std::fprintf(stderr, "parley-trace: %s (see --help)\n", qPrintable(oneLine(line)));
    std::exit(ExitUsage);
}

// -- options ------------------------------------------------------------------------------------

struct Options
{
    bool json = false;
    bool info = false;
    std::optional<LogLevel> level;
    std::optional<quint64> object;
    std::optional<quint64> subtree;
    QStringList types;
    QSet<EventKind> kinds;
    std::optional<qint64> since; ///< ns after the start of the earliest recording
    std::optional<qint64> until;
    QStringList files;
};

/// Reads an object id: decimal, 0x hex, or the log's `<0000001a>` form (hex).
std::optional<quint64> parseId(QString text)
{
    text = text.trimmed();
    bool ok = false;
    quint64 id = 0;
    if (text.size() >= 2 && text.startsWith(QLatin1Char('<')) && text.endsWith(QLatin1Char('>')))
        id = QStringView(text).mid(1, text.size() - 2).toULongLong(&ok, 16);
    else if (text.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        id = QStringView(text).mid(2).toULongLong(&ok, 16);
    else
        id = text.toULongLong(&ok, 10);
    if (!ok || id == 0)
        return std::nullopt;
    return id;
}

/// Reads seconds (decimals allowed) as nanoseconds.
std::optional<qint64> parseSeconds(const QString &text)
{
    bool ok = false;
    const double s = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(s) || s < 0 || s > double(MaxSeconds / 1'000'000'000))
        return std::nullopt;
    return qint64(std::llround(s * 1e9));
}

std::optional<EventKind> parseKind(const QString &name)
{
    for (const auto &e : parleyEnumerators(static_cast<const EventKind *>(nullptr))) {
        if (name.compare(QLatin1String(e.name), Qt::CaseInsensitive) == 0)
            return e.value;
    }
    return std::nullopt;
}

QString kindName(EventKind kind)
{
    const char *name = enumeratorName(kind);
    return name ? QLatin1String(name) : QStringLiteral("Unknown");
}

QStringList kindNames()
{
    QStringList names;
    for (const auto &e : parleyEnumerators(static_cast<const EventKind *>(nullptr)))
        names << QLatin1String(e.name);
    return names;
}

Options parseOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints Parley recordings (written with --record=FILE) as the text log or as JSON "
        "lines.\nSeveral recordings merge by wall time; each line then starts with its source "
        "(program:pid).\nFilters combine (all must pass); --type and --kind may be repeated "
        "(any may match).\n\nExit status: 0 when every file was read (a truncated or damaged "
        "file only warns),\n1 when a file is missing, not a recording or of a newer format, "
        "2 for bad arguments."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Shows this help and exits."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Prints JSON lines: a {\"runtimeInfo\": ...} line "
                                                 "per file, then one object per event with a "
                                                 "\"runtime\" field."));
    const QCommandLineOption info(
        QStringLiteral("info"),
        QStringLiteral("Prints each file's runtime identity and counts (events by kind, first "
                       "and last time) instead of the events."));
    const QCommandLineOption level(QStringLiteral("level"),
                                   QStringLiteral("Only events at LEVEL or above: DEBUG, TRACE, "
                                                  "OBJECT, CONSOLE, WARNING, FAULT."),
                                   QStringLiteral("LEVEL"));
    const QCommandLineOption object(QStringLiteral("object"),
                                    QStringLiteral("Only events about object ID (decimal, 0x "
                                                   "hex, or <0000001a> as in the log)."),
                                    QStringLiteral("ID"));
    const QCommandLineOption subtree(QStringLiteral("subtree"),
                                     QStringLiteral("Only events about object ID and the objects "
                                                    "it created, and they created, ..."),
                                     QStringLiteral("ID"));
    const QCommandLineOption type(QStringLiteral("type"),
                                  QStringLiteral("Only events of message type NAME (wire name "
                                                 "\"demo.Hello\" or display name \"Hello\")."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption kind(
        QStringLiteral("kind"),
        QStringLiteral("Only events of KIND: %1.").arg(kindNames().join(QStringLiteral(", "))),
        QStringLiteral("KIND"));
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("Only events S seconds or more after the start "
                                                  "of the earliest recording (decimals allowed)."),
                                   QStringLiteral("S"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("Only events at most S seconds after the start "
                                                  "of the earliest recording."),
                                   QStringLiteral("S"));
    parser.addOptions({help, json, info, level, object, subtree, type, kind, since, until});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Recordings to read."),
                                 QStringLiteral("FILE..."));

    if (!parser.parse(arguments))
        usageError(parser.errorText());
    if (parser.isSet(help)) {
        const QByteArray text = parser.helpText().toUtf8();
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        std::exit(ExitOk);
    }

    Options o;
    o.json = parser.isSet(json);
    o.info = parser.isSet(info);
    if (parser.isSet(level)) {
        o.level = logLevelFromName(parser.value(level));
        if (!o.level)
            usageError(QStringLiteral("--level=%1: not a level (DEBUG, TRACE, OBJECT, CONSOLE, "
                                      "WARNING, FAULT, NONE)")
                           .arg(parser.value(level)));
    }
    if (parser.isSet(object)) {
        o.object = parseId(parser.value(object));
        if (!o.object)
            usageError(QStringLiteral("--object=%1: not an object id").arg(parser.value(object)));
    }
    if (parser.isSet(subtree)) {
        o.subtree = parseId(parser.value(subtree));
        if (!o.subtree)
            usageError(QStringLiteral("--subtree=%1: not an object id").arg(parser.value(subtree)));
    }
    for (const QString &name : parser.values(type)) {
        if (name.trimmed().isEmpty())
            usageError(QStringLiteral("--type needs a message type name"));
        o.types << name.trimmed();
    }
    for (const QString &name : parser.values(kind)) {
        const std::optional<EventKind> k = parseKind(name.trimmed());
        if (!k)
            usageError(QStringLiteral("--kind=%1: not an event kind").arg(name));
        o.kinds.insert(*k);
    }
    if (parser.isSet(since)) {
        o.since = parseSeconds(parser.value(since));
        if (!o.since)
            usageError(
                QStringLiteral("--since=%1: not a number of seconds").arg(parser.value(since)));
    }
    if (parser.isSet(until)) {
        o.until = parseSeconds(parser.value(until));
        if (!o.until)
            usageError(
                QStringLiteral("--until=%1: not a number of seconds").arg(parser.value(until)));
    }
    if (o.since && o.until && *o.since > *o.until)
        usageError(QStringLiteral("--since is after --until"));
    o.files = parser.positionalArguments();
    if (o.files.isEmpty())
        usageError(QStringLiteral("no recording given"));
    return o;
}

// -- sources ------------------------------------------------------------------------------------

qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 r = 0;
    if (qAddOverflow(a, b, &r))
        return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return r;
}

qint64 saturatingSub(qint64 a, qint64 b)
{
    qint64 r = 0;
    if (qSubOverflow(a, b, &r))
        return b < 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return r;
}

/// One recording being read: its reader, the event at its head, and what was seen so far.
struct Source
{
    int index = 0;
    QString path;
    RecordingReader reader;
    QString label; ///< program:pid, the prefix of its lines when several files merge
    QJsonObject infoJson;
    CaptureState capture; ///< follows Created/Destroyed for --subtree, in file order

    Event head;
    bool has = false;
    qint64 headWall = 0;
    bool headInSubtree = true;

    quint64 read = 0;
    quint64 corrupt = 0;
    quint64 shown = 0;
    std::array<quint64, KindCount> kinds{}; ///< events shown, by kind
    qint64 first = 0;
    qint64 last = 0;

    /// The wall time of \a e; events without one count from the runtime's start.
    [[nodiscard]] qint64 wallOf(const Event &e) const
    {
        return e.wall ? e.wall : saturatingAdd(reader.info().startWall, e.time);
    }

    /// Reads the next event into head; warns about a cut or damaged file.
    void advance(const Options &options)
    {
        has = false;
        for (;;) {
            const qint64 before = reader.position();
            switch (reader.next(head)) {
            case RecordingReader::Status::Ok:
                ++read;
                headWall = wallOf(head);
                headInSubtree = !options.subtree || capture.admits(head);
                has = true;
                return;
            case RecordingReader::Status::End:
                return;
            case RecordingReader::Status::Truncated:
                warn(QStringLiteral("%1: ends inside a record at byte %2: the program was "
                                    "probably killed (%3 events read)")
                         .arg(path)
                         .arg(reader.position())
                         .arg(read));
                return;
            case RecordingReader::Status::Corrupt:
                if (reader.position() == before) {
                    // The framing is lost: nothing after this point can be found.
                    warn(QStringLiteral("%1: %2; the rest of the file is skipped (%3 events read)")
                             .arg(path, reader.errorString())
                             .arg(read));
                    return;
                }
                if (++corrupt <= MaxCorruptWarnings)
                    warn(QStringLiteral("%1: %2; skipped").arg(path, reader.errorString()));
                continue;
            }
            return; // a status this program does not know: stop reading the file
        }
    }

    void finish()
    {
        if (corrupt > MaxCorruptWarnings)
            warn(QStringLiteral("%1: %2 more damaged records skipped")
                     .arg(path)
                     .arg(corrupt - MaxCorruptWarnings));
    }
};

bool typeMatches(const QStringList &types, const QString &type)
{
    if (type.isEmpty())
        return false;
    const QStringView display = QStringView(type).mid(type.lastIndexOf(QLatin1Char('.')) + 1);
    for (const QString &t : types) {
        if (t == type || t == display)
            return true;
    }
    return false;
}

bool passes(const Options &o, const Source &s, qint64 start)
{
    const Event &e = s.head;
    if (o.level && quint8(e.level) < quint8(*o.level))
        return false;
    if (o.object && e.object != *o.object)
        return false;
    if (o.subtree && !s.headInSubtree)
        return false;
    if (!o.kinds.isEmpty() && !o.kinds.contains(e.kind))
        return false;
    if (!o.types.isEmpty() && !typeMatches(o.types, e.type))
        return false;
    const qint64 offset = saturatingSub(s.headWall, start);
    if (o.since && offset < *o.since)
        return false;
    if (o.until && offset > *o.until)
        return false;
    return true;
}

QString wallText(qint64 wall)
{
    return QDateTime::fromMSecsSinceEpoch(wall / 1'000'000, QTimeZone::utc())
        .toString(Qt::ISODateWithMs);
}

QString secondsText(qint64 ns)
{
    return QString::number(double(ns) / 1e9, 'f', 3);
}

// -- printing -----------------------------------------------------------------------------------

void printEvent(const Options &o, const Source &s, bool prefixed)
{
    if (o.json) {
        QJsonObject line = toJsonBody(Value(s.head)).toObject();
        line.insert(QStringLiteral("runtime"), s.infoJson.value(QStringLiteral("runtimeId")));
        writeOut(QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact)));
        return;
    }
    const QString text = oneLine(formatEvent(s.head));
    writeOut(prefixed ? s.label + QLatin1Char(' ') + text : text);
}

void printInfo(const Options &o, const Source &s, qint64 start)
{
    const RuntimeInfo &info = s.reader.info();
    if (o.json) {
        QJsonObject kinds;
        for (size_t k = 0; k < KindCount; ++k) {
            if (s.kinds[k])
                kinds.insert(kindName(EventKind(k)), qint64(s.kinds[k]));
        }
        QJsonObject line{{QStringLiteral("file"), s.path},
                         {QStringLiteral("runtimeInfo"), s.infoJson},
                         {QStringLiteral("events"), qint64(s.shown)},
                         {QStringLiteral("kinds"), kinds}};
        if (s.shown) {
            line.insert(QStringLiteral("first"), s.first);
            line.insert(QStringLiteral("last"), s.last);
        }
        if (s.corrupt)
            line.insert(QStringLiteral("damaged"), qint64(s.corrupt));
        writeOut(QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact)));
        return;
    }
    writeOut(oneLine(s.path));
    writeOut(oneLine(QStringLiteral("  runtime   %1 (pid %2) on %3, name \"%4\", id 0x%5")
                         .arg(info.program)
                         .arg(info.pid)
                         .arg(info.host, info.runtimeName)
                         .arg(info.runtimeId, 16, 16, QLatin1Char('0'))));
    writeOut(oneLine(QStringLiteral("  started   %1, schema %2, Parley %3")
                         .arg(wallText(info.startWall))
                         .arg(info.schema)
                         .arg(info.parleyVersion)));
    QStringList counts;
    for (size_t k = 0; k < KindCount; ++k) {
        if (s.kinds[k])
            counts << QStringLiteral("%1 %2").arg(kindName(EventKind(k))).arg(s.kinds[k]);
    }
    writeOut(QStringLiteral("  events    %1%2%3")
                 .arg(s.shown)
                 .arg(counts.isEmpty() ? QString() : QStringLiteral(": "))
                 .arg(counts.join(QStringLiteral(", "))));
    if (s.shown) {
        writeOut(QStringLiteral("  first     %1 (+%2 s)")
                     .arg(wallText(s.first), secondsText(saturatingSub(s.first, start))));
        writeOut(QStringLiteral("  last      %1 (+%2 s)")
                     .arg(wallText(s.last), secondsText(saturatingSub(s.last, start))));
    }
    if (s.corrupt)
        writeOut(QStringLiteral("  damaged   %1 records skipped").arg(s.corrupt));
}

} // namespace

int main(int argc, char **argv)
{
    static char buffer[1 << 16];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);

    static char name[] = "parley-trace";
    if (argc > 0)
        argv[0] = name; // the usage line names the program, not the path it was started by
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("parley-trace"));
    const Options options = parseOptions(QCoreApplication::arguments());

    int status = ExitOk;
    std::vector<std::unique_ptr<Source>> sources;
    for (const QString &path : options.files) {
        auto s = std::make_unique<Source>();
        s->index = int(sources.size());
        s->path = path;
        if (!s->reader.open(path)) {
            warn(QStringLiteral("%1: %2").arg(path, s->reader.errorString()));
            status = ExitUnreadable;
            continue;
        }
        const RuntimeInfo &info = s->reader.info();
        const QString program = info.program.isEmpty() ? QFileInfo(path).fileName() : info.program;
        s->label = oneLine(QStringLiteral("%1:%2").arg(program).arg(info.pid));
        s->infoJson = toJsonBody(Value(info)).toObject();
        if (options.subtree)
            s->capture.setFilter(CaptureFilter{LogLevel::Debug, *options.subtree, {}, false});
        sources.push_back(std::move(s));
    }
    // Two files of one program and pid (the same file twice ...) still get distinct prefixes.
    QHash<QString, int> labels;
    for (const auto &s : sources)
        ++labels[s->label];
    for (const auto &s : sources) {
        if (labels.value(s->label) > 1)
            s->label += QStringLiteral("#%1").arg(s->index + 1);
    }

    // Times are counted from the start of the earliest recording (or its first event).
    qint64 start = std::numeric_limits<qint64>::max();
    for (const auto &s : sources) {
        s->advance(options);
        if (s->reader.info().startWall > 0)
            start = std::min(start, s->reader.info().startWall);
        if (s->has)
            start = std::min(start, s->headWall);
    }
    if (start == std::numeric_limits<qint64>::max())
        start = 0;

    if (options.json && !options.info) {
        for (const auto &s : sources) {
            writeOut(QString::fromUtf8(
                QJsonDocument(QJsonObject{{QStringLiteral("runtimeInfo"), s->infoJson},
                                          {QStringLiteral("file"), s->path}})
                    .toJson(QJsonDocument::Compact)));
        }
    }

    // Merge by wall time; ties go by file order, then by sequence number.
    using Key = std::tuple<qint64, int, quint64>;
    std::priority_queue<Key, std::vector<Key>, std::greater<>> heads;
    for (const auto &s : sources) {
        if (s->has)
            heads.emplace(s->headWall, s->index, s->head.seq);
        else
            s->finish();
    }
    QHash<int, Source *> byIndex;
    for (const auto &s : sources)
        byIndex.insert(s->index, s.get());
    const bool prefixed = sources.size() > 1;
    while (!heads.empty()) {
        Source &s = *byIndex.value(std::get<1>(heads.top()));
        heads.pop();
        if (passes(options, s, start)) {
            if (options.info) {
                const size_t k = size_t(s.head.kind);
                ++s.kinds[k < KindCount ? k : size_t(EventKind::Unknown)];
                if (!s.shown || s.headWall < s.first)
                    s.first = s.headWall;
                if (!s.shown || s.headWall > s.last)
                    s.last = s.headWall;
            } else {
                printEvent(options, s, prefixed);
            }
            ++s.shown;
        }
        s.advance(options);
        if (s.has)
            heads.emplace(s.headWall, s.index, s.head.seq);
        else
            s.finish();
    }
    if (options.info) {
        for (const auto &s : sources)
            printInfo(options, *s, start);
    }
    std::fflush(stdout);
    return status;
}
