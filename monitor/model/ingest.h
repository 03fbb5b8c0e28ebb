// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "eventstore.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QWaitCondition>

#include <atomic>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

/// \file
/// How records reach the store: producers on any thread (connection sessions, the recording
/// loader) put them in an IngestQueue; on the GUI thread an Ingestor takes them in slices on a
/// timer and commits them, so the models see one batch per tick.

namespace Parley::Monitor {

/// Hands records from producer threads to the GUI thread, bounded: a live source that sends
/// more than the queue holds loses whole batches (counted per source, shown in the process
/// list), a file loader waits for room instead.
class IngestQueue
{
public:
    /// Carries one thing a producer said.
    struct Item
    {
        /// Says what an item carries.
        enum class Type : quint8 {
            Hello,  ///< a source began: info, kind, location, control
            Events, ///< events of `channel`, or of `channels[i]` per event when that is set
            Ended,  ///< the source ended (disconnected, file read): text, level
            Status, ///< a message about the monitor itself: text, level; location when listening
        };
        Type type = Type::Events;
        int channel = -1;
        RuntimeInfo info;
        SourceKind kind = SourceKind::Live;
        QString location;
        Address control;
        QList<Event> events;
        std::vector<int> channels; ///< per event, for batches merged from several files
        QString text;
        LogLevel level = LogLevel::Console;
    };

    IngestQueue() = default;
    IngestQueue(const IngestQueue &) = delete;
    IngestQueue &operator=(const IngestQueue &) = delete;

    /// Returns a new channel number: one per connection or file.
    int openChannel() { return ++m_channels; }
    /// Sets the most events the queue holds (default 2,000,000).
    void setLimit(qsizetype events);

    void hello(int channel, const RuntimeInfo &info, SourceKind kind, const QString &location,
               const Address &control = {});
    /// Queues \a events of a live source; returns false (and counts them as dropped in the
    /// monitor) when the queue is full.
    bool events(int channel, QList<Event> events);
    /// Queues \a events with a channel per event, waiting while the queue is full (files);
    /// returns false when \a cancel was set while waiting.
    bool eventsWaiting(QList<Event> events, std::vector<int> channels,
                       const std::atomic_bool *cancel = nullptr);
    void ended(int channel, const QString &text, LogLevel level);
    void status(const QString &text, LogLevel level);
    /// Says the listener is accepting streams at \a endpoint ("127.0.0.1:32100").
    void listening(const QString &endpoint, const QString &text);

    /// Takes items holding about \a maxEvents events (at least one item when any waits).
    std::vector<Item> take(qsizetype maxEvents);
    /// Returns and resets the events dropped per channel.
    QHash<int, quint64> takeDropped();
    [[nodiscard]] qsizetype pendingEvents() const;
    [[nodiscard]] bool isEmpty() const;

private:
    void push(Item item);

    mutable QMutex m_mutex;
    QWaitCondition m_room;
    std::deque<Item> m_items;
    qsizetype m_events = 0;
    qsizetype m_limit = 2'000'000;
    QHash<int, quint64> m_dropped;
    std::atomic_int m_channels{0};
};

/// Moves records from an IngestQueue into an EventStore on the GUI thread: every interval
/// (50 ms) it takes what waits, within a time budget so the GUI never stalls, and commits.
class Ingestor : public QObject
{
    Q_OBJECT

public:
    Ingestor(EventStore *store, IngestQueue *queue, QObject *parent = nullptr);

    /// Sets the tick (default 50 ms) and the most time one tick may spend taking records (default
    /// 10 ms).
    void setInterval(int ms) { m_timer.setInterval(ms); }
    void setBudget(int ms) { m_budgetMs = ms; }
    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }
    /// Takes everything that waits now and commits (tests; no budget).
    void drainAll();
    /// Returns the source of \a channel, or -1.
    [[nodiscard]] int sourceOf(int channel) const { return m_sources.value(channel, -1); }

signals:
    /// Emitted for Status items and source ends: what to show in the status bar.
    void message(const QString &text, Parley::LogLevel level);
    /// Emitted after a tick that committed records.
    void committed();
    /// Emitted when the listener accepts streams at \a endpoint.
    void listening(const QString &endpoint);

private:
    void tick();
    bool drain(qint64 budgetMs, bool commit);
    void apply(IngestQueue::Item &item);
    int sourceFor(int channel);

    EventStore *m_store;
    IngestQueue *m_queue;
    QTimer m_timer;
    int m_budgetMs = 10;
    QHash<int, int> m_sources;
    QSet<int> m_warnedUnknown;
    QSet<int> m_warnedDropping;
    QElapsedTimer m_sinceCommit;
    bool m_uncommitted = false;
};

/// Reads recordings on a thread of its own and feeds them to an IngestQueue, several files of
/// one run merged by wall-clock time. A folder stands for the recordings in it (as saved by
/// the monitor). Damage is reported as the source's note and a log line: a truncated file is
/// read up to the cut, a corrupt record is skipped.
class RecordingLoader
{
public:
    explicit RecordingLoader(IngestQueue *queue) : m_queue(queue) {}
    ~RecordingLoader();
    RecordingLoader(const RecordingLoader &) = delete;
    RecordingLoader &operator=(const RecordingLoader &) = delete;

    /// Starts loading \a paths (files or folders); a load still running goes on too.
    void load(const QStringList &paths);
    /// Returns true while a load is running.
    [[nodiscard]] bool isRunning() const { return m_running.load() > 0; }
    /// Waits for every load to finish.
    void wait();
    /// Returns the recording files that \a paths stand for (folders expanded).
    [[nodiscard]] static QStringList expand(const QStringList &paths);

private:
    void run(QStringList paths);

    IngestQueue *m_queue;
    std::vector<std::thread> m_threads;
    std::atomic_bool m_cancel{false};
    std::atomic_int m_running{0};
};

/// Writes the records of \a store to recordings: to \a path as one file when one source is
/// chosen (or there is only one), else into the folder \a path, one file per source named
/// `<program>-<pid>-<runtime id>.parley`. Returns the files written; \a error says what failed.
QStringList saveRecordings(const EventStore &store, const QString &path, const QList<int> &sources,
                           QString *error);

} // namespace Parley::Monitor
