// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "frame_p.h"

#include <parley/codec.h>

#include <QtCore/QtEndian>

#include <cstring>

namespace Parley::Wire {

namespace {

void putU32(char *p, quint32 v)
{
    qToLittleEndian(v, p);
}
quint32 getU32(const char *p)
{
    return qFromLittleEndian<quint32>(p);
}

/// Appends the ids of \a a; when \a homeMark, its last id is written as 0.
void appendIds(QByteArray &out, const Address &a, bool homeMark)
{
    const auto ids = a.ids();
    const qsizetype at = out.size();
    out.resize(at + qsizetype(ids.size()) * 8);
    char *p = out.data() + at;
    for (size_t i = 0; i < ids.size(); ++i, p += 8)
        qToLittleEndian<quint64>(homeMark && i + 1 == ids.size() ? 0 : ids[i], p);
}

/// The outgoing rule: an address whose last id is the proxy goes out with 0 in its place.
bool goesHome(const Address &a, Address::Id proxyId)
{
    return !a.isNull() && a.last() == proxyId;
}

void appendBook(QByteArray &out, const std::vector<Address> &book, Address::Id proxyId)
{
    for (const Address &a : book) {
        out.append(char(quint8(a.size())));
        appendIds(out, a, goesHome(a, proxyId));
    }
}

/// Starts a message frame: the header with zero lengths, to, from and the type name.
/// Returns the offset of the frame in \a out.
qsizetype beginMessage(QByteArray &out, const Address &to, const Address &from, QByteArrayView type,
                       Address::Id proxyId, const Trace &trace)
{
    const qsizetype start = out.size();
    const bool traced = trace.messageId != 0;
    out.resize(start + HeaderSize + (traced ? TraceSize : 0));
    char *h = out.data() + start;
    putU32(h, 0);
    h[4] = char(traced ? Kind::TracedMessage : Kind::Message);
    if (traced) {
        qToLittleEndian<quint64>(trace.messageId, h + HeaderSize);
        qToLittleEndian<quint64>(trace.origin, h + HeaderSize + 8);
    }
    h[5] = char(quint8(to.size()));
    h[6] = char(quint8(from.size()));
    h[7] = char(quint8(type.size()));
    putU32(h + 8, 0);
    appendIds(out, to, false); // `to` travels as it is
    appendIds(out, from, goesHome(from, proxyId));
    out.append(type.data(), type.size());
    return start;
}

/// Checks the parts of a message frame that the header can't hold.
bool checkAddresses(const Address &to, const Address &from, QByteArrayView type, size_t bookSize,
                    QString &error)
{
    if (to.size() > MaxAddressLength || from.size() > MaxAddressLength) {
        error = QStringLiteral("an address of more than %1 hops").arg(MaxAddressLength);
        return false;
    }
    if (type.isEmpty() || type.size() > 255) {
        error = QStringLiteral("a type name of %1 bytes (1 to 255 allowed)").arg(type.size());
        return false;
    }
    if (bookSize > size_t(MaxBookEntries)) {
        error = QStringLiteral("%1 addresses in one message (at most %2)")
                    .arg(bookSize)
                    .arg(MaxBookEntries);
        return false;
    }
    return true;
}

bool finishMessage(QByteArray &out, qsizetype start, qsizetype bodyStart, qsizetype bodyEnd,
                   qsizetype maxFrameSize, QString &error)
{
    const qsizetype length = out.size() - start - LengthSize;
    if (length > maxFrameSize) {
        error = QStringLiteral("a frame of %1 bytes exceeds the limit of %2")
                    .arg(length)
                    .arg(maxFrameSize);
        out.truncate(start);
        return false;
    }
    char *h = out.data() + start;
    putU32(h, quint32(length));
    putU32(h + 8, quint32(bodyEnd - bodyStart));
    return true;
}

} // namespace

void appendPreamble(QByteArray &out, Mode mode)
{
    out.append(Magic, 4);
    out.append(char(Version));
    out.append(char(mode));
    out.append(2, '\0');
}

PreambleCheck checkPreamble(QByteArrayView data, Mode mode)
{
    // Reject a wrong first byte at once: a peer speaking something else is told early.
    const qsizetype n = std::min<qsizetype>(data.size(), 4);
    if (n > 0 && std::memcmp(data.data(), Magic, size_t(n)) != 0)
        return PreambleCheck::NotParley;
    if (data.size() < PreambleSize)
        return PreambleCheck::NeedMore;
    if (quint8(data[4]) != Version)
        return PreambleCheck::WrongVersion;
    if (quint8(data[5]) != quint8(mode))
        return quint8(data[5]) <= quint8(Mode::Encrypted) ? PreambleCheck::WrongMode
                                                          : PreambleCheck::NotParley;
    return PreambleCheck::Ok;
}

ParseStatus parseFrame(QByteArrayView data, qsizetype maxFrameSize, Frame &frame,
                       qsizetype &consumed, qsizetype &needed, QString &error)
{
    consumed = 0;
    needed = 0;
    if (data.size() < LengthSize)
        return ParseStatus::NeedMore;
    const quint32 length = getU32(data.data());
    if (qsizetype(length) < MinFrameSize || qsizetype(length) > maxFrameSize) {
        error = qsizetype(length) < MinFrameSize
            ? QStringLiteral("frame length %1 is shorter than a header").arg(length)
            : QStringLiteral("frame length %1 exceeds the limit of %2")
                  .arg(length)
                  .arg(maxFrameSize);
        return ParseStatus::Error;
    }
    needed = LengthSize + qsizetype(length);
    if (data.size() < needed)
        return ParseStatus::NeedMore;

    const char *h = data.data();
    const char *end = h + needed;
    const auto kind = Kind(quint8(h[4]));
    const int toCount = quint8(h[5]);
    const int fromCount = quint8(h[6]);
    const int typeLength = quint8(h[7]);
    const quint32 bodyLength = getU32(h + 8);
    const char *p = h + HeaderSize;

    frame = Frame{};
    frame.kind = kind;
    switch (kind) {
    case Kind::Ping:
    case Kind::Pong:
    case Kind::Close:
    case Kind::Confirm:
        if (toCount || fromCount || typeLength) {
            error = QStringLiteral("a control frame with addresses or a type name");
            return ParseStatus::Error;
        }
        if (qsizetype(bodyLength) != end - p
            || (kind == Kind::Close ? bodyLength > MaxCloseNote : bodyLength != 0)) {
            error = QStringLiteral("a control frame with a body of %1 bytes").arg(bodyLength);
            return ParseStatus::Error;
        }
        frame.body = QByteArrayView(p, bodyLength);
        consumed = needed;
        return ParseStatus::Ok;
    case Kind::Message:
        break;
    case Kind::TracedMessage:
        if (end - p < TraceSize) {
            error = QStringLiteral("a traced message frame too short for its trace");
            return ParseStatus::Error;
        }
        frame.kind = Kind::Message;
        frame.trace.messageId = qFromLittleEndian<quint64>(p);
        frame.trace.origin = qFromLittleEndian<quint64>(p + 8);
        p += TraceSize;
        break;
    default:
        error = QStringLiteral("unknown frame kind %1").arg(quint8(h[4]));
        return ParseStatus::Error;
    }

    if (toCount > MaxAddressLength || fromCount > MaxAddressLength) {
        error = QStringLiteral("an address of %1 hops exceeds the limit of %2")
                    .arg(std::max(toCount, fromCount))
                    .arg(MaxAddressLength);
        return ParseStatus::Error;
    }
    if (typeLength == 0) {
        error = QStringLiteral("a message frame without a type name");
        return ParseStatus::Error;
    }
    const qsizetype fixed = qsizetype(toCount + fromCount) * 8 + typeLength;
    if (fixed > end - p || qsizetype(bodyLength) > end - p - fixed) {
        error = QStringLiteral("frame parts of %1 bytes overrun a frame of %2")
                    .arg(fixed + qsizetype(bodyLength))
                    .arg(end - p);
        return ParseStatus::Error;
    }
    auto readIds = [&p](Address &out, int count) {
        for (int i = 0; i < count; ++i, p += 8)
            out.append(qFromLittleEndian<quint64>(p));
    };
    readIds(frame.to, toCount);
    readIds(frame.from, fromCount);
    frame.type = QByteArrayView(p, typeLength);
    p += typeLength;
    frame.body = QByteArrayView(p, bodyLength);
    p += bodyLength;
    while (p < end) {
        const int count = quint8(*p++);
        if (count > MaxAddressLength) {
            error = QStringLiteral("a body address of %1 hops exceeds the limit of %2")
                        .arg(count)
                        .arg(MaxAddressLength);
            return ParseStatus::Error;
        }
        if (qsizetype(count) * 8 > end - p) {
            error = QStringLiteral("a body address overruns its frame");
            return ParseStatus::Error;
        }
        if (frame.book.size() == size_t(MaxBookEntries)) {
            error = QStringLiteral("more than %1 addresses in one message").arg(MaxBookEntries);
            return ParseStatus::Error;
        }
        frame.book.emplace_back();
        readIds(frame.book.back(), count);
    }
    consumed = needed;
    return ParseStatus::Ok;
}

bool appendMessage(QByteArray &out, const Address &to, const Address &from, const Value &message,
                   Address::Id proxyId, qsizetype maxFrameSize, QString &error, const Trace &trace)
{
    const TypeInfo *type = message.type();
    if (!type || !type->encode) {
        error = QStringLiteral("a message of type %1 has no wire codec")
                    .arg(QLatin1StringView(message.typeName()));
        return false;
    }
    const QByteArrayView typeName(type->wireName);
    if (!checkAddresses(to, from, typeName, 0, error))
        return false;
    const qsizetype start = beginMessage(out, to, from, typeName, proxyId, trace);
    const qsizetype bodyStart = out.size();
    std::vector<Address> book;
    EncodeContext context;
    context.addressBook = &book;
    {
        detail::CborWriter writer(context, std::move(out));
        type->encode(writer, message.data());
        out = writer.take();
    }
    const qsizetype bodyEnd = out.size();
    if (!book.empty()) {
        if (!checkAddresses(to, from, typeName, book.size(), error)) {
            out.truncate(start);
            return false;
        }
        for (const Address &a : book) {
            if (a.size() > MaxAddressLength) {
                error = QStringLiteral("an address of more than %1 hops in the body")
                            .arg(MaxAddressLength);
                out.truncate(start);
                return false;
            }
        }
        appendBook(out, book, proxyId);
    }
    return finishMessage(out, start, bodyStart, bodyEnd, maxFrameSize, error);
}

bool appendEncoded(QByteArray &out, const Address &to, const Address &from, QByteArrayView type,
                   QByteArrayView body, const std::vector<Address> &book, Address::Id proxyId,
                   qsizetype maxFrameSize, QString &error, const Trace &trace)
{
    if (!checkAddresses(to, from, type, book.size(), error))
        return false;
    for (const Address &a : book) {
        if (a.size() > MaxAddressLength) {
            error = QStringLiteral("an address of more than %1 hops in the body")
                        .arg(MaxAddressLength);
            return false;
        }
    }
    const qsizetype start = beginMessage(out, to, from, type, proxyId, trace);
    const qsizetype bodyStart = out.size();
    out.append(body.data(), body.size());
    const qsizetype bodyEnd = out.size();
    appendBook(out, book, proxyId);
    return finishMessage(out, start, bodyStart, bodyEnd, maxFrameSize, error);
}

void appendControl(QByteArray &out, Kind kind, QByteArrayView note)
{
    if (note.size() > MaxCloseNote)
        note.truncate(MaxCloseNote);
    const qsizetype start = out.size();
    out.resize(start + HeaderSize);
    char *h = out.data() + start;
    putU32(h, quint32(HeaderSize - LengthSize + note.size()));
    h[4] = char(kind);
    h[5] = h[6] = h[7] = 0;
    putU32(h + 8, quint32(note.size()));
    out.append(note.data(), note.size());
}

DecodeContext bodyContext(const Frame &frame, qsizetype maxFrameSize)
{
    DecodeContext context;
    context.addressBook = &frame.book;
    context.maxStringSize = maxFrameSize;
    context.maxContainerSize = maxFrameSize;
    context.maxBookIds = frame.body.size() + qsizetype(frame.book.size()) * MaxAddressLength;
    return context;
}

void aliasIncoming(Address &address, Address::Id proxyId, const Address &home)
{
    if (address.isNull())
        return;
    if (address.last() == 0) {
        address.removeLast();
        if (address.isNull())
            address = home;
    } else {
        address.append(proxyId);
    }
}

} // namespace Parley::Wire
