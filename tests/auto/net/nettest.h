// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// Shared pieces of the network tests: an agent machine that records what it receives and sends
// what the test asks it to, and the messages the tests exchange.

#include "../core/recorder.h"

#include <parley/net.h>

#include <QtTest/QtTest>

#include <functional>

namespace NetTest {

/// Asks an Agent to send \a message to \a to (never itself shipped).
struct Do
{
    Parley::Address to;
    Parley::Value message;
};
/// A numbered request and its reply.
struct Query
{
    int n = 0;
};
struct Answer
{
    int n = 0;
};
/// Carries an address in its body.
struct Carry
{
    Parley::Address address;
    QString label;
};
/// An unsolicited message from a server.
struct TheSkyIsFalling
{
};
/// A payload for throughput and size tests.
struct Blob
{
    int n = 0;
    QByteArray bytes;
};

PARLEY_MESSAGE_AS(Do, "test.Do", to, message)
PARLEY_MESSAGE_AS(Query, "test.Query", n)
PARLEY_MESSAGE_AS(Answer, "test.Answer", n)
PARLEY_MESSAGE_AS(Carry, "test.Carry", address, label)
PARLEY_MESSAGE_AS(TheSkyIsFalling, "test.TheSkyIsFalling")
PARLEY_MESSAGE_AS(Blob, "test.Blob", n, bytes)

/// Records everything but Start and Do into an inbox; on Do, sends; optionally answers each
/// Query with a Answer of the same number. \a onStart runs in its Start handler (where a
/// test calls listen() or connect()).
class Agent : public Parley::Machine
{
public:
    using StartHook = std::function<void(Parley::Object &)>;
    Agent(std::shared_ptr<Inbox> inbox, StartHook onStart = {}, bool answer = false)
        : m_inbox(std::move(inbox)), m_onStart(std::move(onStart)), m_answer(answer)
    {
        on<Parley::Start>([this] {
            if (m_onStart)
                m_onStart(*this);
        });
        on<Do>([this](Do &d) { send(std::move(d.message), d.to); });
        on<Query>([this](Query &r) {
            m_inbox->add(Parley::Value(r), returnAddress());
            if (m_answer)
                reply(Answer{r.n});
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
        onUnknown([this](Parley::Value &v) { m_inbox->add(v.take(), returnAddress()); });
    }

private:
    std::shared_ptr<Inbox> m_inbox;
    StartHook m_onStart;
    bool m_answer;
};

// -- plain and encrypted -------------------------------------------------------------------------
// A suite reruns over encrypted connections with a global data column "encrypted"
// (addEncryptionRows() in its initTestCase_data(), useRowEncryption() in its init());
// connecting(), listening() and variant() follow it, and so does netpeer (the environment
// variable PARLEY_TEST_ENCRYPTED, set by useEncryption()).

/// Returns true while the current test runs its encrypted variant.
inline bool &encryptedVariant()
{
    static bool encrypted = false;
    return encrypted;
}
/// Sets the variant for this process and the peer processes it starts.
inline void useEncryption(bool encrypted)
{
    encryptedVariant() = encrypted;
    if (encrypted)
        qputenv("PARLEY_TEST_ENCRYPTED", "1");
    else
        qunsetenv("PARLEY_TEST_ENCRYPTED");
}
/// For initTestCase_data(): every test runs over plain and encrypted connections (those whose
/// peer is a raw socket speaking the plain wire format by hand skip the encrypted row).
inline void addEncryptionRows()
{
    QTest::addColumn<bool>("encrypted");
    QTest::newRow("plain") << false;
    QTest::newRow("encrypted") << true;
}
/// For init(): the variant of the current global row.
inline void useRowEncryption()
{
    QFETCH_GLOBAL(bool, encrypted);
    useEncryption(encrypted);
}
/// Returns \a options for the current variant.
inline Parley::ConnectionOptions variant(Parley::ConnectionOptions options = {})
{
    if (encryptedVariant())
        options.encrypted = true;
    return options;
}

/// Returns a start hook that connects to \a at (for an Agent), in the current variant.
inline Agent::StartHook connecting(Parley::HostPort at, Parley::ConnectionOptions options = {})
{
    return [at, options = variant(options)](Parley::Object &self) {
        Parley::connectTo(self, at, options);
    };
}
/// Returns a start hook that listens at \a at (for an Agent), in the current variant.
inline Agent::StartHook listening(Parley::HostPort at, Parley::ConnectionOptions options = {})
{
    return [at, options = variant(options)](Parley::Object &self) {
        Parley::listenAt(self, at, options);
    };
}
/// Returns 127.0.0.1:\a port.
inline Parley::HostPort loopback(quint16 port)
{
    return Parley::HostPort{QStringLiteral("127.0.0.1"), port};
}

/// Returns the index of the first item of type \a T in \a inbox, or -1.
template <class T>
int indexOf(const Inbox &inbox, int from = 0)
{
    const QString name = QString::fromUtf8(Parley::typeOf<T>()->displayName);
    const QStringList types = inbox.types();
    for (int i = from; i < types.size(); ++i) {
        if (types[i] == name)
            return i;
    }
    return -1;
}
/// Returns how many items of type \a T \a inbox holds.
template <class T>
int countOf(const Inbox &inbox)
{
    return int(inbox.types().count(QString::fromUtf8(Parley::typeOf<T>()->displayName)));
}
/// Returns the first item of type \a T (the test must have checked it is there).
template <class T>
Received first(const Inbox &inbox)
{
    return inbox.at(indexOf<T>(inbox));
}

} // namespace NetTest
