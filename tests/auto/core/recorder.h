// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <QtTest/QTest>

// A machine that records everything it receives, for the core tests to inspect with QTRY_*.

#include <parley/parley.h>

#include <QtCore/QMutex>
#include <QtCore/QStringList>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

struct Received
{
    Parley::Value message;
    Parley::Address from;
};

/// Shared between a Recorder (which writes on its worker) and the test (which reads).
class Inbox
{
public:
    void add(Parley::Value v, Parley::Address from)
    {
        QMutexLocker l(&m_lock);
        m_items.push_back({std::move(v), std::move(from)});
    }
    int count() const
    {
        QMutexLocker l(&m_lock);
        return int(m_items.size());
    }
    QStringList types() const
    {
        QMutexLocker l(&m_lock);
        QStringList out;
        for (const auto &r : m_items)
            out << QString::fromUtf8(r.message.typeName());
        return out;
    }
    /// Returns a copy of item \a i (messages used in tests are copyable).
    Received at(int i) const
    {
        QMutexLocker l(&m_lock);
        return {m_items[size_t(i)].message, m_items[size_t(i)].from};
    }

private:
    mutable QMutex m_lock;
    std::vector<Received> m_items;
};

/// Records every message except Start into an Inbox; completes on Stop with Aborted.
class Recorder : public Parley::Machine
{
public:
    explicit Recorder(std::shared_ptr<Inbox> inbox) : m_inbox(std::move(inbox))
    {
        on<Parley::Start>([] {});
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
        onUnknown([this](Parley::Value &v) { m_inbox->add(v.take(), returnAddress()); });
    }

private:
    std::shared_ptr<Inbox> m_inbox;
};

/// Returns the other party of a message event: the receiver of a send, forward or drop, the
/// sender of a receipt or replay.
inline Parley::Address eventPeer(const Parley::Event &e)
{
    switch (e.kind) {
    case Parley::EventKind::Received:
    case Parley::EventKind::Replayed:
    case Parley::EventKind::Deferred:
        return e.from;
    default:
        return e.to;
    }
}

/// Returns true when \a e is about a message of type \a type, given by its display name
/// ("Start") or its wire name ("parley.Start").
inline bool eventIsAbout(const Parley::Event &e, const QString &type)
{
    if (e.type == type)
        return true;
    const Parley::TypeInfo *info = Parley::findType(e.type);
    return info && QLatin1String(info->displayName) == type;
}

/// Describes events by their kind and fields, for tests that mean "this happened" rather than
/// "this sentence was written". Unset fields match any event.
struct RecordPattern
{
    std::optional<Parley::EventKind> kind;
    std::optional<Parley::LogLevel> level;
    std::optional<quint64> objectId;
    QString objectName;
    QString state;
    QString messageType;                 ///< the message's display name ("Start") or wire name
    std::optional<Parley::Address> peer; ///< see eventPeer()
    std::optional<Parley::DropReason> dropReason;
    /// A fragment of a Text event's text: what a program wrote, not what the runtime recorded.
    QString textHas;

    [[nodiscard]] bool matches(const Parley::Event &e) const
    {
        return (!kind || e.kind == *kind) && (!level || e.level == *level)
            && (!objectId || e.object == *objectId)
            && (objectName.isEmpty() || e.name == objectName)
            && (state.isEmpty() || e.state == state)
            && (messageType.isEmpty() || eventIsAbout(e, messageType))
            && (!peer || eventPeer(e) == *peer) && (!dropReason || e.dropReason == *dropReason)
            && (textHas.isEmpty() || e.text.contains(textHas));
    }
};

/// Records every event at or above its level, as it is emitted (an immediate sink).
class CountingSink : public Parley::LogSink
{
public:
    explicit CountingSink(Parley::LogLevel level) : LogSink(level, Delivery::Immediate) {}
    void write(const Parley::Event &e) override
    {
        QMutexLocker l(&m_lock);
        m_records.push_back(e);
    }
    /// Returns the text form of every event (formatEvent()), for failure messages.
    QStringList lines() const
    {
        QMutexLocker l(&m_lock);
        QStringList out;
        for (const auto &e : m_records)
            out << Parley::formatEvent(e);
        return out;
    }
    /// Returns true when the text form of some event contains \a fragment: for tests of the
    /// text rendering itself (others match events by kind and fields).
    bool contains(const QString &fragment) const
    {
        const QStringList all = lines();
        return std::any_of(all.begin(), all.end(),
                           [&](const QString &line) { return line.contains(fragment); });
    }
    std::vector<Parley::Event> records() const
    {
        QMutexLocker l(&m_lock);
        return m_records;
    }
    /// Returns how many events match \a pattern.
    int count(const RecordPattern &pattern) const
    {
        QMutexLocker l(&m_lock);
        return int(std::count_if(m_records.begin(), m_records.end(),
                                 [&](const Parley::Event &e) { return pattern.matches(e); }));
    }
    /// Returns true when some event matches \a pattern.
    bool has(const RecordPattern &pattern) const { return count(pattern) > 0; }

private:
    mutable QMutex m_lock;
    std::vector<Parley::Event> m_records;
};

/// Starts the two-worker runtime of one test function, with every log record going to a fresh
/// \a sink.
inline std::unique_ptr<Parley::Runtime> startRecordedRuntime(std::shared_ptr<CountingSink> &sink,
                                                             std::chrono::milliseconds stopGrace
                                                             = std::chrono::milliseconds(3000))
{
    sink = std::make_shared<CountingSink>(Parley::LogLevel::Debug);
    auto runtime = std::make_unique<Parley::Runtime>(
        Parley::Runtime::Options{.workers = 2, .name = {}, .stopGrace = stopGrace});
    runtime->logger().addSink(sink);
    return runtime;
}

/// Starts a deterministic runtime (Runtime::Options::deterministic: nothing runs until the test
/// steps it, the clock moves only when told) with every log record going to a fresh \a sink.
inline std::unique_ptr<Parley::Runtime>
startDeterministicRuntime(std::shared_ptr<CountingSink> &sink)
{
    sink = std::make_shared<CountingSink>(Parley::LogLevel::Debug);
    auto runtime
        = std::make_unique<Parley::Runtime>(Parley::Runtime::Options{.deterministic = true});
    runtime->logger().addSink(sink);
    return runtime;
}

/// The global data rows of a suite that runs every test on a threaded runtime and on a
/// deterministic one (call from initTestCase_data(); init() reads the column "deterministic").
inline void addRuntimeRows()
{
    QTest::addColumn<bool>("deterministic");
    QTest::newRow("threaded") << false;
    QTest::newRow("deterministic") << true;
}

/// Starts the runtime of the current global data row (see addRuntimeRows()).
inline std::unique_ptr<Parley::Runtime> startRuntimeOfRow(std::shared_ptr<CountingSink> &sink)
{
    QFETCH_GLOBAL(bool, deterministic);
    return deterministic ? startDeterministicRuntime(sink) : startRecordedRuntime(sink);
}

/// Lets a deterministic runtime deliver everything that waits; a threaded runtime's workers
/// need nothing (the QTRY_* that follows waits for them). Call it before checking a state that
/// messages bring about, so that one test body serves both kinds of runtime.
inline void settle(Parley::Runtime &runtime)
{
    if (runtime.isDeterministic())
        runtime.runUntilIdle();
}

/// Returns the completion value of top-level \a object, or nothing after \a timeout: waits for
/// it on a threaded runtime; on a deterministic one, delivers what waits and moves the clock on
/// a millisecond at a time (so timers fire in order) until it completes.
inline std::optional<Parley::Value> finish(Parley::Runtime &runtime, const Parley::Address &object,
                                           std::chrono::milliseconds timeout
                                           = std::chrono::milliseconds(30000))
{
    if (!runtime.isDeterministic())
        return runtime.waitForCompletion(object, timeout);
    for (std::chrono::milliseconds passed(0);; passed += std::chrono::milliseconds(1)) {
        runtime.runUntilIdle();
        if (auto value = runtime.takeCompletion(object))
            return value;
        if (passed >= timeout)
            return std::nullopt;
        runtime.advanceClock(std::chrono::milliseconds(1));
    }
}
