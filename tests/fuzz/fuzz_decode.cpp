// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Fuzz target for the binary body decoder: any bytes must decode or fail with a typed error,
// never crash, hang or allocate from a forged count. Built with -fsanitize=fuzzer under clang;
// otherwise fuzz_decode_replay.cpp supplies a main() that replays corpus files.

#include "fuzzmessages.h"

#include <parley/codec.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    // Any message type, as a connection decodes a Completed{Value} or an unknown frame.
    Parley::DecodeResult any = Parley::decode(bytes);
    if (any) {
        // What decodes must encode again and decode to the same bytes (the codec is canonical).
        const QByteArray again = Parley::encode(any.value());
        Parley::DecodeResult twice = Parley::decode(again);
        if (!twice || Parley::encode(twice.value()) != again)
            __builtin_trap();
        (void)Parley::toText(any.value());
    }
    // A body of a known type with every field kind, as frames carry it.
    (void)Parley::decodeBody<fuzz::Everything>(bytes);
    // Tight limits exercise the limit paths.
    Parley::DecodeContext tight;
    tight.maxDepth = 4;
    tight.maxStringSize = 16;
    tight.maxContainerSize = 8;
    tight.maxAddressLength = 2;
    (void)Parley::decode(bytes, nullptr, tight);
    return 0;
}
