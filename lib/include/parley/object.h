// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/object.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/address.h>
#include <parley/log.h>
#include <parley/message.h>
#include <parley/messages.h>
#include <parley/parley_export.h>

#include <QtCore/QObject>

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace Parley {

class Object;
class ObjectPrivate;
class Routine;
class Runtime;

/// Says how long a timer runs or a select waits; any std::chrono duration converts to it.
using Duration = std::chrono::nanoseconds;

/// Chooses between a timer that fires once and one that fires until cancelled.
enum class TimerMode { Once, Repeating };

/// Chooses the thread a new machine runs on.
enum class Placement {
    Default,   ///< the creator's worker; a worker picked in turn when the creator has none
    AnyWorker, ///< a worker of the runtime's pool, picked in turn
    Gui,       ///< the application's main (GUI) thread, so handlers may touch widgets
};

/// Satisfied by a callable that runs as a routine with \a Args: `R f(Routine &, Args...)`.
template <class F, class... Args>
concept RoutineCallable = std::is_invocable_v<F &, Routine &, Args &...>;

/// Returned by complete(); lets a state handler end with `return complete(value);`.
struct Completion
{
};

namespace Internal {
class Executor;
} // namespace Internal

namespace detail {

/// Moves one message between objects: who it is for, who sent it, and the message itself.
/// What the event stream knows of a message on its way (all zero when nothing is recorded).
struct Stamp
{
    quint64 messageId = 0; ///< its id in the runtime that sent it (Event::messageId)
    quint64 origin = 0;    ///< that runtime's id when it came from another process; 0 = this one
    qint64 postedAt = 0;   ///< when it was posted (Logger::elapsed()); 0 = not recorded
};

struct Envelope
{
    Envelope() = default;
    // A constructor (not only aggregate initialisation) so that mailboxes can build envelopes in
    // place with emplace_back on every compiler.
    Envelope(const Address &to_, const Address &from_, Value &&message_, quint64 generation = 0,
             const Stamp &stamp_ = {})
        : to(to_), from(from_), message(std::move(message_)), timerGeneration(generation),
          traced(stamp_.messageId || stamp_.postedAt ? std::make_unique<Stamp>(stamp_) : nullptr)
    {
    }

    Envelope(Envelope &&) noexcept = default;
    Envelope &operator=(Envelope &&) noexcept = default;
    Envelope(const Envelope &other)
        : to(other.to), from(other.from), message(other.message),
          timerGeneration(other.timerGeneration),
          traced(other.traced ? std::make_unique<Stamp>(*other.traced) : nullptr)
    {
    }
    Envelope &operator=(const Envelope &other)
    {
        if (this != &other)
            *this = Envelope(other);
        return *this;
    }
    ~Envelope() = default;

    /// Returns the message's stamp: all zero when it was not recorded.
    [[nodiscard]] const Stamp &stamp() const
    {
        static const Stamp none;
        return traced ? *traced : none;
    }

    Address to;
    Address from;
    Value message;
    quint64 timerGeneration = 0; ///< non-zero for a timer firing; stale generations are dropped
    /// Set only for a recorded message: a mailbox of unrecorded ones carries 8 bytes, not 24.
    std::unique_ptr<Stamp> traced;
};

/// What create() hands to a new object's constructor (through a thread-local, so that an
/// object's address is valid from its first line).
struct Birth
{
    Runtime *runtime = nullptr;
    Internal::Executor *executor = nullptr;
    quint64 id = 0;
    quint64 parentId = 0;
    const QString *className = nullptr;
    Object *creator = nullptr;
};

/// Returns the unqualified class name of T, computed once ("GetResponse").
template <class T>
const QString &classNameOf()
{
    static const QString name = demangledName(typeid(T).name());
    return name;
}

/// Runs a routine function; see Routine.
using RoutineBody = std::function<Value(Routine &)>;

PARLEY_EXPORT Birth prepareBirth(Runtime *runtime, const Object *creator, Placement placement,
                                 const QString &className);
PARLEY_EXPORT Address completeBirth(const Birth &birth, Object *object);
PARLEY_EXPORT void abortBirth(const Birth &birth) noexcept;
PARLEY_EXPORT Address createRoutine(Runtime *runtime, const Object *creator, QString name,
                                    RoutineBody body);
PARLEY_EXPORT void setBirth(const Birth *birth) noexcept;

template <class T, class... Args>
Address createObject(Runtime *runtime, const Object *creator, Placement placement, Args &&...args)
{
    static_assert(std::is_base_of_v<Object, T>,
                  "create<T>() needs a class derived from Parley::Object");
    const Birth birth = prepareBirth(runtime, creator, placement, classNameOf<T>());
    if (!birth.id)
        return {};
    T *object = nullptr;
    setBirth(&birth);
    try {
        object = new T(std::forward<Args>(args)...);
    } catch (...) {
        setBirth(nullptr);
        abortBirth(birth);
        throw;
    }
    setBirth(nullptr);
    return completeBirth(birth, object);
}

template <class R>
Value toCompletionValue(R &&r)
{
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, Value>)
        return std::forward<R>(r);
    else
        return Value(std::forward<R>(r));
}

template <class F, class... Args>
RoutineBody bindRoutine(F &&f, Args &&...args)
{
    return [f = std::forward<F>(f),
            ... args = std::forward<Args>(args)](Routine &self) mutable -> Value {
        using R = std::invoke_result_t<F &, Routine &, Args &...>;
        if constexpr (std::is_void_v<R>) {
            std::invoke(f, self, args...);
            return Value(Ack{});
        } else {
            return toCompletionValue(std::invoke(f, self, args...));
        }
    };
}

template <auto F>
const QString &functionNameOf()
{
    static const QString name = functionNameFromSignature(__PRETTY_FUNCTION__);
    return name;
}

} // namespace detail

/// An addressable object with a mailbox: the base of every style of Parley object.
///
/// An object lives on one thread and its handlers never run concurrently. It is created with
/// create(), which returns its address at once; it receives Start first, then whatever is sent
/// to it, and ends with complete(value), after which its parent receives Completed{value} from
/// its address. Sending to an object that has completed drops the message with a log line.
///
/// Stopping: Stop is an ordinary message; an object decides what it means. When an object
/// completes while children of its own are still running, each of them is sent Stop, so a
/// tree of objects winds down from its root (see docs/objects.md).
class PARLEY_EXPORT Object : public QObject
{
    Q_OBJECT
public:
    ~Object() override;

    /// Returns this object's address.
    [[nodiscard]] Address address() const;
    /// Returns the address of the object that created this one.
    [[nodiscard]] Address parentAddress() const;
    /// Returns the runtime this object belongs to.
    [[nodiscard]] Runtime *runtime() const;
    /// Returns the name used in logs: objectName() when set, else the class or function name.
    [[nodiscard]] QString name() const;
    /// Returns the current state's name for logs (state machines), else an empty string.
    [[nodiscard]] virtual QString parleyStateName() const;

    // -- sending ---------------------------------------------------------------------------------

    /// Sends \a message to \a to; in-process the message is moved, never copied or encoded.
    template <Message T>
    void send(T &&message, const Address &to)
    {
        send(Value(std::forward<T>(message)), to);
    }
    /// Sends \a message, a message of any type held by a Value, to \a to.
    void send(Value message, const Address &to);
    /// Sends \a message to the return address of the message being handled.
    template <Message T>
    void reply(T &&message)
    {
        send(Value(std::forward<T>(message)), returnAddress());
    }
    /// Sends \a message, held by a Value, to the return address.
    void reply(Value message) { send(std::move(message), returnAddress()); }
    /// Sends \a message to \a to as if it came from \a from: replies go to \a from.
    template <Message T>
    void forward(T &&message, const Address &to, const Address &from)
    {
        forward(Value(std::forward<T>(message)), to, from);
    }
    /// Sends \a message, held by a Value, to \a to as if it came from \a from.
    void forward(Value message, const Address &to, const Address &from);
    /// Returns the address the message being handled came from.
    [[nodiscard]] const Address &returnAddress() const;
    /// Returns the proxy of the connection the message being handled came in through, so that
    /// a server can tell its clients' connections apart: the address that connection's Accepted
    /// or Connected (and later its Closed or Abandoned) came from, or SessionInfo::remoteAddress
    /// when the connection has a session. Returns a null address for a message from an object
    /// of this process, the connection's own notices included. A message relayed through other
    /// processes names the last hop's proxy; one forwarded with a return address from another
    /// process names that address's connection (docs/net.md, "Which connection a message came
    /// through").
    [[nodiscard]] Address arrivedThrough() const;

    // -- children --------------------------------------------------------------------------------

    /// Creates a child object of class \a T from \a args; it receives Start, then mail.
    template <std::derived_from<Object> T, class... Args>
    Address create(Args &&...args)
    {
        return detail::createObject<T>(runtime(), this, Placement::Default,
                                       std::forward<Args>(args)...);
    }
    /// Creates a child object of class \a T on the thread chosen by \a placement.
    template <std::derived_from<Object> T, class... Args>
    Address createOn(Placement placement, Args &&...args)
    {
        return detail::createObject<T>(runtime(), this, placement, std::forward<Args>(args)...);
    }
    /// Creates a child routine running function \a F (named after it) with \a args.
    template <auto F, class... Args>
    Address create(Args &&...args)
    {
        return detail::createRoutine(runtime(), this, detail::functionNameOf<F>(),
                                     detail::bindRoutine(F, std::forward<Args>(args)...));
    }
    /// Creates a child routine running callable \a f with \a args.
    template <class F, class... Args>
    Address create(F &&f, Args &&...args) requires RoutineCallable<F, Args...>
    {
        return detail::createRoutine(
            runtime(), this, QStringLiteral("routine"),
            detail::bindRoutine(std::forward<F>(f), std::forward<Args>(args)...));
    }
    /// Calls \a callback with the completion value of \a child instead of handing its Completed
    /// to the handlers (the seeds' `then`/`debrief`).
    void then(const Address &child, std::function<void(Value &)> callback);
    /// Calls \a callback with the next message from \a from, whatever its type, instead of
    /// handing it to the handlers; once. For machines and state machines (a routine selects).
    /// connectThen() and listenThen() use it to take a proxy's first notice.
    void nextFrom(const Address &from, std::function<void(Value &)> callback);

    // -- completion ------------------------------------------------------------------------------

    /// Ends this object with \a value; the parent receives Completed{value} from this address.
    Completion complete(Value value);
    template <Message T>
    Completion complete(T &&value)
    {
        return complete(Value(std::forward<T>(value)));
    }
    /// Returns true once complete() has been called.
    [[nodiscard]] bool isCompleted() const;

    // -- timers ----------------------------------------------------------------------------------

    /// Starts timer \a timer: after \a after (and every \a after when repeating) this object
    /// receives a copy of \a timer. Starting a running timer of the same type restarts it.
    template <Message T>
    void start(T timer, Duration after, TimerMode mode = TimerMode::Once)
    {
        static_assert(std::is_copy_constructible_v<T>, "a timer message must be copyable");
        startTimerValue(Value(std::move(timer)), after, mode);
    }
    /// Cancels the timer of type \a T; a firing not yet handled is discarded.
    template <Message T>
    void cancel()
    {
        cancelTimer(typeOf<T>());
    }

    // -- logging ---------------------------------------------------------------------------------

    /// Returns true when a record of \a level would be shown somewhere.
    [[nodiscard]] bool logs(LogLevel level) const;
    /// Logs the concatenation of \a parts at CONSOLE level (`^`): what a user of the program
    /// wants to see (Parley::run() shows it on stderr by default).
    template <class... Parts>
    void console(const Parts &...parts) const
    {
        if (logs(LogLevel::Console))
            writeLog(LogLevel::Console, detail::logText(parts...));
    }
    /// Logs at TRACE level (`~`): progress a developer follows.
    template <class... Parts>
    void trace(const Parts &...parts) const
    {
        if (logs(LogLevel::Trace))
            writeLog(LogLevel::Trace, detail::logText(parts...));
    }
    /// Logs at WARNING level (`?`): something unexpected, handled.
    template <class... Parts>
    void warning(const Parts &...parts) const
    {
        if (logs(LogLevel::Warning))
            writeLog(LogLevel::Warning, detail::logText(parts...));
    }
    /// Logs at FAULT level (`!`): something failed.
    template <class... Parts>
    void fault(const Parts &...parts) const
    {
        if (logs(LogLevel::Fault))
            writeLog(LogLevel::Fault, detail::logText(parts...));
    }
    /// Logs at DEBUG level (`_`): internal detail.
    template <class... Parts>
    void debug(const Parts &...parts) const
    {
        if (logs(LogLevel::Debug))
            writeLog(LogLevel::Debug, detail::logText(parts...));
    }

protected:
    /// Constructs the object; only create() may construct objects.
    Object();

private:
    friend class ObjectPrivate;
    friend class Internal::Executor;
    friend class Routine;

    /// Handles one envelope; each style of object implements its own dispatch.
    virtual void parleyReceive(detail::Envelope &envelope) = 0;
    /// \internal Called after each batch of mail for objects that ask for it (network proxies
    /// write what the batch produced in one go).
    virtual void parleyBatchDone() {}

    /// Writes one record of \a text with this object's identity; the marker follows from
    /// \a level.
    void writeLog(LogLevel level, const QString &text) const;
    void startTimerValue(Value timer, Duration after, TimerMode mode);
    void cancelTimer(const TypeInfo *type);

    Q_DISABLE_COPY_MOVE(Object)
    Q_DECLARE_PRIVATE_D(m_d, Object)
    std::unique_ptr<ObjectPrivate> m_d;
};

} // namespace Parley
