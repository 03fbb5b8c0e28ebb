// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/net.h>
#include <parley/parley.h>
#include <parley/parley_test_export.h>

#include <QtCore/QList>
#include <QtCore/QString>

#include <chrono>
#include <memory>
#include <optional>
#include <source_location>

/// \file
/// Parley::Test: drive your own objects from Qt Test cases (link Parley::Test).
///
/// A Probe is an object the test holds: it sends as itself and expects what comes back, and a
/// failed expectation fails the running Qt Test with what arrived instead. With a
/// deterministic runtime (Runtime::Options::deterministic) nothing runs until the test steps
/// it, and timers follow a clock the test moves. exposeOverLoopback() and Probe::connectTo()
/// let one test run in-process and over TCP. See docs/testing.md.

namespace Parley::Test {

using Milliseconds = std::chrono::milliseconds;

/// One message a probe received.
struct Received
{
    Value message;
    Address from; ///< the return address: reply here to answer the sender
};

/// Shared between a Probe and its object in the runtime.
struct ProbeState;

namespace detail {
/// Ends the program: the failed expectation at \a where was read anyway.
[[noreturn]] PARLEY_TEST_EXPORT void readFailedExpectation(const std::source_location &where);
} // namespace detail

/// Holds what an expectation took, or nothing when the expectation failed (the test has then
/// already failed, with a text saying what came instead).
///
/// Take expectations with PARLEY_EXPECT and friends, which return from the test function when
/// one fails, as QVERIFY does. Reading a failed Expectation is a bug in the test: instead of
/// handing out a value that isn't there, it ends the program with a qFatal naming the line of
/// the expectation.
template <class T>
class Expectation
{
public:
    /// Constructs a failed expectation, taken at \a where.
    explicit Expectation(std::source_location where) : m_where(where) {}
    /// Constructs an expectation that took \a value at \a where.
    Expectation(T value, std::source_location where) : m_value(std::move(value)), m_where(where) {}

    /// Returns true when the expectation was met.
    [[nodiscard]] bool hasValue() const noexcept { return m_value.has_value(); }
    explicit operator bool() const noexcept { return hasValue(); }

    /// Returns what was taken; ends the program when the expectation failed.
    [[nodiscard]] T &value()
    {
        if (!m_value)
            detail::readFailedExpectation(m_where);
        return *m_value;
    }
    [[nodiscard]] const T &value() const
    {
        if (!m_value)
            detail::readFailedExpectation(m_where);
        return *m_value;
    }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    /// Moves out what was taken; ends the program when the expectation failed.
    [[nodiscard]] T take() { return std::move(value()); }

private:
    std::optional<T> m_value;
    std::source_location m_where;
};

/// An object a test drives directly (declare it after the Runtime it lives in): sends as itself,
/// and expects the messages sent to it.
///
/// Expectations wait (processing the test thread's events) up to a timeout on a threaded
/// runtime; on a deterministic one they run the runtime until it is idle and don't wait unless
/// given a timeout. A failed expectation fails the current Qt Test function with a text that
/// says what was expected and what arrived instead, from whom, or that nothing came. Take them
/// with the macros, which also end the test function then, as QVERIFY does:
/// \code
/// PARLEY_EXPECT(probe, Welcome, welcome);   // declares Welcome welcome, or fails and returns
/// QCOMPARE(welcome.yourName, u"Gladys");
/// PARLEY_EXPECT_NOTHING(probe);             // nothing more comes
/// \endcode
/// (Don't wrap the functions in QVERIFY: Qt Test would then report a second failure.)
class PARLEY_TEST_EXPORT Probe
{
public:
    /// Creates the probe's object in \a runtime; \a name shows in logs.
    explicit Probe(Runtime &runtime, const QString &name = QStringLiteral("probe"));
    ~Probe();
    Probe(const Probe &) = delete;
    Probe &operator=(const Probe &) = delete;

    /// Returns the probe's address: give it to the object under test as its peer.
    [[nodiscard]] Address address() const;
    /// Returns the runtime the probe lives in.
    [[nodiscard]] Runtime &runtime() const { return *m_runtime; }

    /// Sends \a message to \a to, from the probe's address (replies come back to the probe).
    template <Message T>
    void send(T &&message, const Address &to)
    {
        send(Value(std::forward<T>(message)), to);
    }
    /// Sends \a message, a message of any type held by a Value, to \a to.
    void send(Value message, const Address &to);
    /// Sends \a message to the return address of the last message the probe took.
    template <Message T>
    void reply(T &&message)
    {
        send(Value(std::forward<T>(message)), returnAddress());
    }
    /// Sends \a message, held by a Value, to the return address of the last message taken.
    void reply(Value message) { send(std::move(message), returnAddress()); }

    /// Takes the next message and checks it is a \a T; fails the test otherwise (see
    /// PARLEY_EXPECT, the way to call it from a test function).
    template <Message T>
    [[nodiscard]] Expectation<T> expect(std::optional<Milliseconds> timeout = std::nullopt,
                                        std::source_location where
                                        = std::source_location::current())
    {
        std::optional<Received> r = expectType(typeOf<T>(), timeout, where);
        if (!r)
            return Expectation<T>(where);
        return Expectation<T>(std::move(r->message.get<T>()), where);
    }
    /// Takes the next message, whatever it is; fails the test when nothing comes (see
    /// PARLEY_EXPECT_ANY).
    [[nodiscard]] Expectation<Received>
    expectAny(std::optional<Milliseconds> timeout = std::nullopt,
              std::source_location where = std::source_location::current());
    /// Checks that nothing arrives for \a period (on a deterministic runtime: once it is idle);
    /// fails the test, naming what came, otherwise. Returns true when nothing came (see
    /// PARLEY_EXPECT_NOTHING).
    [[nodiscard]] bool expectNothing(Milliseconds period = Milliseconds(100),
                                     std::source_location where = std::source_location::current());
    /// Returns the address the last message taken came from.
    [[nodiscard]] Address returnAddress() const;
    /// Returns how many messages wait, not yet taken (as Routine::pendingCount() and
    /// Runtime::pendingCount() count theirs).
    [[nodiscard]] int pendingCount() const;

    /// Connects the probe to \a at over TCP and returns the connection's proxy: send there to
    /// reach the listening side's controller. Fails the test and returns null on failure.
    Address connectTo(const HostPort &at, Milliseconds timeout = Milliseconds(5000),
                      std::source_location where = std::source_location::current());

private:
    std::optional<Received> expectType(const TypeInfo *type, std::optional<Milliseconds> timeout,
                                       std::source_location where);
    /// Waits until a message is there or the time is up; true when one is.
    bool waitForMessage(Milliseconds timeout);

    Runtime *m_runtime;
    std::shared_ptr<ProbeState> m_state;
    Address m_address;
    Address m_returnAddress;
};

/// Listens on 127.0.0.1 (a free port) for \a target: whatever a peer sends to the connection's
/// bare proxy address is forwarded to \a target with its return address, so \a target's
/// replies go back over TCP. Returns where to connect, or a null port (and a test failure).
/// Lets a test reach an in-process object as a remote client would.
PARLEY_TEST_EXPORT HostPort exposeOverLoopback(Runtime &runtime, const Address &target,
                                               Milliseconds timeout = Milliseconds(5000),
                                               std::source_location where
                                               = std::source_location::current());

/// One message an object was seen sending (from the runtime's log).
struct Sent
{
    Address from;
    Address to;
    QString type; ///< display name, e.g. "Welcome"
};

/// Records the messages objects send in \a runtime, for tests that check what an object under
/// test sends without standing in for its peers. Turns on OBJECT-level logging for the
/// runtime while it lives.
class PARLEY_TEST_EXPORT SendSpy
{
public:
    explicit SendSpy(Runtime &runtime);
    ~SendSpy();
    SendSpy(const SendSpy &) = delete;
    SendSpy &operator=(const SendSpy &) = delete;

    /// Returns what \a from sent, oldest first.
    [[nodiscard]] QList<Sent> sentBy(const Address &from) const;
    /// Returns how many messages of type \a T \a from sent.
    template <Message T>
    [[nodiscard]] int count(const Address &from) const
    {
        return countType(from, QString::fromUtf8(typeOf<T>()->displayName));
    }
    /// Returns every send recorded, oldest first.
    [[nodiscard]] QList<Sent> all() const;

private:
    [[nodiscard]] int countType(const Address &from, const QString &type) const;
    class Sink;
    std::shared_ptr<Sink> m_sink;
    Runtime *m_runtime;
};

} // namespace Parley::Test

// -- taking expectations in a test function -----------------------------------------------------

/// Takes the next message that comes to \a probe into a new variable `Type name`; when
/// something else comes, or nothing within the (optional) timeout after \a name, fails the test
/// saying what came and returns from the test function, as QVERIFY does.
/// \code
/// PARLEY_EXPECT(probe, Answer, answer);
/// PARLEY_EXPECT(probe, Welcome, welcome, 2s);
/// QCOMPARE(answer.text, QStringLiteral("answer #1"));
/// \endcode
#define PARLEY_EXPECT(probe, Type, name, ...)                                                      \
    auto parleyExpectation_##name = (probe).template expect<Type>(__VA_ARGS__);                    \
    if (!parleyExpectation_##name)                                                                 \
        return;                                                                                    \
    Type name = parleyExpectation_##name.take()

/// Takes the next message that comes to \a probe, whatever its type, into a new variable
/// `Parley::Test::Received name` (`name.message`, `name.from`); fails the test and returns from
/// the test function when nothing comes within the (optional) timeout after \a name.
#define PARLEY_EXPECT_ANY(probe, name, ...)                                                        \
    auto parleyExpectation_##name = (probe).expectAny(__VA_ARGS__);                                \
    if (!parleyExpectation_##name)                                                                 \
        return;                                                                                    \
    ::Parley::Test::Received name = parleyExpectation_##name.take()

/// Checks that nothing comes to \a probe for the (optional) period given after it (100 ms by
/// default; on a deterministic runtime: once it is idle); fails the test, naming what came, and
/// returns from the test function otherwise.
#define PARLEY_EXPECT_NOTHING(probe, ...)                                                          \
    do {                                                                                           \
        if (!(probe).expectNothing(__VA_ARGS__))                                                   \
            return;                                                                                \
    } while (false)
