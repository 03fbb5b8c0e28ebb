// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_events: what the event stream costs the in-process cross-thread flood of
// bench_inprocess (flood.h: 1M messages between two machines on two workers), in one run and
// three configurations, each on a fresh two-worker runtime: no sink at all (nobody listens), a
// RecordingSink at OBJECT level to a file in a temporary directory, and a MonitorStream to a
// reader (a second runtime in this process that listens and counts the events of the
// EventBatch messages it receives). One `figure=... ratio=...` line per configuration, its
// ratio to the no-sink figure (ratio > 1: faster than with no sink); `#` lines give the events
// written or received, bytes per event and what was lost. Nothing lost is hidden: the figures
// are taken once the file is flushed or the reader has everything the stream sent.

#include "benchkit.h"
#include "flood.h"
#include "report.h"

#include <parley/parley.h>
#include <parley/recording.h>
#include <parley/stream.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>

#include <atomic>
#include <cstdio>
#include <memory>

namespace Bench {

/// Asks the Marker to write the text event "bench-marker-N" (how the reader knows it is done).
struct Mark
{
    int n = 0;
};
PARLEY_MESSAGE(Mark, n)

} // namespace Bench

namespace {

using BenchKit::Clock;
using BenchKit::kNaN;
using BenchKit::secondsBetween;
using BenchReport::Better;
using namespace std::chrono_literals;

constexpr auto kStepLimit = 60s;
bool g_failed = false;

void fail(const QString &what)
{
    std::fprintf(stderr, "bench_events: FAILED: %s\n", qPrintable(what));
    g_failed = true;
}

/// Returns the capture filter of both sinks: every event at OBJECT level and above, no bodies.
Parley::CaptureFilter objectLevel()
{
    Parley::CaptureFilter filter;
    filter.level = Parley::LogLevel::Object;
    return filter;
}

/// Returns the wire name of the flood's message, as events name it.
QString tickName()
{
    return QString::fromLatin1(Parley::typeOf<Bench::Tick>()->wireName);
}

double mebibytes(long long bytes)
{
    return bytes < 0 ? kNaN : double(bytes) / 1048576.0;
}

/// Starts a two-worker runtime; its logger has no sinks.
std::unique_ptr<Parley::Runtime> startRuntime()
{
    auto runtime = std::make_unique<Parley::Runtime>(
        Parley::Runtime::Options{.workers = 2, .name = QStringLiteral("bench")});
    if (runtime->workerCount() != 2)
        fail(QStringLiteral("the runtime did not start 2 workers"));
    return runtime;
}

/// Runs the flood of \a count messages on \a runtime; NaN (after a FAILED line) when it fails.
double flood(Parley::Runtime &runtime, BenchFlood::State &s, qint64 count)
{
    s.count = count;
    const QString error = BenchFlood::run(runtime, s, Clock::now() + kStepLimit);
    if (!error.isEmpty()) {
        fail(error);
        return kNaN;
    }
    return s.messagesPerSecond();
}

// -- a: no sink ---------------------------------------------------------------------------------

double noSink(qint64 count)
{
    BenchFlood::State s; // outlives the runtime and its machines
    auto runtime = startRuntime();
    if (runtime->logger().wants(Parley::LogLevel::Debug))
        fail(QStringLiteral("no sink: the logger of a bare runtime wants events"));
    const quint64 sequence = runtime->logger().nextSequence();
    const double value = flood(*runtime, s, count);
    if (runtime->logger().nextSequence() != sequence)
        fail(QStringLiteral("no sink: the logger numbered %1 events nobody wanted")
                 .arg(runtime->logger().nextSequence() - sequence));
    runtime.reset();
    return value;
}

// -- b: a recording -----------------------------------------------------------------------------

double recording(qint64 count)
{
    QTemporaryDir dir;
    if (!dir.isValid()) {
        fail(QStringLiteral("recording: no temporary directory: %1").arg(dir.errorString()));
        return kNaN;
    }
    const QString path = dir.filePath(QStringLiteral("flood.parleyrec"));
    BenchFlood::State s;
    auto runtime = startRuntime();
    auto sink = std::make_shared<Parley::RecordingSink>(path, runtime->info(), objectLevel());
    if (!sink->isOpen()) {
        fail(QStringLiteral("recording: %1").arg(sink->errorString()));
        return kNaN;
    }
    runtime->logger().addSink(sink);
    runtime->logger().flush();
    const quint64 eventsBefore = sink->eventsWritten();
    const quint64 droppedBefore = runtime->logger().dropped();

    const double value = flood(*runtime, s, count);
    runtime->logger().flush(); // every event of the flood is in the file (or counted dropped)
    const Clock::time_point written = Clock::now();
    const quint64 events = sink->eventsWritten() - eventsBefore;
    const quint64 dropped = runtime->logger().dropped() - droppedBefore;
    const qint64 bytes = sink->bytesWritten();
    const quint64 allEvents = sink->eventsWritten();
    runtime->logger().removeSink(sink);
    sink.reset(); // closes the file
    runtime.reset();
    const qint64 fileSize = QFileInfo(path).size();
    if (std::isnan(value))
        return value;
    std::printf(
        "# recording: %llu events written during the flood (%.2f per message) in %.3f s "
        "from the first send to the last write = %.0f events/s; %.1f bytes/event "
        "(%lld bytes / %llu events, header included); Logger::dropped()=%llu; "
        "file %lld bytes (%.1f MiB)\n",
        static_cast<unsigned long long>(events), double(events) / double(count),
        secondsBetween(s.firstSend, written), double(events) / secondsBetween(s.firstSend, written),
        double(bytes) / double(allEvents), static_cast<long long>(bytes),
        static_cast<unsigned long long>(allEvents), static_cast<unsigned long long>(dropped),
        static_cast<long long>(fileSize), mebibytes(fileSize));
    // Read the file back: the events of the flood's Ticks and the losses it records itself.
    Parley::RecordingReader reader;
    if (!reader.open(path)) {
        fail(QStringLiteral("recording: can't read it back: %1").arg(reader.errorString()));
        return value;
    }
    const QString tick = tickName();
    quint64 read = 0, floodRead = 0, droppedSaid = 0;
    Parley::Event event;
    Parley::RecordingReader::Status status;
    while ((status = reader.next(event)) == Parley::RecordingReader::Status::Ok) {
        ++read;
        if (event.type == tick)
            ++floodRead;
        else if (event.kind == Parley::EventKind::EventsDropped)
            droppedSaid += event.count;
    }
    std::printf("# recording read back: %llu events, %llu of them about the flood's messages; its "
                "EventsDropped events say %llu lost; %s\n",
                static_cast<unsigned long long>(read), static_cast<unsigned long long>(floodRead),
                static_cast<unsigned long long>(droppedSaid),
                status == Parley::RecordingReader::Status::End ? "ends cleanly"
                                                               : qPrintable(reader.errorString()));
    if (status != Parley::RecordingReader::Status::End)
        fail(QStringLiteral("recording: the file does not end cleanly"));
    if (fileSize != bytes)
        fail(QStringLiteral("recording: the file has %1 bytes, the sink says it wrote %2")
                 .arg(fileSize)
                 .arg(bytes));
    return value;
}

// -- c: a live stream to a reader ---------------------------------------------------------------

/// What the reader has received, from any of its threads.
struct ReaderState
{
    std::atomic<quint16> port{0};
    std::atomic<bool> failed{false};
    std::atomic<int> infos{0};
    std::atomic<bool> snapshotEnd{false};
    std::atomic<quint64> batches{0};
    std::atomic<quint64> events{0};
    std::atomic<quint64> droppedSaid{0};    // the counts of the EventsDropped events received
    std::atomic<quint64> floodEvents{0};    // events about the flood's Ticks
    std::atomic<int> marker{0};             // the last marker seen
    std::atomic<Clock::rep> lastFloodAt{0}; // when the last batch with flood events arrived
    BenchKit::Completion wake;
};

/// One stream connection of the reader: counts what it gets.
class ReaderSession : public Parley::Machine
{
public:
    ReaderSession(ReaderState *r, const Parley::SessionInfo &)
    {
        on<Parley::RuntimeInfo>([r] {
            r->infos.fetch_add(1);
            r->wake.notify();
        });
        on<Parley::EventBatch>([r](const Parley::EventBatch &batch) {
            static const QString tick = tickName();
            bool wake = false;
            quint64 flood = 0;
            for (const Parley::Event &e : batch.events) {
                if (e.type == tick) {
                    ++flood;
                } else if (e.kind == Parley::EventKind::SnapshotEnd) {
                    r->snapshotEnd.store(true);
                    wake = true;
                } else if (e.kind == Parley::EventKind::EventsDropped) {
                    r->droppedSaid.fetch_add(e.count);
                } else if (e.kind == Parley::EventKind::Text
                           && e.text.startsWith(QLatin1String("bench-marker-"))) {
                    r->marker.store(e.text.mid(13).toInt());
                    wake = true;
                }
            }
            if (flood > 0) {
                r->lastFloodAt.store(Clock::now().time_since_epoch().count());
                r->floodEvents.fetch_add(flood, std::memory_order_relaxed);
            }
            r->batches.fetch_add(1, std::memory_order_relaxed);
            r->events.fetch_add(quint64(batch.events.size()), std::memory_order_relaxed);
            if (wake)
                r->wake.notify();
        });
        on<Parley::Stop>([this] { complete(Parley::Ack{}); });
    }
};

/// The reader: listens on 127.0.0.1 at a port of the system's choice.
class Reader : public Parley::Machine
{
public:
    explicit Reader(ReaderState *r)
    {
        on<Parley::Start>([this, r] {
            Parley::ConnectionOptions options;
            options.session = Parley::createFrame<ReaderSession>(r);
            options.maxFrameSize = 16 << 20; // event batches are large
            Parley::listenAt(*this, Parley::HostPort{QStringLiteral("127.0.0.1"), 0}, options);
        });
        on<Parley::Listening>([r](const Parley::Listening &l) {
            r->port.store(l.bound.port);
            r->wake.notify();
        });
        on<Parley::NotListening>([this, r](const Parley::NotListening &n) {
            r->failed.store(true);
            r->wake.notify();
            complete(n);
        });
        on<Parley::Accepted>([] {});
        on<Parley::Closed>([] {});
        on<Parley::Abandoned>([] {});
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

/// Writes "bench-marker-N" as a warning when told Mark{N}.
class Marker : public Parley::Machine
{
public:
    Marker()
    {
        on<Bench::Mark>([this](const Bench::Mark &m) { warning("bench-marker-", m.n); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

double stream(qint64 count)
{
    ReaderState r; // outlives both runtimes
    auto reader = std::make_unique<Parley::Runtime>(
        Parley::Runtime::Options{.workers = 1, .name = QStringLiteral("reader")});
    reader->create<Reader>(&r);
    if (!r.wake.waitUntil(Clock::now() + kStepLimit,
                          [&r] { return r.port.load() != 0 || r.failed.load(); })
        || r.failed.load()) {
        fail(QStringLiteral("stream: the reader could not listen"));
        return kNaN;
    }

    BenchFlood::State s;
    auto runtime = startRuntime();
    auto monitor = Parley::MonitorStream::start(
        *runtime, Parley::HostPort{QStringLiteral("127.0.0.1"), r.port.load()}, objectLevel());
    const Parley::Address marker = runtime->create<Marker>();
    if (!r.wake.waitUntil(Clock::now() + kStepLimit,
                          [&r] { return r.infos.load() == 1 && r.batches.load() > 0; })) {
        // The first connection brings the history so far (the Marker's creation at least).
        fail(QStringLiteral("stream: the reader got no RuntimeInfo and first batch"));
        return kNaN;
    }
    const quint64 receivedBefore = r.events.load();
    const quint64 droppedBefore = monitor->eventsDropped() + runtime->logger().dropped();
    const long long rssBefore = BenchKit::residentBytes();

    const double value = flood(*runtime, s, count);
    const long long rssFlooded = BenchKit::residentBytes();
    runtime->logger().flush(); // the stream has every event of the flood (or counted it dropped)
    // Events arrive in order: once a marker written after the flood arrives, everything before
    // it has arrived or was lost. A marker can be lost itself when the buffers are full: the
    // next one is sent after 1 s without it.
    const Clock::time_point deadline = Clock::now() + kStepLimit;
    int n = 0;
    bool caughtUp = false;
    while (!caughtUp && Clock::now() < deadline) {
        runtime->send(Bench::Mark{++n}, marker);
        caughtUp = r.wake.waitUntil(std::min(deadline, Clock::now() + 1s),
                                    [&r, n] { return r.marker.load() >= n; });
    }
    const Clock::time_point until{Clock::duration(r.lastFloodAt.load())};
    const quint64 received = r.events.load() - receivedBefore;
    const quint64 floodReceived = r.floodEvents.load();
    const quint64 streamDropped = monitor->eventsDropped();
    const quint64 loggerDropped = runtime->logger().dropped();
    const quint64 sent = monitor->eventsSent();
    const long long rssCaughtUp = BenchKit::residentBytes();
    if (!caughtUp)
        fail(QStringLiteral("stream: the reader did not catch up within %1 s (%2 markers sent); "
                            "the figures below are what it had by then")
                 .arg(kStepLimit.count())
                 .arg(n));
    if (!std::isnan(value))
        std::printf(
            "# stream: %llu events of the flood's messages received (%.2f per message; "
            "%llu events in all since the stream attached) in %.3f s from the first send to the "
            "last batch with any = %.0f events/s; lost: "
            "MonitorStream::eventsDropped()=%llu + Logger::dropped()=%llu = %llu (%llu "
            "before the flood); the reader was told of %llu dropped; eventsSent()=%llu "
            "in %llu batches; markers sent %d; RSS %.1f MiB before, %.1f MiB at the "
            "flood's end, %.1f MiB caught up\n",
            static_cast<unsigned long long>(floodReceived), double(floodReceived) / double(count),
            static_cast<unsigned long long>(received), secondsBetween(s.firstSend, until),
            double(floodReceived) / secondsBetween(s.firstSend, until),
            static_cast<unsigned long long>(streamDropped),
            static_cast<unsigned long long>(loggerDropped),
            static_cast<unsigned long long>(streamDropped + loggerDropped),
            static_cast<unsigned long long>(droppedBefore),
            static_cast<unsigned long long>(r.droppedSaid.load()),
            static_cast<unsigned long long>(sent),
            static_cast<unsigned long long>(r.batches.load()), n, mebibytes(rssBefore),
            mebibytes(rssFlooded), mebibytes(rssCaughtUp));
    monitor.reset();
    runtime.reset();
    reader.reset();
    return value;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the cost of the event stream on the in-process flood: no sink, "
                       "a recording, a live stream."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("quick"), QStringLiteral("Smoke run: 100k messages.")},
        {QStringLiteral("messages"), QStringLiteral("Messages in the flood (default 1000000)."),
         QStringLiteral("n")},
        {QStringLiteral("only"),
         QStringLiteral("Comma-separated configurations to run: no_sink, recording, stream "
                        "(their ratios need no_sink)."),
         QStringLiteral("list")},
    });
    parser.process(app);
    const bool quick = parser.isSet(QStringLiteral("quick"));
    const qint64 messages = BenchReport::countOption(
        "bench_events", parser, QStringLiteral("messages"), quick ? 100'000 : 1'000'000);
    const QStringList only = BenchReport::onlyOption(
        "bench_events", parser,
        {QStringLiteral("no_sink"), QStringLiteral("recording"), QStringLiteral("stream")});

    std::printf("# Qt %s, %d cores; messages=%lld; flood between two workers, events at OBJECT "
                "level\n",
                qVersion(), QThread::idealThreadCount(), static_cast<long long>(messages));
    std::fflush(stdout);

    double none = kNaN;
    if (only.contains(QStringLiteral("no_sink"))) {
        none = noSink(messages);
        BenchReport::printFigure("events_flood_no_sink", none, "msg/s", 0, "no_sink", none,
                                 Better::Higher, BenchReport::missingNote(none, {}, none, {}));
    }
    const QString noBaseline = QStringLiteral("no_sink not run (--only)");
    if (only.contains(QStringLiteral("recording"))) {
        const double value = recording(messages);
        BenchReport::printFigure("events_flood_recording", value, "msg/s", 0, "no_sink", none,
                                 Better::Higher,
                                 BenchReport::missingNote(value, {}, none, noBaseline));
    }
    if (only.contains(QStringLiteral("stream"))) {
        const double value = stream(messages);
        BenchReport::printFigure("events_flood_stream", value, "msg/s", 0, "no_sink", none,
                                 Better::Higher,
                                 BenchReport::missingNote(value, {}, none, noBaseline));
    }
    return g_failed ? 1 : 0;
}
