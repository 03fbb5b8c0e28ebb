// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CODEC
#error "<parley/codec.h> is in the codec layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/parley_export.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <array>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

/// \file
/// Encodes and decodes messages: the binary wire codec (CBOR) and the JSON text form.
///
/// Both codecs are driven by the one description of each message (PARLEY_MESSAGE); see
/// docs/codec.md for the exact layout, the limits and the error texts.
///
/// \code
/// QByteArray bytes = Parley::encode(Welcome{"ann", "srv"});          // [wire name, body]
/// Parley::DecodeResult r = Parley::decode(bytes);
/// if (!r) qWarning() << r.error().toString();  // "Welcome.yourName: expected text, got integer"
/// auto w = Parley::decode<Welcome>(bytes);                           // typed
/// QString text = Parley::toText(r.value());                          // JSON text for logs
/// \endcode
///
/// Enumerations are encoded by name; declare the names once next to the enum:
///
/// \code
/// enum class Colour { Red, Green, Blue };
/// PARLEY_ENUM(Colour, Red, Green, Blue)
/// \endcode

QT_BEGIN_NAMESPACE
class QDateTime;
class QJsonValue;
class QUuid;
QT_END_NAMESPACE

namespace Parley {

class Address;
class Value;
struct TypeInfo;

/// Rewrites one address; the network layer aliases every address inside a body with it.
using AddressRewrite = std::function<Address(const Address &)>;

/// Configures an encoder.
struct EncodeContext
{
    /// Rewrites every Address in the value as it is written (unset: addresses are kept).
    AddressRewrite rewriteAddress;
    /// When set, CBOR writes each Address as an index into this book (appending to it) instead
    /// of inline, so a frame's addresses can be rewritten without touching its body.
    std::vector<Address> *addressBook = nullptr;
};

/// Configures a decoder: the address hook and the limits that protect it from hostile input.
struct DecodeContext
{
    /// Rewrites every Address in the value as it is read (unset: addresses are kept).
    AddressRewrite rewriteAddress;
    int maxDepth = 64;                    ///< nesting of structs, containers and any-values
    qsizetype maxStringSize = 64 << 20;   ///< bytes in one text or byte string
    qsizetype maxContainerSize = 1 << 24; ///< elements in one list, set or map
    int maxAddressLength = 64;            ///< ids in one address
    /// When set, CBOR reads each Address as an index into this book (see EncodeContext).
    const std::vector<Address> *addressBook = nullptr;
    /// Ids of long addresses (more than Address::InlineCapacity hops, which take heap memory)
    /// that may be copied out of the book in one decode; -1 for no limit. Bounds what a small
    /// body of one-byte indices to a long address can make the decoder allocate.
    qsizetype maxBookIds = -1;
};

/// Describes why a decoder rejected its input, and where.
struct PARLEY_EXPORT DecodeError
{
    /// Classifies decode failures.
    enum class Kind {
        None,           ///< no error
        Truncated,      ///< the input ends inside a value
        Malformed,      ///< not well-formed CBOR or JSON (or a CBOR feature Parley doesn't use)
        TypeMismatch,   ///< a value of another type than the field's
        OutOfRange,     ///< a number that doesn't fit the field
        InvalidUtf8,    ///< text that is not valid UTF-8
        InvalidValue,   ///< a value the field's type rejects (enumerator, zone, UUID size ...)
        LimitExceeded,  ///< a DecodeContext limit: depth, string size, container size
        UnknownType,    ///< an any-message whose wire name is not registered
        UnexpectedType, ///< a message of another type than the one asked for
        NotDecodable,   ///< a registered type whose fields have no codec (in-process only)
        TrailingData,   ///< bytes left after the value
    };

    Kind kind = Kind::None;
    QString path;    ///< where: "Welcome.yourName", "Results.values[3]"
    QString message; ///< what: "expected text, got integer"

    /// Returns the one-line text: "path: message" (or only the message without a path).
    [[nodiscard]] QString toString() const;
    /// Returns the name of \a kind ("TypeMismatch").
    [[nodiscard]] static const char *kindName(Kind kind);
};

/// Holds either a decoded T or the DecodeError explaining why there is none (like std::expected).
template <class T>
class Expected
{
public:
    /// Constructs a result holding \a value.
    Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    /// Constructs a result holding \a error.
    Expected(DecodeError error) : m_state(std::in_place_index<1>, std::move(error)) {}

    /// Returns true when a value was decoded.
    [[nodiscard]] bool hasValue() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return hasValue(); }
    /// Returns the decoded value; hasValue() must be true.
    [[nodiscard]] T &value() & { return std::get<0>(m_state); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_state); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    /// Returns the error; hasValue() must be false.
    [[nodiscard]] const DecodeError &error() const { return std::get<1>(m_state); }

private:
    std::variant<T, DecodeError> m_state;
};

/// Holds a decoded message of any type, or the reason there is none.
using DecodeResult = Expected<Value>;

namespace detail {

// -- enumerations by name -----------------------------------------------------------------------

/// Names one enumerator of \a E (see PARLEY_ENUM).
template <class E>
struct Enumerator
{
    const char *name;
    E value;
};

template <class E, class... Es>
constexpr std::array<Enumerator<E>, sizeof...(Es)> makeEnumerators(int, Es... es)
{
    return {es...};
}

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires
{
    parleyEnumerators(static_cast<const E *>(nullptr));
};

} // namespace detail

/// Returns the name PARLEY_ENUM declared for \a value ("WentStale"), or null for a value it
/// did not declare. The codecs encode enumerations by this name.
template <detail::NamedEnum E>
constexpr const char *enumeratorName(E value)
{
    for (const auto &e : parleyEnumerators(static_cast<const E *>(nullptr))) {
        if (e.value == value)
            return e.name;
    }
    return nullptr;
}
} // namespace Parley

// The rest needs the message types (message.h includes this header's first half through the
// codec machinery, so the order matters).
#include <parley/message.h>

namespace Parley {

// -- public API ---------------------------------------------------------------------------------

/// Returns true when messages of \a type can be encoded (all their fields have a codec).
[[nodiscard]] inline bool isEncodable(const TypeInfo *type) noexcept
{
    return type && type->encode;
}

/// Encodes \a value as binary: a CBOR array [wire name, body]; an empty value encodes as null.
///
/// A value whose type can't be encoded (see isEncodable()) is written as null with a warning.
[[nodiscard]] PARLEY_EXPORT QByteArray encode(const Value &value,
                                              const EncodeContext &context = {});
/// Encodes only the body of \a value (the frame carries the type separately).
[[nodiscard]] PARLEY_EXPORT QByteArray encodeBody(const Value &value,
                                                  const EncodeContext &context = {});

/// Decodes a [wire name, body] array; when \a expected is set the message must be of that type.
[[nodiscard]] PARLEY_EXPORT DecodeResult decode(QByteArrayView bytes,
                                                const TypeInfo *expected = nullptr,
                                                const DecodeContext &context = {});
/// Decodes a body of message type \a type (as written by encodeBody()).
[[nodiscard]] PARLEY_EXPORT DecodeResult decodeBody(QByteArrayView bytes, const TypeInfo *type,
                                                    const DecodeContext &context = {});

/// Returns the JSON form of \a value: ["wire name", {fields}]; null when empty.
[[nodiscard]] PARLEY_EXPORT QJsonValue toJson(const Value &value,
                                              const EncodeContext &context = {});
/// Returns the JSON form of the body of \a value: {fields}.
[[nodiscard]] PARLEY_EXPORT QJsonValue toJsonBody(const Value &value,
                                                  const EncodeContext &context = {});
/// Reads the JSON form ["wire name", {fields}]; when \a expected is set it must be that type.
[[nodiscard]] PARLEY_EXPORT DecodeResult fromJson(const QJsonValue &json,
                                                  const TypeInfo *expected = nullptr,
                                                  const DecodeContext &context = {});
/// Reads the JSON form of a body of message type \a type ({fields}).
[[nodiscard]] PARLEY_EXPORT DecodeResult fromJsonBody(const QJsonValue &json, const TypeInfo *type,
                                                      const DecodeContext &context = {});
/// Returns \a value as compact JSON text, for logs and printed results.
[[nodiscard]] PARLEY_EXPORT QString toText(const Value &value);

namespace detail {
/// Encodes the message of type \a type at \a message: the [wire name, body] envelope or (with
/// \a envelope false) the body only. A type without a codec is written as null, with a warning.
[[nodiscard]] PARLEY_EXPORT QByteArray encodeTyped(const TypeInfo *type, const void *message,
                                                   bool envelope, const EncodeContext &context);
/// Decodes a body of \a type into \a out (a default-constructed message of that type); returns
/// the error, of kind None on success.
[[nodiscard]] PARLEY_EXPORT DecodeError decodeTypedBody(const TypeInfo *type, QByteArrayView bytes,
                                                        void *out, const DecodeContext &context);
} // namespace detail

/// Encodes message \a message as binary [wire name, body], without copying it into a Value.
template <Message T>
[[nodiscard]] QByteArray encode(const T &message, const EncodeContext &context = {})
{
    return detail::encodeTyped(typeOf<T>(), &message, true, context);
}

/// Encodes only the body of \a message.
template <Message T>
[[nodiscard]] QByteArray encodeBody(const T &message, const EncodeContext &context = {})
{
    return detail::encodeTyped(typeOf<T>(), &message, false, context);
}

/// Decodes a [wire name, body] array holding a \a T.
template <Message T>
[[nodiscard]] Expected<T> decode(QByteArrayView bytes, const DecodeContext &context = {})
{
    DecodeResult r = decode(bytes, typeOf<T>(), context);
    if (!r)
        return r.error();
    return std::move(r.value().template get<T>());
}

/// Decodes a body of a \a T, without going through a Value.
template <Message T>
[[nodiscard]] Expected<T> decodeBody(QByteArrayView bytes, const DecodeContext &context = {})
{
    T message{};
    DecodeError error = detail::decodeTypedBody(typeOf<T>(), bytes, &message, context);
    if (error.kind != DecodeError::Kind::None)
        return error;
    return message;
}

} // namespace Parley

/// Declares the enumerator names of enumeration \a Type, which is then encoded by name.
///
/// Place it in the namespace of the enum (next to its PARLEY_MESSAGE uses):
/// `PARLEY_ENUM(Colour, Red, Green, Blue)`.
#define PARLEY_ENUM(Type, ...)                                                                     \
    [[maybe_unused]] constexpr auto parleyEnumerators(const Type *) noexcept                       \
    {                                                                                              \
        return ::Parley::detail::makeEnumerators<Type>(                                            \
            0 PARLEY_DETAIL_FOR_EACH(PARLEY_DETAIL_ENUMERATOR, Type, __VA_ARGS__));                \
    }
#define PARLEY_DETAIL_ENUMERATOR(T, e)                                                             \
    , ::Parley::detail::Enumerator<T>                                                              \
    {                                                                                              \
#e, T::e                                                                                   \
    }
