// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/codec.h>
#include <parley/recording.h>

#include <QtCore/QBuffer>
#include <QtCore/QFile>
#include <QtCore/QtEndian>

#include <mutex>

namespace Parley {

namespace {

constexpr char Magic[8] = {'P', 'R', 'L', 'Y', 'R', 'E', 'C', '\0'};
constexpr int HeaderSize = 16;
constexpr qsizetype WriteBufferSize = 64 << 10;

void appendRecord(QByteArray &out, const QByteArray &envelope)
{
    char length[4];
    qToBigEndian(quint32(envelope.size()), length);
    out.append(length, 4);
    out.append(envelope);
}

} // namespace

// -- RecordingWriter ----------------------------------------------------------------------------

struct RecordingWriter::Private
{
    QFile file;
    QByteArray buffer;
    qint64 written = 0;
    bool failed = false;
    QString error;

    bool drain()
    {
        if (failed || !file.isOpen())
            return false;
        if (!buffer.isEmpty()) {
            if (file.write(buffer) != buffer.size()) {
                failed = true;
                error = QStringLiteral("cannot write \"%1\": %2")
                            .arg(file.fileName(), file.errorString());
                return false;
            }
            buffer.truncate(0);
        }
        return true;
    }
};

RecordingWriter::RecordingWriter() : d(std::make_unique<Private>()) {}

RecordingWriter::~RecordingWriter()
{
    close();
}

bool RecordingWriter::open(const QString &path, const RuntimeInfo &info)
{
    close();
    d->failed = false;
    d->written = 0;
    d->file.setFileName(path);
    if (!d->file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        d->error = QStringLiteral("cannot create \"%1\": %2").arg(path, d->file.errorString());
        return false;
    }
    QByteArray header(HeaderSize, '\0');
    std::memcpy(header.data(), Magic, sizeof Magic);
    qToBigEndian(RecordingFormatVersion, header.data() + 8);
    d->buffer = header;
    appendRecord(d->buffer, encode(Value(info)));
    d->written = d->buffer.size();
    return flush();
}

bool RecordingWriter::write(const Event &event)
{
    if (d->failed || !d->file.isOpen())
        return false;
    const qsizetype before = d->buffer.size();
    appendRecord(d->buffer, encode(Value(event)));
    d->written += d->buffer.size() - before;
    if (d->buffer.size() >= WriteBufferSize)
        return d->drain();
    return true;
}

bool RecordingWriter::flush()
{
    if (!d->drain())
        return false;
    if (!d->file.flush()) {
        d->failed = true;
        d->error = QStringLiteral("cannot write \"%1\": %2")
                       .arg(d->file.fileName(), d->file.errorString());
        return false;
    }
    return true;
}

void RecordingWriter::close()
{
    if (!d->file.isOpen())
        return;
    flush();
    d->file.close();
}

bool RecordingWriter::isOpen() const
{
    return d->file.isOpen() && !d->failed;
}

qint64 RecordingWriter::bytesWritten() const
{
    return d->written;
}

QString RecordingWriter::errorString() const
{
    return d->error;
}

// -- RecordingReader ----------------------------------------------------------------------------

struct RecordingReader::Private
{
    QFile file;
    QBuffer memory;
    QIODevice *device = nullptr;
    RuntimeInfo info;
    qint64 position = 0;
    QString error;
    bool dead = false;

    /// Reads one record's envelope; the status says why not.
    Status readRecord(QByteArray &envelope)
    {
        if (dead)
            return Status::Corrupt;
        char length[4];
        const qint64 got = device->read(length, 4);
        if (got == 0)
            return Status::End;
        if (got < 4) {
            error = QStringLiteral("the recording ends inside a record's length at byte %1")
                        .arg(position);
            return Status::Truncated;
        }
        const quint32 size = qFromBigEndian<quint32>(length);
        if (size == 0 || size > MaxRecordSize) {
            dead = true;
            error = QStringLiteral("a record of %1 bytes at byte %2 (the limit is %3): the "
                                   "recording is damaged")
                        .arg(size)
                        .arg(position)
                        .arg(MaxRecordSize);
            return Status::Corrupt;
        }
        const qint64 left = device->size() - device->pos();
        if (!device->isSequential() && left < qint64(size)) {
            error = QStringLiteral("the recording ends inside a record at byte %1 (%2 of %3 "
                                   "bytes present)")
                        .arg(position)
                        .arg(left)
                        .arg(size);
            return Status::Truncated;
        }
        envelope = device->read(size);
        if (envelope.size() < qsizetype(size)) {
            error = QStringLiteral("the recording ends inside a record at byte %1").arg(position);
            return Status::Truncated;
        }
        return Status::Ok;
    }

    bool start()
    {
        dead = false;
        position = 0;
        char header[HeaderSize];
        if (device->read(header, HeaderSize) != HeaderSize
            || std::memcmp(header, Magic, sizeof Magic) != 0) {
            error = QStringLiteral("not a Parley recording (bad header)");
            return false;
        }
        const quint32 version = qFromBigEndian<quint32>(header + 8);
        if (version > RecordingFormatVersion) {
            error = QStringLiteral("recording format version %1 is newer than this reader "
                                   "(version %2)")
                        .arg(version)
                        .arg(RecordingFormatVersion);
            return false;
        }
        position = HeaderSize;
        QByteArray envelope;
        const Status s = readRecord(envelope);
        if (s != Status::Ok) {
            if (s == Status::End)
                error = QStringLiteral("the recording has no runtime identity");
            return false;
        }
        auto decoded = decode<RuntimeInfo>(envelope);
        if (!decoded) {
            error = QStringLiteral("the runtime identity at byte %1 can't be read: %2")
                        .arg(position)
                        .arg(decoded.error().toString());
            return false;
        }
        info = std::move(*decoded);
        position += 4 + envelope.size();
        return true;
    }
};

RecordingReader::RecordingReader() : d(std::make_unique<Private>()) {}
RecordingReader::~RecordingReader() = default;

bool RecordingReader::open(const QString &path)
{
    d->memory.close();
    d->file.close();
    d->file.setFileName(path);
    if (!d->file.open(QIODevice::ReadOnly)) {
        d->error = QStringLiteral("cannot open \"%1\": %2").arg(path, d->file.errorString());
        return false;
    }
    d->device = &d->file;
    return d->start();
}

bool RecordingReader::openData(const QByteArray &data)
{
    d->file.close();
    d->memory.close();
    d->memory.setData(data);
    d->memory.open(QIODevice::ReadOnly);
    d->device = &d->memory;
    return d->start();
}

const RuntimeInfo &RecordingReader::info() const
{
    return d->info;
}

RecordingReader::Status RecordingReader::next(Event &event)
{
    if (!d->device)
        return Status::End;
    for (;;) {
        QByteArray envelope;
        const Status s = d->readRecord(envelope);
        if (s != Status::Ok)
            return s;
        const qint64 at = d->position;
        d->position += 4 + envelope.size();
        DecodeResult decoded = decode(envelope);
        if (!decoded) {
            if (decoded.error().kind == DecodeError::Kind::UnknownType)
                continue; // a record type from a newer writer
            d->error = QStringLiteral("the record at byte %1 can't be read: %2")
                           .arg(at)
                           .arg(decoded.error().toString());
            return Status::Corrupt; // the framing is intact: the caller may go on reading
        }
        if (Event *e = decoded->getIf<Event>()) {
            event = std::move(*e);
            return Status::Ok;
        }
        // Another known type (a RuntimeInfo of a later segment, ...): not an event.
    }
}

qint64 RecordingReader::position() const
{
    return d->position;
}

qint64 RecordingReader::size() const
{
    return d->device ? d->device->size() : 0;
}

QString RecordingReader::errorString() const
{
    return d->error;
}

// -- RecordingSink ------------------------------------------------------------------------------

namespace {
/// A sink that follows a subtree needs the Created events that say who is in it.
LogLevel sinkLevel(const CaptureFilter &filter)
{
    if (filter.subtree != 0 && quint8(filter.level) > quint8(LogLevel::Object))
        return LogLevel::Object;
    return filter.level;
}
} // namespace

struct RecordingSink::Private
{
    std::mutex lock;
    RecordingWriter writer;
    CaptureState capture;
    quint64 events = 0;
    bool reported = false;
};

RecordingSink::RecordingSink(const QString &path, const RuntimeInfo &info,
                             const CaptureFilter &filter)
    : LogSink(sinkLevel(filter)), d(std::make_unique<Private>())
{
    d->capture.setFilter(filter);
    (void)d->writer.open(path, info);
}

RecordingSink::~RecordingSink()
{
    std::lock_guard guard(d->lock);
    d->writer.close();
}

bool RecordingSink::isOpen() const
{
    std::lock_guard guard(d->lock);
    return d->writer.isOpen();
}

QString RecordingSink::errorString() const
{
    std::lock_guard guard(d->lock);
    return d->writer.errorString();
}

quint64 RecordingSink::eventsWritten() const
{
    std::lock_guard guard(d->lock);
    return d->events;
}

qint64 RecordingSink::bytesWritten() const
{
    std::lock_guard guard(d->lock);
    return d->writer.bytesWritten();
}

bool RecordingSink::wantsBodies() const
{
    return d->capture.filter().bodies;
}

void RecordingSink::write(const Event &event)
{
    std::lock_guard guard(d->lock);
    if (!d->capture.admits(event))
        return;
    if (!d->writer.isOpen())
        return;
    if (!event.body.isEmpty() && !d->capture.filter().bodies) {
        Event copy = event;
        copy.body.clear();
        copy.bodyTruncated = false;
        d->writer.write(copy);
    } else {
        d->writer.write(event);
    }
    ++d->events;
    if (event.level == LogLevel::Fault)
        d->writer.flush(); // what led to a fault survives whatever follows it
}

void RecordingSink::flush()
{
    std::lock_guard guard(d->lock);
    if (d->writer.isOpen())
        d->writer.flush();
}

} // namespace Parley
