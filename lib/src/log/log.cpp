// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/log.h>

#include <QtCore/QDateTime>
#include <QtCore/QFile>

#include <cstdio>
#include <mutex>
#include <vector>

namespace Parley {

std::optional<LogLevel> logLevelFromName(QStringView name)
{
    static const struct
    {
        const char *name;
        LogLevel level;
    } levels[] = {{"DEBUG", LogLevel::Debug},     {"TRACE", LogLevel::Trace},
                  {"OBJECT", LogLevel::Object},   {"CONSOLE", LogLevel::Console},
                  {"WARNING", LogLevel::Warning}, {"FAULT", LogLevel::Fault},
                  {"NONE", LogLevel::None}};
    for (const auto &l : levels) {
        if (name.compare(QLatin1String(l.name), Qt::CaseInsensitive) == 0)
            return l.level;
    }
    return std::nullopt;
}

QString logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return QStringLiteral("DEBUG");
    case LogLevel::Trace:
        return QStringLiteral("TRACE");
    case LogLevel::Object:
        return QStringLiteral("OBJECT");
    case LogLevel::Console:
        return QStringLiteral("CONSOLE");
    case LogLevel::Warning:
        return QStringLiteral("WARNING");
    case LogLevel::Fault:
        return QStringLiteral("FAULT");
    case LogLevel::None:
        return QStringLiteral("NONE");
    }
    return QStringLiteral("NONE");
}

QString LogRecord::toText() const
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch);
    QString out = when.toString(QStringLiteral("HH:mm:ss.zzz"));
    out += QLatin1Char(' ');
    out += QLatin1Char(marker);
    out += QLatin1Char(' ');
    out += QStringLiteral("<%1>").arg(objectId, 8, 16, QLatin1Char('0'));
    out += objectName;
    if (!state.isEmpty()) {
        out += QLatin1Char('[');
        out += state;
        out += QLatin1Char(']');
    }
    out += QLatin1String(" - ");
    out += text;
    return out;
}

LogSink::~LogSink() = default;

void StderrSink::write(const LogRecord &record)
{
    static std::mutex lock;
    const QByteArray line = record.toText().toUtf8() + '\n';
    std::lock_guard guard(lock);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

struct FileSink::Private
{
    std::mutex lock;
    QFile file;
};

FileSink::FileSink(const QString &path, LogLevel level)
    : LogSink(level), d(std::make_unique<Private>())
{
    d->file.setFileName(path);
    (void)d->file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

FileSink::~FileSink() = default;

bool FileSink::isOpen() const
{
    return d->file.isOpen();
}

void FileSink::write(const LogRecord &record)
{
    const QByteArray line = record.toText().toUtf8() + '\n';
    std::lock_guard guard(d->lock);
    if (d->file.isOpen()) {
        d->file.write(line);
        d->file.flush();
    }
}

struct Logger::Private
{
    std::mutex lock;
    std::vector<std::shared_ptr<LogSink>> sinks;
};

Logger::Logger() : d(std::make_unique<Private>()) {}
Logger::~Logger() = default;

namespace {
quint8 lowestLevel(const std::vector<std::shared_ptr<LogSink>> &sinks)
{
    quint8 lowest = quint8(LogLevel::None);
    for (const auto &s : sinks)
        lowest = std::min(lowest, quint8(s->level()));
    return lowest;
}
} // namespace

void Logger::addSink(std::shared_ptr<LogSink> sink)
{
    std::lock_guard guard(d->lock);
    d->sinks.push_back(std::move(sink));
    m_threshold.store(lowestLevel(d->sinks), std::memory_order_relaxed);
}

void Logger::removeSink(const std::shared_ptr<LogSink> &sink)
{
    std::lock_guard guard(d->lock);
    std::erase(d->sinks, sink);
    m_threshold.store(lowestLevel(d->sinks), std::memory_order_relaxed);
}

void Logger::clearSinks()
{
    std::lock_guard guard(d->lock);
    d->sinks.clear();
    m_threshold.store(quint8(LogLevel::None), std::memory_order_relaxed);
}

void Logger::write(LogRecord record)
{
    if (!wants(record.level))
        return;
    if (record.msecsSinceEpoch == 0)
        record.msecsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    std::vector<std::shared_ptr<LogSink>> sinks;
    {
        std::lock_guard guard(d->lock);
        sinks = d->sinks;
    }
    for (const auto &s : sinks) {
        if (quint8(record.level) >= quint8(s->level()) && s->level() != LogLevel::None)
            s->write(record);
    }
}

} // namespace Parley
