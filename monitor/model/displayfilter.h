// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include "eventstore.h"

#include <QtCore/QRegularExpression>

#include <vector>

namespace Parley::Monitor {

/// Describes one display rule: which records it matches.
struct FilterRule
{
    /// Says which field a rule looks at.
    enum class Field : quint8 {
        Level,   ///< the record's level is `level`
        Process, ///< the record comes from source `source`
        Object,  ///< the record is about object `object` of `source`
        Subtree, ///< ... or about one of its descendants
        Type,    ///< the message type (wire name) is `text`
        Kind,    ///< the event kind is `kind`
        Text,    ///< name, class, state, type, text or body contains `text` (any case)
        Regex,   ///< ... or matches regular expression `text`
    };
    Field field = Field::Text;
    bool enabled = true;
    LogLevel level = LogLevel::Debug;
    EventKind kind = EventKind::Unknown;
    int source = -1;
    quint64 object = 0;
    QString text;

    /// Returns the rule in words ("type is demo.Hello").
    [[nodiscard]] QString describe(const EventStore &store) const;
    friend bool operator==(const FilterRule &, const FilterRule &) = default;
};

/// Decides which records a view shows and which it highlights: a minimum level, a quick
/// "contains" search, an exclude set (records matching ANY of them are hidden) and a highlight
/// set (records matching ANY of them are highlighted; optionally only those are shown).
///
/// It only looks at records, never changes what is captured (that is the CaptureFilter a
/// program applies). Matching interned strings is cached per string, so filtering a million
/// records costs little more than reading them.
class DisplayFilter
{
public:
    LogLevel minimumLevel = LogLevel::Debug;
    QString search; ///< only records containing this (empty: all)
    bool searchIsRegex = false;
    std::vector<FilterRule> exclude;
    std::vector<FilterRule> highlight;
    bool showOnlyHighlighted = false;

    DisplayFilter() = default;
    /// Copies the rules; the copy prepares itself afresh.
    DisplayFilter(const DisplayFilter &other) { *this = other; }
    DisplayFilter &operator=(const DisplayFilter &other);

    /// Forgets what prepare() worked out; call it after changing a rule in place.
    void invalidate();
    /// Readies the filter for \a store: resolves names and compiles expressions. Call it before
    /// matching a batch (it is cheap when nothing changed), and invalidate() first after
    /// changing the rules.
    void prepare(const EventStore &store);
    /// Returns a message when a regular expression doesn't compile, else an empty string.
    [[nodiscard]] QString error() const { return m_error; }

    /// Returns true when record \a serial is shown.
    [[nodiscard]] bool accepts(Serial serial) const;
    /// Returns true when record \a serial matches the highlight set.
    [[nodiscard]] bool highlighted(Serial serial) const;
    /// Returns true when nothing is filtered out (every record is shown).
    [[nodiscard]] bool isPassThrough() const;

private:
    struct Prepared
    {
        const FilterRule *rule = nullptr;
        quint32 typeId = 0;
        QRegularExpression regex;
        mutable std::vector<qint8> stringMatch; ///< per interned string: -1 unknown, 0, 1
    };
    bool matches(const Prepared &p, Serial serial, const Record &r) const;
    bool matchesText(const Prepared &p, const Record &r, Serial serial) const;
    bool stringMatches(const Prepared &p, quint32 id) const;
    bool inSubtree(const Record &r, int source, quint64 object) const;

    const EventStore *m_store = nullptr;
    std::vector<Prepared> m_exclude;
    std::vector<Prepared> m_highlight;
    Prepared m_search;
    FilterRule m_searchRule;
    QString m_error;
    size_t m_preparedExclude = 0; ///< 1 + the rule count prepared; 0 = not prepared
    size_t m_preparedHighlight = 0;
};

} // namespace Parley::Monitor
