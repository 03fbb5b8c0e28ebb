// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/message.h>

#include <QtCore/QHash>
#include <QtCore/QLoggingCategory>
#include <QtCore/QReadWriteLock>

#include <cstdlib>
#include <cxxabi.h>
#include <deque>
#include <memory>

#include <parley/object.h>

Q_LOGGING_CATEGORY(lcRegistry, "parley.registry")

namespace Parley {
namespace {

/// All message types of the process, by wire name. Entries live until exit.
struct Registry
{
    QReadWriteLock lock;
    QHash<QString, const TypeInfo *> byName;
    std::deque<TypeInfo> infos;   // stable addresses
    std::deque<QByteArray> names; // storage for normalised names
};

Registry &registry()
{
    static Registry *r = new Registry; // never destroyed: types may be looked up during exit
    return *r;
}

} // namespace

namespace detail {

const TypeInfo *registerType(const TypeInfo &info)
{
    Registry &r = registry();
    QByteArray wire(info.wireName);
    wire.replace("::", ".");
    const QString key = QString::fromUtf8(wire);
    {
        QReadLocker locker(&r.lock);
        if (const TypeInfo *found = r.byName.value(key)) {
            if (found->size != info.size || found->align != info.align)
                qCWarning(lcRegistry, "two different message types share the wire name \"%s\"",
                          wire.constData());
            return found;
        }
    }
    QWriteLocker locker(&r.lock);
    if (const TypeInfo *found = r.byName.value(key))
        return found;
    r.names.push_back(wire);
    const QByteArray &stored = r.names.back();
    TypeInfo canonical = info;
    canonical.wireName = stored.constData();
    const int dot = stored.lastIndexOf('.');
    canonical.displayName = stored.constData() + (dot < 0 ? 0 : dot + 1);
    r.infos.push_back(canonical);
    r.byName.insert(key, &r.infos.back());
    return &r.infos.back();
}

QString demangledName(const char *mangled)
{
    int status = 0;
    std::unique_ptr<char, void (*)(void *)> out(
        abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    QString name = QString::fromUtf8(status == 0 && out ? out.get() : mangled);
    // Strip namespaces but keep template arguments readable: "Parley::GetResponse" ->
    // "GetResponse".
    const qsizetype angle = name.indexOf(QLatin1Char('<'));
    const qsizetype colons = name.lastIndexOf(QLatin1String("::"), angle < 0 ? -1 : angle);
    if (colons >= 0)
        name = name.mid(colons + 2);
    return name;
}

QString functionNameFromSignature(const char *prettyFunction)
{
    // g++/clang: "... functionNameOf() [with auto F = requestWorker; ...]" or "[F =
    // &requestWorker]".
    const QString s = QString::fromUtf8(prettyFunction);
    qsizetype at = s.indexOf(QLatin1String("F = "));
    if (at < 0)
        return QStringLiteral("routine");
    at += 4;
    qsizetype end = at;
    while (end < s.size() && s[end] != QLatin1Char(';') && s[end] != QLatin1Char(']'))
        ++end;
    QString name = s.mid(at, end - at).trimmed();
    if (name.startsWith(QLatin1Char('&')))
        name.remove(0, 1);
    const qsizetype paren = name.indexOf(QLatin1Char('('));
    if (paren >= 0) // "(Value (*)(Routine&))requestWorker" style casts
        name = name.mid(name.lastIndexOf(QLatin1Char(')')) + 1);
    const qsizetype colons = name.lastIndexOf(QLatin1String("::"));
    if (colons >= 0)
        name = name.mid(colons + 2);
    return name.isEmpty() ? QStringLiteral("routine") : name;
}

} // namespace detail

const TypeInfo *findType(QStringView wireName)
{
    Registry &r = registry();
    QReadLocker locker(&r.lock);
    return r.byName.value(wireName.toString());
}

} // namespace Parley
