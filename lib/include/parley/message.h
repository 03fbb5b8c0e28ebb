// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CODEC
#error "<parley/message.h> is in the codec layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/parley_export.h>

#include <QtCore/QString>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <new>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

/// \file
/// Declares messages: one description per message type.
///
/// A message is a plain struct declared once with its fields:
///
/// \code
/// struct Hello { QString myName; };
/// PARLEY_MESSAGE(Hello, myName)
/// PARLEY_MESSAGE_AS(Welcome, "demo.Welcome", yourName, myName)   // explicit wire name
/// \endcode
///
/// The macro goes in the namespace of the struct. It defines `parleyDescribe(const T*)`, found
/// by argument-dependent lookup, returning a constexpr Parley::detail::Description: the wire
/// name and a tuple of (field name, member pointer) pairs. Everything that needs to know a
/// message's shape — dispatch, logs, the wire codec, the JSON text form, the monitor — reads
/// this one description. The macro also registers the type by wire name at start-up, so an
/// incoming frame can be decoded before any code in the process has touched the type.
///
/// A wire name stands for one shape of message in a process. Declaring the same struct in
/// several translation units (one header included twice) is the normal case and shares one
/// entry; two declarations that give one wire name different fields, field types or sizes
/// (`a::Hello{QString}` and `b::Hello{QByteArray}`, both `PARLEY_MESSAGE(Hello, ...)`) stop the
/// program at registration with a message naming both: give one of them another wire name
/// with PARLEY_MESSAGE_AS.

namespace Parley {

class Value;
struct TypeInfo;

namespace detail {

class CborWriter;
class CborReader;
class JsonWriter;
class JsonReader;
template <class T>
void fillCodec(TypeInfo &info); // defined in codec.h

/// Describes one field of a message: its name and its member pointer.
template <class Class, class Member>
struct Field
{
    using ClassType = Class;
    using MemberType = Member;
    const char *name;
    Member Class::*member;
};

/// Describes a message type: its wire name and its fields, in declaration order.
template <class T, class... Fields>
struct Description
{
    using Type = T;
    const char *wireName;
    std::tuple<Fields...> fields;
    static constexpr std::size_t fieldCount = sizeof...(Fields);
};

template <class T, class... Fields>
constexpr Description<T, Fields...> describe(const char *wireName, Fields... fields)
{
    return {wireName, std::tuple<Fields...>{fields...}};
}

/// Registers a type description at static-initialisation time (see PARLEY_MESSAGE).
template <class T>
struct AutoRegister
{
    static const TypeInfo *const info;
};

} // namespace detail

/// Satisfied by every type declared with PARLEY_MESSAGE.
template <class T>
concept Message = requires
{
    parleyDescribe(static_cast<const T *>(nullptr));
}
&&std::is_move_constructible_v<T> &&std::is_default_constructible_v<T>;

/// Satisfied by a message (of any reference kind) that converts to a Value.
template <class T>
concept MessageValue
    = Message<std::remove_cvref_t<T>> && !std::same_as<std::remove_cvref_t<T>, Value>;

/// Returns the description of message type \a T (wire name and fields).
template <Message T>
constexpr auto describeMessage()
{
    return parleyDescribe(static_cast<const T *>(nullptr));
}

/// Summarises a fault carried by a message (Faulted, Aborted, TimedOut, network faults ...).
struct FaultView
{
    QString condition;
    QString explanation;
    int exitStatus = 0;
};

/// Runtime descriptor of a message type: one per wire name per process, compared by address.
///
/// The core uses the name, the value operations and the optional fault view; the codec entries
/// (filled from the same description, see codec.h) are null for types with a field that has no
/// codec: such messages work in-process but can't cross a process boundary.
struct TypeInfo
{
    const char *wireName;
    const char *displayName; ///< the wire name's last component, for logs ("demo.Hello" -> "Hello")
    /// The shape the wire name stands for, set at registration: the wire name, the size and
    /// alignment, and each field's name and C++ type, e.g. `demo.Hello[24/8]{myName:QString}`.
    /// Two declarations may share a wire name only when their fingerprints are equal.
    const char *fingerprint;
    const std::type_info *cppType; ///< the C++ type that registered the wire name first
    /// The fields' C++ types in declaration order, null-terminated (for the fingerprint).
    const std::type_info *const *fieldTypes;
    std::size_t size;
    std::size_t align;
    bool nothrowMove;
    /// A Value holding this type may move by copying its bytes: the type is trivially
    /// copyable, or too big for the inline buffer (so the Value holds only a pointer).
    bool relocatable;
    /// A Value holding this type needs no destructor call (trivially destructible, inline).
    bool trivialDestroy;
    void (*defaultConstruct)(void *dst);
    void (*moveConstruct)(void *dst, void *src);
    void (*copyConstruct)(void *dst, const void *src); ///< null when the type can't be copied
    void (*destroy)(void *obj) noexcept;
    /// Null unless the type is a fault; returns whether the value at \a obj is one, and
    /// describes it in \a out (when not null).
    bool (*fault)(const void *obj, FaultView *out);
    bool notice; ///< a notice (NoticeTraits): dropped quietly, never bounced

    // -- codec (codec.h) --
    const char *const *fieldNames; ///< field names in declaration order, null-terminated
    std::size_t fieldCount;
    void (*encode)(detail::CborWriter &w, const void *obj);     ///< writes the binary body
    bool (*decode)(detail::CborReader &r, void *obj);           ///< reads a binary body into obj
    void (*encodeJson)(detail::JsonWriter &w, const void *obj); ///< writes the JSON body
    bool (*decodeJson)(detail::JsonReader &r, void *obj);       ///< reads a JSON body into obj
    QString (*toText)(const void *obj);                         ///< returns the body as JSON text
};

/// Marks a message type as a fault; specialise to map its fields onto a FaultView. A
/// specialisation may also define `static bool holds(const T &)` for a type whose values are
/// faults only sometimes (a Closed that lost data is one, a clean one is not).
template <class T>
struct FaultTraits
{
    static constexpr bool isFault = false;
};

/// Marks a message type as a notice: something the framework tells an object unasked (a child
/// completed, a message could not be delivered, a connection it used was lost). A notice that
/// finds no handler, or no object, is dropped with a DEBUG line instead of a warning, and a
/// notice that can't be delivered is never bounced back.
template <class T>
struct NoticeTraits
{
    static constexpr bool isNotice = false;
};

namespace detail {

/// Registers \a info under its wire name and returns the canonical descriptor for it.
///
/// A second registration of the wire name by another C++ type returns the same descriptor when
/// the fingerprints agree, and ends the program (qFatal) naming both types when they don't.
PARLEY_EXPORT const TypeInfo *registerType(const TypeInfo &info);

/// Returns the unqualified name of a C++ type from its mangled name ("GetResponse").
PARLEY_EXPORT QString demangledName(const char *mangled);
/// Extracts a readable function name from __PRETTY_FUNCTION__ of a template<auto F>.
PARLEY_EXPORT QString functionNameFromSignature(const char *prettyFunction);

/// Lists the C++ types of \a T's fields, in declaration order, null-terminated.
template <class T>
struct FieldTypes
{
    static constexpr auto description = parleyDescribe(static_cast<const T *>(nullptr));
    static constexpr std::size_t count = decltype(description)::fieldCount;
    template <std::size_t... I>
    static constexpr std::array<const std::type_info *, count + 1> make(std::index_sequence<I...>)
    {
        return {
            &typeid(typename std::tuple_element_t<I, decltype(description.fields)>::MemberType)...,
            nullptr};
    }
    static constexpr std::array<const std::type_info *, count + 1> types
        = make(std::make_index_sequence<count>());
};

/// Bytes a Value holds inline; larger messages go to the heap.
inline constexpr std::size_t ValueInlineSize = 48;
/// Alignment a Value offers inline (8 keeps a Value at 56 bytes; over-aligned types go to the
/// heap).
inline constexpr std::size_t ValueInlineAlign = 8;

template <class T>
TypeInfo makeTypeInfo()
{
    TypeInfo info{};
    info.wireName = describeMessage<T>().wireName;
    info.cppType = &typeid(T);
    info.fieldTypes = FieldTypes<T>::types.data();
    info.size = sizeof(T);
    info.align = alignof(T);
    info.nothrowMove = std::is_nothrow_move_constructible_v<T>;
    constexpr bool inlineStored = sizeof(T) <= ValueInlineSize && alignof(T) <= ValueInlineAlign
        && std::is_nothrow_move_constructible_v<T>;
    info.relocatable = std::is_trivially_copyable_v<T> || !inlineStored;
    info.trivialDestroy = std::is_trivially_destructible_v<T> && inlineStored;
    info.defaultConstruct = [](void *dst) { new (dst) T(); };
    info.moveConstruct
        = [](void *dst, void *src) { new (dst) T(std::move(*static_cast<T *>(src))); };
    if constexpr (std::is_copy_constructible_v<T>)
        info.copyConstruct
            = [](void *dst, const void *src) { new (dst) T(*static_cast<const T *>(src)); };
    info.destroy = [](void *obj) noexcept { static_cast<T *>(obj)->~T(); };
    if constexpr (FaultTraits<T>::isFault) {
        info.fault = [](const void *obj, FaultView *out) {
            const T &value = *static_cast<const T *>(obj);
            if constexpr (requires { FaultTraits<T>::holds(value); }) {
                if (!FaultTraits<T>::holds(value))
                    return false;
            }
            if (out)
                *out = FaultTraits<T>::view(value);
            return true;
        };
    }
    info.notice = NoticeTraits<T>::isNotice;
    fillCodec<T>(info);
    return info;
}

template <class T>
const TypeInfo *const AutoRegister<T>::info = registerType(makeTypeInfo<T>());

} // namespace detail

/// Returns the canonical runtime descriptor of message type \a T.
template <Message T>
const TypeInfo *typeOf() noexcept
{
    static const TypeInfo *const info = detail::registerType(detail::makeTypeInfo<T>());
    return info;
}

/// Looks up a registered message type by its wire name; returns null when unknown.
PARLEY_EXPORT const TypeInfo *findType(QStringView wireName);

/// Holds one message of any registered type, by value (small ones inline, others on the heap).
///
/// In-process sends move messages: a Value is moved from the sender into the receiver's
/// mailbox and handed to the handler, never encoded and never copied.
class PARLEY_EXPORT Value
{
public:
    static constexpr std::size_t InlineSize = detail::ValueInlineSize;

    /// Constructs an empty value (no message).
    Value() noexcept = default;
    /// Constructs a value holding \a message.
    template <MessageValue T>
    Value(T &&message) // NOLINT(google-explicit-constructor): a message converts to a Value
    {
        using U = std::remove_cvref_t<T>;
        m_type = typeOf<U>();
        if constexpr (storedInline<U>())
            new (m_storage) U(std::forward<T>(message));
        else
            *reinterpret_cast<U **>(m_storage) = allocate<U>(std::forward<T>(message));
    }
    Value(Value &&other) noexcept : m_type(other.m_type)
    {
        // Messages move on every send: plain data and heap-held ones are just bytes to copy.
        if (!m_type)
            return;
        if (m_type->relocatable)
            std::memcpy(m_storage, other.m_storage, InlineSize);
        else
            moveFrom(other);
        other.m_type = nullptr;
    }
    Value(const Value &other);
    Value &operator=(Value &&other) noexcept;
    Value &operator=(const Value &other);
    ~Value()
    {
        if (m_type && !m_type->trivialDestroy)
            reset();
    }

    /// Returns a value of \a type in its default state (used by decoders).
    static Value defaultOf(const TypeInfo *type);

    /// Returns true when the value holds no message.
    [[nodiscard]] bool isEmpty() const noexcept { return m_type == nullptr; }
    /// Returns the type of the held message, or null when empty.
    [[nodiscard]] const TypeInfo *type() const noexcept { return m_type; }
    /// Returns the display name of the held message ("Hello" for "demo.Hello"), or "(empty)".
    [[nodiscard]] const char *typeName() const noexcept
    {
        return m_type ? m_type->displayName : "(empty)";
    }

    /// Returns true when the value holds a \a T.
    template <Message T>
    [[nodiscard]] bool is() const noexcept
    {
        return m_type == typeOf<T>();
    }
    /// Returns the held \a T; the value must hold one (checked with is<T>()).
    template <Message T>
    [[nodiscard]] T &get() noexcept
    {
        Q_ASSERT(is<T>());
        return *static_cast<T *>(data());
    }
    template <Message T>
    [[nodiscard]] const T &get() const noexcept
    {
        Q_ASSERT(is<T>());
        return *static_cast<const T *>(data());
    }
    /// Returns a pointer to the held \a T, or null when it holds something else.
    template <Message T>
    [[nodiscard]] T *getIf() noexcept
    {
        return is<T>() ? static_cast<T *>(data()) : nullptr;
    }
    template <Message T>
    [[nodiscard]] const T *getIf() const noexcept
    {
        return is<T>() ? static_cast<const T *>(data()) : nullptr;
    }
    /// Moves the held message out, leaving this value empty.
    [[nodiscard]] Value take() noexcept { return std::move(*this); }

    /// Returns true when the held message is a fault (Faulted, Aborted, TimedOut, ...).
    [[nodiscard]] bool isFault() const
    {
        return m_type && m_type->fault && m_type->fault(data(), nullptr);
    }
    /// Describes the held fault; returns false when the value is not a fault.
    bool fault(FaultView *out) const;

    /// Returns the untyped address of the held message (null when empty).
    [[nodiscard]] void *data() noexcept;
    [[nodiscard]] const void *data() const noexcept;

    /// Destroys the held message.
    void reset() noexcept;

private:
    void moveFrom(Value &other) noexcept;
    /// Heap storage for a message too large to hold inline; pairs with freeBytes(). Only an
    /// over-aligned type takes the aligned operator new (memalign costs twice a plain malloc).
    static void *allocateBytes(std::size_t size, std::size_t align)
    {
        if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
            return ::operator new(size, std::align_val_t(align));
        return ::operator new(size);
    }
    static void freeBytes(void *p, std::size_t align) noexcept
    {
        if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
            ::operator delete(p, std::align_val_t(align));
        else
            ::operator delete(p);
    }
    template <class U, class T>
    static U *allocate(T &&message)
    {
        void *p = allocateBytes(sizeof(U), alignof(U));
        try {
            return new (p) U(std::forward<T>(message));
        } catch (...) {
            freeBytes(p, alignof(U));
            throw;
        }
    }
    template <class U>
    static constexpr bool storedInline()
    {
        return sizeof(U) <= InlineSize && alignof(U) <= detail::ValueInlineAlign
            && std::is_nothrow_move_constructible_v<U>;
    }
    [[nodiscard]] bool isInline() const noexcept
    {
        return m_type->size <= InlineSize && m_type->align <= detail::ValueInlineAlign
            && m_type->nothrowMove;
    }

    const TypeInfo *m_type = nullptr;
    alignas(detail::ValueInlineAlign) unsigned char m_storage[InlineSize];
};

} // namespace Parley

// -- the declaration macros ---------------------------------------------------------------------

#define PARLEY_DETAIL_PARENS ()
#define PARLEY_DETAIL_EXPAND(...)                                                                  \
    PARLEY_DETAIL_EXPAND3(                                                                         \
        PARLEY_DETAIL_EXPAND3(PARLEY_DETAIL_EXPAND3(PARLEY_DETAIL_EXPAND3(__VA_ARGS__))))
#define PARLEY_DETAIL_EXPAND3(...)                                                                 \
    PARLEY_DETAIL_EXPAND2(                                                                         \
        PARLEY_DETAIL_EXPAND2(PARLEY_DETAIL_EXPAND2(PARLEY_DETAIL_EXPAND2(__VA_ARGS__))))
#define PARLEY_DETAIL_EXPAND2(...)                                                                 \
    PARLEY_DETAIL_EXPAND1(                                                                         \
        PARLEY_DETAIL_EXPAND1(PARLEY_DETAIL_EXPAND1(PARLEY_DETAIL_EXPAND1(__VA_ARGS__))))
#define PARLEY_DETAIL_EXPAND1(...) __VA_ARGS__
#define PARLEY_DETAIL_FOR_EACH(macro, T, ...)                                                      \
    __VA_OPT__(PARLEY_DETAIL_EXPAND(PARLEY_DETAIL_FOR_EACH_HELPER(macro, T, __VA_ARGS__)))
#define PARLEY_DETAIL_FOR_EACH_HELPER(macro, T, a1, ...)                                           \
    macro(T, a1)                                                                                   \
        __VA_OPT__(PARLEY_DETAIL_FOR_EACH_AGAIN PARLEY_DETAIL_PARENS(macro, T, __VA_ARGS__))
#define PARLEY_DETAIL_FOR_EACH_AGAIN() PARLEY_DETAIL_FOR_EACH_HELPER
#define PARLEY_DETAIL_FIELD(T, f)                                                                  \
    , ::Parley::detail::Field<T, decltype(T::f)>                                                   \
    {                                                                                              \
#f, &T::f                                                                                  \
    }

/// Declares message type \a Type with its fields and an explicit wire name \a WireName.
#define PARLEY_MESSAGE_AS(Type, WireName, ...)                                                     \
    [[maybe_unused]] constexpr auto parleyDescribe(const Type *) noexcept                          \
    {                                                                                              \
        (void)&::Parley::detail::AutoRegister<Type>::info;                                         \
        return ::Parley::detail::describe<Type>(                                                   \
            WireName PARLEY_DETAIL_FOR_EACH(PARLEY_DETAIL_FIELD, Type, __VA_ARGS__));              \
    }

/// Declares message type \a Type with its fields; the wire name is the type's name as written.
#define PARLEY_MESSAGE(Type, ...) PARLEY_MESSAGE_AS(Type, #Type __VA_OPT__(, ) __VA_ARGS__)

// -- library messages: declared in a public header, defined once in the library -----------------
//
// PARLEY_MESSAGE instantiates a message's codecs (CBOR and JSON, both directions) in every file
// that includes its declaration. For the library's own messages that cost would land in every
// user file, so they are declared here and their descriptors (with the codecs) are compiled once,
// in the library: user code reaches them through the exported typeOf<T>() specialisation.

/// Declares library message \a Type in namespace Parley without instantiating its codecs here;
/// exactly one library source file holds PARLEY_DEFINE_MESSAGE(Type).
#define PARLEY_DECLARE_MESSAGE_AS(Type, WireName, ...)                                             \
    [[maybe_unused]] constexpr auto parleyDescribe(const Type *) noexcept                          \
    {                                                                                              \
        return ::Parley::detail::describe<Type>(                                                   \
            WireName PARLEY_DETAIL_FOR_EACH(PARLEY_DETAIL_FIELD, Type, __VA_ARGS__));              \
    }                                                                                              \
    template <>                                                                                    \
    PARLEY_EXPORT const ::Parley::TypeInfo *typeOf<Type>() noexcept;

/// Defines the descriptor of a message declared with PARLEY_DECLARE_MESSAGE_AS and registers its
/// wire name when the library loads. Use in namespace Parley, in one library source file.
#define PARLEY_DEFINE_MESSAGE(Type)                                                                \
    template <>                                                                                    \
    PARLEY_EXPORT const ::Parley::TypeInfo *typeOf<Type>() noexcept                                \
    {                                                                                              \
        static const ::Parley::TypeInfo *const info                                                \
            = ::Parley::detail::registerType(::Parley::detail::makeTypeInfo<Type>());              \
        return info;                                                                               \
    }                                                                                              \
    static const ::Parley::TypeInfo *const parleyRegistered##Type [[maybe_unused]] = typeOf<Type>();

// The codec templates fillCodec<T>() instantiates for every declared message.
#include <parley/detail/codec_impl.h>
