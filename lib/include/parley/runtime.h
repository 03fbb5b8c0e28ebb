// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/runtime.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/events.h>
#include <parley/object.h>

#include <QtCore/QObject>

#include <chrono>
#include <memory>
#include <optional>

namespace Parley {

class RuntimePrivate;

/// Owns everything objects need: the worker threads, the object table, ids, timers and logs.
///
/// A runtime is an explicit object, not a hidden singleton: a test may run two of them in one
/// process as if they were two programs. Objects created by the runtime itself (top-level
/// objects) report their completion to it; wait for that with waitForCompletion().
///
/// Destroying the runtime sends Stop to every top-level object, waits up to
/// Options::stopGrace for all objects to complete, then ends the rest: routines blocked in
/// select() unwind with Parley::Terminated, machines are destroyed on their threads. The
/// runtime must be destroyed on the thread that created it.
class PARLEY_EXPORT Runtime : public QObject
{
    Q_OBJECT
public:
    /// Configures a runtime.
    struct Options
    {
        int workers = 0; ///< worker threads; 0 = one per core
        QString name;    ///< names the runtime in its own log lines and its worker threads
                         ///< ("NAME-worker-0")
        std::chrono::milliseconds stopGrace{3000}; ///< how long shutdown waits for objects
        /// Runs every machine on the creating thread, one message at a time, only when the
        /// owner calls step() or runUntilIdle(); timers follow a clock moved by advanceClock().
        /// For tests (see Parley::Test). Routines need threads and are refused.
        bool deterministic = false;
    };
    /// Describes a message waiting in a deterministic runtime.
    struct PendingMessage
    {
        Address to;
        Address from;
        QString type; ///< the message's display name, e.g. "Welcome"; "Start" for a start
    };

    /// Starts a runtime with \a options: its worker threads and timer service begin at once.
    explicit Runtime(Options options);
    Runtime();
    ~Runtime() override;

    /// Creates a top-level object of class \a T from \a args.
    template <std::derived_from<Object> T, class... Args>
    Address create(Args &&...args)
    {
        return detail::createObject<T>(this, nullptr, Placement::Default,
                                       std::forward<Args>(args)...);
    }
    /// Creates a top-level object of class \a T on the thread chosen by \a placement.
    template <std::derived_from<Object> T, class... Args>
    Address createOn(Placement placement, Args &&...args)
    {
        return detail::createObject<T>(this, nullptr, placement, std::forward<Args>(args)...);
    }
    /// Creates a top-level routine running function \a F (named after it) with \a args.
    template <auto F, class... Args>
    Address create(Args &&...args)
    {
        return detail::createRoutine(this, nullptr, detail::functionNameOf<F>(),
                                     detail::bindRoutine(F, std::forward<Args>(args)...));
    }
    /// Creates a top-level routine running callable \a f with \a args.
    template <class F, class... Args>
    Address create(F &&f, Args &&...args) requires RoutineCallable<F, Args...>
    {
        return detail::createRoutine(
            this, nullptr, QStringLiteral("routine"),
            detail::bindRoutine(std::forward<F>(f), std::forward<Args>(args)...));
    }

    /// Sends \a message to \a to from the runtime's own address.
    template <Message T>
    void send(T &&message, const Address &to)
    {
        sendValue(Value(std::forward<T>(message)), to);
    }
    /// Sends \a message, a message of any type held by a Value, from the runtime's address.
    void send(Value message, const Address &to) { sendValue(std::move(message), to); }

    /// Returns the runtime's own address: the parent of top-level objects.
    [[nodiscard]] Address address() const;

    /// Waits until the top-level object \a address completes and returns its value, or nothing
    /// after \a timeout. Runs a local event loop meanwhile, so objects bound to this thread
    /// keep working. Each completion value is handed out once.
    std::optional<Value> waitForCompletion(const Address &address,
                                           std::chrono::milliseconds timeout);
    /// Returns the completion value of top-level object \a address if it has completed (once).
    std::optional<Value> takeCompletion(const Address &address);

    /// Returns true while an object with \a address's last id exists in this runtime.
    [[nodiscard]] bool contains(const Address &address) const;
    /// Returns the number of live objects.
    [[nodiscard]] int objectCount() const;
    /// Returns the number of worker threads.
    [[nodiscard]] int workerCount() const;

    /// Returns the logger; add sinks to it to see records.
    [[nodiscard]] Logger &logger() const;
    /// Returns what identifies this runtime at the head of its event streams and recordings
    /// (docs/events.md): a random 64-bit id, pid, host, program and runtime name.
    [[nodiscard]] const RuntimeInfo &info() const;
    /// Sets the program name in info() (Parley::run() sets it from its Program).
    void setProgramName(const QString &program);

    // -- deterministic runtimes (Options::deterministic) ------------------------------------------

    /// Returns true for a deterministic runtime.
    [[nodiscard]] bool isDeterministic() const;
    /// Delivers the oldest waiting message; returns false when none waits.
    bool step();
    /// Delivers messages until none waits (or \a maxMessages were delivered); returns how many.
    int runUntilIdle(int maxMessages = 1000000);
    /// Returns the number of messages waiting.
    [[nodiscard]] int pendingCount() const;
    /// Describes the oldest waiting message without delivering it.
    [[nodiscard]] std::optional<PendingMessage> nextMessage() const;
    /// Moves the runtime's clock on by \a by: timers that come due fire, in order, as messages
    /// waiting to be delivered.
    void advanceClock(Duration by);
    /// Returns the object at \a address, or null (deterministic runtimes only: elsewhere an
    /// object may be deleted on its own thread at any time).
    [[nodiscard]] Object *objectAt(const Address &address) const;
    /// Returns the object at \a address as a \a T, or null when there is none or it is not a
    /// \a T (deterministic runtimes only, as above): `runtime.objectAt<Connection>(line)`.
    template <std::derived_from<Object> T>
    [[nodiscard]] T *objectAt(const Address &address) const
    {
        return dynamic_cast<T *>(objectAt(address));
    }

Q_SIGNALS:
    /// Emitted (on the runtime's thread) when a top-level object completes.
    void completed(const Parley::Address &address);

private:
    friend class RuntimePrivate;
    friend class ObjectPrivate;
    /// \internal The implementation of send(); its callers use send().
    void sendValue(Value message, const Address &to);
    Q_DISABLE_COPY_MOVE(Runtime)
    Q_DECLARE_PRIVATE_D(m_d, Runtime)
    std::unique_ptr<RuntimePrivate> m_d;
};

/// Thrown out of Routine::select() and friends when the runtime ends a routine that did not
/// complete within the shutdown grace period; routines should not catch it.
class PARLEY_EXPORT Terminated
{
};

} // namespace Parley
