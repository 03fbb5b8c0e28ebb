// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Fuzz target for the recording reader (docs/events.md, "Recordings"): any bytes must open or be
// refused with a reason, then read record by record to a clean end, a cut or a damaged record,
// never crash, hang or allocate from a forged length. After a damaged record it goes on when
// the reader has moved past it, as parley-trace and the monitor do. The events it reads are
// rendered and filtered as parley-trace does. Built with -fsanitize=fuzzer under clang;
// otherwise fuzz_decode_replay.cpp supplies a main() that replays corpus files.

#include <parley/codec.h>
#include <parley/recording.h>

#include <QtCore/QJsonValue>

#include <cstddef>
#include <cstdint>

using namespace Parley;

namespace {

void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    RecordingReader reader;
    if (!reader.openData(bytes)) {
        check(!reader.errorString().isEmpty());
        return 0;
    }
    check(reader.size() == qint64(size));
    (void)toJsonBody(Value(reader.info()));

    CaptureState subtree(CaptureFilter{LogLevel::Debug, 2, {}, false});
    Event e;
    for (;;) {
        const qint64 before = reader.position();
        check(before <= reader.size());
        const RecordingReader::Status status = reader.next(e);
        if (status == RecordingReader::Status::Ok) {
            check(reader.position() > before); // every record is at least its length
            (void)formatEvent(e);
            (void)toJsonBody(Value(e));
            (void)subtree.admits(e);
            continue;
        }
        if (status == RecordingReader::Status::End) {
            check(reader.position() == reader.size());
            break;
        }
        check(!reader.errorString().isEmpty());
        if (status == RecordingReader::Status::Corrupt && reader.position() > before)
            continue; // a damaged record inside intact framing: go on with the next one
        break;
    }
    return 0;
}
