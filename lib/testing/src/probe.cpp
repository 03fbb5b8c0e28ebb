// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/test.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QMutex>
#include <QtTest/QTest>

#include <deque>

namespace Parley::Test {

namespace {

/// Fails the running Qt Test at \a where with \a text.
void fail(const QString &text, const std::source_location &where)
{
    QTest::qFail(qPrintable(text), where.file_name(), int(where.line()));
}

} // namespace

namespace detail {

void readFailedExpectation(const std::source_location &where)
{
    qFatal("Parley::Test: the expectation at %s(%u) failed, and what it took was read anyway. "
           "Take expectations with PARLEY_EXPECT(probe, Type, name), which returns from the test "
           "function when one fails, or check the result before reading it.",
           where.file_name(), unsigned(where.line()));
}

} // namespace detail

namespace {

/// Says what arrived: "Pong arrived from <00000003>".
QString arrived(const Received &r)
{
    return QStringLiteral("%1 arrived from %2")
        .arg(QString::fromUtf8(r.message.typeName()), r.from.toString());
}

/// Processes the test thread's events (and, on a deterministic runtime, runs it until idle)
/// until \a done or \a timeout; returns done().
template <class F>
bool waitUntil(Runtime &runtime, Milliseconds timeout, F done)
{
    QDeadlineTimer deadline(timeout);
    for (;;) {
        if (runtime.isDeterministic())
            runtime.runUntilIdle();
        if (done())
            return true;
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        if (!runtime.isDeterministic())
            QTest::qSleep(1); // threads deliver meanwhile; the check above is cheap
    }
}

} // namespace

// -- the probe's object -------------------------------------------------------------------------

struct ProbeState
{
    mutable QMutex lock;
    std::deque<Received> inbox;
    Object *object = nullptr; ///< guarded by lock; null once the object is gone
    Address connected;        ///< the proxy after connectTo()
    QString connectError;
};

/// \internal Asks a probe's object to connect (connect() must run on the object's thread).
struct ProbeConnect
{
    HostPort at;
};
/// \internal Tells a probe's object its Probe is gone.
struct ProbeDone
{
};
PARLEY_MESSAGE_AS(ProbeConnect, "parley.test.ProbeConnect", at)
PARLEY_MESSAGE_AS(ProbeDone, "parley.test.ProbeDone")

namespace {

class ProbeObject final : public Machine
{
public:
    explicit ProbeObject(std::shared_ptr<ProbeState> state) : m_state(std::move(state))
    {
        {
            QMutexLocker l(&m_state->lock);
            m_state->object = this;
        }
        on<Start>([] {});
        on<ProbeConnect>([this](const ProbeConnect &c) { Parley::connectTo(*this, c.at); });
        on<ProbeDone>([this] { complete(Ack{}); });
        // The runtime's own Stop (at shutdown) ends the probe; a Stop from anyone else is mail.
        on<Stop>([this](Stop &s) {
            if (returnAddress() == runtime()->address())
                return void(complete(Aborted{}));
            QMutexLocker l(&m_state->lock);
            m_state->inbox.push_back(Received{Value(s), returnAddress()});
        });
        // Connections the probe made report here; they are not the test's mail.
        on<Connected>([this] {
            QMutexLocker l(&m_state->lock);
            m_state->connected = returnAddress();
        });
        on<NotConnected>([this](const NotConnected &n) {
            QMutexLocker l(&m_state->lock);
            m_state->connectError = n.text.isEmpty() ? QStringLiteral("not connected") : n.text;
        });
        onUnknown([this](Value &v) {
            QMutexLocker l(&m_state->lock);
            m_state->inbox.push_back(Received{v.take(), returnAddress()});
        });
    }
    ~ProbeObject() override
    {
        QMutexLocker l(&m_state->lock);
        m_state->object = nullptr;
    }

private:
    std::shared_ptr<ProbeState> m_state;
};

/// Forwards what arrives through its listener's connections to a target (exposeOverLoopback).
class Bridge final : public Machine
{
public:
    Bridge(Address target, std::shared_ptr<HostPort> bound, std::shared_ptr<QString> error)
    {
        on<Start>([this] { Parley::listenAt(*this, HostPort{QStringLiteral("127.0.0.1"), 0}); });
        on<Listening>([bound](const Listening &l) { *bound = l.bound; });
        on<NotListening>([this, error](const NotListening &n) {
            *error = n.text;
            complete(Value(n));
        });
        on<Accepted>([] {});
        on<Abandoned>([] {});
        on<Closed>([] {});
        on<Stop>([this] { complete(Aborted{}); });
        onUnknown([this, target](Value &v) { forward(v.take(), target, returnAddress()); });
    }
};

} // namespace

// -- Probe ----------------------------------------------------------------------------------------

Probe::Probe(Runtime &runtime, const QString &name)
    : m_runtime(&runtime), m_state(std::make_shared<ProbeState>())
{
    m_address = runtime.create<ProbeObject>(m_state);
    {
        QMutexLocker l(&m_state->lock);
        if (m_state->object)
            m_state->object->setObjectName(name);
    }
    if (runtime.isDeterministic())
        runtime.runUntilIdle(); // the Start
}

Probe::~Probe()
{
    // The runtime must outlive its probes (declare the Probe after the Runtime).
    m_runtime->send(ProbeDone{}, m_address);
    if (m_runtime->isDeterministic())
        m_runtime->runUntilIdle();
}

Address Probe::address() const
{
    return m_address;
}

void Probe::send(Value message, const Address &to)
{
    QMutexLocker l(&m_state->lock);
    if (!m_state->object) {
        qWarning("Parley::Test::Probe: the probe's object is gone (its runtime stopped)");
        return;
    }
    m_state->object->send(std::move(message), to);
}

Address Probe::returnAddress() const
{
    return m_returnAddress;
}

int Probe::pendingCount() const
{
    if (m_runtime->isDeterministic())
        m_runtime->runUntilIdle();
    QMutexLocker l(&m_state->lock);
    return int(m_state->inbox.size());
}

bool Probe::waitForMessage(Milliseconds timeout)
{
    return waitUntil(*m_runtime, timeout, [this] {
        QMutexLocker l(&m_state->lock);
        return !m_state->inbox.empty();
    });
}

Expectation<Received> Probe::expectAny(std::optional<Milliseconds> timeout,
                                       std::source_location where)
{
    std::optional<Received> r = expectType(nullptr, timeout, where);
    if (!r)
        return Expectation<Received>(where);
    return Expectation<Received>(std::move(*r), where);
}

std::optional<Received> Probe::expectType(const TypeInfo *type, std::optional<Milliseconds> timeout,
                                          std::source_location where)
{
    const QString wanted
        = type ? QString::fromUtf8(type->displayName) : QStringLiteral("a message");
    const Milliseconds wait = timeout
        ? *timeout
        : (m_runtime->isDeterministic() ? Milliseconds(0) : Milliseconds(5000));
    if (!waitForMessage(wait)) {
        fail(m_runtime->isDeterministic() && !timeout
                 ? QStringLiteral("expected %1, but nothing arrived (the runtime is idle)")
                       .arg(wanted)
                 : QStringLiteral("expected %1, but nothing arrived within %2 ms")
                       .arg(wanted)
                       .arg(wait.count()),
             where);
        return std::nullopt;
    }
    Received r;
    {
        QMutexLocker l(&m_state->lock);
        r = std::move(m_state->inbox.front());
        m_state->inbox.pop_front();
    }
    m_returnAddress = r.from;
    if (type && r.message.type() != type) {
        fail(QStringLiteral("expected %1, but %2").arg(wanted, arrived(r)), where);
        return std::nullopt;
    }
    return r;
}

bool Probe::expectNothing(Milliseconds period, std::source_location where)
{
    if (!m_runtime->isDeterministic())
        QTest::qWait(int(period.count())); // the one place a test must let time pass
    const bool came = waitForMessage(Milliseconds(0));
    if (!came)
        return true;
    Received r;
    {
        QMutexLocker l(&m_state->lock);
        r = std::move(m_state->inbox.front());
        m_state->inbox.pop_front();
    }
    fail(QStringLiteral("expected nothing, but %1").arg(arrived(r)), where);
    return false;
}

Address Probe::connectTo(const HostPort &at, Milliseconds timeout, std::source_location where)
{
    {
        QMutexLocker l(&m_state->lock);
        m_state->connected = {};
        m_state->connectError.clear();
    }
    // The probe's object makes the connection (it is its controller), on its own thread.
    m_runtime->send(ProbeConnect{at}, m_address);
    const bool done = waitUntil(*m_runtime, timeout, [this] {
        QMutexLocker l(&m_state->lock);
        return !m_state->connected.isNull() || !m_state->connectError.isEmpty();
    });
    QMutexLocker l(&m_state->lock);
    if (!done || m_state->connected.isNull()) {
        fail(QStringLiteral("cannot connect to %1: %2")
                 .arg(at.toString(),
                      done ? m_state->connectError
                           : QStringLiteral("no answer within %1 ms").arg(timeout.count())),
             where);
        return {};
    }
    return m_state->connected;
}

// -- exposeOverLoopback -------------------------------------------------------------------------

HostPort exposeOverLoopback(Runtime &runtime, const Address &target, Milliseconds timeout,
                            std::source_location where)
{
    auto bound = std::make_shared<HostPort>();
    auto error = std::make_shared<QString>();
    runtime.create<Bridge>(target, bound, error);
    // The bridge writes these on its thread; the reads below happen after it has, or time out.
    const bool done
        = waitUntil(runtime, timeout, [&] { return bound->port != 0 || !error->isEmpty(); });
    if (!done || bound->port == 0) {
        fail(QStringLiteral("cannot listen on loopback: %1")
                 .arg(done ? *error : QStringLiteral("no answer in time")),
             where);
        return {};
    }
    return *bound;
}

// -- SendSpy --------------------------------------------------------------------------------------

class SendSpy::Sink final : public LogSink
{
public:
    Sink() : LogSink(LogLevel::Object, Delivery::Immediate) {}
    void write(const Event &e) override
    {
        // Messages an object sent or forwarded; a completion is not a send.
        if (e.kind != EventKind::Sent && e.kind != EventKind::Forwarded)
            return;
        const TypeInfo *type = findType(e.type);
        QMutexLocker l(&lock);
        sent.append(
            Sent{Address(e.object), e.to, type ? QString::fromUtf8(type->displayName) : e.type});
    }
    mutable QMutex lock;
    QList<Sent> sent;
};

SendSpy::SendSpy(Runtime &runtime) : m_sink(std::make_shared<Sink>()), m_runtime(&runtime)
{
    runtime.logger().addSink(m_sink);
}

SendSpy::~SendSpy()
{
    m_runtime->logger().removeSink(m_sink);
}

QList<Sent> SendSpy::all() const
{
    if (m_runtime->isDeterministic())
        m_runtime->runUntilIdle();
    QMutexLocker l(&m_sink->lock);
    return m_sink->sent;
}

QList<Sent> SendSpy::sentBy(const Address &from) const
{
    QList<Sent> out;
    for (const Sent &s : all()) {
        if (s.from.last() == from.last())
            out.append(s);
    }
    return out;
}

int SendSpy::countType(const Address &from, const QString &type) const
{
    int n = 0;
    for (const Sent &s : sentBy(from))
        n += s.type == type;
    return n;
}

} // namespace Parley::Test
