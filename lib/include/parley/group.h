// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_NET
#error "<parley/group.h> is in the net layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/net.h>
#include <parley/retry.h>
#include <parley/statemachine.h>

#include <QtCore/QHash>
#include <QtCore/QList>

#include <memory>
#include <optional>

/// \file
/// Connections that come back: ConnectToAddress and ListenAtAddress hold one connection or
/// listener up for as long as they live; a GroupTable of named entries starts a manager that
/// tells its owner GroupUpdate per change and Ready / NotReady around the moments every entry is
/// up (seed 001's "continually attempting to establish a full set of connections").
/// docs/net.md, "Groups", explains the policies and the error classes.

namespace Parley {

class Routine;

// -- error classes ------------------------------------------------------------------------------

/// Says what an entry does after an error (DESIGN.md section 8, E6).
enum class ErrorClass {
    Network, ///< refused, reset, unreachable, stale ...: wait (RetryPolicy) and try again
    Hard,    ///< version or security mismatch: stop that entry and tell the owner why
};

/// Returns the class of a failed connect. ProtocolMismatch (another version, or not Parley) and
/// SecurityMismatch are Hard; everything else is Network.
[[nodiscard]] PARLEY_EXPORT ErrorClass errorClassOf(ConnectError error);
/// Returns the class of the end of a connection. ProtocolMismatch and SecurityMismatch are Hard;
/// everything else (the peer went away, went stale, misbehaved ...) is Network.
[[nodiscard]] PARLEY_EXPORT ErrorClass errorClassOf(EndOfTransport end);
/// Returns the class of a failed listen. PermissionDenied and BadAddress are Hard; AddressInUse
/// and Other are Network (a restarted server may find its port still held for a moment).
[[nodiscard]] PARLEY_EXPORT ErrorClass errorClassOf(ListenError error);

// -- messages -----------------------------------------------------------------------------------

/// Says where a group entry stands.
enum class EntryStatus {
    Up,     ///< connected (or listening); GroupUpdate::address is usable
    Down,   ///< lost or not yet reached; the entry keeps trying
    Failed, ///< a hard error or the retry limit: the entry has stopped for good
};

/// Tells the owner that one entry of a group came up, went down or failed, and why. Comes from
/// the group manager (or from a ConnectToAddress / ListenAtAddress used on its own). Hand it to
/// GroupTable::update() so that the table reads the current address.
struct GroupUpdate
{
    QString name;                                ///< the entry's name in the table
    EntryStatus status = EntryStatus::Down;      ///< where the entry stands now
    Address address;                             ///< Up: the proxy (or listener); else null
    HostPort peer;                               ///< the address the entry connects to / listens at
    ErrorClass errorClass = ErrorClass::Network; ///< Down and Failed: what kind of error
    QString reason;                              ///< Down and Failed: why, in words
};
/// Tells the owner that every entry of its group is up; comes from the group manager.
struct Ready
{
};
/// Tells the owner that an entry went down after the group was Ready; \a name is the entry.
struct NotReady
{
    QString name;
};
/// Ends a group whose entry failed for good (the group's completion value, a fault).
struct GroupFailed
{
    QString name;   ///< the entry that failed
    QString reason; ///< why
};

// -- entries ------------------------------------------------------------------------------------

/// Tunes one entry: the connection's options and the retry policy.
struct EntryOptions
{
    ConnectionOptions connection;     ///< passed to every connectTo() / listenAt()
    std::optional<RetryPolicy> retry; ///< default: RetryPolicy::forPeer() of the address
    quint64 seed = 0;                 ///< seeds the randomisation; 0: a random seed
};

/// Holds one connection to an address up for as long as it lives.
///
/// It connects at Start; when the connect fails or the connection ends it waits as its
/// RetryPolicy says and connects again. Each change is told to its parent as a GroupUpdate
/// (address = the proxy while Up). A hard error (errorClassOf()) stops it: it tells Failed and
/// completes with the NotConnected or Closed that ended it; so does reaching the policy's limit.
/// Messages the peer pushes to this end's controller (the bare proxy address on the other side)
/// are forwarded to the owner (by default the parent) with their return address, so replies go
/// back to the peer.
/// Nothing is ever resent: a request pending on a lost connection gets ConnectionLost, once.
/// Stop closes the connection and completes it with Aborted.
class PARLEY_EXPORT ConnectToAddress : public StateMachine
{
    Q_OBJECT
public:
    /// Connects to \a to; \a name labels the GroupUpdates it sends its parent; \a owner receives
    /// the peer's pushes (default: the parent).
    explicit ConnectToAddress(HostPort to, EntryOptions options = {}, QString name = {},
                              Address owner = {});
    ~ConnectToAddress() override;

private:
    struct Private;
    std::unique_ptr<Private> m_p;
    State connecting{this, "CONNECTING"}, connected{this, "CONNECTED"}, waiting{this, "WAITING"};
};

/// Holds one listener up for as long as it lives.
///
/// It listens at Start and tells its parent Up (address = the listener) in a GroupUpdate; a
/// listen that fails with a Network class error is tried again as its RetryPolicy says, a Hard
/// one (permission denied, bad address) stops it with Failed. Accepted, Abandoned, Closed and
/// every message sent to the listening controller are forwarded to the owner with their
/// return address. Stop closes the listener and its connections.
class PARLEY_EXPORT ListenAtAddress : public StateMachine
{
    Q_OBJECT
public:
    /// Listens at \a at; \a name labels the GroupUpdates it sends its parent; \a owner receives
    /// what arrives for the listening controller (default: the parent).
    explicit ListenAtAddress(HostPort at, EntryOptions options = {}, QString name = {},
                             Address owner = {});
    ~ListenAtAddress() override;

private:
    struct Private;
    std::unique_ptr<Private> m_p;
    State listening{this, "LISTENING"}, up{this, "UP"}, waiting{this, "WAITING"};
};

// -- the table ----------------------------------------------------------------------------------

/// Describes a group of named entries and, in its owner's hands, reads their current addresses.
///
/// \code
/// Parley::GroupTable group;
/// group.connectTo("server", {settings.host, settings.port});
/// const Parley::Address manager = group.create(self);
/// for (;;) {
///     auto m = self.select<Parley::GroupUpdate, Parley::Ready, Parley::Completed, Parley::Stop>();
///     if (group.update(m)) continue;          // a GroupUpdate: the table follows it
///     if (m.is<Parley::Ready>()) break;        // the full set is up
///     return m.is<Parley::Stop>() ? Parley::Value(Parley::Aborted{}) : m.take();
/// }
/// self.send(Hello{}, group["server"]);
/// \endcode
///
/// The manager it starts is a child of the owner: Stop it (or let the owner end) to close every
/// entry. The table itself is a plain value the owner keeps; it is not thread-safe.
class PARLEY_EXPORT GroupTable
{
public:
    /// Says what the group does when one entry fails for good.
    enum class OnFailure {
        Complete, ///< the manager completes with GroupFailed (after the Failed GroupUpdate)
        Continue, ///< the other entries go on; the failed one stays down
    };

    /// Adds entry \a name that connects to \a to.
    GroupTable &connectTo(const QString &name, const HostPort &to, EntryOptions options = {});
    /// Adds entry \a name that listens at \a at.
    GroupTable &listenAt(const QString &name, const HostPort &at, EntryOptions options = {});
    /// Adds entry \a name for a peer at \a at that also names this program as its peer: of
    /// the two, only one connects, so that exactly one connection joins them (the simultaneous
    /// open rule). The end whose own listen address (the table's first listenAt() entry, as
    /// written there) is the lower, by host then port, connects and introduces itself; the
    /// other waits for that connection on its listen entry, and the entry is Up with the
    /// accepted connection's proxy. Both tables must write the addresses the same way (both
    /// "127.0.0.1", say, not one "localhost"). Without a listen entry it simply connects.
    GroupTable &peer(const QString &name, const HostPort &at, EntryOptions options = {});
    /// Sets what happens when an entry fails for good (default: Complete).
    GroupTable &setOnFailure(OnFailure onFailure);

    /// Starts the group's manager as a child of \a owner, which receives the GroupUpdates,
    /// Ready and NotReady; returns the manager's address.
    Address create(Object &owner) const;

    /// Applies \a update; returns true when it was for an entry of this table.
    bool update(const GroupUpdate &update);
    /// Applies \a message when it is a GroupUpdate; returns true when it was.
    bool update(const Value &message);

    /// Returns the current address of entry \a name: the proxy (or listener) while it is up,
    /// else a null address.
    [[nodiscard]] Address operator[](const QString &name) const;
    /// Returns the status of entry \a name (Down for an unknown name).
    [[nodiscard]] EntryStatus status(const QString &name) const;
    /// Returns true while every entry is up.
    [[nodiscard]] bool isReady() const;
    /// Returns the entries' names, in the order they were added.
    [[nodiscard]] QStringList names() const;

    /// \internal One entry's description.
    struct Entry
    {
        QString name;
        HostPort at;
        EntryOptions options;
        bool listens = false;
        bool peer = false;
    };

private:
    QList<Entry> m_entries;
    OnFailure m_onFailure = OnFailure::Complete;
    QHash<QString, GroupUpdate> m_current;
};

// -- one call -----------------------------------------------------------------------------------

/// What connectAndWait() / listenAndWait() found: the proxy (or listener), or the fault.
struct Opened
{
    Address address; ///< the proxy (connect) or the listener (listen); null on a fault
    Value fault;     ///< NotConnected, NotListening or Aborted (on Stop) when it failed
    Value message;   ///< Connected or Listening when it worked
    HostPort at;     ///< the peer's address (Connected::remote) or the bound one (Listening::bound)
    /// Returns true when the connection (or listener) is up.
    [[nodiscard]] explicit operator bool() const { return !address.isNull(); }
};

/// Connects \a self to \a to and waits for the outcome: the proxy, or the NotConnected (or
/// Aborted when Stop arrived first). One call instead of connect, select, check, take the
/// return address.
[[nodiscard]] PARLEY_EXPORT Opened connectAndWait(Routine &self, const HostPort &to,
                                                  ConnectionOptions options = {});
/// Listens at \a at for \a self and waits for the outcome: the listener, or the NotListening
/// (or Aborted when Stop arrived first).
[[nodiscard]] PARLEY_EXPORT Opened listenAndWait(Routine &self, const HostPort &at,
                                                 ConnectionOptions options = {});

/// For machines and state machines: connects \a self to \a to and calls \a done once with the
/// outcome (the proxy, or the NotConnected) instead of handing Connected or NotConnected to the
/// handlers; the proxy's later notices (Closed, Abandoned) reach the handlers as usual. Returns
/// the proxy's address at once. Not with a session (ConnectionOptions::session): the session,
/// not the proxy, tells the outcome.
PARLEY_EXPORT Address connectThen(Object &self, const HostPort &to,
                                  std::function<void(Opened &)> done,
                                  ConnectionOptions options = {});
/// For machines and state machines: listens at \a at for \a self and calls \a done once with
/// the outcome (the listener, or the NotListening) instead of handing Listening or
/// NotListening to the handlers. Returns the listener's address at once.
PARLEY_EXPORT Address listenThen(Object &self, const HostPort &at,
                                 std::function<void(Opened &)> done,
                                 ConnectionOptions options = {});

// -- faults and wire names ----------------------------------------------------------------------

template <>
struct FaultTraits<GroupFailed>
{
    static constexpr bool isFault = true;
    static FaultView view(const GroupFailed &f)
    {
        return {QStringLiteral("group entry \"%1\" failed").arg(f.name), f.reason, 0};
    }
};

PARLEY_ENUM(ErrorClass, Network, Hard)
PARLEY_ENUM(EntryStatus, Up, Down, Failed)

PARLEY_DECLARE_MESSAGE_AS(GroupUpdate, "parley.GroupUpdate", name, status, address, peer,
                          errorClass, reason)
PARLEY_DECLARE_MESSAGE_AS(Ready, "parley.Ready")
PARLEY_DECLARE_MESSAGE_AS(NotReady, "parley.NotReady", name)
PARLEY_DECLARE_MESSAGE_AS(GroupFailed, "parley.GroupFailed", name, reason)

} // namespace Parley
