// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_LOG
#error "<parley/log.h> is in the log layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/address.h>
#include <parley/parley_export.h>

#include <QtCore/QString>

#include <atomic>
#include <memory>
#include <optional>
#include <type_traits>

/// \file
/// Log levels, sinks and the event pipeline (the events themselves: <parley/events.h>).

namespace Parley {

/// Orders log records by importance; a sink shows records at or above its level.
enum class LogLevel : quint8 {
    Debug = 1,   ///< `_` internal detail
    Trace = 2,   ///< `~` progress a developer follows
    Object = 3,  ///< `+ X > <` objects created and destroyed, messages sent and received
    Console = 4, ///< `^` what a user of the program wants to see
    Warning = 5, ///< `?` something unexpected, handled
    Fault = 6,   ///< `!` something failed
    None = 100,  ///< shows nothing
};

/// Returns the level named \a name (DEBUG, TRACE, OBJECT, CONSOLE, WARNING, FAULT, NONE; any case).
PARLEY_EXPORT std::optional<LogLevel> logLevelFromName(QStringView name);
/// Returns the upper-case name of \a level.
PARLEY_EXPORT QString logLevelName(LogLevel level);

struct Event;
struct RuntimeInfo;

/// Receives events at or above its level. The Logger calls write() from its drain thread
/// (Delivery::Queued, the default) or on the thread that emitted the event
/// (Delivery::Immediate: for sinks that are cheap and thread-safe, such as a test's recorder).
class PARLEY_EXPORT LogSink
{
public:
    /// Says on which thread a sink is written.
    enum class Delivery {
        Queued,    ///< on the logger's drain thread, in emission order; emitting never waits
        Immediate, ///< on the emitting thread, at once, under the logger's lock: write() must be
                   ///< quick and must not emit events itself
    };

    explicit LogSink(LogLevel level, Delivery delivery = Delivery::Queued)
        : m_level(level), m_delivery(delivery)
    {
    }
    virtual ~LogSink();
    /// Writes one event; called only for events at or above level().
    virtual void write(const Event &event) = 0;
    /// Called by the drain thread when it has written what was waiting (and when the logger
    /// is flushed or ends): a buffering sink hands its buffer on here.
    virtual void flush() {}
    /// Returns true when this sink wants message bodies (as capped JSON) in its events.
    [[nodiscard]] virtual bool wantsBodies() const { return false; }
    /// Returns the lowest level this sink shows.
    [[nodiscard]] LogLevel level() const noexcept { return m_level; }
    [[nodiscard]] Delivery delivery() const noexcept { return m_delivery; }

private:
    LogLevel m_level;
    Delivery m_delivery;
};

/// Writes the text form of each event (formatEvent()) to standard error, one line per event.
class PARLEY_EXPORT StderrSink : public LogSink
{
public:
    explicit StderrSink(LogLevel level) : LogSink(level) {}
    void write(const Event &event) override;
    void flush() override;
};

/// Writes the text form of each event to a file, one line per event.
class PARLEY_EXPORT FileSink : public LogSink
{
public:
    /// Opens (appends to) \a path; check isOpen().
    FileSink(const QString &path, LogLevel level);
    ~FileSink() override;
    [[nodiscard]] bool isOpen() const;
    void write(const Event &event) override;
    void flush() override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// The event pipeline of one runtime: stamps each event (sequence number, monotonic and wall
/// time), queues it in a bounded queue and hands it to the sinks on one drain thread. Emitting
/// never blocks on a sink; when the queue is full the event is counted and an EventsDropped
/// event says how many were lost once there is room again. Asks nothing of an event that no
/// sink wants: check wants() before building one.
class PARLEY_EXPORT Logger
{
public:
    /// Events the queue holds before it drops (and counts) new ones.
    static constexpr qsizetype DefaultCapacity = 16384;

    Logger();
    ~Logger();
    Logger(const Logger &) = delete;
    Logger &operator=(const Logger &) = delete;

    /// Returns true when some sink shows events of \a level; check before building an event.
    [[nodiscard]] bool wants(LogLevel level) const noexcept
    {
        return quint8(level) >= m_threshold.load(std::memory_order_relaxed);
    }
    /// Returns true when some sink wants message bodies.
    [[nodiscard]] bool wantsBodies() const noexcept
    {
        return m_bodies.load(std::memory_order_relaxed);
    }
    /// Adds \a sink; events go to it from now on.
    void addSink(std::shared_ptr<LogSink> sink);
    /// Removes \a sink, after handing it what was queued for it.
    void removeSink(const std::shared_ptr<LogSink> &sink);
    /// Removes every sink.
    void clearSinks();
    /// Returns true, and counts the event as dropped, when the queue is full and no immediate
    /// sink waits: an emitter checks this after wants() and before it builds the event, so
    /// that a flood costs no more than the events that are kept.
    [[nodiscard]] bool shed() noexcept
    {
        return m_full.load(std::memory_order_relaxed) && shedFull();
    }
    /// Stamps \a event (seq, time, wall) and hands it to the sinks that want it: immediate
    /// sinks now, queued ones through the drain thread.
    void post(Event &&event);
    /// Returns once every event posted before the call has been written and the sinks flushed.
    void flush();
    /// Sets how many events may wait for the drain thread (at least 16).
    void setCapacity(qsizetype events);
    /// Returns how many events were dropped because the queue was full.
    [[nodiscard]] quint64 dropped() const;
    /// Returns the number the next event will get.
    [[nodiscard]] quint64 nextSequence() const;
    /// Returns the monotonic nanoseconds since this logger started (Event::time).
    [[nodiscard]] qint64 elapsed() const;
    /// Re-reads every sink's level and body wish (after a sink changed what it captures).
    void refresh();

private:
    struct Private;
    std::unique_ptr<Private> d;
    std::atomic<quint8> m_threshold{quint8(LogLevel::None)};
    std::atomic<bool> m_bodies{false};
    std::atomic<bool> m_full{false};
    bool shedFull() noexcept;
};

namespace detail {

/// Numbers print as numbers in log text (chars and bools have overloads of their own).
template <class N>
concept LogNumber = std::is_arithmetic_v<N> && !std::is_same_v<N, char> && !std::is_same_v<N, bool>;

inline void appendLogText(QString &out, const QString &s)
{
    out += s;
}
inline void appendLogText(QString &out, QStringView s)
{
    out += s;
}
inline void appendLogText(QString &out, const char *s)
{
    out += QString::fromUtf8(s);
}
inline void appendLogText(QString &out, const Address &a)
{
    out += a.toString();
}
inline void appendLogText(QString &out, bool b)
{
    out += b ? u"true" : u"false";
}
inline void appendLogText(QString &out, char c)
{
    out += QLatin1Char(c);
}
template <LogNumber N>
void appendLogText(QString &out, N n)
{
    out += QString::number(n);
}

/// Joins \a parts into one log text.
template <class... Parts>
QString logText(const Parts &...parts)
{
    QString out;
    (appendLogText(out, parts), ...);
    return out;
}

} // namespace detail
} // namespace Parley
