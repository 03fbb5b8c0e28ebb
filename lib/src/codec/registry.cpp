// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/message.h>

#include <QtCore/QHash>
#include <QtCore/QReadWriteLock>

#include <cstdlib>
#include <cxxabi.h>
#include <deque>
#include <memory>

#include <parley/message.h>

namespace Parley {
namespace {

/// All message types of the process, by wire name. Entries live until exit.
struct Registry
{
    QReadWriteLock lock;
    QHash<QString, const TypeInfo *> byName;
    std::deque<TypeInfo> infos;   // stable addresses
    std::deque<QByteArray> names; // storage for normalised names and fingerprints
};

Registry &registry()
{
    static Registry *r = new Registry; // never destroyed: types may be looked up during exit
    return *r;
}

/// Returns the full C++ name of \a type ("a::Hello", "QList<int>").
QByteArray cppName(const std::type_info &type)
{
    int status = 0;
    std::unique_ptr<char, void (*)(void *)> out(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
    // Names of types with internal linkage carry a '*' that only tells the linker so.
    const char *mangled = type.name();
    return status == 0 && out ? QByteArray(out.get()) : QByteArray(mangled + (*mangled == '*'));
}

/// Returns the fingerprint of \a info: `demo.Hello[24/8]{myName:QString}`.
QByteArray fingerprintOf(const TypeInfo &info, const QByteArray &wire)
{
    QByteArray out = wire;
    out += '[' + QByteArray::number(qulonglong(info.size)) + '/'
        + QByteArray::number(qulonglong(info.align)) + "]{";
    for (std::size_t i = 0; i < info.fieldCount; ++i) {
        if (i)
            out += ',';
        out += info.fieldNames[i];
        out += ':';
        out += cppName(*info.fieldTypes[i]);
    }
    out += '}';
    return out;
}

/// Describes \a info for a collision report: `a::Hello {QString text} (24 bytes)`.
QByteArray declarationOf(const TypeInfo &info)
{
    QByteArray out = cppName(*info.cppType) + " {";
    for (std::size_t i = 0; i < info.fieldCount; ++i) {
        out += i ? "; " : "";
        out += cppName(*info.fieldTypes[i]) + ' ' + info.fieldNames[i];
    }
    out += "} (" + QByteArray::number(qulonglong(info.size)) + " bytes, aligned to "
        + QByteArray::number(qulonglong(info.align)) + ')';
    return out;
}

/// Returns \a found when \a info may share its wire name; stops the program otherwise.
const TypeInfo *sameShapeOrFatal(const TypeInfo *found, const TypeInfo &info,
                                 const QByteArray &wire)
{
    // The same C++ type (from another translation unit or library): nothing to compare.
    if (*found->cppType == *info.cppType)
        return found;
    // Another C++ type with the same wire name: one shape on the wire or none.
    if (fingerprintOf(info, wire) == found->fingerprint)
        return found;
    qFatal("Parley: two message types have the wire name \"%s\":\n  %s\n  %s\nA wire name "
           "stands for one message shape in a process; give one of them another wire name with "
           "PARLEY_MESSAGE_AS(Type, \"namespace.Name\", fields...).",
           wire.constData(), declarationOf(*found).constData(), declarationOf(info).constData());
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
        if (const TypeInfo *found = r.byName.value(key))
            return sameShapeOrFatal(found, info, wire);
    }
    QWriteLocker locker(&r.lock);
    if (const TypeInfo *found = r.byName.value(key))
        return sameShapeOrFatal(found, info, wire);
    r.names.push_back(wire);
    const QByteArray &stored = r.names.back();
    r.names.push_back(fingerprintOf(info, wire));
    TypeInfo canonical = info;
    canonical.wireName = stored.constData();
    canonical.fingerprint = r.names.back().constData();
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
