// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_LOG
#error "<parley/recording.h> is in the log layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/events.h>
#include <parley/parley_export.h>

#include <QtCore/QString>

#include <memory>

/// \file
/// Recordings: files of events, written by `--record=FILE` and read by parley-trace and the
/// monitor.
///
/// A recording is a 16-byte header (the magic `PRLYREC` and a zero byte, the format version as
/// a big-endian 32-bit number, four zero bytes) followed by records. A record is a big-endian
/// 32-bit length and that many bytes of a CBOR envelope `[wire name, body]` (docs/codec.md).
/// The first record is a `parley.RuntimeInfo`; the others are `parley.Event`s. A reader skips
/// records of types it does not know. docs/events.md has the details.

namespace Parley {

/// The recording format version this library writes.
inline constexpr quint32 RecordingFormatVersion = 1;
/// The largest record a reader accepts; a longer length means a corrupt file.
inline constexpr quint32 MaxRecordSize = 16u << 20;

/// Writes a recording: the runtime's identity, then events, buffered.
class PARLEY_EXPORT RecordingWriter
{
public:
    RecordingWriter();
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter &) = delete;
    RecordingWriter &operator=(const RecordingWriter &) = delete;

    /// Creates (truncates) \a path and writes the header and \a info; false with
    /// errorString() set when the file can't be written.
    bool open(const QString &path, const RuntimeInfo &info);
    /// Appends \a event (buffered); false once a write has failed.
    bool write(const Event &event);
    /// Hands what is buffered to the operating system; false once a write has failed.
    bool flush();
    /// Flushes and closes the file.
    void close();
    [[nodiscard]] bool isOpen() const;
    /// Returns the bytes written so far, header included.
    [[nodiscard]] qint64 bytesWritten() const;
    [[nodiscard]] QString errorString() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// Reads a recording record by record, saying clearly what is wrong with a damaged file.
class PARLEY_EXPORT RecordingReader
{
public:
    /// What the last read found.
    enum class Status {
        Ok,        ///< a record was read
        End,       ///< the file ended cleanly after the last record
        Truncated, ///< the file ends inside a record (a program that was killed while writing)
        Corrupt,   ///< a record can't be decoded; errorString() says where and why
    };

    RecordingReader();
    ~RecordingReader();
    RecordingReader(const RecordingReader &) = delete;
    RecordingReader &operator=(const RecordingReader &) = delete;

    /// Opens \a path and reads its header and RuntimeInfo; false with errorString() set when it
    /// is not a recording, is of a newer format version, or is damaged at its start.
    bool open(const QString &path);
    /// Reads from \a data (a whole recording in memory) instead of a file.
    bool openData(const QByteArray &data);
    /// Returns the identity of the runtime that wrote the recording.
    [[nodiscard]] const RuntimeInfo &info() const;
    /// Reads the next event into \a event; records of unknown types are skipped.
    Status next(Event &event);
    /// Returns the byte offset of the next record.
    [[nodiscard]] qint64 position() const;
    /// Returns the size of the recording in bytes (for progress).
    [[nodiscard]] qint64 size() const;
    /// Describes the last error: what is wrong and at which byte offset.
    [[nodiscard]] QString errorString() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// A sink that writes a recording (what `--record=FILE` adds): buffered, handed to the file
/// when the logger's queue runs dry, at once after a FAULT event, and when the sink ends.
class PARLEY_EXPORT RecordingSink : public LogSink
{
public:
    /// Creates (truncates) \a path and writes \a info; check isOpen(). Captures what \a filter
    /// lets through.
    RecordingSink(const QString &path, const RuntimeInfo &info, const CaptureFilter &filter = {});
    ~RecordingSink() override;
    [[nodiscard]] bool isOpen() const;
    /// Says why the file can't be written.
    [[nodiscard]] QString errorString() const;
    /// Returns the events written so far.
    [[nodiscard]] quint64 eventsWritten() const;
    /// Returns the bytes written so far, header included.
    [[nodiscard]] qint64 bytesWritten() const;

    void write(const Event &event) override;
    void flush() override;
    [[nodiscard]] bool wantsBodies() const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Parley
