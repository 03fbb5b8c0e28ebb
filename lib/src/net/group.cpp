// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/codec.h>
#include <parley/group.h>
#include <parley/machine.h>
#include <parley/routine.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QSet>

namespace Parley {

namespace detail {
/// The timer an entry waits on between attempts (the seeds' GlareTimer).
struct RetryTimer
{
};
PARLEY_MESSAGE_AS(RetryTimer, "parley.RetryTimer")
/// Introduces the connecting end of a peer entry to the listening end: \a from is the
/// connecting end's own listen address, as its table writes it.
struct PeerHello
{
    HostPort from;
};
PARLEY_MESSAGE_AS(PeerHello, "parley.PeerHello", from)
} // namespace detail

namespace {

using Milliseconds = std::chrono::milliseconds;

RetrySchedule scheduleFor(const HostPort &peer, const EntryOptions &options)
{
    return RetrySchedule(options.retry ? *options.retry : RetryPolicy::forPeer(peer),
                         options.seed ? options.seed : RetrySchedule::randomSeed());
}

/// Returns the name of enumerator \a e, e.g. "WentStale" (its number when it has none).
template <detail::NamedEnum E>
QString enumName(E e)
{
    const char *name = enumeratorName(e);
    return name ? QString::fromUtf8(name) : QString::number(int(e));
}

QString connectErrorText(const NotConnected &m)
{
    return m.text.isEmpty() ? enumName(m.reason) : m.text;
}

} // namespace

// -- error classes ------------------------------------------------------------------------------
// The one place that decides which errors stop an entry. Security failures (isSecurityFailure():
// a mode mismatch, a failed handshake, a refused peer key) are Hard: trying again won't help.

ErrorClass errorClassOf(ConnectError error)
{
    switch (error) {
    case ConnectError::ProtocolMismatch:
    case ConnectError::SecurityMismatch:
    case ConnectError::HandshakeFailed:
    case ConnectError::PeerKeyMismatch:
        return ErrorClass::Hard;
    case ConnectError::Refused:
    case ConnectError::Unreachable:
    case ConnectError::Timeout:
    case ConnectError::NameNotFound:
    case ConnectError::Other:
        break;
    }
    return ErrorClass::Network;
}

ErrorClass errorClassOf(EndOfTransport end)
{
    switch (end) {
    case EndOfTransport::ProtocolMismatch:
    case EndOfTransport::SecurityMismatch:
    case EndOfTransport::HandshakeFailed:
    case EndOfTransport::PeerKeyMismatch:
    case EndOfTransport::SecurityViolation:
        return ErrorClass::Hard;
    default:
        break;
    }
    return ErrorClass::Network;
}

ErrorClass errorClassOf(ListenError error)
{
    switch (error) {
    case ListenError::PermissionDenied:
    case ListenError::BadAddress:
        return ErrorClass::Hard;
    case ListenError::AddressInUse:
    case ListenError::Other:
        break;
    }
    return ErrorClass::Network;
}

// -- ConnectToAddress ---------------------------------------------------------------------------

struct ConnectToAddress::Private
{
    HostPort to;
    EntryOptions options;
    QString name;
    Address owner;
    RetrySchedule schedule;
    Address proxy;    ///< the connection being attempted or up (connectTo()'s result)
    Address peer;     ///< Connected's return address: the proxy, or its session
    QElapsedTimer up; ///< how long the connection has been up
};

ConnectToAddress::ConnectToAddress(HostPort to, EntryOptions options, QString name, Address owner)
    : m_p(new Private{
        to, options, std::move(name), std::move(owner), scheduleFor(to, options), {}, {}, {}})
{
    auto report = [this](EntryStatus status, ErrorClass errorClass, const QString &reason) {
        send(GroupUpdate{m_p->name, status, status == EntryStatus::Up ? m_p->peer : Address{},
                         m_p->to, errorClass, reason},
             parentAddress());
    };
    auto attempt = [this] {
        m_p->peer = {};
        m_p->proxy = Parley::connectTo(*this, m_p->to, m_p->options.connection);
        return connecting;
    };
    // Waits before the next attempt, or gives up when the policy's limit is reached.
    auto retry
        = [this, report](ErrorClass errorClass, const QString &reason, Value ending) -> State {
        if (errorClass == ErrorClass::Hard) {
            warning("giving up on ", m_p->to.toString(), ": ", reason);
            report(EntryStatus::Failed, errorClass, reason);
            return complete(std::move(ending));
        }
        const auto delay = m_p->schedule.next();
        if (!delay) {
            const QString why = QStringLiteral("%1 (after %2 attempts)")
                                    .arg(reason)
                                    .arg(m_p->schedule.policy().limit);
            warning("giving up on ", m_p->to.toString(), ": ", why);
            report(EntryStatus::Failed, ErrorClass::Network, why);
            return complete(std::move(ending));
        }
        debug("retrying ", m_p->to.toString(), " in ", delay->count(), " ms: ", reason);
        start(detail::RetryTimer{}, *delay);
        return waiting;
    };

    connecting
        .on<Start>([this, attempt] {
            if (m_p->owner.isNull())
                m_p->owner = parentAddress();
            return attempt();
        })
        .on<Connected>([this, report](const Connected &) -> State {
            m_p->peer = returnAddress();
            m_p->up.start();
            trace("connected to ", m_p->to.toString());
            report(EntryStatus::Up, ErrorClass::Network, {});
            return connected;
        })
        .on<NotConnected>([this, report, retry](NotConnected &m) -> State {
            if (returnAddress() != m_p->proxy)
                return connecting; // from an attempt given up on
            const ErrorClass c = errorClassOf(m.reason);
            const QString reason = connectErrorText(m);
            m_p->proxy = {};
            if (m_p->schedule.step() == 0 && c == ErrorClass::Network)
                report(EntryStatus::Down, c, reason); // the first failure of a series
            return retry(c, reason, Value(std::move(m)));
        });

    auto lost
        = [this, report, retry](EndOfTransport end, const QString &note, Value ending) -> State {
        const ErrorClass c = errorClassOf(end);
        const QString reason
            = note.isEmpty() ? enumName(end) : QStringLiteral("%1: %2").arg(enumName(end), note);
        m_p->schedule.lost(Milliseconds(m_p->up.elapsed()));
        m_p->proxy = {};
        m_p->peer = {};
        report(EntryStatus::Down, c, reason);
        return retry(c, reason, std::move(ending));
    };
    connected
        .on<Abandoned>([this, lost](Abandoned &m) -> State {
            if (returnAddress() != m_p->peer)
                return connected;
            // Copied first: the Value below takes m, and the order of arguments is unspecified.
            const EndOfTransport end = m.reason;
            const QString note = m.note;
            return lost(end, note, Value(std::move(m)));
        })
        .on<Closed>([this, lost](Closed &m) -> State {
            if (returnAddress() != m_p->peer)
                return connected;
            // Copied first: the Value below takes m, and the order of arguments is unspecified.
            const EndOfTransport end = m.reason;
            const QString note = m.note;
            return lost(end, note, Value(std::move(m)));
        });

    waiting.on<detail::RetryTimer>([attempt] { return attempt(); });

    anyState
        .on<Stop>([this] { return complete(Aborted{}); })
        // News of connections given up on (they end as children of this object).
        .on<Abandoned>([] {})
        .on<Closed>([] {})
        .on<ConnectionLost>([] {})
        .on<Completed>([] {})
        // The peer's pushes to this end's controller: hand them to the owner, replies go back.
        .onUnknown([this](Value &v) { forward(std::move(v), m_p->owner, returnAddress()); });
}

ConnectToAddress::~ConnectToAddress() = default;

// -- ListenAtAddress ----------------------------------------------------------------------------

struct ListenAtAddress::Private
{
    HostPort at;
    EntryOptions options;
    QString name;
    Address owner;
    RetrySchedule schedule;
    Address listener;
};

ListenAtAddress::ListenAtAddress(HostPort at, EntryOptions options, QString name, Address owner)
    : m_p(new Private{at, options, std::move(name), std::move(owner), scheduleFor(at, options), {}})
{
    auto attempt = [this] {
        m_p->listener = Parley::listenAt(*this, m_p->at, m_p->options.connection);
        return listening;
    };
    listening
        .on<Start>([this, attempt] {
            if (m_p->owner.isNull())
                m_p->owner = parentAddress();
            return attempt();
        })
        .on<Listening>([this](const Listening &m) -> State {
            trace("listening at ", m.bound.toString());
            m_p->schedule.reset();
            send(
                GroupUpdate{
                    m_p->name, EntryStatus::Up, m_p->listener, m.bound, ErrorClass::Network, {}},
                parentAddress());
            return up;
        })
        .on<NotListening>([this](NotListening &m) -> State {
            const ErrorClass c = errorClassOf(m.reason);
            const QString reason = m.text.isEmpty() ? enumName(m.reason) : m.text;
            m_p->listener = {};
            const auto delay = c == ErrorClass::Hard ? std::nullopt : m_p->schedule.next();
            const EntryStatus status = delay ? EntryStatus::Down : EntryStatus::Failed;
            if (status == EntryStatus::Failed || m_p->schedule.step() == 1)
                send(GroupUpdate{m_p->name, status, {}, m_p->at, c, reason}, parentAddress());
            if (!delay) {
                warning("giving up listening at ", m_p->at.toString(), ": ", reason);
                return complete(std::move(m));
            }
            debug("listening again at ", m_p->at.toString(), " in ", delay->count(), " ms");
            start(detail::RetryTimer{}, *delay);
            return waiting;
        });
    waiting.on<detail::RetryTimer>([attempt] { return attempt(); });
    // A group's manager pairs peer connections with its peer entries: it hears who introduced
    // itself on which connection, and when a connection ends.
    auto toOwnerAndManager = [this](Value v) {
        if (parentAddress() != m_p->owner)
            forward(v, parentAddress(), returnAddress());
        forward(std::move(v), m_p->owner, returnAddress());
    };
    anyState.on<Stop>([this] { return complete(Aborted{}); })
        .on<Completed>([] {})
        .on<detail::PeerHello>([this](detail::PeerHello &h) {
            forward(std::move(h), parentAddress(), returnAddress());
        })
        .on<Abandoned>([toOwnerAndManager](Abandoned &m) { toOwnerAndManager(std::move(m)); })
        .on<Closed>([toOwnerAndManager](Closed &m) { toOwnerAndManager(std::move(m)); })
        // Accepted and application traffic: the owner's business.
        .onUnknown([this](Value &v) { forward(std::move(v), m_p->owner, returnAddress()); });
}

ListenAtAddress::~ListenAtAddress() = default;

// -- the manager --------------------------------------------------------------------------------

namespace {

/// Starts the entries of a GroupTable and tells their owner GroupUpdate, Ready and NotReady.
class AddressGroup : public Machine
{
public:
    AddressGroup(QList<GroupTable::Entry> entries, GroupTable::OnFailure onFailure, Address owner)
        : m_entries(std::move(entries)), m_onFailure(onFailure), m_owner(std::move(owner))
    {
        on<Start>([this] {
            const auto listen = std::find_if(m_entries.cbegin(), m_entries.cend(),
                                             [](const GroupTable::Entry &e) { return e.listens; });
            if (listen != m_entries.cend())
                m_listensAt = listen->at;
            for (const auto &e : std::as_const(m_entries)) {
                if (e.listens)
                    create<ListenAtAddress>(e.at, e.options, e.name, m_owner);
                else if (e.peer && m_listensAt && !dialsFirst(*m_listensAt, e.at))
                    m_waiting.insert(e.name, {e.at, 0}); // the peer connects to us
                else
                    create<ConnectToAddress>(e.at, e.options, e.name, m_owner);
            }
        });
        on<GroupUpdate>([this](GroupUpdate &u) {
            if (u.status == EntryStatus::Up && m_listensAt && isPeer(u.name))
                send(detail::PeerHello{*m_listensAt}, u.address); // introduce this end
            apply(std::move(u));
        });
        // The connecting end of one of our peer entries introduced itself on an accepted
        // connection: that connection is the entry's.
        on<detail::PeerHello>([this](const detail::PeerHello &h) {
            for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
                if (it->at == h.from) {
                    it->proxy = returnAddress().last(); // the accepted connection's proxy
                    apply(GroupUpdate{it.key(),
                                      EntryStatus::Up,
                                      Address(it->proxy),
                                      it->at,
                                      ErrorClass::Network,
                                      {}});
                    return;
                }
            }
            warning("a peer introduced itself as ", h.from.toString(),
                    ", which no peer entry names; its connection stays unpaired");
        });
        on<Abandoned>([this](const Abandoned &m) { ended(m.reason, m.note); });
        on<Closed>([this](const Closed &m) { ended(m.reason, m.note); });
        on<Completed>([] {}); // an entry that failed has said so in a GroupUpdate
        on<Stop>([this] { complete(Aborted{}); });
    }

private:
    /// Returns true when the end listening at \a own connects to the peer at \a peer.
    static bool dialsFirst(const HostPort &own, const HostPort &peer)
    {
        const int byHost = own.host.compare(peer.host);
        return byHost != 0 ? byHost < 0 : own.port < peer.port;
    }
    bool isPeer(const QString &name) const
    {
        return std::any_of(m_entries.cbegin(), m_entries.cend(),
                           [&](const GroupTable::Entry &e) { return e.peer && e.name == name; });
    }
    /// Marks the waiting peer entry whose connection ended, if it is one, Down.
    void ended(EndOfTransport reason, const QString &note)
    {
        const quint64 proxy = returnAddress().last();
        for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
            if (it->proxy == proxy) {
                it->proxy = 0;
                apply(GroupUpdate{it.key(),
                                  EntryStatus::Down,
                                  {},
                                  it->at,
                                  errorClassOf(reason),
                                  note.isEmpty() ? QStringLiteral("the peer's connection ended")
                                                 : note});
                return;
            }
        }
    }

    void apply(GroupUpdate u)
    {
        const QString name = u.name;
        const EntryStatus status = u.status;
        const QString reason = u.reason;
        if (status == EntryStatus::Up)
            m_up.insert(name);
        else
            m_up.remove(name);
        send(std::move(u), m_owner);
        const bool ready = m_up.size() == m_entries.size();
        if (ready && !m_ready)
            send(Ready{}, m_owner);
        else if (!ready && m_ready)
            send(NotReady{name}, m_owner);
        m_ready = ready;
        if (status == EntryStatus::Failed && m_onFailure == GroupTable::OnFailure::Complete)
            complete(GroupFailed{name, reason});
    }

    QList<GroupTable::Entry> m_entries;
    GroupTable::OnFailure m_onFailure;
    Address m_owner;
    QSet<QString> m_up;
    bool m_ready = false;
    std::optional<HostPort> m_listensAt; ///< the first listen entry's address, for peers
    struct Waiting
    {
        HostPort at;
        quint64 proxy = 0; ///< the accepted connection's proxy while Up
    };
    QHash<QString, Waiting> m_waiting; ///< peer entries the peer connects to
};

} // namespace

// -- GroupTable ---------------------------------------------------------------------------------

GroupTable &GroupTable::connectTo(const QString &name, const HostPort &to, EntryOptions options)
{
    m_entries.push_back({name, to, std::move(options), false, false});
    return *this;
}

GroupTable &GroupTable::listenAt(const QString &name, const HostPort &at, EntryOptions options)
{
    m_entries.push_back({name, at, std::move(options), true, false});
    return *this;
}

GroupTable &GroupTable::peer(const QString &name, const HostPort &at, EntryOptions options)
{
    m_entries.push_back({name, at, std::move(options), false, true});
    return *this;
}

GroupTable &GroupTable::setOnFailure(OnFailure onFailure)
{
    m_onFailure = onFailure;
    return *this;
}

Address GroupTable::create(Object &owner) const
{
    return owner.create<AddressGroup>(m_entries, m_onFailure, owner.address());
}

bool GroupTable::update(const GroupUpdate &update)
{
    const bool known = std::any_of(m_entries.cbegin(), m_entries.cend(),
                                   [&](const Entry &e) { return e.name == update.name; });
    if (known)
        m_current.insert(update.name, update);
    return known;
}

bool GroupTable::update(const Value &message)
{
    if (const auto *u = message.getIf<GroupUpdate>())
        return update(*u);
    return false;
}

Address GroupTable::operator[](const QString &name) const
{
    const auto it = m_current.constFind(name);
    return it != m_current.cend() && it->status == EntryStatus::Up ? it->address : Address{};
}

EntryStatus GroupTable::status(const QString &name) const
{
    const auto it = m_current.constFind(name);
    return it != m_current.cend() ? it->status : EntryStatus::Down;
}

bool GroupTable::isReady() const
{
    return std::all_of(m_entries.cbegin(), m_entries.cend(),
                       [&](const Entry &e) { return status(e.name) == EntryStatus::Up; });
}

QStringList GroupTable::names() const
{
    QStringList out;
    for (const auto &e : m_entries)
        out << e.name;
    return out;
}

// -- one call -----------------------------------------------------------------------------------

Opened connectAndWait(Routine &self, const HostPort &to, ConnectionOptions options)
{
    Parley::connectTo(self, to, std::move(options));
    Value m = self.select<Connected, NotConnected, Stop>();
    if (const auto *c = m.getIf<Connected>()) {
        const HostPort remote = c->remote;
        return {self.returnAddress(), {}, std::move(m), remote};
    }
    if (m.is<Stop>())
        return {{}, Value(Aborted{}), {}, {}};
    return {{}, std::move(m), {}, {}};
}

Opened listenAndWait(Routine &self, const HostPort &at, ConnectionOptions options)
{
    Parley::listenAt(self, at, std::move(options));
    Value m = self.select<Listening, NotListening, Stop>();
    if (const auto *l = m.getIf<Listening>()) {
        const HostPort bound = l->bound;
        return {self.returnAddress(), {}, std::move(m), bound};
    }
    if (m.is<Stop>())
        return {{}, Value(Aborted{}), {}, {}};
    return {{}, std::move(m), {}, {}};
}

namespace {

/// Turns a proxy's (or listener's) first notice into an Opened.
template <class Up, class Down>
Opened openedFrom(const Address &from, Value &m)
{
    if (const auto *up = m.getIf<Up>()) {
        HostPort at;
        if constexpr (std::is_same_v<Up, Connected>)
            at = up->remote;
        else
            at = up->bound;
        return {from, {}, std::move(m), at};
    }
    return {{}, std::move(m), {}, {}};
}

} // namespace

Address connectThen(Object &self, const HostPort &to, std::function<void(Opened &)> done,
                    ConnectionOptions options)
{
    const Address proxy = Parley::connectTo(self, to, std::move(options));
    if (!proxy.isNull()) {
        self.nextFrom(proxy, [proxy, done = std::move(done)](Value &m) {
            Opened opened = openedFrom<Connected, NotConnected>(proxy, m);
            done(opened);
        });
    }
    return proxy;
}

Address listenThen(Object &self, const HostPort &at, std::function<void(Opened &)> done,
                   ConnectionOptions options)
{
    const Address listener = Parley::listenAt(self, at, std::move(options));
    if (!listener.isNull()) {
        self.nextFrom(listener, [listener, done = std::move(done)](Value &m) {
            Opened opened = openedFrom<Listening, NotListening>(listener, m);
            done(opened);
        });
    }
    return listener;
}

} // namespace Parley
