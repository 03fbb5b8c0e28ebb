// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/address.h>
#include <parley/codec.h>

#include "readers_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimeZone>
#include <QtCore/QUuid>
#include <QtCore/QVariant>

#include <cmath>
#include <vector>

Q_DECLARE_LOGGING_CATEGORY(lcCodec)

namespace Parley::detail {

// -- JsonWriter ---------------------------------------------------------------------------------

struct JsonWriter::Private
{
    struct Frame
    {
        bool isObject;
        QJsonArray array;
        QJsonObject object;
        QString key;
    };
    std::vector<Frame> stack;
    QJsonValue root;

    void put(QJsonValue v)
    {
        if (stack.empty()) {
            root = std::move(v);
        } else if (stack.back().isObject) {
            stack.back().object.insert(stack.back().key, v);
        } else {
            stack.back().array.append(v);
        }
    }
};

JsonWriter::JsonWriter(const EncodeContext &context) : m_context(&context), d(new Private) {}
JsonWriter::~JsonWriter() = default;

QJsonValue JsonWriter::take()
{
    return std::move(d->root);
}

QString JsonWriter::takeText()
{
    // QJsonDocument only holds arrays and objects: print any value inside an array, then unwrap.
    const QByteArray text = QJsonDocument(QJsonArray{take()}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.constData() + 1, text.size() - 2);
}

void JsonWriter::writeBool(bool b)
{
    d->put(b);
}
void JsonWriter::writeNull()
{
    d->put(QJsonValue::Null);
}

void JsonWriter::writeUInt(quint64 v)
{
    // JSON numbers past int64 would be rounded through double: those travel as decimal text.
    if (v > quint64(std::numeric_limits<qint64>::max()))
        d->put(QString::number(v));
    else
        d->put(qint64(v));
}

void JsonWriter::writeInt(qint64 v)
{
    d->put(v);
}

void JsonWriter::writeDouble(double v)
{
    if (std::isnan(v))
        d->put(QStringLiteral("NaN"));
    else if (std::isinf(v))
        d->put(v > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity"));
    else
        d->put(v);
}

void JsonWriter::writeBytes(const QByteArray &bytes)
{
    d->put(QString::fromLatin1(bytes.toBase64()));
}

void JsonWriter::writeKey(std::string_view utf8)
{
    d->stack.back().key = QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
}

void JsonWriter::writeUtf8(std::string_view utf8)
{
    d->put(QString::fromUtf8(utf8.data(), qsizetype(utf8.size())));
}

void JsonWriter::writeText(QStringView text)
{
    d->put(text.toString());
}
void JsonWriter::writeKeyText(QStringView text)
{
    d->stack.back().key = text.toString();
}
void JsonWriter::beginArray(qsizetype)
{
    d->stack.push_back({false, {}, {}, {}});
}

void JsonWriter::endArray()
{
    QJsonArray a = std::move(d->stack.back().array);
    d->stack.pop_back();
    d->put(a);
}

void JsonWriter::beginMap(qsizetype)
{
    d->stack.push_back({true, {}, {}, {}});
}

void JsonWriter::endMap()
{
    QJsonObject o = std::move(d->stack.back().object);
    d->stack.pop_back();
    d->put(o);
}

void JsonWriter::writeDateTime(const QDateTime &dt)
{
    // ISO 8601 with milliseconds and the offset ("Z" for UTC, none for local time), plus
    // the IANA zone in brackets for zoned times (RFC 9557):
    // 2026-03-01T10:00:00.000+01:00[Europe/Paris]
    if (!dt.isValid())
        return writeNull();
    QString text = dt.toString(Qt::ISODateWithMs);
    if (dt.timeSpec() == Qt::TimeZone) {
        if (!text.endsWith(QLatin1Char('Z')) && !text.contains(QLatin1Char('+'), Qt::CaseSensitive)
            && text.lastIndexOf(QLatin1Char('-')) < 10) {
            // Qt versions that omit the offset for zoned times: add it, RFC 3339 needs it.
            const int offset = dt.offsetFromUtc();
            text += QStringLiteral("%1%2:%3")
                        .arg(offset < 0 ? QLatin1Char('-') : QLatin1Char('+'))
                        .arg(std::abs(offset) / 3600, 2, 10, QLatin1Char('0'))
                        .arg(std::abs(offset) % 3600 / 60, 2, 10, QLatin1Char('0'));
        }
        text += QLatin1Char('[') + QString::fromUtf8(dt.timeZone().id()) + QLatin1Char(']');
    }
    d->put(text);
}

void JsonWriter::writeUuid(const QUuid &uuid)
{
    d->put(uuid.toString(QUuid::WithoutBraces));
}

void JsonWriter::writeAddress(const Address &address)
{
    const Address rewritten
        = m_context->rewriteAddress ? m_context->rewriteAddress(address) : address;
    beginArray(rewritten.size());
    for (Address::Id id : rewritten.ids())
        writeUInt(id);
    endArray();
}

void JsonWriter::writeValue(const Value &value)
{
    if (value.isEmpty())
        return writeNull();
    const TypeInfo *type = value.type();
    if (!type->encodeJson) {
        qCWarning(lcCodec, "message type %s has a field without a codec; written as null",
                  type->wireName);
        return writeNull();
    }
    beginArray(2);
    writeUtf8(type->wireName);
    type->encodeJson(*this, value.data());
    endArray();
}

// -- JsonReader ---------------------------------------------------------------------------------

struct JsonReader::Private
{
    struct Frame
    {
        QJsonArray array;
        QJsonObject object;
        bool isObject = false;
        qsizetype index = 0;
        bool haveValue = false; // readKey() has set `value`
        QJsonValue value;
    };
    QJsonValue root;
    bool rootRead = false;
    std::vector<Frame> stack;
    QByteArray key;

    // Containers are left implicitly: a finished frame is popped when the next value is asked for.
    void popFinished()
    {
        while (!stack.empty()) {
            const Frame &f = stack.back();
            const bool done = f.isObject ? (!f.haveValue && f.index >= f.object.size())
                                         : f.index >= f.array.size();
            if (!done)
                return;
            stack.pop_back();
        }
    }
    // Returns the next value; `available` is false at the end of the input.
    QJsonValue peek(bool *available)
    {
        popFinished();
        *available = true;
        if (stack.empty()) {
            *available = !rootRead;
            return rootRead ? QJsonValue(QJsonValue::Undefined) : root;
        }
        Frame &f = stack.back();
        if (f.isObject) {
            *available = f.haveValue;
            return f.haveValue ? f.value : QJsonValue(QJsonValue::Undefined);
        }
        return f.array.at(f.index);
    }
    void advance()
    {
        if (stack.empty()) {
            rootRead = true;
            return;
        }
        Frame &f = stack.back();
        if (f.isObject)
            f.haveValue = false; // the index moved on in readKey()
        else
            ++f.index;
    }
};

JsonReader::JsonReader(const QJsonValue &root, const DecodeContext &context)
    : DecodeState(context), d(new Private)
{
    d->root = root;
}

JsonReader::~JsonReader() = default;

static const char *describeJson(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return "null";
    case QJsonValue::Bool:
        return "boolean";
    case QJsonValue::Double: {
        const QVariant var = v.toVariant();
        return var.typeId() == QMetaType::Double ? "float" : "integer";
    }
    case QJsonValue::String:
        return "text";
    case QJsonValue::Array:
        return "array";
    case QJsonValue::Object:
        return "map";
    case QJsonValue::Undefined:
        break;
    }
    return "nothing";
}

bool JsonReader::mismatch(const char *expected)
{
    bool available;
    const QJsonValue next = d->peek(&available);
    if (!available)
        return fail(
            DecodeError::Kind::Truncated,
            QStringLiteral("expected %1, got the end of the input").arg(QLatin1String(expected)));
    return fail(DecodeError::Kind::TypeMismatch,
                QStringLiteral("expected %1, got %2")
                    .arg(QLatin1String(expected), QLatin1String(describeJson(next))));
}

bool JsonReader::readBool(bool &out)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isBool())
        return mismatch("boolean");
    out = v.toBool();
    d->advance();
    return true;
}

bool JsonReader::nextIsInteger() const
{
    bool available;
    const QJsonValue v = d->peek(&available);
    return v.isDouble();
}

bool JsonReader::readSigned(qint64 &out, qint64 min, qint64 max, const char *type)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    qint64 n;
    if (v.isDouble()) {
        const QVariant var = v.toVariant();
        if (var.typeId() == QMetaType::Double) {
            const double x = var.toDouble();
            if (x != std::floor(x) || !std::isfinite(x))
                return mismatch("integer");
            if (x < -9223372036854775808.0 || x >= 9223372036854775808.0)
                return fail(DecodeError::Kind::OutOfRange,
                            QStringLiteral("%1 is out of range for %2")
                                .arg(x, 0, 'g', 17)
                                .arg(QLatin1String(type)));
            n = qint64(x);
        } else {
            n = var.toLongLong();
        }
    } else if (v.isString()) {
        bool ok;
        n = v.toString().toLongLong(&ok);
        if (!ok)
            return mismatch("integer");
    } else {
        return mismatch("integer");
    }
    if (n < min || n > max)
        return fail(DecodeError::Kind::OutOfRange,
                    QStringLiteral("%1 is out of range for %2").arg(n).arg(QLatin1String(type)));
    out = n;
    d->advance();
    return true;
}

bool JsonReader::readUnsigned(quint64 &out, quint64 max, const char *type)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (v.isString()) {
        bool ok;
        const quint64 n = v.toString().toULongLong(&ok);
        if (!ok)
            return mismatch("integer");
        if (n > max)
            return fail(
                DecodeError::Kind::OutOfRange,
                QStringLiteral("%1 is out of range for %2").arg(n).arg(QLatin1String(type)));
        out = n;
        d->advance();
        return true;
    }
    qint64 n;
    if (!readSigned(n, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(),
                    type))
        return false;
    if (n < 0 || quint64(n) > max) {
        return fail(DecodeError::Kind::OutOfRange,
                    QStringLiteral("%1 is out of range for %2").arg(n).arg(QLatin1String(type)));
    }
    out = quint64(n);
    return true;
}

bool JsonReader::readDouble(double &out)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (v.isDouble()) {
        out = v.toDouble();
    } else if (v.isString() && v.toString() == QLatin1String("NaN")) {
        out = NAN;
    } else if (v.isString() && v.toString() == QLatin1String("Infinity")) {
        out = INFINITY;
    } else if (v.isString() && v.toString() == QLatin1String("-Infinity")) {
        out = -INFINITY;
    } else {
        return mismatch("number");
    }
    d->advance();
    return true;
}

bool JsonReader::readKey(const char *&data, qsizetype &size)
{
    d->popFinished();
    if (d->stack.empty() || !d->stack.back().isObject)
        return mismatch("a field name");
    Private::Frame &f = d->stack.back();
    // An index, not an iterator: iterators point at the QJsonObject, which moves with the stack.
    const auto it = f.object.constBegin() + f.index++;
    d->key = it.key().toUtf8();
    f.value = it.value();
    f.haveValue = true;
    data = d->key.constData();
    size = d->key.size();
    return true;
}

bool JsonReader::readKeyText(QString &out)
{
    const char *data = nullptr;
    qsizetype size = 0;
    if (!readKey(data, size))
        return false;
    out = QString::fromUtf8(data, size);
    return true;
}

bool JsonReader::readUtf8(const char *&data, qsizetype &size, const char *expected)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isString())
        return mismatch(expected);
    d->key = v.toString().toUtf8();
    data = d->key.constData();
    size = d->key.size();
    d->advance();
    return true;
}

bool JsonReader::readText(QString &out)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isString())
        return mismatch("text");
    out = v.toString();
    if (out.size() > m_context->maxStringSize)
        return fail(DecodeError::Kind::LimitExceeded,
                    QStringLiteral("string of %1 characters exceeds the limit of %2")
                        .arg(out.size())
                        .arg(m_context->maxStringSize));
    d->advance();
    return true;
}

bool JsonReader::readBytes(QByteArray &out)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isString())
        return mismatch("text (base64)");
    auto decoded = QByteArray::fromBase64Encoding(v.toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return fail(DecodeError::Kind::InvalidValue, QStringLiteral("invalid base64"));
    out = std::move(decoded.decoded);
    d->advance();
    return true;
}

bool JsonReader::readArray(qsizetype &size)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isArray())
        return mismatch("array");
    d->advance();
    Private::Frame f;
    f.array = v.toArray();
    size = f.array.size();
    if (size > m_context->maxContainerSize)
        return failCount("array", quint64(size), size, m_context->maxContainerSize);
    d->stack.push_back(std::move(f));
    return true;
}

bool JsonReader::readMap(qsizetype &size)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isObject())
        return mismatch("map");
    d->advance();
    Private::Frame f;
    f.isObject = true;
    f.object = v.toObject();
    size = f.object.size();
    if (size > m_context->maxContainerSize)
        return failCount("map", quint64(size), size, m_context->maxContainerSize);
    d->stack.push_back(std::move(f));
    return true;
}

bool JsonReader::readNullIf()
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!available || !v.isNull())
        return false;
    d->advance();
    return true;
}

bool JsonReader::readDateTime(QDateTime &out)
{
    if (readNullIf()) {
        out = QDateTime();
        return true;
    }
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isString())
        return mismatch("text (a date-time)");
    QString text = v.toString();
    QByteArray zoneId;
    if (text.endsWith(QLatin1Char(']'))) {
        const qsizetype open = text.lastIndexOf(QLatin1Char('['));
        if (open > 0) {
            zoneId = text.mid(open + 1, text.size() - open - 2).toUtf8();
            text.truncate(open);
        }
    }
    QDateTime dt = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!dt.isValid())
        return fail(DecodeError::Kind::InvalidValue,
                    QStringLiteral("invalid date-time \"%1\"").arg(v.toString()));
    if (!zoneId.isEmpty()) {
        const QTimeZone zone(zoneId);
        if (!zone.isValid())
            return fail(DecodeError::Kind::InvalidValue,
                        QStringLiteral("unknown time zone \"%1\"").arg(QString::fromUtf8(zoneId)));
        dt = dt.toTimeZone(zone);
    } else if (dt.timeSpec() == Qt::OffsetFromUTC && dt.offsetFromUtc() == 0) {
        dt = dt.toUTC();
    }
    out = dt;
    d->advance();
    return true;
}

bool JsonReader::readUuid(QUuid &out)
{
    bool available;
    const QJsonValue v = d->peek(&available);
    if (!v.isString())
        return mismatch("text (a UUID)");
    const QString text = v.toString();
    const QUuid uuid = QUuid::fromString(text);
    if (uuid.isNull() && text != QLatin1String("00000000-0000-0000-0000-000000000000"))
        return fail(DecodeError::Kind::InvalidValue,
                    QStringLiteral("invalid UUID \"%1\"").arg(text));
    out = uuid;
    d->advance();
    return true;
}

bool JsonReader::readAddress(Address &out)
{
    return readAddressFrom(*this, out);
}

bool JsonReader::readValue(Value &out)
{
    return readValueFrom(*this, out, &TypeInfo::decodeJson);
}

bool JsonReader::skip()
{
    bool available;
    d->peek(&available);
    if (!available)
        return fail(DecodeError::Kind::Truncated, QStringLiteral("the input ends inside a value"));
    d->advance();
    return true;
}

} // namespace Parley::detail
