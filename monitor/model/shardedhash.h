// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QHash>

#include <array>
#include <bit>

/// \file
/// A hash table split into shards that grow one at a time.

namespace Parley::Monitor {

/// A QHash split into \a Shards tables chosen by the key's hash. A QHash doubles and rehashes
/// everything at once: with a million entries that is tens of milliseconds on the GUI thread
/// in the middle of an ingest tick. Split in 64, each growth moves a 64th of the entries, so
/// no single insert stalls the event loop for long (bench_monitor, figure "stall").
template <typename Key, typename T, int Shards = 64>
class ShardedHash
{
    static_assert((Shards & (Shards - 1)) == 0, "a power of two");

public:
    /// Returns the value of \a key, or nullptr.
    [[nodiscard]] T *find(const Key &key)
    {
        QHash<Key, T> &s = shard(key);
        const auto it = s.find(key);
        return it == s.end() ? nullptr : &*it;
    }
    [[nodiscard]] const T *find(const Key &key) const
    {
        const QHash<Key, T> &s = shard(key);
        const auto it = s.constFind(key);
        return it == s.constEnd() ? nullptr : &*it;
    }
    /// Returns the value of \a key, inserting a default one when missing.
    T &operator[](const Key &key) { return shard(key)[key]; }
    void insert(const Key &key, const T &value) { shard(key).insert(key, value); }
    bool remove(const Key &key) { return shard(key).remove(key); }
    [[nodiscard]] T value(const Key &key, const T &fallback = T()) const
    {
        return shard(key).value(key, fallback);
    }
    void clear()
    {
        for (QHash<Key, T> &s : m_shards)
            s.clear();
    }
    [[nodiscard]] qsizetype size() const
    {
        qsizetype n = 0;
        for (const QHash<Key, T> &s : m_shards)
            n += s.size();
        return n;
    }
    [[nodiscard]] qsizetype capacity() const
    {
        qsizetype n = 0;
        for (const QHash<Key, T> &s : m_shards)
            n += s.capacity();
        return n;
    }

private:
    // The shard comes from the high bits of a seedless hash; each QHash uses its own seeded
    // hash of the whole key inside, so the two do not correlate.
    static size_t index(const Key &key)
    {
        using ::qHash; // integers: Qt's; the keys' own are found by argument-dependent lookup
        const size_t h = qHash(key, size_t(0x9E3779B97F4A7C15ull)) * size_t(0x9E3779B97F4A7C15ull);
        return h >> (sizeof(size_t) * 8 - std::countr_zero(unsigned(Shards)));
    }
    QHash<Key, T> &shard(const Key &key) { return m_shards[index(key)]; }
    const QHash<Key, T> &shard(const Key &key) const { return m_shards[index(key)]; }

    std::array<QHash<Key, T>, Shards> m_shards;
};

} // namespace Parley::Monitor
