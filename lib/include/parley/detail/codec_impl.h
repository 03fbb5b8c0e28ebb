// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CODEC
#error "<parley/detail/codec_impl.h> is in the codec layer (docs/design-notes.md, Layers)"
#endif

/// \file
/// \internal
/// The machinery behind the codecs: the CBOR and JSON readers and writers, and the per-field
/// codec templates that PARLEY_MESSAGE instantiates for each message type. Not part of the API:
/// it is installed because those templates are; include <parley/codec.h> instead.

#include <parley/codec.h>
#include <parley/message.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

QT_BEGIN_NAMESPACE
class QDateTime;
class QJsonValue;
class QUuid;
QT_END_NAMESPACE

namespace Parley {
namespace detail {

// -- decoder state shared by the binary and the JSON readers ------------------------------------

/// Carries the limits, the nesting depth and the first error of one decode.
class PARLEY_EXPORT DecodeState
{
public:
    explicit DecodeState(const DecodeContext &context) : m_context(&context) {}

    [[nodiscard]] const DecodeContext &context() const noexcept { return *m_context; }
    /// Records the error and returns false (so callers can `return fail(...)`).
    bool fail(DecodeError::Kind kind, QString message);
    /// Prefixes the error path with ".name" while the failure unwinds through a struct.
    void prependField(const char *name);
    /// Prefixes the error path with "[index]" while the failure unwinds through a container.
    void prependIndex(qsizetype index);
    /// Prefixes the error path with the display name of the message type at the root.
    void prependType(const char *displayName);
    /// Enters one level of nesting; fails when the context's depth limit is passed.
    bool enter()
    {
        if (++m_depth <= m_context->maxDepth)
            return true;
        return failDepth();
    }
    /// Leaves one level of nesting.
    void leave() noexcept { --m_depth; }
    /// Returns the current nesting depth (0 at the top-level message).
    [[nodiscard]] int depth() const noexcept { return m_depth; }
    /// Applies the context's address rewrite.
    void rewrite(Address &address) const;
    [[nodiscard]] const DecodeError &error() const noexcept { return m_error; }
    [[nodiscard]] DecodeError takeError() { return std::move(m_error); }

protected:
    bool failDepth();
    bool failCount(const char *what, quint64 count, qsizetype room, qsizetype limit);
    const DecodeContext *m_context;
    int m_depth = 0;
    DecodeError m_error;
};

/// Returns "int8" ... "uint64" for integer type I (used in error texts).
template <class I>
constexpr const char *integerName()
{
    constexpr bool s = std::is_signed_v<I>;
    switch (sizeof(I)) {
    case 1:
        return s ? "int8" : "uint8";
    case 2:
        return s ? "int16" : "uint16";
    case 4:
        return s ? "int32" : "uint32";
    default:
        return s ? "int64" : "uint64";
    }
}

// -- binary: CBOR writer ------------------------------------------------------------------------

/// Writes CBOR (RFC 8949, preferred serialisation, definite lengths only) into a byte array.
class PARLEY_EXPORT CborWriter
{
public:
    static constexpr bool isJson = false;

    explicit CborWriter(const EncodeContext &context, qsizetype reserve = 256);
    /// Constructs a writer that appends to \a buffer (take() hands it back, grown).
    CborWriter(const EncodeContext &context, QByteArray &&buffer);

    [[nodiscard]] const EncodeContext &context() const noexcept { return *m_context; }
    /// Returns the bytes written so far and leaves the writer empty.
    QByteArray take();

    void head(quint8 major, quint64 value)
    {
        char *p = ensure(9);
        const char m = char(major << 5);
        if (value < 24) {
            *p++ = char(m | char(value));
        } else if (value <= 0xff) {
            *p++ = char(m | 24);
            *p++ = char(value);
        } else if (value <= 0xffff) {
            *p++ = char(m | 25);
            p = putBigEndian<2>(p, value);
        } else if (value <= 0xffffffffu) {
            *p++ = char(m | 26);
            p = putBigEndian<4>(p, value);
        } else {
            *p++ = char(m | 27);
            p = putBigEndian<8>(p, value);
        }
        m_pos = p;
    }
    void writeBool(bool b) { *ensure(1) = char(b ? 0xf5 : 0xf4), ++m_pos; }
    void writeNull() { *ensure(1) = char(0xf6), ++m_pos; }
    void writeUInt(quint64 v) { head(0, v); }
    void writeInt(qint64 v) { v < 0 ? head(1, ~quint64(v)) : head(0, quint64(v)); }
    void writeFloat(float f);
    void writeDouble(double d);
    void writeRaw(quint8 major, const char *data, qsizetype size)
    {
        head(major, quint64(size));
        std::memcpy(ensure(size), data, size_t(size));
        m_pos += size;
    }
    void writeBytes(const char *data, qsizetype size) { writeRaw(2, data, size); }
    void writeBytes(const QByteArray &bytes) { writeRaw(2, bytes.constData(), bytes.size()); }
    void writeKey(std::string_view utf8) { writeRaw(3, utf8.data(), qsizetype(utf8.size())); }
    void writeUtf8(std::string_view utf8) { writeRaw(3, utf8.data(), qsizetype(utf8.size())); }
    void writeText(QStringView text);
    void writeKeyText(QStringView text) { writeText(text); }
    void beginArray(qsizetype size) { head(4, quint64(size)); }
    void endArray() {}
    void beginMap(qsizetype size) { head(5, quint64(size)); }
    void endMap() {}
    void writeDateTime(const QDateTime &dt);
    void writeUuid(const QUuid &uuid);
    void writeAddress(const Address &address);
    void writeValue(const Value &value);

private:
    template <int N>
    static char *putBigEndian(char *p, quint64 v)
    {
        for (int i = N - 1; i >= 0; --i)
            *p++ = char(v >> (8 * i));
        return p;
    }
    char *ensure(qsizetype n)
    {
        if (m_end - m_pos < n) [[unlikely]]
            grow(n);
        return m_pos;
    }
    void grow(qsizetype n);

    const EncodeContext *m_context;
    QByteArray m_buffer;
    char *m_pos = nullptr;
    char *m_end = nullptr;
};

// -- binary: CBOR reader ------------------------------------------------------------------------

/// Reads CBOR written by CborWriter (or any definite-length CBOR) with every count checked.
class PARLEY_EXPORT CborReader : public DecodeState
{
public:
    static constexpr bool isJson = false;

    CborReader(QByteArrayView bytes, const DecodeContext &context)
        : DecodeState(context), m_pos(reinterpret_cast<const uchar *>(bytes.data())),
          m_end(m_pos + bytes.size())
    {
    }

    [[nodiscard]] qsizetype remaining() const noexcept { return m_end - m_pos; }
    /// Fails with TrailingData unless the whole input was read.
    bool finish();

    bool readBool(bool &out)
    {
        if (m_pos != m_end && (*m_pos | 1) == 0xf5) {
            out = *m_pos++ == 0xf5;
            return true;
        }
        return mismatch("boolean");
    }
    template <class I>
    bool readInteger(I &out)
    {
        if (m_pos == m_end || *m_pos >= 0x40) [[unlikely]]
            return mismatch("integer");
        const bool negative = *m_pos >= 0x20;
        quint64 v;
        if (!argument(v))
            return false;
        if (!negative) {
            if (v > quint64(std::numeric_limits<I>::max())) [[unlikely]]
                return outOfRange(integerName<I>(), false, v);
            out = I(v);
            return true;
        }
        if constexpr (std::is_signed_v<I>) {
            // -1 - v must be >= min, i.e. v <= -(min + 1) = max.
            if (v > quint64(std::numeric_limits<I>::max())) [[unlikely]]
                return outOfRange(integerName<I>(), true, v);
            out = I(-1 - qint64(v));
            return true;
        } else {
            return outOfRange(integerName<I>(), true, v);
        }
    }
    bool readDouble(double &out);
    /// Reads the next text or fails; \a data points into the input (not validated as UTF-8).
    bool readTextView(const char *&data, qsizetype &size, const char *expected = "text")
    {
        if (m_pos == m_end || (*m_pos >> 5) != 3) [[unlikely]]
            return mismatch(expected);
        return readString(data, size);
    }
    bool readUtf8(const char *&data, qsizetype &size, const char *expected)
    {
        return readTextView(data, size, expected);
    }
    bool readKey(const char *&data, qsizetype &size)
    {
        return readTextView(data, size, "text (a field name)");
    }
    /// Returns true when the next value is an integer.
    [[nodiscard]] bool nextIsInteger() const noexcept { return m_pos != m_end && *m_pos < 0x40; }
    bool readText(QString &out);
    bool readKeyText(QString &out) { return readText(out); }
    bool readBytes(QByteArray &out);
    bool readArray(qsizetype &size)
    {
        if (m_pos == m_end || (*m_pos >> 5) != 4) [[unlikely]]
            return mismatch("array");
        return readCount(size, 1, "array");
    }
    bool readMap(qsizetype &size)
    {
        if (m_pos == m_end || (*m_pos >> 5) != 5) [[unlikely]]
            return mismatch("map");
        return readCount(size, 2, "map");
    }
    /// Consumes a null and returns true when the next value is null.
    bool readNullIf()
    {
        if (m_pos != m_end && *m_pos == 0xf6) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool readDateTime(QDateTime &out);
    bool readUuid(QUuid &out);
    bool readAddress(Address &out);
    bool readValue(Value &out);
    /// Skips one value of any type (an unknown field).
    bool skip();

    /// Fails with TypeMismatch: "expected <expected>, got <what the next value is>".
    bool mismatch(const char *expected);

private:
    bool argument(quint64 &v)
    {
        const uchar ai = *m_pos & 31;
        ++m_pos;
        if (ai < 24) {
            v = ai;
            return true;
        }
        return longArgument(ai, v);
    }
    bool longArgument(uchar ai, quint64 &v);
    bool readString(const char *&data, qsizetype &size)
    {
        quint64 n;
        if (!argument(n))
            return false;
        if (n > quint64(remaining()) || n > quint64(m_context->maxStringSize)) [[unlikely]]
            return failCount("string", n, remaining(), m_context->maxStringSize);
        data = reinterpret_cast<const char *>(m_pos);
        size = qsizetype(n);
        m_pos += n;
        return true;
    }
    bool readCount(qsizetype &size, int bytesPerElement, const char *what)
    {
        quint64 n;
        if (!argument(n))
            return false;
        // Every element takes at least one byte: a count larger than what is left is forged.
        if (n > quint64(remaining() / bytesPerElement) || n > quint64(m_context->maxContainerSize))
            [[unlikely]]
            return failCount(what, n, remaining() / bytesPerElement, m_context->maxContainerSize);
        size = qsizetype(n);
        return true;
    }
    bool outOfRange(const char *type, bool negative, quint64 magnitude);

    const uchar *m_pos;
    const uchar *m_end;
    qsizetype m_bookIds = 0; ///< ids of long addresses copied out of the book so far
};

// -- JSON writer and reader (out of line: the text form is not on the hot path) ---------------

/// Builds a QJsonValue with the same calls as CborWriter.
class PARLEY_EXPORT JsonWriter
{
public:
    static constexpr bool isJson = true;

    explicit JsonWriter(const EncodeContext &context);
    ~JsonWriter();
    JsonWriter(const JsonWriter &) = delete;
    JsonWriter &operator=(const JsonWriter &) = delete;

    [[nodiscard]] const EncodeContext &context() const noexcept { return *m_context; }
    /// Returns the value built.
    QJsonValue take();
    /// Returns the value built as compact JSON text.
    QString takeText();

    void writeBool(bool b);
    void writeNull();
    void writeUInt(quint64 v);
    void writeInt(qint64 v);
    void writeFloat(float f) { writeDouble(double(f)); }
    void writeDouble(double d);
    void writeBytes(const QByteArray &bytes);
    void writeKey(std::string_view utf8);
    void writeUtf8(std::string_view utf8);
    void writeText(QStringView text);
    void writeKeyText(QStringView text);
    void beginArray(qsizetype size);
    void endArray();
    void beginMap(qsizetype size);
    void endMap();
    void writeDateTime(const QDateTime &dt);
    void writeUuid(const QUuid &uuid);
    void writeAddress(const Address &address);
    void writeValue(const Value &value);

private:
    struct Private;
    const EncodeContext *m_context;
    std::unique_ptr<Private> d;
};

/// Walks a QJsonValue with the same calls as CborReader.
class PARLEY_EXPORT JsonReader : public DecodeState
{
public:
    static constexpr bool isJson = true;

    JsonReader(const QJsonValue &root, const DecodeContext &context);
    ~JsonReader();
    JsonReader(const JsonReader &) = delete;
    JsonReader &operator=(const JsonReader &) = delete;

    bool readBool(bool &out);
    template <class I>
    bool readInteger(I &out)
    {
        if constexpr (std::is_signed_v<I>) {
            qint64 v;
            if (!readSigned(v, std::numeric_limits<I>::min(), std::numeric_limits<I>::max(),
                            integerName<I>()))
                return false;
            out = I(v);
        } else {
            quint64 v;
            if (!readUnsigned(v, std::numeric_limits<I>::max(), integerName<I>()))
                return false;
            out = I(v);
        }
        return true;
    }
    bool readDouble(double &out);
    bool readKey(const char *&data, qsizetype &size);
    bool readUtf8(const char *&data, qsizetype &size, const char *expected);
    [[nodiscard]] bool nextIsInteger() const;
    bool readText(QString &out);
    bool readKeyText(QString &out);
    bool readBytes(QByteArray &out);
    bool readArray(qsizetype &size);
    bool readMap(qsizetype &size);
    bool readNullIf();
    bool readDateTime(QDateTime &out);
    bool readUuid(QUuid &out);
    bool readAddress(Address &out);
    bool readValue(Value &out);
    bool skip();
    bool mismatch(const char *expected);

private:
    bool readSigned(qint64 &out, qint64 min, qint64 max, const char *type);
    bool readUnsigned(quint64 &out, quint64 max, const char *type);
    struct Private;
    std::unique_ptr<Private> d;
};

// -- per-field-type codecs ----------------------------------------------------------------------

/// Encodes and decodes one field type; specialised per type. `supported` is false for types
/// without a codec: messages with such fields work in-process but can't be encoded.
template <class T, class = void>
struct FieldCodec
{
    static constexpr bool supported = false;
};

template <class T>
concept Codable = FieldCodec<T>::supported;

template <>
struct FieldCodec<bool>
{
    static constexpr bool supported = true;
    template <class W>
    static void encode(W &w, bool v)
    {
        w.writeBool(v);
    }
    template <class R>
    static bool decode(R &r, bool &v)
    {
        return r.readBool(v);
    }
};

template <class I>
struct FieldCodec<I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
{
    static constexpr bool supported = true;
    template <class W>
    static void encode(W &w, I v)
    {
        if constexpr (std::is_signed_v<I>)
            w.writeInt(qint64(v));
        else
            w.writeUInt(quint64(v));
    }
    template <class R>
    static bool decode(R &r, I &v)
    {
        return r.readInteger(v);
    }
};

template <class F>
struct FieldCodec<F, std::enable_if_t<std::is_floating_point_v<F>>>
{
    static constexpr bool supported = sizeof(F) <= sizeof(double);
    template <class W>
    static void encode(W &w, F v)
    {
        if constexpr (sizeof(F) == sizeof(float))
            w.writeFloat(v);
        else
            w.writeDouble(v);
    }
    template <class R>
    static bool decode(R &r, F &v)
    {
        double d;
        if (!r.readDouble(d))
            return false;
        v = F(d);
        return true;
    }
};

// Leaf types: the readers and writers have a call of their own for each.
#define PARLEY_DETAIL_LEAF_CODEC(Type, writeCall, readCall)                                        \
    template <>                                                                                    \
    struct FieldCodec<Type>                                                                        \
    {                                                                                              \
        static constexpr bool supported = true;                                                    \
        template <class W>                                                                         \
        static void encode(W &w, const Type &v)                                                    \
        {                                                                                          \
            w.writeCall(v);                                                                        \
        }                                                                                          \
        template <class R>                                                                         \
        static bool decode(R &r, Type &v)                                                          \
        {                                                                                          \
            return r.readCall(v);                                                                  \
        }                                                                                          \
    };
PARLEY_DETAIL_LEAF_CODEC(QString, writeText, readText)
PARLEY_DETAIL_LEAF_CODEC(QByteArray, writeBytes, readBytes)
PARLEY_DETAIL_LEAF_CODEC(QDateTime, writeDateTime, readDateTime)
PARLEY_DETAIL_LEAF_CODEC(QUuid, writeUuid, readUuid)
PARLEY_DETAIL_LEAF_CODEC(Address, writeAddress, readAddress)
PARLEY_DETAIL_LEAF_CODEC(Value, writeValue, readValue)
#undef PARLEY_DETAIL_LEAF_CODEC

template <class E>
struct FieldCodec<E, std::enable_if_t<std::is_enum_v<E>>>
{
    static constexpr bool supported = NamedEnum<E>;
    static constexpr auto enumerators()
    {
        return parleyEnumerators(static_cast<const E *>(nullptr));
    }
    template <class W>
    static void encode(W &w, E v)
    {
        if (const char *name = enumeratorName(v))
            return w.writeUtf8(name);
        w.writeInt(qint64(v)); // an undeclared value travels as its number
    }
    template <class R>
    static bool decode(R &r, E &v)
    {
        if (r.nextIsInteger()) {
            std::underlying_type_t<E> n = 0;
            if (!r.readInteger(n))
                return false;
            v = E(n);
            return true;
        }
        const char *data = nullptr;
        qsizetype size = 0;
        if (!r.readUtf8(data, size, "text (an enumerator name)"))
            return false;
        return lookUp(r, std::string_view(data, size_t(size)), v);
    }
    template <class R>
    static bool lookUp(R &r, std::string_view name, E &v)
    {
        for (const auto &e : enumerators()) {
            if (name == e.name) {
                v = e.value;
                return true;
            }
        }
        // An open enum (one with an enumerator named Unknown) takes names from a newer writer.
        for (const auto &e : enumerators()) {
            if (std::string_view(e.name) == "Unknown") {
                v = e.value;
                return true;
            }
        }
        return r.fail(DecodeError::Kind::InvalidValue,
                      QStringLiteral("unknown enumerator \"%1\"")
                          .arg(QString::fromUtf8(name.data(), qsizetype(name.size()))));
    }
};

// Containers are recognised by shape, so this header needs none of <vector>, <map>, QMap ...
template <class C>
concept OptionalLike = requires(C c)
{
    typename C::value_type;
    c.has_value();
    c.reset();
    c.emplace();
    *c;
};
template <class C>
concept MapLike = requires(C c)
{
    typename C::key_type;
    typename C::mapped_type;
    c.begin();
    c.end();
    c.size();
    c.clear();
};
template <class C>
concept SetLike = !MapLike<C> && requires(C c, typename C::value_type v)
{
    typename C::key_type;
    c.insert(v);
    c.begin();
    c.size();
    c.clear();
};
template <class C>
concept Appendable = requires(C c, typename C::value_type v)
{
    c.push_back(std::move(v));
    c.begin();
    c.size();
    c.clear();
};
template <class C>
concept IsText = std::is_same_v<C, QString> || std::is_same_v<C, QByteArray>;
template <class C>
concept ListLike = !MapLike<C> && !SetLike<C> && !IsText<C> && Appendable<C>;

template <OptionalLike C>
struct FieldCodec<C>
{
    using E = typename C::value_type;
    static constexpr bool supported = Codable<E>;
    template <class W>
    static void encode(W &w, const C &v)
    {
        if (v.has_value())
            FieldCodec<E>::encode(w, *v);
        else
            w.writeNull();
    }
    template <class R>
    static bool decode(R &r, C &v)
    {
        if (r.readNullIf()) {
            v.reset();
            return true;
        }
        v.emplace();
        return FieldCodec<E>::decode(r, *v);
    }
};

/// Reserves room for at most 256 KiB of elements up front; larger lists grow as they are read,
/// so a forged count can't make the decoder allocate much more than the input's size.
template <std::size_t ElementSize, class C>
void reserveSome(C &c, qsizetype n)
{
    constexpr qsizetype bytes = 256 * 1024, size = qsizetype(ElementSize);
    constexpr qsizetype cap = bytes / size > 16 ? bytes / size : 16;
    if constexpr (requires { c.reserve(n); })
        c.reserve(n < cap ? n : cap);
}

template <class C>
concept ListOrSet = ListLike<C> || SetLike<C>;

template <ListOrSet C>
struct FieldCodec<C>
{
    using E = typename C::value_type;
    static constexpr bool supported = Codable<E>;
    template <class W>
    static void encode(W &w, const C &v)
    {
        w.beginArray(qsizetype(v.size()));
        for (const auto &e : v)
            FieldCodec<E>::encode(w, e);
        w.endArray();
    }
    template <class R>
    static bool decode(R &r, C &v)
    {
        qsizetype n = 0;
        if (!r.enter() || !r.readArray(n))
            return false;
        v.clear();
        reserveSome<sizeof(E)>(v, n);
        for (qsizetype i = 0; i < n; ++i) {
            E e{};
            if (!FieldCodec<E>::decode(r, e)) [[unlikely]] {
                r.prependIndex(i);
                return false;
            }
            if constexpr (ListLike<C>)
                v.push_back(std::move(e));
            else
                v.insert(std::move(e));
        }
        r.leave();
        return true;
    }
};

// QMap and QHash have insert() where std::map has insert_or_assign().
template <class C, class K, class V>
void insertOrAssign(C &c, K &&k, V &&v)
{
    if constexpr (requires { c.insert_or_assign(std::move(k), std::move(v)); })
        c.insert_or_assign(std::move(k), std::move(v));
    else
        c.insert(std::move(k), std::move(v));
}

template <MapLike C>
struct FieldCodec<C>
{
    using K = typename C::key_type;
    using V = typename C::mapped_type;
    static constexpr bool supported = Codable<K> && Codable<V>;
    static constexpr bool textKeys = std::is_same_v<K, QString>;

    template <class It>
    static const K &keyOf(const It &it)
    {
        if constexpr (requires { it.key(); })
            return it.key();
        else
            return it->first;
    }
    template <class It>
    static const V &valueOf(const It &it)
    {
        if constexpr (requires { it.key(); })
            return it.value();
        else
            return it->second;
    }
    template <class W>
    static void encode(W &w, const C &v)
    {
        // JSON objects only have text keys: other maps become arrays of [key, value] pairs.
        if constexpr (W::isJson && !textKeys) {
            w.beginArray(qsizetype(v.size()));
            for (auto it = v.begin(); it != v.end(); ++it) {
                w.beginArray(2);
                FieldCodec<K>::encode(w, keyOf(it));
                FieldCodec<V>::encode(w, valueOf(it));
                w.endArray();
            }
            w.endArray();
        } else {
            w.beginMap(qsizetype(v.size()));
            for (auto it = v.begin(); it != v.end(); ++it) {
                if constexpr (textKeys)
                    w.writeKeyText(keyOf(it));
                else
                    FieldCodec<K>::encode(w, keyOf(it));
                FieldCodec<V>::encode(w, valueOf(it));
            }
            w.endMap();
        }
    }
    template <class R>
    static bool decode(R &r, C &v)
    {
        qsizetype n = 0;
        if (!r.enter())
            return false;
        constexpr bool pairs = R::isJson && !textKeys;
        if (!(pairs ? r.readArray(n) : r.readMap(n)))
            return false;
        v.clear();
        reserveSome<sizeof(K) + sizeof(V)>(v, n);
        for (qsizetype i = 0; i < n; ++i) {
            K key{};
            V value{};
            bool ok;
            if constexpr (pairs) {
                qsizetype two = 0;
                ok = r.enter() && r.readArray(two);
                if (ok && two != 2)
                    ok = r.fail(
                        DecodeError::Kind::InvalidValue,
                        QStringLiteral("expected a [key, value] pair, got %1 elements").arg(two));
                ok = ok && FieldCodec<K>::decode(r, key) && FieldCodec<V>::decode(r, value);
                if (ok)
                    r.leave();
            } else if constexpr (textKeys) {
                ok = r.readKeyText(key) && FieldCodec<V>::decode(r, value);
            } else {
                ok = FieldCodec<K>::decode(r, key) && FieldCodec<V>::decode(r, value);
            }
            if (!ok) [[unlikely]] {
                r.prependIndex(i);
                return false;
            }
            insertOrAssign(v, std::move(key), std::move(value));
        }
        r.leave();
        return true;
    }
};

/// Encodes and decodes a declared struct (PARLEY_MESSAGE): a map keyed by field names.
template <class T>
struct StructCodec
{
    static constexpr auto description = describeMessage<T>();
    static constexpr std::size_t count = decltype(description)::fieldCount;

    template <std::size_t I>
    using MemberType = typename std::tuple_element_t<I, decltype(description.fields)>::MemberType;

    template <std::size_t... I>
    static constexpr bool allCodable(std::index_sequence<I...>)
    {
        return (Codable<std::remove_cv_t<MemberType<I>>> && ...);
    }
    static constexpr bool supported = allCodable(std::make_index_sequence<count>());

    template <std::size_t... I>
    static constexpr std::array<std::string_view, count> namesOf(std::index_sequence<I...>)
    {
        return {std::string_view(std::get<I>(description.fields).name)...};
    }
    static constexpr std::array<std::string_view, count> names
        = namesOf(std::make_index_sequence<count>());

    template <std::size_t... I>
    static constexpr std::array<const char *, count + 1> cNamesOf(std::index_sequence<I...>)
    {
        return {std::get<I>(description.fields).name..., nullptr};
    }
    static constexpr std::array<const char *, count + 1> fieldNames
        = cNamesOf(std::make_index_sequence<count>());

    template <class W>
    static void encode(W &w, const T &v)
    {
        w.beginMap(qsizetype(count));
        encodeFields(w, v, std::make_index_sequence<count>());
        w.endMap();
    }
    template <class W, std::size_t... I>
    static void encodeFields(W &w, const T &v, std::index_sequence<I...>)
    {
        ((w.writeKey(names[I]),
          FieldCodec<std::remove_cv_t<MemberType<I>>>::encode(
              w, v.*(std::get<I>(description.fields).member))),
         ...);
    }

    template <class R>
    static bool decode(R &r, T &v)
    {
        qsizetype n = 0;
        if (!r.enter() || !r.readMap(n))
            return false;
        for (qsizetype i = 0; i < n; ++i) {
            const char *key = nullptr;
            qsizetype size = 0;
            if (!r.readKey(key, size))
                return false;
            const std::string_view name(key, size_t(size));
            // Fields usually come in declaration order: try the expected one first.
            std::size_t index = std::size_t(i) < count && names[std::size_t(i)] == name
                ? std::size_t(i)
                : indexOf(name);
            if (index == count) {
                if (!r.skip()) // an unknown field, from a newer version of the type
                    return false;
                continue;
            }
            if (!decodeField(r, v, index, std::make_index_sequence<count>())) [[unlikely]]
                return false;
        }
        r.leave();
        return true;
    }
    static std::size_t indexOf(std::string_view name)
    {
        for (std::size_t i = 0; i < count; ++i) {
            if (names[i] == name)
                return i;
        }
        return count;
    }
    template <class R, std::size_t... I>
    static bool decodeField(R &r, T &v, std::size_t index, std::index_sequence<I...>)
    {
        bool ok = true;
        (void)((I == index
                && (ok = FieldCodec<std::remove_cv_t<MemberType<I>>>::decode(
                        r, v.*(std::get<I>(description.fields).member)),
                    true))
               || ...);
        if (!ok)
            r.prependField(names[index].data());
        return ok;
    }
};

template <Message T>
struct FieldCodec<T>
{
    static constexpr bool supported = StructCodec<T>::supported;
    template <class W>
    static void encode(W &w, const T &v)
    {
        StructCodec<T>::encode(w, v);
    }
    template <class R>
    static bool decode(R &r, T &v)
    {
        return StructCodec<T>::decode(r, v);
    }
};

/// Fills the codec entries of a TypeInfo (called by makeTypeInfo).
template <class T>
void fillCodec(TypeInfo &info)
{
    using S = StructCodec<T>;
    info.fieldNames = S::fieldNames.data();
    info.fieldCount = S::count;
    if constexpr (S::supported) {
        info.encode
            = [](CborWriter &w, const void *obj) { S::encode(w, *static_cast<const T *>(obj)); };
        info.decode = [](CborReader &r, void *obj) { return S::decode(r, *static_cast<T *>(obj)); };
        info.encodeJson
            = [](JsonWriter &w, const void *obj) { S::encode(w, *static_cast<const T *>(obj)); };
        info.decodeJson
            = [](JsonReader &r, void *obj) { return S::decode(r, *static_cast<T *>(obj)); };
        info.toText = [](const void *obj) {
            const EncodeContext context;
            JsonWriter w(context);
            S::encode(w, *static_cast<const T *>(obj));
            return w.takeText();
        };
    }
}

} // namespace detail
} // namespace Parley
