// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// An encrypted hello client that pins the server's key: it connects only when the server proves
// it holds the key whose fingerprint --server-key gives (print it with
// `secure-server --print-fingerprint` and pass it on out of band). Anyone else, a man in the
// middle included, ends the connect with NotConnected, reason PeerKeyMismatch.

#include "api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

Parley::Value secureClient(Parley::Routine &self, const ClientSettings &settings)
{
    if (settings.serverKey.isEmpty())
        return Parley::Faulted{QStringLiteral("no server key"),
                               QStringLiteral("give --server-key=SHA256:... (the server prints it "
                                              "with --print-fingerprint)")};
    //! [connect]
    Parley::ConnectionOptions options{.encrypted = true};
    options.security.peerKeyPolicy = Parley::PeerKeyPolicy::Pinned;
    options.security.pinnedKey = settings.serverKey;
    const Parley::Opened link
        = Parley::connectAndWait(self, {settings.host, settings.port}, options);
    //! [connect]
    if (!link)
        return link.fault; // NotConnected: PeerKeyMismatch when the key is not the pinned one

    self.send(Hello{settings.clientName}, link.address);
    auto m = self.select<Welcome, Parley::Closed, Parley::Abandoned, Parley::Stop>(3s);
    if (!m.is<Welcome>())
        return m.is<Parley::SelectTimer>() ? Parley::Value(Parley::TimedOut{}) : m.take();
    const Welcome welcome = m.get<Welcome>();
    self.console("Welcomed by ", welcome.myName, ", who knows me as ", welcome.yourKey);
    self.send(Parley::Close{}, link.address);
    self.select<Parley::Closed, Parley::Abandoned, Parley::Stop>(3s);
    return welcome;
}

int main(int argc, char **argv)
{
    return Parley::run<&secureClient>(argc, argv, ClientSettings{});
}
