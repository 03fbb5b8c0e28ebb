// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/address.h>

#include <algorithm>

namespace Parley {

Address::Address(std::initializer_list<Id> ids)
{
    assign(ids.begin(), std::uint32_t(ids.size()));
}

Address::Address(std::span<const Id> ids)
{
    assign(ids.data(), std::uint32_t(ids.size()));
}

Address &Address::operator=(const Address &other)
{
    if (this != &other) {
        if (isHeap() && other.m_size <= m_heap.capacity && other.m_size > InlineCapacity) {
            std::copy_n(other.data(), other.m_size, m_heap.ptr);
            m_size = other.m_size;
        } else {
            release();
            assign(other.data(), other.m_size);
        }
    }
    return *this;
}

Address &Address::operator=(Address &&other) noexcept
{
    if (this != &other) {
        release();
        m_size = other.m_size;
        if (other.isHeap()) {
            m_heap = other.m_heap;
        } else {
            for (std::uint32_t i = 0; i < m_size; ++i)
                m_inline[i] = other.m_inline[i];
        }
        other.m_size = 0;
    }
    return *this;
}

void Address::assign(const Id *ids, std::uint32_t count)
{
    if (count > InlineCapacity) {
        m_heap.ptr = new Id[count];
        m_heap.capacity = count;
        std::copy_n(ids, count, m_heap.ptr);
    } else {
        std::copy_n(ids, count, m_inline);
    }
    m_size = count;
}

void Address::release() noexcept
{
    if (isHeap())
        delete[] m_heap.ptr;
    m_size = 0;
}

void Address::append(Id id)
{
    if (m_size < InlineCapacity) {
        m_inline[m_size++] = id;
        return;
    }
    if (m_size == InlineCapacity) {
        // Move from inline storage to the heap.
        Id *heap = new Id[InlineCapacity * 2];
        std::copy_n(m_inline, InlineCapacity, heap);
        heap[InlineCapacity] = id;
        m_heap.ptr = heap;
        m_heap.capacity = InlineCapacity * 2;
        ++m_size;
        return;
    }
    if (m_size == m_heap.capacity) {
        Id *heap = new Id[m_heap.capacity * 2];
        std::copy_n(m_heap.ptr, m_size, heap);
        delete[] m_heap.ptr;
        m_heap.ptr = heap;
        m_heap.capacity *= 2;
    }
    m_heap.ptr[m_size++] = id;
}

void Address::removeLast() noexcept
{
    if (m_size == 0)
        return;
    if (m_size == InlineCapacity + 1) {
        // Back to inline storage.
        Id *heap = m_heap.ptr;
        std::copy_n(heap, InlineCapacity, m_inline);
        delete[] heap;
    }
    --m_size;
}

void Address::setLast(Id id) noexcept
{
    if (m_size)
        data()[m_size - 1] = id;
}

QString formatId(Address::Id id)
{
    return QStringLiteral("<%1>").arg(id, 8, 16, QLatin1Char('0'));
}

QString Address::toString() const
{
    if (m_size == 0)
        return QStringLiteral("<null>");
    QString out = QStringLiteral("<");
    for (std::uint32_t i = 0; i < m_size; ++i) {
        if (i)
            out += QLatin1Char('.');
        out += QStringLiteral("%1").arg(data()[i], 8, 16, QLatin1Char('0'));
    }
    out += QLatin1Char('>');
    return out;
}

bool operator==(const Address &a, const Address &b) noexcept
{
    return a.m_size == b.m_size && std::equal(a.data(), a.data() + a.m_size, b.data());
}

bool operator<(const Address &a, const Address &b) noexcept
{
    return std::lexicographical_compare(a.data(), a.data() + a.m_size, b.data(),
                                        b.data() + b.m_size);
}

size_t qHash(const Address &address, size_t seed) noexcept
{
    const auto ids = address.ids();
    return qHashRange(ids.begin(), ids.end(), seed);
}

} // namespace Parley
