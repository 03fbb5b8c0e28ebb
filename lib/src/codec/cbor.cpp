// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/address.h>
#include <parley/codec.h>

#include "readers_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QLoggingCategory>
#include <QtCore/QStringDecoder>
#include <QtCore/QStringEncoder>
#include <QtCore/QTimeZone>
#include <QtCore/QUuid>

#include <cmath>

Q_LOGGING_CATEGORY(lcCodec, "parley.codec")

namespace Parley {

// -- DecodeError --------------------------------------------------------------------------------

QString DecodeError::toString() const
{
    return path.isEmpty() ? message : path + QLatin1String(": ") + message;
}

const char *DecodeError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return "None";
    case Kind::Truncated:
        return "Truncated";
    case Kind::Malformed:
        return "Malformed";
    case Kind::TypeMismatch:
        return "TypeMismatch";
    case Kind::OutOfRange:
        return "OutOfRange";
    case Kind::InvalidUtf8:
        return "InvalidUtf8";
    case Kind::InvalidValue:
        return "InvalidValue";
    case Kind::LimitExceeded:
        return "LimitExceeded";
    case Kind::UnknownType:
        return "UnknownType";
    case Kind::UnexpectedType:
        return "UnexpectedType";
    case Kind::NotDecodable:
        return "NotDecodable";
    case Kind::TrailingData:
        return "TrailingData";
    }
    return "?";
}

namespace detail {

// -- DecodeState --------------------------------------------------------------------------------

bool DecodeState::fail(DecodeError::Kind kind, QString message)
{
    m_error.kind = kind;
    m_error.path.clear();
    m_error.message = std::move(message);
    return false;
}

void DecodeState::prependField(const char *name)
{
    m_error.path.prepend(QLatin1Char('.') + QLatin1String(name));
}

void DecodeState::prependIndex(qsizetype index)
{
    m_error.path.prepend(QLatin1Char('[') + QString::number(index) + QLatin1Char(']'));
}

void DecodeState::prependType(const char *displayName)
{
    m_error.path.prepend(QLatin1String(displayName));
}

void DecodeState::rewrite(Address &address) const
{
    if (m_context->rewriteAddress)
        address = m_context->rewriteAddress(address);
}

bool DecodeState::failDepth()
{
    return fail(DecodeError::Kind::LimitExceeded,
                QStringLiteral("nesting deeper than the limit of %1").arg(m_context->maxDepth));
}

bool DecodeState::failCount(const char *what, quint64 count, qsizetype room, qsizetype limit)
{
    const bool isString = qstrcmp(what, "string") == 0;
    const QLatin1String unit = isString ? QLatin1String("bytes") : QLatin1String("elements");
    // A count beyond the bytes left is forged (or cut short): say so before naming the limit.
    if (count > quint64(limit) && count <= quint64(room)) {
        return fail(DecodeError::Kind::LimitExceeded,
                    QStringLiteral("%1 of %2 %3 exceeds the limit of %4")
                        .arg(QLatin1String(what))
                        .arg(count)
                        .arg(unit)
                        .arg(limit));
    }
    return fail(DecodeError::Kind::Truncated,
                QStringLiteral("%1 of %2 %3 but only %4 bytes left")
                    .arg(QLatin1String(what))
                    .arg(count)
                    .arg(unit)
                    .arg(isString ? room : room * (qstrcmp(what, "map") == 0 ? 2 : 1)));
}

// -- CborWriter ---------------------------------------------------------------------------------

CborWriter::CborWriter(const EncodeContext &context, qsizetype reserve) : m_context(&context)
{
    m_buffer.resize(reserve);
    m_pos = m_buffer.data();
    m_end = m_pos + m_buffer.size();
}

CborWriter::CborWriter(const EncodeContext &context, QByteArray &&buffer)
    : m_context(&context), m_buffer(std::move(buffer))
{
    const qsizetype used = m_buffer.size();
    m_buffer.resize(used + std::max<qsizetype>(256, m_buffer.capacity() - used));
    m_pos = m_buffer.data() + used;
    m_end = m_buffer.data() + m_buffer.size();
}

QByteArray CborWriter::take()
{
    m_buffer.truncate(m_pos - m_buffer.constData());
    m_pos = m_end = nullptr;
    return std::move(m_buffer);
}

void CborWriter::grow(qsizetype n)
{
    const qsizetype used = m_pos - m_buffer.constData();
    m_buffer.resize(std::max(used + n, 2 * m_buffer.size()));
    m_pos = m_buffer.data() + used;
    m_end = m_buffer.data() + m_buffer.size();
}

void CborWriter::writeFloat(float f)
{
    quint32 bits;
    std::memcpy(&bits, &f, 4);
    char *p = ensure(5);
    *p++ = char(0xfa);
    m_pos = putBigEndian<4>(p, bits);
}

void CborWriter::writeDouble(double d)
{
    quint64 bits;
    std::memcpy(&bits, &d, 8);
    char *p = ensure(9);
    *p++ = char(0xfb);
    m_pos = putBigEndian<8>(p, bits);
}

static int headSize(quint64 n)
{
    return n < 24 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : n <= 0xffffffffu ? 5 : 9;
}

void CborWriter::writeText(QStringView text)
{
    // Convert straight into the buffer, behind a head sized for the worst case (3 bytes per
    // UTF-16 unit); move the bytes back when the actual length needs a shorter head.
    const qsizetype worst = 3 * text.size();
    const int reserved = headSize(quint64(worst));
    // head() below needs 9 bytes of room at `start` whatever the length: ensure it now, so
    // that it can't reallocate under `start`.
    char *start = ensure(std::max<qsizetype>(9, reserved + worst));
    QStringEncoder encoder(QStringEncoder::Utf8, QStringConverter::Flag::Stateless);
    char *end = encoder.appendToBuffer(start + reserved, text);
    const qsizetype size = end - (start + reserved);
    const int needed = headSize(quint64(size));
    if (needed != reserved)
        std::memmove(start + needed, start + reserved, size_t(size));
    m_pos = start;
    head(3, quint64(size)); // rewrites the head in place, within the room ensured above
    m_pos = start + needed + size;
}

void CborWriter::writeDateTime(const QDateTime &dt)
{
    if (!dt.isValid())
        return writeNull();
    beginArray(2);
    writeInt(dt.toMSecsSinceEpoch());
    switch (dt.timeSpec()) {
    case Qt::UTC:
        return writeInt(0);
    case Qt::OffsetFromUTC:
        return writeInt(dt.offsetFromUtc());
    case Qt::TimeZone: {
        const QByteArray id = dt.timeZone().id();
        return writeUtf8(std::string_view(id.constData(), size_t(id.size())));
    }
    case Qt::LocalTime:
        break;
    }
    writeNull();
}

void CborWriter::writeUuid(const QUuid &uuid)
{
    writeBytes(uuid.toRfc4122());
}

void CborWriter::writeAddress(const Address &address)
{
    if (m_context->addressBook) {
        m_context->addressBook->push_back(
            m_context->rewriteAddress ? m_context->rewriteAddress(address) : address);
        return writeUInt(m_context->addressBook->size() - 1);
    }
    const Address rewritten
        = m_context->rewriteAddress ? m_context->rewriteAddress(address) : address;
    beginArray(rewritten.size());
    for (Address::Id id : rewritten.ids())
        writeUInt(id);
}

void CborWriter::writeValue(const Value &value)
{
    if (value.isEmpty())
        return writeNull();
    const TypeInfo *type = value.type();
    if (!type->encode) {
        qCWarning(lcCodec, "message type %s has a field without a codec; encoded as null",
                  type->wireName);
        return writeNull();
    }
    beginArray(2);
    writeUtf8(type->wireName);
    type->encode(*this, value.data());
}

// -- CborReader ---------------------------------------------------------------------------------

static const char *describeNext(uchar ib)
{
    switch (ib >> 5) {
    case 0:
    case 1:
        return "integer";
    case 2:
        return "bytes";
    case 3:
        return "text";
    case 4:
        return "array";
    case 5:
        return "map";
    case 6:
        return "tag";
    }
    switch (ib & 31) {
    case 20:
    case 21:
        return "boolean";
    case 22:
        return "null";
    case 23:
        return "undefined";
    case 25:
    case 26:
    case 27:
        return "float";
    }
    return "simple value";
}

bool CborReader::mismatch(const char *expected)
{
    if (m_pos == m_end)
        return fail(
            DecodeError::Kind::Truncated,
            QStringLiteral("expected %1, got the end of the input").arg(QLatin1String(expected)));
    return fail(DecodeError::Kind::TypeMismatch,
                QStringLiteral("expected %1, got %2")
                    .arg(QLatin1String(expected), QLatin1String(describeNext(*m_pos))));
}

bool CborReader::finish()
{
    if (m_pos == m_end)
        return true;
    return fail(DecodeError::Kind::TrailingData,
                QStringLiteral("%1 bytes left after the value").arg(remaining()));
}

bool CborReader::longArgument(uchar ai, quint64 &v)
{
    if (ai > 27) {
        return fail(DecodeError::Kind::Malformed,
                    ai == 31 ? QStringLiteral("indefinite lengths are not supported")
                             : QStringLiteral("reserved CBOR additional information %1").arg(ai));
    }
    const int n = 1 << (ai - 24);
    if (remaining() < n)
        return fail(DecodeError::Kind::Truncated, QStringLiteral("the input ends inside a value"));
    v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | *m_pos++;
    return true;
}

bool CborReader::outOfRange(const char *type, bool negative, quint64 magnitude)
{
    // Prints -1 - magnitude exactly, even below INT64_MIN.
    const QString number = negative ? (magnitude == std::numeric_limits<quint64>::max()
                                           ? QStringLiteral("-18446744073709551616")
                                           : QLatin1Char('-') + QString::number(magnitude + 1))
                                    : QString::number(magnitude);
    return fail(DecodeError::Kind::OutOfRange,
                QStringLiteral("%1 is out of range for %2").arg(number, QLatin1String(type)));
}

static double halfToDouble(quint16 h)
{
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    double v;
    if (exponent == 0)
        v = std::ldexp(mantissa, -24);
    else if (exponent != 31)
        v = std::ldexp(mantissa + 1024, exponent - 25);
    else
        v = mantissa == 0 ? INFINITY : NAN;
    return (h & 0x8000) ? -v : v;
}

bool CborReader::readDouble(double &out)
{
    if (m_pos == m_end)
        return mismatch("number");
    const uchar ib = *m_pos;
    if (ib < 0x40) {
        const bool negative = ib >= 0x20;
        quint64 v;
        if (!argument(v))
            return false;
        out = negative ? -1.0 - double(v) : double(v);
        return true;
    }
    if (ib < 0xf9 || ib > 0xfb)
        return mismatch("number");
    const int n = ib == 0xf9 ? 2 : ib == 0xfa ? 4 : 8;
    if (remaining() < n + 1)
        return fail(DecodeError::Kind::Truncated, QStringLiteral("the input ends inside a value"));
    ++m_pos;
    quint64 bits = 0;
    for (int i = 0; i < n; ++i)
        bits = (bits << 8) | *m_pos++;
    if (n == 2) {
        out = halfToDouble(quint16(bits));
    } else if (n == 4) {
        float f;
        const quint32 b = quint32(bits);
        std::memcpy(&f, &b, 4);
        out = f;
    } else {
        std::memcpy(&out, &bits, 8);
    }
    return true;
}

static bool isAscii(const char *data, qsizetype size)
{
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 w;
        std::memcpy(&w, data + i, 8);
        if (w & 0x8080808080808080ull)
            return false;
    }
    for (; i < size; ++i) {
        if (uchar(data[i]) & 0x80)
            return false;
    }
    return true;
}

bool CborReader::readText(QString &out)
{
    const char *data = nullptr;
    qsizetype size = 0;
    if (!readTextView(data, size))
        return false;
    if (isAscii(data, size)) {
        out = QString::fromLatin1(data, size);
        return true;
    }
    // Strict: invalid sequences are an error, not U+FFFD; a leading BOM is kept as text.
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringConverter::Flag::Stateless
                               | QStringConverter::Flag::ConvertInitialBom);
    out = decoder.decode(QByteArrayView(data, size));
    if (decoder.hasError())
        return fail(DecodeError::Kind::InvalidUtf8, QStringLiteral("invalid UTF-8 in text"));
    return true;
}

bool CborReader::readBytes(QByteArray &out)
{
    if (m_pos == m_end || (*m_pos >> 5) != 2) [[unlikely]]
        return mismatch("bytes");
    const char *data = nullptr;
    qsizetype size = 0;
    if (!readString(data, size))
        return false;
    out = QByteArray(data, size);
    return true;
}

bool CborReader::readDateTime(QDateTime &out)
{
    if (readNullIf()) {
        out = QDateTime();
        return true;
    }
    qsizetype n = 0;
    if (!readArray(n))
        return false;
    if (n != 2)
        return fail(DecodeError::Kind::InvalidValue,
                    QStringLiteral("expected [milliseconds, zone], got %1 elements").arg(n));
    qint64 ms = 0;
    if (!readInteger(ms))
        return false;
    if (readNullIf()) {
        out = QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime);
        return true;
    }
    if (nextIsInteger()) {
        qint32 offset = 0;
        if (!readInteger(offset))
            return false;
        if (offset < -24 * 3600 || offset > 24 * 3600)
            return fail(DecodeError::Kind::InvalidValue,
                        QStringLiteral("UTC offset of %1 seconds is out of range").arg(offset));
        out = offset == 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
                          : QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, offset);
        return true;
    }
    const char *data = nullptr;
    qsizetype size = 0;
    if (!readTextView(data, size, "zone (offset, time zone name or null)"))
        return false;
    const QTimeZone zone(QByteArray(data, size));
    if (!zone.isValid())
        return fail(DecodeError::Kind::InvalidValue,
                    QStringLiteral("unknown time zone \"%1\"").arg(QString::fromUtf8(data, size)));
    out = QDateTime::fromMSecsSinceEpoch(ms, zone);
    return true;
}

bool CborReader::readUuid(QUuid &out)
{
    if (m_pos == m_end || (*m_pos >> 5) != 2)
        return mismatch("bytes (a UUID)");
    const char *data = nullptr;
    qsizetype size = 0;
    if (!readString(data, size))
        return false;
    if (size != 16)
        return fail(DecodeError::Kind::InvalidValue,
                    QStringLiteral("expected 16 bytes for a UUID, got %1").arg(size));
    out = QUuid::fromRfc4122(QByteArrayView(data, size));
    return true;
}

bool CborReader::readAddress(Address &out)
{
    if (const std::vector<Address> *book = context().addressBook) {
        quint64 index = 0;
        if (!readInteger(index))
            return false;
        if (index >= book->size())
            return fail(DecodeError::Kind::InvalidValue,
                        QStringLiteral("address index %1 is outside the frame's book of %2")
                            .arg(index)
                            .arg(book->size()));
        const Address &entry = (*book)[index];
        if (entry.size() > Address::InlineCapacity && context().maxBookIds >= 0) {
            m_bookIds += entry.size();
            if (m_bookIds > context().maxBookIds)
                return fail(DecodeError::Kind::LimitExceeded,
                            QStringLiteral("more than %1 ids of long addresses in one message")
                                .arg(context().maxBookIds));
        }
        out = entry;
        return true;
    }
    return readAddressFrom(*this, out);
}

bool CborReader::readValue(Value &out)
{
    return readValueFrom(*this, out, &TypeInfo::decode);
}

bool CborReader::skip()
{
    if (m_pos == m_end)
        return fail(DecodeError::Kind::Truncated, QStringLiteral("the input ends inside a value"));
    const uchar ib = *m_pos;
    const uchar major = ib >> 5;
    quint64 v;
    if (major == 7) {
        const uchar ai = ib & 31;
        if (ai > 27)
            return fail(DecodeError::Kind::Malformed,
                        QStringLiteral("reserved CBOR additional information %1").arg(ai));
    }
    if (!argument(v))
        return false;
    switch (major) {
    case 2:
    case 3:
        if (v > quint64(remaining()))
            return failCount("string", v, remaining(), std::numeric_limits<qsizetype>::max());
        m_pos += v;
        return true;
    case 4:
    case 5: {
        const int per = major == 5 ? 2 : 1;
        if (v > quint64(remaining() / per))
            return failCount(major == 5 ? "map" : "array", v, remaining() / per,
                             std::numeric_limits<qsizetype>::max());
        if (!enter())
            return false;
        for (quint64 i = 0; i < v * per; ++i) {
            if (!skip())
                return false;
        }
        leave();
        return true;
    }
    case 6: {
        if (!enter() || !skip())
            return false;
        leave();
        return true;
    }
    default:
        return true;
    }
}

} // namespace detail
} // namespace Parley
