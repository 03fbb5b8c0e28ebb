// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// Hand-made wire bytes for the frame and bad-input tests, and a reader for what a raw peer
// receives (docs/protocol.md, sections 1 and 2).

#include <QtCore/QByteArray>
#include <QtCore/QtEndian>

#include <initializer_list>
#include <vector>

namespace RawFrames {

/// Returns \a v as 4 little-endian bytes.
inline QByteArray u32(quint32 v)
{
    QByteArray out(4, '\0');
    qToLittleEndian(v, out.data());
    return out;
}
/// Returns \a ids as 8 little-endian bytes each.
inline QByteArray u64s(std::initializer_list<quint64> ids)
{
    QByteArray out;
    for (quint64 id : ids) {
        QByteArray b(8, '\0');
        qToLittleEndian(id, b.data());
        out += b;
    }
    return out;
}
/// Returns \a count ids, 1 to count.
inline QByteArray ids(int count)
{
    QByteArray out(count * 8, '\0');
    for (int i = 0; i < count; ++i)
        qToLittleEndian<quint64>(quint64(i + 1), out.data() + i * 8);
    return out;
}
/// A frame header with the given fields followed by \a rest; `length` covers the rest unless
/// \a length is given.
inline QByteArray rawFrame(quint8 kind, quint8 toCount, quint8 fromCount, quint8 typeLength,
                           quint32 bodyLength, const QByteArray &rest, qint64 length = -1)
{
    QByteArray out = u32(length >= 0 ? quint32(length) : quint32(8 + rest.size()));
    out += char(kind);
    out += char(toCount);
    out += char(fromCount);
    out += char(typeLength);
    out += u32(bodyLength);
    out += rest;
    return out;
}

/// Returns the kind byte of each whole frame in \a stream, which starts with the sender's 8-byte
/// preamble; stops at the first incomplete frame. Reads only the length and kind fields, so it
/// does not depend on the library's own parser.
inline std::vector<quint8> frameKinds(const QByteArray &stream)
{
    std::vector<quint8> kinds;
    qsizetype at = 8; // the preamble
    while (at + 5 <= stream.size()) {
        const quint32 length = qFromLittleEndian<quint32>(stream.constData() + at);
        if (length < 8 || qsizetype(length) > stream.size() - at - 4)
            break;
        kinds.push_back(quint8(stream[at + 4]));
        at += 4 + qsizetype(length);
    }
    return kinds;
}

} // namespace RawFrames
