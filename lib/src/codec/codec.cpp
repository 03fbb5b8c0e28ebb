// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/codec.h>

#include <QtCore/QJsonValue>
#include <QtCore/QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcCodec)

namespace Parley {

namespace {

DecodeError makeError(DecodeError::Kind kind, QString message)
{
    DecodeError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

DecodeError notDecodable(const TypeInfo *type)
{
    if (!type)
        return makeError(DecodeError::Kind::NotDecodable, QStringLiteral("no message type given"));
    return makeError(DecodeError::Kind::NotDecodable,
                     QStringLiteral("message type \"%1\" has a field without a codec")
                         .arg(QLatin1String(type->wireName)));
}

// Decodes [wire name, body] or null with reader R; shared by the binary and the JSON forms.
template <class R>
DecodeResult decodeEnvelope(R &r, const TypeInfo *expected)
{
    Value value;
    if (!r.readValue(value))
        return r.takeError();
    if (expected && value.type() != expected) {
        return makeError(DecodeError::Kind::UnexpectedType,
                         QStringLiteral("expected %1, got %2")
                             .arg(QLatin1String(expected->wireName),
                                  value.isEmpty() ? QStringLiteral("an empty value")
                                                  : QLatin1String(value.type()->wireName)));
    }
    return value;
}

} // namespace

namespace detail {

QByteArray encodeTyped(const TypeInfo *type, const void *message, bool envelope,
                       const EncodeContext &context)
{
    CborWriter w(context);
    if (!type || !type->encode) {
        qCWarning(lcCodec, "cannot encode %s: a field has no codec", type ? type->wireName : "?");
        if (envelope)
            w.writeNull();
        return w.take();
    }
    if (envelope) {
        w.beginArray(2);
        w.writeUtf8(type->wireName);
    }
    type->encode(w, message);
    return w.take();
}

DecodeError decodeTypedBody(const TypeInfo *type, QByteArrayView bytes, void *out,
                            const DecodeContext &context)
{
    if (!type || !type->decode)
        return DecodeError{DecodeError::Kind::NotDecodable,
                           {},
                           QStringLiteral("message type \"%1\" has a field without a codec")
                               .arg(QString::fromUtf8(type ? type->wireName : "?"))};
    CborReader r(bytes, context);
    if (!type->decode(r, out) || !r.finish()) {
        r.prependType(type->displayName);
        return r.takeError();
    }
    return {};
}

} // namespace detail

QByteArray encode(const Value &value, const EncodeContext &context)
{
    detail::CborWriter w(context);
    w.writeValue(value);
    return w.take();
}

QByteArray encodeBody(const Value &value, const EncodeContext &context)
{
    if (value.isEmpty() || !value.type()->encode) {
        qCWarning(lcCodec, "cannot encode the body of %s", value.typeName());
        return {};
    }
    detail::CborWriter w(context);
    value.type()->encode(w, value.data());
    return w.take();
}

DecodeResult decode(QByteArrayView bytes, const TypeInfo *expected, const DecodeContext &context)
{
    detail::CborReader r(bytes, context);
    DecodeResult result = decodeEnvelope(r, expected);
    if (result && !r.finish())
        return r.takeError();
    return result;
}

DecodeResult decodeBody(QByteArrayView bytes, const TypeInfo *type, const DecodeContext &context)
{
    if (!type || !type->decode)
        return notDecodable(type);
    detail::CborReader r(bytes, context);
    Value value = Value::defaultOf(type);
    if (!type->decode(r, value.data()) || !r.finish()) {
        r.prependType(type->displayName);
        return r.takeError();
    }
    return value;
}

QJsonValue toJson(const Value &value, const EncodeContext &context)
{
    detail::JsonWriter w(context);
    w.writeValue(value);
    return w.take();
}

QJsonValue toJsonBody(const Value &value, const EncodeContext &context)
{
    if (value.isEmpty() || !value.type()->encodeJson)
        return QJsonValue::Null;
    detail::JsonWriter w(context);
    value.type()->encodeJson(w, value.data());
    return w.take();
}

DecodeResult fromJson(const QJsonValue &json, const TypeInfo *expected,
                      const DecodeContext &context)
{
    detail::JsonReader r(json, context);
    return decodeEnvelope(r, expected);
}

DecodeResult fromJsonBody(const QJsonValue &json, const TypeInfo *type,
                          const DecodeContext &context)
{
    if (!type || !type->decodeJson)
        return notDecodable(type);
    detail::JsonReader r(json, context);
    Value value = Value::defaultOf(type);
    if (!type->decodeJson(r, value.data())) {
        r.prependType(type->displayName);
        return r.takeError();
    }
    return value;
}

QString toText(const Value &value)
{
    const EncodeContext context;
    detail::JsonWriter w(context);
    w.writeValue(value);
    return w.takeText();
}

} // namespace Parley
