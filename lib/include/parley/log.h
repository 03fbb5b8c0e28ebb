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
/// Log records, levels and sinks.

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

/// One event: who, what, when — the unit every sink and the monitor work with.
struct PARLEY_EXPORT LogRecord
{
    qint64 msecsSinceEpoch = 0; ///< wall-clock time, UTC milliseconds
    LogLevel level = LogLevel::Debug;
    char marker = '_';    ///< + X > < ~ ^ ? ! _
    quint64 objectId = 0; ///< the object that logged, 0 for the runtime itself
    QString objectName;   ///< its name, e.g. "worker"
    QString state;        ///< the state of a StateMachine, else empty
    QString text;         ///< the human-readable text
    QString messageType;  ///< for message events: the message's type
    Address peer;         ///< for message events: the other party

    /// Returns the text form: `HH:MM:SS.mmm + <0000001a>worker - Created by <00000016>`.
    [[nodiscard]] QString toText() const;
};

/// Receives log records at or above its level; implementations must be thread-safe.
class PARLEY_EXPORT LogSink
{
public:
    explicit LogSink(LogLevel level) : m_level(level) {}
    virtual ~LogSink();
    /// Writes one record; called only for records at or above level().
    virtual void write(const LogRecord &record) = 0;
    /// Returns the lowest level this sink shows.
    [[nodiscard]] LogLevel level() const noexcept { return m_level; }

private:
    LogLevel m_level;
};

/// Writes the text form of each record to standard error, one line per record.
class PARLEY_EXPORT StderrSink : public LogSink
{
public:
    explicit StderrSink(LogLevel level) : LogSink(level) {}
    void write(const LogRecord &record) override;
};

/// Writes the text form of each record to a file, one line per record.
class PARLEY_EXPORT FileSink : public LogSink
{
public:
    /// Opens (appends to) \a path; check isOpen().
    FileSink(const QString &path, LogLevel level);
    ~FileSink() override;
    [[nodiscard]] bool isOpen() const;
    void write(const LogRecord &record) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// Distributes records to sinks; asks nothing of a record that no sink wants.
class PARLEY_EXPORT Logger
{
public:
    Logger();
    ~Logger();
    Logger(const Logger &) = delete;
    Logger &operator=(const Logger &) = delete;

    /// Returns true when some sink shows records of \a level; check before building a record.
    [[nodiscard]] bool wants(LogLevel level) const noexcept
    {
        return quint8(level) >= m_threshold.load(std::memory_order_relaxed);
    }
    /// Adds \a sink; records go to it from now on.
    void addSink(std::shared_ptr<LogSink> sink);
    /// Removes \a sink.
    void removeSink(const std::shared_ptr<LogSink> &sink);
    /// Removes every sink.
    void clearSinks();
    /// Stamps \a record with the current time (if unset) and hands it to the sinks that want it.
    void write(LogRecord record);

private:
    struct Private;
    std::unique_ptr<Private> d;
    std::atomic<quint8> m_threshold{quint8(LogLevel::None)};
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
