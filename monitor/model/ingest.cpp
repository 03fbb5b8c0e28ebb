// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "ingest.h"

#include <parley/recording.h>

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QMutexLocker>
#include <QtCore/QRegularExpression>

#include <queue>

namespace Parley::Monitor {

// -- IngestQueue --------------------------------------------------------------------------------

void IngestQueue::setLimit(qsizetype events)
{
    QMutexLocker lock(&m_mutex);
    m_limit = std::max<qsizetype>(events, 1);
}

void IngestQueue::push(Item item)
{
    QMutexLocker lock(&m_mutex);
    m_events += item.events.size();
    m_items.push_back(std::move(item));
}

void IngestQueue::hello(int channel, const RuntimeInfo &info, SourceKind kind,
                        const QString &location, const Address &control)
{
    Item item;
    item.type = Item::Type::Hello;
    item.channel = channel;
    item.info = info;
    item.kind = kind;
    item.location = location;
    item.control = control;
    push(std::move(item));
}

bool IngestQueue::events(int channel, QList<Event> events)
{
    QMutexLocker lock(&m_mutex);
    if (m_events + events.size() > m_limit) {
        m_dropped[channel] += quint64(events.size());
        return false;
    }
    Item item;
    item.type = Item::Type::Events;
    item.channel = channel;
    m_events += events.size();
    item.events = std::move(events);
    m_items.push_back(std::move(item));
    return true;
}

bool IngestQueue::eventsWaiting(QList<Event> events, std::vector<int> channels,
                                const std::atomic_bool *cancel)
{
    QMutexLocker lock(&m_mutex);
    while (m_events > 0 && m_events + events.size() > m_limit) {
        m_room.wait(&m_mutex, 100);
        if (cancel && cancel->load())
            return false;
    }
    Item item;
    item.type = Item::Type::Events;
    m_events += events.size();
    item.events = std::move(events);
    item.channels = std::move(channels);
    m_items.push_back(std::move(item));
    return true;
}

void IngestQueue::ended(int channel, const QString &text, LogLevel level)
{
    Item item;
    item.type = Item::Type::Ended;
    item.channel = channel;
    item.text = text;
    item.level = level;
    push(std::move(item));
}

void IngestQueue::status(const QString &text, LogLevel level)
{
    Item item;
    item.type = Item::Type::Status;
    item.text = text;
    item.level = level;
    push(std::move(item));
}

void IngestQueue::listening(const QString &endpoint, const QString &text)
{
    Item item;
    item.type = Item::Type::Status;
    item.text = text;
    item.location = endpoint;
    item.level = LogLevel::Console;
    push(std::move(item));
}

std::vector<IngestQueue::Item> IngestQueue::take(qsizetype maxEvents)
{
    QMutexLocker lock(&m_mutex);
    std::vector<Item> out;
    qsizetype taken = 0;
    while (!m_items.empty() && (out.empty() || taken < maxEvents)) {
        taken += m_items.front().events.size();
        out.push_back(std::move(m_items.front()));
        m_items.pop_front();
    }
    m_events -= taken;
    if (taken)
        m_room.wakeAll();
    return out;
}

QHash<int, quint64> IngestQueue::takeDropped()
{
    QMutexLocker lock(&m_mutex);
    return std::exchange(m_dropped, {});
}

qsizetype IngestQueue::pendingEvents() const
{
    QMutexLocker lock(&m_mutex);
    return m_events;
}

bool IngestQueue::isEmpty() const
{
    QMutexLocker lock(&m_mutex);
    return m_items.empty();
}

// -- Ingestor -----------------------------------------------------------------------------------

Ingestor::Ingestor(EventStore *store, IngestQueue *queue, QObject *parent)
    : QObject(parent), m_store(store), m_queue(queue)
{
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &Ingestor::tick);
}

int Ingestor::sourceFor(int channel)
{
    auto it = m_sources.constFind(channel);
    if (it != m_sources.constEnd())
        return *it;
    // Events before the identity: a program that does not follow the protocol. Keep what it
    // sent under a placeholder and say so.
    RuntimeInfo info;
    info.program = QStringLiteral("unidentified");
    info.runtimeName = QStringLiteral("channel %1").arg(channel);
    const int source = m_store->addSource(info, SourceKind::Live, QString());
    m_store->setSourceConnected(source, true);
    m_store->noteSource(source, QStringLiteral("sent events before its RuntimeInfo"));
    m_sources.insert(channel, source);
    return source;
}

void Ingestor::apply(IngestQueue::Item &item)
{
    using Type = IngestQueue::Item::Type;
    switch (item.type) {
    case Type::Hello: {
        const int known = m_store->sourceCount();
        const int source = m_store->addSource(item.info, item.kind, item.location);
        m_sources.insert(item.channel, source);
        if (item.kind == SourceKind::Live) {
            const bool again = source < known;
            m_store->setSourceConnected(source, true);
            m_store->setSourceControl(source, item.control);
            if (again)
                m_store->noteSource(source,
                                    QStringLiteral("connected again from %1").arg(item.location),
                                    LogLevel::Console);
            else
                m_store->appendNote(QStringLiteral("%1 connected from %2")
                                        .arg(m_store->source(source).label(), item.location),
                                    LogLevel::Console);
        }
        if (item.info.schema > EventSchemaVersion)
            m_store->noteSource(source,
                                QStringLiteral("speaks event schema %1; this monitor knows %2: "
                                               "what it does not know is shown as unknown")
                                    .arg(item.info.schema)
                                    .arg(EventSchemaVersion));
        return;
    }
    case Type::Events: {
        if (item.channels.empty()) {
            const int source = sourceFor(item.channel);
            bool unknown = false;
            for (const Event &e : std::as_const(item.events)) {
                m_store->append(source, e);
                unknown |= e.kind == EventKind::Unknown;
            }
            if (unknown && !m_warnedUnknown.contains(source)) {
                m_warnedUnknown.insert(source);
                m_store->noteSource(source,
                                    QStringLiteral("sends events of kinds this monitor does "
                                                   "not know (a newer schema); they are "
                                                   "shown as unknown"));
            }
        } else {
            for (qsizetype i = 0; i < item.events.size(); ++i)
                m_store->append(sourceFor(item.channels[size_t(i)]), item.events.at(i));
        }
        return;
    }
    case Type::Ended: {
        const int source = m_sources.value(item.channel, -1);
        if (source < 0) {
            m_store->appendNote(item.text, item.level);
        } else {
            if (m_store->source(source).kind == SourceKind::Live)
                m_store->setSourceConnected(source, false);
            if (item.level >= LogLevel::Warning)
                m_store->noteSource(source, item.text, item.level);
            else
                m_store->appendNote(
                    QStringLiteral("%1: %2").arg(m_store->source(source).label(), item.text),
                    item.level);
        }
        emit message(source < 0
                         ? item.text
                         : QStringLiteral("%1: %2").arg(m_store->source(source).label(), item.text),
                     item.level);
        return;
    }
    case Type::Status:
        m_store->appendNote(item.text, item.level);
        if (!item.location.isEmpty())
            emit listening(item.location);
        emit message(item.text, item.level);
        return;
    }
}

bool Ingestor::drain(qint64 budgetMs, bool commit)
{
    QElapsedTimer clock;
    clock.start();
    while (budgetMs < 0 || clock.elapsed() < budgetMs) {
        // Small takes, so that the budget is kept to within a couple of milliseconds.
        std::vector<IngestQueue::Item> items = m_queue->take(1024);
        if (items.empty())
            break;
        m_uncommitted = true;
        for (IngestQueue::Item &item : items)
            apply(item);
    }
    const QHash<int, quint64> dropped = m_queue->takeDropped();
    for (auto it = dropped.begin(); it != dropped.end(); ++it) {
        const int source = sourceFor(it.key());
        m_store->countDroppedInMonitor(source, it.value());
        if (!m_warnedDropping.contains(source)) {
            m_warnedDropping.insert(source);
            m_store->noteSource(source,
                                QStringLiteral("sends faster than the monitor can take: "
                                               "its events are being dropped here (see "
                                               "\"Lost here\")"));
            emit message(QStringLiteral("%1 floods the monitor; events are being dropped")
                             .arg(m_store->source(source).label()),
                         LogLevel::Warning);
        }
        m_uncommitted = true;
    }
    if (commit) {
        m_sinceCommit.restart();
        m_store->commit(); // also when nothing arrived: it keeps the rates current
        if (std::exchange(m_uncommitted, false))
            emit committed();
    }
    return !m_queue->isEmpty();
}

void Ingestor::tick()
{
    // A backlog is taken in budgeted slices close together, so the event loop runs in
    // between; the models (and so the views) see it at most every 100 ms, since each commit
    // costs a repaint.
    const bool backlog = !m_queue->isEmpty();
    const bool commit = !backlog || !m_sinceCommit.isValid() || m_sinceCommit.elapsed() >= 100;
    const bool more = drain(m_budgetMs, commit);
    if (!more && !commit && m_uncommitted) {
        m_sinceCommit.restart();
        m_store->commit();
        m_uncommitted = false;
        emit committed();
    }
    m_timer.setInterval(more ? 1 : 50);
}

void Ingestor::drainAll()
{
    drain(-1, true);
}

// -- RecordingLoader ----------------------------------------------------------------------------

RecordingLoader::~RecordingLoader()
{
    m_cancel = true;
    wait();
}

void RecordingLoader::wait()
{
    for (std::thread &t : m_threads) {
        if (t.joinable())
            t.join();
    }
    m_threads.clear();
}

QStringList RecordingLoader::expand(const QStringList &paths)
{
    QStringList files;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (info.isDir()) {
            const QDir dir(path);
            for (const QString &name :
                 dir.entryList({QStringLiteral("*.parley")}, QDir::Files, QDir::Name))
                files << dir.filePath(name);
        } else {
            files << path;
        }
    }
    return files;
}

void RecordingLoader::load(const QStringList &paths)
{
    ++m_running;
    m_threads.emplace_back([this, paths] {
        run(paths);
        --m_running;
    });
}

void RecordingLoader::run(QStringList paths)
{
    struct Input
    {
        std::unique_ptr<RecordingReader> reader;
        int channel = -1;
        QString path;
        Event next;
        bool has = false;
        quint64 count = 0;
        quint64 corrupt = 0;
        qint64 startWall = 0;
    };
    std::vector<Input> inputs;
    const QStringList files = expand(paths);
    if (files.isEmpty())
        m_queue->status(QStringLiteral("no recordings in %1").arg(paths.join(QStringLiteral(", "))),
                        LogLevel::Warning);
    for (const QString &path : files) {
        Input in;
        in.reader = std::make_unique<RecordingReader>();
        in.path = path;
        if (!in.reader->open(path)) {
            m_queue->status(
                QStringLiteral("cannot open %1: %2").arg(path, in.reader->errorString()),
                LogLevel::Warning);
            continue;
        }
        in.channel = m_queue->openChannel();
        in.startWall = in.reader->info().startWall;
        m_queue->hello(in.channel, in.reader->info(), SourceKind::File, path);
        inputs.push_back(std::move(in));
    }

    // Reads the next event of \a in; reports how a file ended or what is wrong with it.
    auto advance = [this](Input &in) {
        in.has = false;
        while (!m_cancel.load()) {
            const qint64 before = in.reader->position();
            switch (in.reader->next(in.next)) {
            case RecordingReader::Status::Ok:
                in.has = true;
                ++in.count;
                return;
            case RecordingReader::Status::End:
                m_queue->ended(in.channel,
                               in.corrupt ? QStringLiteral("read %1 events; %2 damaged records "
                                                           "were skipped")
                                                .arg(in.count)
                                                .arg(in.corrupt)
                                          : QStringLiteral("read %1 events").arg(in.count),
                               in.corrupt ? LogLevel::Warning : LogLevel::Console);
                return;
            case RecordingReader::Status::Truncated:
                m_queue->ended(in.channel,
                               QStringLiteral("the recording is truncated (%1); read the %2 "
                                              "events before the cut")
                                   .arg(in.reader->errorString())
                                   .arg(in.count),
                               LogLevel::Warning);
                return;
            case RecordingReader::Status::Corrupt:
                ++in.corrupt;
                if (in.reader->position() == before) {
                    m_queue->ended(in.channel,
                                   QStringLiteral("the recording is corrupt (%1); read the %2 "
                                                  "events before it")
                                       .arg(in.reader->errorString())
                                       .arg(in.count),
                                   LogLevel::Warning);
                    return;
                }
                continue; // a damaged record: skip it, go on
            }
        }
    };
    auto wallOf
        = [](const Input &in) { return in.next.wall ? in.next.wall : in.startWall + in.next.time; };

    using Entry = std::pair<qint64, size_t>; // (wall, input)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    for (size_t i = 0; i < inputs.size(); ++i) {
        advance(inputs[i]);
        if (inputs[i].has)
            heap.push({wallOf(inputs[i]), i});
    }
    QList<Event> batch;
    std::vector<int> channels;
    constexpr qsizetype BatchSize = 4096;
    batch.reserve(BatchSize);
    while (!heap.empty() && !m_cancel.load()) {
        const size_t i = heap.top().second;
        heap.pop();
        Input &in = inputs[i];
        batch.append(std::move(in.next));
        channels.push_back(in.channel);
        if (batch.size() >= BatchSize) {
            if (!m_queue->eventsWaiting(std::exchange(batch, {}), std::exchange(channels, {}),
                                        &m_cancel))
                return;
            batch.reserve(BatchSize);
        }
        advance(in);
        if (in.has)
            heap.push({wallOf(in), i});
    }
    if (!batch.isEmpty())
        m_queue->eventsWaiting(std::move(batch), std::move(channels), &m_cancel);
}

// -- saving -------------------------------------------------------------------------------------

QStringList saveRecordings(const EventStore &store, const QString &path, const QList<int> &wanted,
                           QString *error)
{
    QList<int> sources = wanted;
    if (sources.isEmpty()) {
        for (int i = 0; i < store.sourceCount(); ++i) {
            if (store.source(i).kind != SourceKind::Monitor)
                sources.append(i);
        }
    }
    QStringList written;
    if (sources.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing to save: no source has sent anything");
        return written;
    }
    const bool oneFile = sources.size() == 1 && !QFileInfo(path).isDir();
    if (!oneFile && !QDir().mkpath(path)) {
        if (error)
            *error = QStringLiteral("cannot make the folder %1").arg(path);
        return written;
    }
    std::vector<std::unique_ptr<RecordingWriter>> writers(size_t(store.sourceCount()));
    for (int source : sources) {
        const Source &s = store.source(source);
        QString file = path;
        if (!oneFile) {
            QString program = s.info.program.isEmpty() ? QStringLiteral("unknown") : s.info.program;
            program.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")),
                            QStringLiteral("_"));
            file = QDir(path).filePath(QStringLiteral("%1-%2-%3.parley")
                                           .arg(program)
                                           .arg(s.info.pid)
                                           .arg(QString::number(s.info.runtimeId, 16)));
        }
        auto writer = std::make_unique<RecordingWriter>();
        if (!writer->open(file, s.info)) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(file, writer->errorString());
            return written;
        }
        writers[size_t(source)] = std::move(writer);
        written << file;
    }
    for (Serial serial = store.firstSerial(); serial < store.endSerial(); ++serial) {
        RecordingWriter *writer = writers[store.record(serial).source].get();
        if (writer && !writer->write(store.event(serial))) {
            if (error)
                *error = writer->errorString();
            return written;
        }
    }
    for (auto &writer : writers) {
        if (writer)
            writer->close();
    }
    return written;
}

} // namespace Parley::Monitor
