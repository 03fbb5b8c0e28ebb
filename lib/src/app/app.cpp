// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include <parley/app.h>

#include <parley/log.h>
#include <parley/recording.h>
#include <parley/security.h>
#include <parley/stream.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>
#include <QtCore/QSaveFile>
#include <QtCore/QSocketNotifier>
#include <QtCore/QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Parley::detail {

namespace {

// -- signals ----------------------------------------------------------------------------------

// The handler only writes the signal number into a pipe (async-signal-safe); the main thread
// reads it through a QSocketNotifier and sends Stop. A second signal ends the process at once.
int signalPipe[2] = {-1, -1};
volatile sig_atomic_t signalCount = 0;

extern "C" void onSignal(int signo)
{
    signalCount = signalCount + 1;
    if (signalCount > 1)
        ::_exit(128 + signo);
    const int saved = errno;
    const char byte = char(signo);
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
    errno = saved;
}

bool installSignalHandlers()
{
    if (signalPipe[0] < 0) {
        if (::pipe(signalPipe) != 0)
            return false;
        for (int fd : signalPipe) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        }
    }
    signalCount = 0;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0
        && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

void restoreSignalHandlers()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
}

// -- readiness ---------------------------------------------------------------------------------

/// Where "ready" goes while run() runs (--ready-file, --ready-fd, NOTIFY_SOCKET); any thread
/// may announce, once.
struct Readiness
{
    std::mutex lock;
    bool armed = false;
    bool announced = false;
    QString file;
    int fd = -1;
    QByteArray notifySocket;
};

Readiness &readiness()
{
    static Readiness r;
    return r;
}

/// Sends \a datagram to the AF_UNIX socket \a path ('@' for the abstract namespace), as
/// sd_notify() does; returns an error text, or an empty one.
QString notifySystemd(const QByteArray &path, const QByteArray &datagram)
{
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if (path.isEmpty() || size_t(path.size()) >= sizeof(address.sun_path))
        return QStringLiteral("NOTIFY_SOCKET is not a usable socket path");
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (address.sun_path[0] == '@')
        address.sun_path[0] = '\0';
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return QString::fromLocal8Bit(std::strerror(errno));
    const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(path.size()));
    const ssize_t sent = ::sendto(fd, datagram.constData(), size_t(datagram.size()), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr *>(&address), length);
    const QString error = sent < 0 ? QString::fromLocal8Bit(std::strerror(errno)) : QString();
    ::close(fd);
    return error;
}

/// Arms readiness for one run() and disarms it when destroyed: the ready file goes, and a
/// descriptor nobody wrote to is closed so that its reader sees the end.
class ReadinessScope
{
public:
    ReadinessScope(const QString &file, int fd)
    {
        Readiness &r = readiness();
        std::lock_guard guard(r.lock);
        r.armed = true;
        r.announced = false;
        r.file = file;
        r.fd = fd;
        r.notifySocket = qgetenv("NOTIFY_SOCKET");
    }
    ~ReadinessScope()
    {
        Readiness &r = readiness();
        std::lock_guard guard(r.lock);
        if (!r.file.isEmpty())
            QFile::remove(r.file);
        if (r.fd > 2)
            ::close(r.fd);
        r.armed = false;
        r.file.clear();
        r.fd = -1;
        r.notifySocket.clear();
    }
    Q_DISABLE_COPY_MOVE(ReadinessScope)
};

// -- output -----------------------------------------------------------------------------------

void printLine(FILE *to, const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), to);
    std::fflush(to);
}

/// Converts "serverName" to "server-name".
QString kebabCase(const QString &camel)
{
    QString out;
    for (const QChar c : camel) {
        if (c.isUpper()) {
            if (!out.isEmpty())
                out += QLatin1Char('-');
            out += c.toLower();
        } else if (c == QLatin1Char('_')) {
            out += QLatin1Char('-');
        } else {
            out += c;
        }
    }
    return out;
}

QString compactJson(const QJsonValue &value)
{
    // QJsonDocument holds only arrays and objects: wrap, then strip the brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

/// Parses \a text as one JSON value of any kind.
std::optional<QJsonValue> parseJsonValue(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc
        = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().first();
}

// -- the framework's flags --------------------------------------------------------------------

struct Flag
{
    const char *name;
    const char *shortName;
    const char *value; // null for flags without a value
    const char *help;
};

constexpr Flag Flags[] = {
    {"help", "h", nullptr, "show this help and exit"},
    {"debug-level", "dl", "LEVEL",
     "log to stderr at LEVEL: DEBUG, TRACE, OBJECT, CONSOLE (the default), WARNING, FAULT or "
     "NONE"},
    {"log-file", "lf", "PATH", "append the log to PATH (at --debug-level, else DEBUG)"},
    {"ready-file", "rf", "PATH", "write a line to PATH when the main object says it is ready"},
    {"ready-fd", "rfd", "N", "write a line to file descriptor N when ready, then close it"},
    {"monitor", "m", "HOST:PORT",
     "stream events live to parley-monitor at HOST:PORT (default from $PARLEY_MONITOR)"},
    {"record", "rec", "PATH", "record events to PATH (read it with parley-trace or the monitor)"},
    {"capture", "cap", "SPEC",
     "what --record and --monitor capture: a LEVEL (default OBJECT), bodies, type=NAME (again "
     "for more), subtree=ID; comma-separated"},
    {"settings-file", "sf", "PATH", "start from the JSON settings in PATH"},
    {"store-settings", "ss", nullptr, "save the effective settings for later runs and exit"},
    {"factory-reset", "fr", nullptr, "forget the stored settings and exit"},
    {"identity", "id", "PATH",
     "the key pair of encrypted connections (default: identity.key beside the stored settings)"},
    {"print-fingerprint", "pf", nullptr,
     "print the fingerprint of this program's key (creating the key if needed) and exit"},
};

/// Parses a --capture SPEC: LEVEL, bodies, type=NAME, subtree=ID, comma-separated.
bool parseCapture(const QString &spec, CaptureFilter &out, QString &error)
{
    CaptureFilter f;
    for (const QString &raw : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString part = raw.trimmed();
        if (part == QLatin1String("bodies")) {
            f.bodies = true;
        } else if (part.startsWith(QLatin1String("type="))) {
            f.types.append(part.mid(5));
        } else if (part.startsWith(QLatin1String("subtree="))) {
            bool ok = false;
            f.subtree = part.mid(8).toULongLong(&ok, 0);
            if (!ok || f.subtree == 0) {
                error
                    = QStringLiteral("\"%1\": expected an object id (decimal or 0x hex)").arg(part);
                return false;
            }
        } else if (const auto level = logLevelFromName(part)) {
            f.level = *level;
        } else {
            error = QStringLiteral("\"%1\" is not a level (DEBUG, TRACE, OBJECT, CONSOLE, "
                                   "WARNING, FAULT), bodies, type=NAME or subtree=ID")
                        .arg(part);
            return false;
        }
    }
    out = f;
    return true;
}

struct Options
{
    std::optional<LogLevel> debugLevel;
    QString logFile;
    QString monitor;
    QString record;
    CaptureFilter capture;
    QString settingsFile;
    QString readyFile;
    int readyFd = -1;
    bool help = false;
    bool storeSettings = false;
    bool factoryReset = false;
    bool printFingerprint = false;
    QString identity;
    QList<std::pair<QString, QString>> settings; // (argument as given, field), in order
    QList<QString> values;
};

class Program
{
public:
    Program(const SettingsSpec &spec, QString name) : m_spec(spec), m_name(std::move(name)) {}

    /// Prints "<program>: <text>" on stderr and returns UsageExitStatus.
    int usageError(const QString &text) const
    {
        printLine(stderr, m_name + QStringLiteral(": ") + text);
        return UsageExitStatus;
    }
    void fail(const QString &text) const
    {
        printLine(stderr, m_name + QStringLiteral(": ") + text);
    }

    [[nodiscard]] QString storedPath() const
    {
        return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
            + QStringLiteral("/parley/") + m_name + QStringLiteral("/settings.json");
    }

    /// Parses the command line into \a options; returns false after printing why not.
    bool parse(const QStringList &arguments, Options &options) const;
    /// Overlays the keys of \a layer on the effective settings; \a where names the source.
    bool overlay(const QJsonObject &layer, const QString &where);
    /// Reads a JSON settings object from \a path into \a out.
    bool readSettingsFile(const QString &path, const QString &what, QJsonObject &out) const;
    void printHelp() const;

    [[nodiscard]] const Value &settings() const { return m_settings; }
    QJsonObject m_effective;
    Value m_settings;

private:
    const SettingsSpec &m_spec;
    QString m_name;
};

bool Program::parse(const QStringList &arguments, Options &options) const
{
    for (const QString &argument : arguments) {
        QString name;
        QString value;
        bool hasValue = false;
        if (argument.startsWith(QLatin1String("--")))
            name = argument.mid(2);
        else if (argument.startsWith(QLatin1Char('-')) && argument.size() > 1)
            name = argument.mid(1);
        if (name.isEmpty()) {
            usageError(QStringLiteral("unexpected argument \"%1\" (see --help)").arg(argument));
            return false;
        }
        const qsizetype equals = name.indexOf(QLatin1Char('='));
        if (equals >= 0) {
            value = name.mid(equals + 1);
            name.truncate(equals);
            hasValue = true;
        }
        const bool isShort = !argument.startsWith(QLatin1String("--"));

        const Flag *flag = nullptr;
        for (const Flag &f : Flags) {
            if (name == QLatin1String(isShort ? f.shortName : f.name))
                flag = &f;
        }
        if (flag) {
            if (flag->value && !hasValue) {
                usageError(QStringLiteral("%1 needs a value: %1=%2")
                               .arg(argument, QLatin1String(flag->value)));
                return false;
            }
            if (!flag->value && hasValue) {
                usageError(QStringLiteral("%1 takes no value").arg(argument));
                return false;
            }
            const QLatin1String n(flag->name);
            if (n == QLatin1String("help")) {
                options.help = true;
            } else if (n == QLatin1String("debug-level")) {
                options.debugLevel = logLevelFromName(value);
                if (!options.debugLevel) {
                    usageError(QStringLiteral("%1: unknown level \"%2\" (expected DEBUG, TRACE, "
                                              "OBJECT, CONSOLE, WARNING, FAULT or NONE)")
                                   .arg(argument, value));
                    return false;
                }
            } else if (n == QLatin1String("log-file")) {
                options.logFile = value;
            } else if (n == QLatin1String("monitor")) {
                HostPort at;
                if (!parseMonitorAddress(value, at)) {
                    usageError(QStringLiteral("%1: expected HOST:PORT").arg(argument));
                    return false;
                }
                options.monitor = value;
            } else if (n == QLatin1String("record")) {
                if (value.isEmpty()) {
                    usageError(QStringLiteral("%1: expected a path").arg(argument));
                    return false;
                }
                options.record = value;
            } else if (n == QLatin1String("capture")) {
                QString error;
                if (!parseCapture(value, options.capture, error)) {
                    usageError(QStringLiteral("%1: %2").arg(argument, error));
                    return false;
                }
            } else if (n == QLatin1String("ready-file")) {
                if (value.isEmpty()) {
                    usageError(QStringLiteral("%1: expected a path").arg(argument));
                    return false;
                }
                options.readyFile = value;
            } else if (n == QLatin1String("ready-fd")) {
                bool ok = false;
                options.readyFd = value.toInt(&ok);
                if (!ok || options.readyFd < 0 || ::fcntl(options.readyFd, F_GETFD) == -1) {
                    usageError(QStringLiteral("%1: not an open file descriptor").arg(argument));
                    return false;
                }
            } else if (n == QLatin1String("settings-file")) {
                options.settingsFile = value;
            } else if (n == QLatin1String("store-settings")) {
                options.storeSettings = true;
            } else if (n == QLatin1String("factory-reset")) {
                options.factoryReset = true;
            } else if (n == QLatin1String("print-fingerprint")) {
                options.printFingerprint = true;
            } else if (n == QLatin1String("identity")) {
                if (value.isEmpty()) {
                    usageError(QStringLiteral("%1: expected a path").arg(argument));
                    return false;
                }
                options.identity = value;
            }
            continue;
        }

        const SettingField *field = nullptr;
        if (!isShort) {
            for (const SettingField &f : m_spec.fields) {
                if (kebabCase(f.field) == name)
                    field = &f;
            }
        }
        if (!field) {
            usageError(QStringLiteral("unknown argument \"%1\" (see --help)").arg(argument));
            return false;
        }
        if (!hasValue) {
            if (!field->flag) {
                usageError(QStringLiteral("%1 needs a value: --%2=%3")
                               .arg(argument, name, field->type.toUpper()));
                return false;
            }
            value = QStringLiteral("true");
        }
        options.settings.append({argument, field->field});
        options.values.append(value);
    }
    return true;
}

bool Program::overlay(const QJsonObject &layer, const QString &where)
{
    QJsonObject next = m_effective;
    for (auto it = layer.begin(); it != layer.end(); ++it)
        next.insert(it.key(), it.value());
    DecodeResult decoded = fromJsonBody(next, m_spec.type);
    if (!decoded) {
        usageError(QStringLiteral("%1: %2").arg(where, decoded.error().toString()));
        return false;
    }
    m_effective = next;
    m_settings = std::move(decoded.value());
    return true;
}

bool Program::readSettingsFile(const QString &path, const QString &what, QJsonObject &out) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        usageError(
            QStringLiteral("cannot read %1 \"%2\" (%3)").arg(what, path, file.errorString()));
        return false;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        usageError(QStringLiteral("%1 \"%2\" is not a JSON object (%3)")
                       .arg(what, path,
                            error.error != QJsonParseError::NoError
                                ? error.errorString()
                                : QStringLiteral("not an object")));
        return false;
    }
    out = doc.object();
    return true;
}

void Program::printHelp() const
{
    QString text = QStringLiteral("usage: %1 [--SETTING=VALUE ...] [FLAGS]\n").arg(m_name);
    const QJsonObject defaults = toJsonBody(m_spec.factory).toObject();
    if (!m_spec.fields.isEmpty()) {
        text += QStringLiteral("\nsettings (JSON for structures and containers, plain text for "
                               "text):\n");
        for (const SettingField &f : m_spec.fields) {
            text += QStringLiteral("  --%1=%2\n      default %3\n")
                        .arg(kebabCase(f.field), f.type.toUpper(),
                             compactJson(defaults.value(f.field)));
        }
    }
    text += QStringLiteral("\nflags:\n");
    for (const Flag &f : Flags) {
        const QString value = f.value ? QStringLiteral("=") + QLatin1String(f.value) : QString();
        text += QStringLiteral("  --%1%3, -%2%3\n      %4\n")
                    .arg(QLatin1String(f.name), QLatin1String(f.shortName), value,
                         QLatin1String(f.help));
    }
    text += QStringLiteral("\nstored settings: %1\n").arg(storedPath());
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

int runProgram(const SettingsSpec &spec, const MainFactory &create)
{
    Program program(spec, QCoreApplication::applicationName());
    if (program.storedPath().isEmpty())
        return program.usageError(QStringLiteral("no configuration location"));

    Options options;
    if (!program.parse(QCoreApplication::arguments().mid(1), options))
        return UsageExitStatus;
    if (options.help) {
        program.printHelp();
        return 0;
    }
    // Encrypted connections that name no identity file use this one (docs/security.md).
    setDefaultIdentityFile(options.identity.isEmpty()
                               ? QFileInfo(program.storedPath()).absolutePath()
                                   + QStringLiteral("/identity.key")
                               : options.identity);
    if (options.printFingerprint) {
        QString error;
        const QString fingerprint = identityFingerprint({}, &error);
        if (fingerprint.isEmpty()) {
            program.fail(error);
            return UsageExitStatus;
        }
        printLine(stdout, fingerprint);
        return 0;
    }

    // Settings precedence: factory < stored < settings file < command line.
    if (!program.overlay(toJsonBody(spec.factory).toObject(), QStringLiteral("factory settings")))
        return UsageExitStatus;
    const QString stored = program.storedPath();
    if (options.factoryReset) {
        if (QFile::exists(stored) && !QFile::remove(stored))
            return program.usageError(QStringLiteral("cannot remove \"%1\"").arg(stored));
    } else if (QFile::exists(stored)) {
        QJsonObject layer;
        if (!program.readSettingsFile(stored, QStringLiteral("stored settings"), layer)
            || !program.overlay(layer, QStringLiteral("stored settings \"%1\"").arg(stored)))
            return UsageExitStatus;
    }
    if (!options.settingsFile.isEmpty()) {
        QJsonObject layer;
        if (!program.readSettingsFile(options.settingsFile, QStringLiteral("settings file"), layer)
            || !program.overlay(layer,
                                QStringLiteral("--settings-file=%1").arg(options.settingsFile)))
            return UsageExitStatus;
    }
    for (qsizetype i = 0; i < options.settings.size(); ++i) {
        const auto &[argument, fieldName] = options.settings.at(i);
        const QString &text = options.values.at(i);
        const SettingField *field = nullptr;
        for (const SettingField &f : spec.fields) {
            if (f.field == fieldName)
                field = &f;
        }
        // Text fields take the argument as it is; others parse it as JSON, and a value that
        // isn't JSON goes in as text so the decoder names the mismatch ("expected int32 ...").
        QJsonValue json(text);
        if (!field->textual) {
            if (const auto parsed = parseJsonValue(text))
                json = *parsed;
            else if (field->type.endsWith(QLatin1String("(JSON)")))
                return program.usageError(QStringLiteral("%1: not valid JSON for %2 %3")
                                              .arg(argument, field->field, field->type));
        }
        QJsonObject layer;
        layer.insert(fieldName, json);
        if (!program.overlay(layer, argument))
            return UsageExitStatus;
    }

    if (options.storeSettings || options.factoryReset) {
        if (options.storeSettings) {
            QDir().mkpath(QFileInfo(stored).absolutePath());
            QSaveFile file(stored);
            if (!file.open(QIODevice::WriteOnly)
                || file.write(QJsonDocument(program.m_effective).toJson()) < 0 || !file.commit())
                return program.usageError(
                    QStringLiteral("cannot write \"%1\" (%2)").arg(stored, file.errorString()));
        }
        return 0;
    }

    // The ready file of an earlier run must not pass for this one's.
    if (!options.readyFile.isEmpty() && QFile::exists(options.readyFile)
        && !QFile::remove(options.readyFile))
        return program.usageError(
            QStringLiteral("--ready-file=%1: cannot remove the old file").arg(options.readyFile));
    if (options.readyFd >= 0)
        ::fcntl(options.readyFd, F_SETFD, ::fcntl(options.readyFd, F_GETFD) | FD_CLOEXEC);
    const ReadinessScope readinessScope(options.readyFile, options.readyFd);

    Runtime::Options runtimeOptions;
    runtimeOptions.name = QCoreApplication::applicationName();
    Runtime runtime(std::move(runtimeOptions));
    // Console, warning and fault lines are for the program's user: shown unless silenced.
    const LogLevel stderrLevel = options.debugLevel.value_or(LogLevel::Console);
    if (stderrLevel != LogLevel::None)
        runtime.logger().addSink(std::make_shared<StderrSink>(stderrLevel));
    if (!options.logFile.isEmpty()) {
        auto sink = std::make_shared<FileSink>(options.logFile,
                                               options.debugLevel.value_or(LogLevel::Debug));
        if (!sink->isOpen())
            return program.usageError(
                QStringLiteral("--log-file=%1: cannot open the file").arg(options.logFile));
        runtime.logger().addSink(sink);
    }
    runtime.setProgramName(QCoreApplication::applicationName());
    if (!options.record.isEmpty()) {
        auto sink
            = std::make_shared<RecordingSink>(options.record, runtime.info(), options.capture);
        if (!sink->isOpen())
            return program.usageError(
                QStringLiteral("--record=%1: %2").arg(options.record, sink->errorString()));
        runtime.logger().addSink(sink);
    }
    // The stream is inherited by child processes through the environment.
    QString monitor = options.monitor;
    if (monitor.isEmpty())
        monitor = qEnvironmentVariable("PARLEY_MONITOR");
    std::shared_ptr<MonitorStream> stream;
    if (!monitor.isEmpty()) {
        HostPort at;
        if (parseMonitorAddress(monitor, at))
            stream = MonitorStream::start(runtime, at, options.capture);
        else
            program.fail(QStringLiteral("PARLEY_MONITOR=%1: expected HOST:PORT; running "
                                        "without a monitor")
                             .arg(monitor));
    }

    const bool handlingSignals = installSignalHandlers();
    std::unique_ptr<QSocketNotifier> notifier;
    const Address main = create(runtime, program.settings());
    if (handlingSignals) {
        notifier = std::make_unique<QSocketNotifier>(signalPipe[0], QSocketNotifier::Read);
        QObject::connect(notifier.get(), &QSocketNotifier::activated, notifier.get(),
                         [&runtime, main] {
                             char byte = 0;
                             while (::read(signalPipe[0], &byte, 1) > 0)
                                 runtime.send(Stop{}, main);
                         });
    }

    std::optional<Value> result;
    while (!result)
        result = runtime.waitForCompletion(main, std::chrono::hours(24));
    notifier.reset();

    FaultView fault;
    int status = 0;
    if (result->fault(&fault)) {
        program.fail(fault.explanation.isEmpty()
                         ? fault.condition
                         : QStringLiteral("%1 (%2)").arg(fault.condition, fault.explanation));
        status = fault.exitStatus ? fault.exitStatus : DefaultFaultExitStatus;
    } else {
        const QJsonValue json = toJson(*result);
        printLine(stdout,
                  json.isNull() ? QString::fromLatin1(result->typeName()) : compactJson(json));
    }
    // Signals arriving during shutdown still end the process (the second-signal rule).
    return status;
}

} // namespace

} // namespace Parley::detail

namespace Parley {

PARLEY_DEFINE_MESSAGE(NoSettings)

void announceReady(const Object &self, const QString &text)
{
    const QString line = text.isEmpty() ? QStringLiteral("ready") : text;
    self.trace("Ready: ", line);
    detail::Readiness &r = detail::readiness();
    std::lock_guard guard(r.lock);
    if (!r.armed || r.announced)
        return;
    r.announced = true;
    const QByteArray bytes = line.toUtf8() + '\n';
    if (!r.file.isEmpty()) {
        QSaveFile file(r.file); // appears complete or not at all
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            self.warning("--ready-file=", r.file, ": cannot write (", file.errorString(), ")");
    }
    if (r.fd >= 0) {
        qsizetype written = 0;
        while (written < bytes.size()) {
            const ssize_t n
                = ::write(r.fd, bytes.constData() + written, size_t(bytes.size() - written));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                self.warning("--ready-fd=", r.fd, ": cannot write (",
                             QString::fromLocal8Bit(std::strerror(errno)), ")");
                break;
            }
            written += n;
        }
        if (r.fd > 2) {
            ::close(r.fd);
            r.fd = -1;
        }
    }
    if (!r.notifySocket.isEmpty()) {
        const QString error
            = detail::notifySystemd(r.notifySocket, "READY=1\nSTATUS=" + line.toUtf8());
        if (!error.isEmpty())
            self.warning("NOTIFY_SOCKET: cannot tell the service manager (", error, ")");
    }
}

} // namespace Parley

namespace Parley::detail {

int runMain(int argc, char **argv, const SettingsSpec &spec, const MainFactory &create)
{
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance())
        app = std::make_unique<QCoreApplication>(argc, argv);
    const int status = runProgram(spec, create);
    restoreSignalHandlers();
    return status;
}

} // namespace Parley::detail
