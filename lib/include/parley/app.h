// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_APP
#error "<parley/app.h> is in the app layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/codec.h>
#include <parley/message.h>
#include <parley/messages.h>
#include <parley/object.h>
#include <parley/routine.h>
#include <parley/runtime.h>

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QUuid>

#include <functional>
#include <tuple>
#include <type_traits>

/// \file
/// The program entry: Parley::run() turns a main object and a settings struct into a program.
///
/// \code
/// struct Settings { QString serverName; quint16 port = 32011; };
/// PARLEY_MESSAGE(Settings, serverName, port)
///
/// Parley::Value serve(Parley::Routine &self, const Settings &settings);
///
/// int main(int argc, char **argv)
/// {
///     return Parley::run<&serve>(argc, argv, Settings{QStringLiteral("Buster"), 32011});
/// }
/// \endcode
///
/// The program then accepts `--server-name=Ann --port=32012`, `--help`, `--debug-level=DEBUG`,
/// `--log-file=PATH`, `--settings-file=PATH`, `--store-settings`, `--factory-reset`,
/// `--ready-file=PATH`, `--ready-fd=N` and `--monitor=HOST:PORT`, shows console, warning and
/// fault lines on stderr, prints the main object's result as JSON on stdout and exits with a
/// status derived from it. See docs/run.md for the flags, the settings precedence, readiness,
/// the exit statuses and the signals.

namespace Parley {

/// Stands for "no settings": the settings type of programs that take none.
struct NoSettings
{
};
PARLEY_DECLARE_MESSAGE_AS(NoSettings, "parley.NoSettings")

/// The exit status for a bad command line, settings file or stored settings.
inline constexpr int UsageExitStatus = 2;

/// Tells whoever started the program that it is ready, e.g. listening (call it from the main
/// object, once it is).
///
/// In a Parley::run() program this writes \a text (or `ready` when empty) and a newline to the
/// `--ready-file=PATH` (atomically) and to the file descriptor `--ready-fd=N` (then closed), and
/// sends `READY=1` (with `STATUS=` \a text) to systemd's `NOTIFY_SOCKET` when that is set.
/// By convention \a text is the address the program listens at
/// (`announceReady(self, listening.bound.toString())`), so a script that started it with
/// `--port=0` learns the port. Only the first call counts; outside run() it only logs (TRACE).
PARLEY_EXPORT void announceReady(const Object &self, const QString &text = {});

namespace detail {

/// Describes one settings field for the command line and --help.
struct SettingField
{
    QString field;        ///< the field's name in the struct and in JSON ("serverName")
    QString type;         ///< what --help shows ("text", "uint16", "list (JSON)")
    bool textual = false; ///< the value is JSON text: the command line takes it as plain text
    bool flag = false;    ///< a bool: `--name` alone means true
};

/// Satisfied by a routine entry taking the settings (`f(Routine &, const Settings &)`) or not.
template <class Entry, class Settings>
concept SettingsEntry
    = std::is_invocable_v<Entry &, Routine &, const Settings &> || std::is_invocable_v<Entry &,
                                                                                       Routine &>;

/// Describes a settings struct: its type, its fields and its factory values.
struct SettingsSpec
{
    const TypeInfo *type = nullptr;
    QList<SettingField> fields;
    Value factory;
};

/// Creates the main object in \a runtime from the effective \a settings (a Value of the type).
using MainFactory = std::function<Address(Runtime &runtime, const Value &settings)>;

/// Runs a program: see Parley::run().
PARLEY_EXPORT int runMain(int argc, char **argv, const SettingsSpec &spec,
                          const MainFactory &create);

template <class T>
struct IsOptional : std::false_type
{
};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type
{
};

/// Returns true when field type \a T is written as a JSON string (so plain text on the
/// command line).
template <class T>
constexpr bool isTextual()
{
    if constexpr (IsOptional<T>::value)
        return isTextual<typename T::value_type>();
    else
        return std::is_same_v<
                   T,
                   QString> || std::is_same_v<T, QByteArray> || std::is_same_v<T, QDateTime> || std::is_same_v<T, QUuid> || std::is_enum_v<T>;
}

/// Returns the name --help shows for field type \a T.
template <class T>
QString settingTypeName()
{
    if constexpr (std::is_same_v<T, bool>) {
        return QStringLiteral("bool");
    } else if constexpr (std::is_integral_v<T>) {
        return QString::fromLatin1(integerName<T>());
    } else if constexpr (std::is_floating_point_v<T>) {
        return QStringLiteral("number");
    } else if constexpr (std::is_same_v<T, QString>) {
        return QStringLiteral("text");
    } else if constexpr (std::is_same_v<T, QByteArray>) {
        return QStringLiteral("bytes");
    } else if constexpr (std::is_same_v<T, QDateTime>) {
        return QStringLiteral("date-time");
    } else if constexpr (std::is_same_v<T, QUuid>) {
        return QStringLiteral("uuid");
    } else if constexpr (NamedEnum<T>) {
        QStringList names;
        for (const auto &e : parleyEnumerators(static_cast<const T *>(nullptr)))
            names.append(QString::fromLatin1(e.name));
        return names.join(QLatin1Char('|'));
    } else if constexpr (IsOptional<T>::value) {
        return settingTypeName<typename T::value_type>() + QStringLiteral(" (optional)");
    } else if constexpr (MapLike<T>) {
        return QStringLiteral("map (JSON)");
    } else if constexpr (Message<T>) {
        return QStringLiteral("object (JSON)");
    } else if constexpr (SetLike<T> || ListLike<T>) {
        return QStringLiteral("list (JSON)");
    } else {
        return QStringLiteral("JSON");
    }
}

/// Describes settings type \a S from its message description, with \a factory as defaults.
template <Message S>
SettingsSpec settingsSpec(S factory)
{
    SettingsSpec spec;
    spec.type = typeOf<S>();
    std::apply(
        [&spec](const auto &...fields) {
            (spec.fields.append(SettingField{
                 QString::fromLatin1(fields.name),
                 settingTypeName<std::remove_cv_t<
                     typename std::remove_cvref_t<decltype(fields)>::MemberType>>(),
                 isTextual<std::remove_cv_t<
                     typename std::remove_cvref_t<decltype(fields)>::MemberType>>(),
                 std::is_same_v<
                     std::remove_cv_t<typename std::remove_cvref_t<decltype(fields)>::MemberType>,
                     bool>}),
             ...);
        },
        describeMessage<S>().fields);
    spec.factory = Value(std::move(factory));
    return spec;
}

/// Binds routine body \a f to the settings held by the Value it is started with.
template <Message S, class F>
RoutineBody routineWithSettings(F f, const Value &settings)
{
    if constexpr (std::is_invocable_v<F &, Routine &, const S &>)
        return bindRoutine(std::move(f), settings.get<S>());
    else
        return bindRoutine(std::move(f));
}

} // namespace detail

// -- routines -----------------------------------------------------------------------------------

/// Runs routine \a entry (`Value f(Routine &, const Settings &)`) as the program's main object.
///
/// Creates the QCoreApplication unless the program made one (make a QApplication first for a
/// program with widgets), a Runtime, and the main object from the effective settings: the
/// \a factorySettings, overridden by stored settings, a settings file and the command line.
/// Prints the main object's result as JSON on stdout and returns the exit status: 0, a fault's
/// own status (DefaultFaultExitStatus when it has none) with one line on stderr, or
/// UsageExitStatus for a bad command line. SIGINT and SIGTERM send Stop to the main object.
template <Message Settings, detail::SettingsEntry<Settings> Entry>
int run(int argc, char **argv, Entry entry, Settings factorySettings)
{
    return detail::runMain(argc, argv, detail::settingsSpec(std::move(factorySettings)),
                           [entry = std::move(entry)](Runtime &runtime, const Value &settings) {
                               return detail::createRoutine(
                                   &runtime, nullptr, QStringLiteral("main"),
                                   detail::routineWithSettings<Settings>(entry, settings));
                           });
}

/// Runs routine \a entry (`Value f(Routine &)`) as the main object of a program without settings.
template <RoutineCallable Entry>
int run(int argc, char **argv, Entry entry)
{
    return run<NoSettings>(argc, argv, std::move(entry), NoSettings{});
}

/// Runs routine function \a F as the main object, named after the function (see above).
template <auto F, Message Settings>
int run(int argc, char **argv, Settings factorySettings)
{
    return detail::runMain(argc, argv, detail::settingsSpec(std::move(factorySettings)),
                           [](Runtime &runtime, const Value &settings) {
                               return detail::createRoutine(
                                   &runtime, nullptr, detail::functionNameOf<F>(),
                                   detail::routineWithSettings<Settings>(F, settings));
                           });
}

/// Runs routine function \a F as the main object of a program without settings.
template <auto F>
int run(int argc, char **argv)
{
    return run<F>(argc, argv, NoSettings{});
}

// -- machines and state machines ----------------------------------------------------------------

/// Runs an object of class \a T, constructed from the effective settings (or by default when
/// it has no such constructor), as the program's main object; see the routine form above.
template <std::derived_from<Object> T, Message Settings>
int run(int argc, char **argv, Settings factorySettings)
{
    return detail::runMain(argc, argv, detail::settingsSpec(std::move(factorySettings)),
                           [](Runtime &runtime, const Value &settings) {
                               if constexpr (std::is_constructible_v<T, const Settings &>)
                                   return runtime.create<T>(settings.get<Settings>());
                               else
                                   return runtime.create<T>();
                           });
}

/// Runs a default-constructed object of class \a T as the main object of a program without
/// settings.
template <std::derived_from<Object> T>
int run(int argc, char **argv)
{
    return run<T>(argc, argv, NoSettings{});
}

} // namespace Parley
