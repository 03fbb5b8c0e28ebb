// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CODEC
#error "<parley/address.h> is in the codec layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/parley_export.h>

#include <QtCore/QHashFunctions>
#include <QtCore/QString>

#include <cstdint>
#include <initializer_list>
#include <span>

namespace Parley {

/// Identifies one object, inside this process or across one or more connections.
///
/// An address is a short list of 64-bit ids. The last id names an object in this process (an
/// ordinary object, or the proxy of a connection that carries the message further); the ids
/// before it are meaningful only on the far side of that path. Up to three ids are stored
/// inline, so the common one- and two-hop addresses never touch the heap. Id 0 is reserved: it
/// marks an address that "goes home" across a connection (see docs/protocol.md).
class PARLEY_EXPORT Address
{
public:
    using Id = std::uint64_t;
    static constexpr int InlineCapacity = 3;

    /// Constructs the null address, which names no object.
    Address() noexcept = default;
    /// Constructs the address of the local object \a id.
    explicit Address(Id id) noexcept : m_inline{id, 0, 0}, m_size(id ? 1 : 0) {}
    /// Constructs an address from a list of ids, first hop first.
    Address(std::initializer_list<Id> ids);
    /// Constructs an address from a span of ids, first hop first.
    explicit Address(std::span<const Id> ids);
    // Copies and moves of inline addresses (up to three hops) are inline: they are on every
    // send's path. Longer ones go through the out-of-line helpers.
    Address(const Address &other) : m_size(0)
    {
        if (other.isHeap())
            assign(other.m_heap.ptr, other.m_size);
        else
            copyInline(other);
    }
    Address(Address &&other) noexcept : m_size(other.m_size)
    {
        if (other.isHeap())
            m_heap = other.m_heap;
        else
            copyInline(other);
        other.m_size = 0;
    }
    Address &operator=(const Address &other);
    Address &operator=(Address &&other) noexcept;
    ~Address()
    {
        if (isHeap())
            release();
    }

    /// Returns true when the address names no object.
    [[nodiscard]] bool isNull() const noexcept { return m_size == 0; }
    /// Returns the number of ids (hops) in the address.
    [[nodiscard]] int size() const noexcept { return int(m_size); }
    /// Returns the id that names an object in this process (the last one), or 0 when null.
    [[nodiscard]] Id last() const noexcept { return m_size ? data()[m_size - 1] : 0; }
    /// Returns the ids, first hop first.
    [[nodiscard]] std::span<const Id> ids() const noexcept { return {data(), m_size}; }
    /// Returns the id at \a index (0 is the first hop).
    [[nodiscard]] Id at(int index) const noexcept { return data()[index]; }

    /// Appends \a id as the new last hop.
    void append(Id id);
    /// Removes the last id; does nothing on a null address.
    void removeLast() noexcept;
    /// Replaces the last id with \a id.
    void setLast(Id id) noexcept;

    /// Returns the text form used by logs: `<0000001a>`, hops joined by dots when longer.
    [[nodiscard]] QString toString() const;

    friend PARLEY_EXPORT bool operator==(const Address &a, const Address &b) noexcept;
    friend bool operator!=(const Address &a, const Address &b) noexcept { return !(a == b); }
    friend PARLEY_EXPORT bool operator<(const Address &a, const Address &b) noexcept;

private:
    [[nodiscard]] const Id *data() const noexcept { return isHeap() ? m_heap.ptr : m_inline; }
    [[nodiscard]] Id *data() noexcept { return isHeap() ? m_heap.ptr : m_inline; }
    [[nodiscard]] bool isHeap() const noexcept { return m_size > InlineCapacity; }
    void assign(const Id *ids, std::uint32_t count);
    void release() noexcept;
    void copyInline(const Address &other) noexcept
    {
        // All three words, whatever the size: cheaper than a loop, and never read past size.
        m_inline[0] = other.m_inline[0];
        m_inline[1] = other.m_inline[1];
        m_inline[2] = other.m_inline[2];
        m_size = other.m_size;
    }

    struct Heap
    {
        Id *ptr;
        std::uint32_t capacity;
    };
    union {
        Id m_inline[InlineCapacity] = {}; // zeroed, so copyInline() reads only set words
        Heap m_heap;
    };
    std::uint32_t m_size = 0;
};

/// Returns a hash of \a address for QHash.
PARLEY_EXPORT size_t qHash(const Address &address, size_t seed = 0) noexcept;

/// Formats a single object id the way logs show it: `<0000001a>`.
PARLEY_EXPORT QString formatId(Address::Id id);

} // namespace Parley

template <>
struct std::hash<Parley::Address>
{
    size_t operator()(const Parley::Address &a) const noexcept { return Parley::qHash(a); }
};
