// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/events.h>

#include "shardedhash.h"

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <deque>
#include <memory>
#include <optional>
#include <vector>

/// \file
/// The monitor's event store: every record received from every source, bounded, with the
/// indexes the views need (objects, messages by id), in a compact form.

namespace Parley::Monitor {

/// Numbers a record for as long as the store lives; never reused, so a serial stays a valid
/// name for a record even after older records were evicted.
using Serial = quint64;
/// Stands for "no record".
inline constexpr Serial NoSerial = ~Serial(0);

/// Holds one event in compact form: strings that repeat (names, classes, states, types,
/// threads) are interned, fields that few events use live in a RecordExtra.
struct Record
{
    qint64 wall = 0;         ///< wall-clock ns since the epoch (merging and display)
    qint64 time = 0;         ///< the source's monotonic ns
    quint64 seq = 0;         ///< the source's sequence number
    quint64 object = 0;      ///< the object the event is about
    quint64 peer = 0;        ///< Sent: to.last(); Received: from.last(); Created: the parent
    quint64 messageId = 0;   ///< message events
    quint64 origin = 0;      ///< the runtime that assigned messageId (0 resolved to the source's)
    quint64 cause = 0;       ///< the message being handled when this one was sent
    quint64 causeOrigin = 0; ///< the runtime that assigned cause (resolved like origin)
    qint64 queuedNs = -1;    ///< Received: time in the mailbox
    qint64 handledNs = -1;   ///< Received: time in the handler
    quint32 name = 0;        ///< interned (EventStore::string())
    quint32 className = 0;   ///< interned
    quint32 state = 0;       ///< interned
    quint32 type = 0;        ///< interned: the message's wire name
    quint32 thread = 0;      ///< interned
    quint32 extra = 0;       ///< 1 + index of the RecordExtra in the record's chunk; 0 = none
    qint32 depth = -1;       ///< Received: mailbox depth
    quint16 source = 0;      ///< index of the source (EventStore::source())
    EventKind kind = EventKind::Unknown;
    LogLevel level = LogLevel::Object;
};

/// Holds the fields of a record that most events leave at their defaults.
struct RecordExtra
{
    Address from;              ///< only when it is not simply the object or the peer
    Address to;                ///< only when it is not simply the object or the peer
    QString text;              ///< Text, Dropped, Closed, ...
    QString body;              ///< the message as JSON, when captured
    QString endpoint;          ///< connection events
    QString peerKey;           ///< connection events
    qint64 duration = 0;       ///< TimerStarted
    quint64 count = 0;         ///< EventsDropped, SnapshotEnd
    quint32 previousState = 0; ///< StateChanged (interned)
    DropReason dropReason = DropReason::Unknown;
    bool bodyTruncated = false;
    bool repeating = false;
    bool encrypted = false;
    bool fullFrom = false; ///< from is stored here
    bool fullTo = false;   ///< to is stored here
};

/// Says where a source's records come from.
enum class SourceKind : quint8 {
    Live,    ///< a program streaming to the monitor
    File,    ///< a recording
    Monitor, ///< the monitor's own notes (bad input, listener state)
};

/// Describes one source: a streaming program, a recording, or the monitor itself.
struct Source
{
    RuntimeInfo info;
    SourceKind kind = SourceKind::Live;
    bool connected = false;       ///< live: the connection is up
    QString location;             ///< live: the peer's host:port; file: the path
    QString note;                 ///< the last thing that went wrong with it, for the process list
    quint64 events = 0;           ///< records received from it
    quint64 droppedAtSource = 0;  ///< EventsDropped counts it reported
    quint64 droppedInMonitor = 0; ///< its events the monitor had to drop (it flooded)
    double rate = 0;              ///< events/s over the last second or so
    Address control;              ///< live: where a CaptureFilter goes
    std::optional<CaptureFilter> capture; ///< the last capture filter sent to it
    int node = -1;                        ///< its process node in the object table
    quint64 rateBase = 0;                 ///< \internal events at the start of the rate window
    qint64 rateStart = 0;                 ///< \internal when the rate window began (ms, monotonic)

    /// Returns "program/runtime (pid)": how views name the source.
    [[nodiscard]] QString label() const;
    /// Returns the runtime's name (or the program's) alone, for narrow columns.
    [[nodiscard]] QString shortLabel() const;
};

/// Describes one object (or one process: the root of its objects) as last seen.
struct ObjectNode
{
    quint64 id = 0;              ///< the object's id within its process (1 for a process node)
    quint64 parentId = 0;        ///< its creator's id
    qint64 created = 0;          ///< wall ns, 0 when not seen
    qint64 destroyed = 0;        ///< wall ns, 0 while alive
    quint64 in = 0;              ///< messages it received
    quint64 out = 0;             ///< messages it sent
    std::vector<int> children;   ///< node indexes, in order of creation
    std::vector<Serial> records; ///< its records still held, oldest first
    int parent = -1;             ///< node index of its parent (a process node's is -1)
    int source = -1;             ///< index of its source
    int row = 0;                 ///< its index in its parent's children
    quint32 name = 0, className = 0, state = 0; ///< interned
    qint32 depth = -1;                          ///< its mailbox depth at the last Received
    bool alive = true;
    bool isProcess = false;
};

/// Stores what every source sent, bounded: the oldest records are evicted in chunks when the
/// store holds more than its capacity, and counted.
///
/// Records are appended in any amount and become visible to the models only at commit(), which
/// evicts, then emits one signal for all the new records: models insert rows in batches, never
/// one at a time. The object table and the message index are kept up to date as records arrive;
/// objects outlive eviction (the tree shows what exists, not what is still in the log).
class EventStore : public QObject
{
    Q_OBJECT

public:
    /// Links the two ends of one message (Sent in one place, Received in another).
    struct MessageLink
    {
        Serial sent = NoSerial;
        Serial received = NoSerial;
    };

    explicit EventStore(QObject *parent = nullptr);
    ~EventStore() override;

    // -- limits
    /// Sets how many records the store keeps (at least one chunk); older ones are evicted.
    void setCapacity(qsizetype records);
    [[nodiscard]] qsizetype capacity() const { return m_capacity; }
    /// Returns how many records were evicted so far.
    [[nodiscard]] quint64 evicted() const { return m_first; }

    // -- sources
    /// Adds a source for a runtime (or finds the one with the same runtime id and kind) and
    /// returns its index.
    int addSource(const RuntimeInfo &info, SourceKind kind, const QString &location);
    /// Returns the monitor's own source (made on first use).
    int monitorSource();
    void setSourceConnected(int source, bool connected);
    void setSourceControl(int source, const Address &control);
    void setSourceCapture(int source, const CaptureFilter &filter);
    /// Records \a text about \a source: in the process list and as a log line of \a level.
    void noteSource(int source, const QString &text, LogLevel level = LogLevel::Warning);
    /// Counts \a count events of \a source that the monitor dropped.
    void countDroppedInMonitor(int source, quint64 count);
    [[nodiscard]] int sourceCount() const { return int(m_sources.size()); }
    [[nodiscard]] const Source &source(int index) const { return m_sources[size_t(index)]; }

    // -- records
    /// Appends \a event from \a source; visible after the next commit().
    void append(int source, const Event &event);
    /// Appends monitor-made text at \a level for the monitor's own source.
    void appendNote(const QString &text, LogLevel level);
    /// Makes the appended records visible: evicts what is over capacity, then emits
    /// recordsAppended() once. Emits objectsCommitted() and sourcesChanged() as needed.
    void commit();
    /// Returns the number of records appended but not yet committed.
    [[nodiscard]] qsizetype pending() const { return qsizetype(m_end - m_committed); }

    /// Returns the serial of the oldest record held.
    [[nodiscard]] Serial firstSerial() const { return m_first; }
    /// Returns one past the newest committed record.
    [[nodiscard]] Serial endSerial() const { return m_committed; }
    /// Returns the number of committed records held.
    [[nodiscard]] qsizetype size() const { return qsizetype(m_committed - m_first); }
    /// Returns true while \a serial names a record held (committed or not).
    [[nodiscard]] bool contains(Serial serial) const { return serial >= m_first && serial < m_end; }
    /// Returns the record \a serial (which must be held).
    [[nodiscard]] const Record &record(Serial serial) const
    {
        const Serial offset = serial - m_chunkBase;
        return m_chunks[size_t(offset / ChunkSize)]->records[size_t(offset % ChunkSize)];
    }
    /// Returns the extra fields of record \a serial, or null when it has none.
    [[nodiscard]] const RecordExtra *extra(Serial serial) const;
    /// Rebuilds the full event \a serial as it was received.
    [[nodiscard]] Event event(Serial serial) const;
    /// Returns the interned string \a id (0 is the empty string).
    [[nodiscard]] const QString &string(quint32 id) const { return m_strings[id]; }
    /// Returns the id of \a text if it was interned, else 0.
    [[nodiscard]] quint32 findString(const QString &text) const { return m_stringIds.value(text); }
    /// Returns the sender address of record \a serial (Sent: the object; Received: from).
    [[nodiscard]] Address fromAddress(Serial serial) const;
    /// Returns the receiver address of record \a serial.
    [[nodiscard]] Address toAddress(Serial serial) const;

    // -- objects
    [[nodiscard]] int objectCount() const { return int(m_objects.size()); }
    [[nodiscard]] const ObjectNode &object(int node) const { return m_objects[size_t(node)]; }
    /// Returns the node of object \a id of \a source (1 = the process node), or -1.
    [[nodiscard]] int findObject(int source, quint64 id) const;
    /// Returns the records of \a node still held, oldest first.
    [[nodiscard]] std::vector<Serial> objectRecords(int node) const;
    /// Returns the node of the object record \a serial is about, or -1.
    [[nodiscard]] int objectOf(Serial serial) const;
    /// Returns \a node and all its descendants.
    [[nodiscard]] QList<int> subtree(int node) const;

    // -- messages
    /// Returns where message \a id of runtime \a origin was sent and received (held records).
    [[nodiscard]] MessageLink message(quint64 origin, quint64 id) const;
    /// Returns the record at the other end of message record \a serial, or NoSerial.
    [[nodiscard]] Serial otherEnd(Serial serial) const;
    /// Returns the record whose handler sent record \a serial (its cause's Received), or
    /// NoSerial.
    [[nodiscard]] Serial causeOf(Serial serial) const;

    /// Returns the bytes the store uses for records, extras and indexes (an estimate from
    /// capacities, without the interned strings' text).
    [[nodiscard]] qint64 memoryUsed() const;

    static constexpr qsizetype ChunkSize = 8192;

signals:
    /// Emitted when a source was added (\a index) or changed.
    void sourceAdded(int index);
    void sourcesChanged();
    /// Emitted before the records below \a newFirst are dropped; they are still readable.
    void recordsAboutToBeEvicted(Serial newFirst);
    /// Emitted after the records below firstSerial() were dropped.
    void recordsEvicted();
    /// Emitted at commit() for the records [first, end).
    void recordsAppended(Serial first, Serial end);
    /// Emitted at commit(): \a added nodes are new since the last commit (parents before
    /// children), \a changed nodes changed (their data, or they were destroyed).
    void objectsCommitted(const QList<int> &added, const QList<int> &changed);

private:
    struct Chunk
    {
        std::vector<Record> records;
        std::vector<RecordExtra> extras;
    };
    struct ObjectKey
    {
        int source;
        quint64 id;
        friend bool operator==(const ObjectKey &, const ObjectKey &) = default;
        friend size_t qHash(const ObjectKey &k, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, k.source, k.id);
        }
    };
    struct MessageKey
    {
        quint64 origin;
        quint64 id;
        friend bool operator==(const MessageKey &, const MessageKey &) = default;
        friend size_t qHash(const MessageKey &k, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, k.origin, k.id);
        }
    };

    quint32 intern(const QString &text);
    int ensureObject(int source, quint64 id, const Record &r);
    int processNode(int source);
    void attach(int node, int parentNode);
    void touch(int node);
    void evictFront();
    RecordExtra &makeExtra(Record &r);

    std::deque<std::unique_ptr<Chunk>> m_chunks;
    Serial m_chunkBase = 0; ///< serial of the first record of m_chunks.front()
    Serial m_first = 0;     ///< oldest held record
    Serial m_committed = 0; ///< one past the newest committed record
    Serial m_end = 0;       ///< one past the newest record
    qsizetype m_capacity = 1'000'000;

    std::vector<QString> m_strings;
    QHash<QString, quint32> m_stringIds;

    std::vector<Source> m_sources;
    int m_monitorSource = -1;
    bool m_sourcesDirty = false;

    std::vector<ObjectNode> m_objects;
    ShardedHash<ObjectKey, int> m_objectIndex;
    QList<int> m_addedObjects;
    QList<int> m_changedObjects;
    std::vector<bool> m_objectDirty;

    ShardedHash<MessageKey, MessageLink> m_messages;
};

/// Returns the marker the text log uses for a record: `+ X > < ~ ^ ? ! _`.
[[nodiscard]] QChar markerOf(EventKind kind, LogLevel level);
/// Returns the name of \a kind ("Sent").
[[nodiscard]] QString kindName(EventKind kind);
/// Returns the name of \a reason ("NoHandler").
[[nodiscard]] QString dropReasonName(DropReason reason);
/// Returns the display name of \a level ("Warning").
[[nodiscard]] QString levelName(LogLevel level);
/// Returns true for kinds that carry a message (Sent, Forwarded, Received, ...).
[[nodiscard]] bool isMessageKind(EventKind kind);

} // namespace Parley::Monitor
