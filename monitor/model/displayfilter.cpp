// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "displayfilter.h"

namespace Parley::Monitor {

QString FilterRule::describe(const EventStore &store) const
{
    auto objectName = [&] {
        const int node = source >= 0 ? store.findObject(source, object) : -1;
        const QString id = formatId(object);
        if (node < 0)
            return id;
        return QStringLiteral("%1 %2").arg(id, store.string(store.object(node).name));
    };
    switch (field) {
    case Field::Level:
        return QStringLiteral("level is %1").arg(levelName(level));
    case Field::Process:
        return QStringLiteral("process is %1")
            .arg(source >= 0 && source < store.sourceCount() ? store.source(source).label()
                                                             : QStringLiteral("?"));
    case Field::Object:
        return QStringLiteral("object is %1").arg(objectName());
    case Field::Subtree:
        return QStringLiteral("object is %1 or below it").arg(objectName());
    case Field::Type:
        return QStringLiteral("type is %1").arg(text);
    case Field::Kind:
        return QStringLiteral("event is %1").arg(kindName(kind));
    case Field::Text:
        return QStringLiteral("contains \"%1\"").arg(text);
    case Field::Regex:
        return QStringLiteral("matches /%1/").arg(text);
    }
    return {};
}

DisplayFilter &DisplayFilter::operator=(const DisplayFilter &other)
{
    if (this == &other)
        return *this;
    minimumLevel = other.minimumLevel;
    search = other.search;
    searchIsRegex = other.searchIsRegex;
    exclude = other.exclude;
    highlight = other.highlight;
    showOnlyHighlighted = other.showOnlyHighlighted;
    invalidate();
    return *this;
}

void DisplayFilter::invalidate()
{
    m_exclude.clear();
    m_highlight.clear();
    m_search = Prepared();
    m_searchRule = FilterRule();
    m_preparedExclude = m_preparedHighlight = 0;
}

void DisplayFilter::prepare(const EventStore &store)
{
    m_store = &store;
    m_error.clear();
    auto prepareOne = [&](const FilterRule &rule) {
        Prepared p;
        p.rule = &rule;
        if (rule.field == FilterRule::Field::Type)
            p.typeId = store.findString(rule.text);
        if (rule.field == FilterRule::Field::Regex) {
            p.regex = QRegularExpression(rule.text, QRegularExpression::CaseInsensitiveOption);
            if (!p.regex.isValid())
                m_error = QStringLiteral("/%1/: %2").arg(rule.text, p.regex.errorString());
        }
        return p;
    };
    // Keep the per-string caches of rules that did not change: prepare() runs for every batch.
    auto prepareSet
        = [&](const std::vector<FilterRule> &rules, std::vector<Prepared> &out, size_t &prepared) {
              if (prepared != rules.size() + 1) {
                  prepared = rules.size() + 1;
                  out.clear();
                  for (const FilterRule &rule : rules) {
                      if (rule.enabled)
                          out.push_back(prepareOne(rule));
                  }
              } else {
                  for (Prepared &p : out) {
                      if (p.rule->field == FilterRule::Field::Type && !p.typeId)
                          p.typeId = store.findString(p.rule->text);
                  }
              }
          };
    // A rule set is prepared once (until invalidate()); later calls only resolve type names
    // that were not interned yet.
    prepareSet(exclude, m_exclude, m_preparedExclude);
    prepareSet(highlight, m_highlight, m_preparedHighlight);

    FilterRule searchRule;
    searchRule.field = searchIsRegex ? FilterRule::Field::Regex : FilterRule::Field::Text;
    searchRule.text = search;
    if (!(searchRule == m_searchRule) || !m_search.rule) {
        m_searchRule = searchRule;
        m_search = prepareOne(m_searchRule);
    }
}

bool DisplayFilter::isPassThrough() const
{
    return minimumLevel <= LogLevel::Debug && search.isEmpty() && m_exclude.empty()
        && !showOnlyHighlighted;
}

bool DisplayFilter::stringMatches(const Prepared &p, quint32 id) const
{
    if (id == 0)
        return false;
    if (p.stringMatch.size() <= id)
        p.stringMatch.resize(size_t(id) + 1024, -1);
    qint8 &cached = p.stringMatch[id];
    if (cached < 0) {
        const QString &s = m_store->string(id);
        cached = p.rule->field == FilterRule::Field::Regex
            ? p.regex.match(s).hasMatch()
            : s.contains(p.rule->text, Qt::CaseInsensitive);
    }
    return cached;
}

bool DisplayFilter::matchesText(const Prepared &p, const Record &r, Serial serial) const
{
    if (stringMatches(p, r.name) || stringMatches(p, r.type) || stringMatches(p, r.state)
        || stringMatches(p, r.className))
        return true;
    if (const RecordExtra *x = m_store->extra(serial)) {
        auto test = [&](const QString &s) {
            if (s.isEmpty())
                return false;
            return p.rule->field == FilterRule::Field::Regex
                ? p.regex.match(s).hasMatch()
                : s.contains(p.rule->text, Qt::CaseInsensitive);
        };
        return test(x->text) || test(x->body) || test(x->endpoint);
    }
    return false;
}

bool DisplayFilter::inSubtree(const Record &r, int source, quint64 object) const
{
    if (r.source != source || r.object < 1)
        return false;
    if (r.object == object)
        return true;
    int node = m_store->findObject(r.source, r.object);
    while (node >= 0) {
        const ObjectNode &n = m_store->object(node);
        if (n.id == object && !n.isProcess)
            return true;
        node = n.parent;
    }
    return false;
}

bool DisplayFilter::matches(const Prepared &p, Serial serial, const Record &r) const
{
    const FilterRule &rule = *p.rule;
    switch (rule.field) {
    case FilterRule::Field::Level:
        return r.level == rule.level;
    case FilterRule::Field::Process:
        return r.source == rule.source;
    case FilterRule::Field::Object:
        return r.source == rule.source && r.object == rule.object;
    case FilterRule::Field::Subtree:
        return inSubtree(r, rule.source, rule.object);
    case FilterRule::Field::Type:
        return p.typeId && r.type == p.typeId;
    case FilterRule::Field::Kind:
        return r.kind == rule.kind;
    case FilterRule::Field::Text:
    case FilterRule::Field::Regex:
        return !rule.text.isEmpty() && matchesText(p, r, serial);
    }
    return false;
}

bool DisplayFilter::highlighted(Serial serial) const
{
    if (m_highlight.empty())
        return false;
    const Record &r = m_store->record(serial);
    for (const Prepared &p : m_highlight) {
        if (matches(p, serial, r))
            return true;
    }
    return false;
}

bool DisplayFilter::accepts(Serial serial) const
{
    const Record &r = m_store->record(serial);
    if (r.level < minimumLevel)
        return false;
    if (!search.isEmpty() && !matches(m_search, serial, r))
        return false;
    for (const Prepared &p : m_exclude) {
        if (matches(p, serial, r))
            return false;
    }
    if (showOnlyHighlighted)
        return highlighted(serial);
    return true;
}

} // namespace Parley::Monitor
