// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// An encrypted hello server: it listens with {.encrypted = true}, so every connection runs a
// Noise handshake and only then carries messages. Its key pair lives in identity.key beside its
// stored settings (or --identity=PATH); `secure-server --print-fingerprint` prints the
// fingerprint clients pin. With --client-key=SHA256:... it accepts only that client.

#include "api.h"

#include <parley/app.h>

Parley::Value secureServer(Parley::Routine &self, const ServerSettings &settings)
{
    //! [listen]
    Parley::ConnectionOptions options{.encrypted = true};
    if (!settings.clientKey.isEmpty()) {
        options.security.peerKeyPolicy = Parley::PeerKeyPolicy::Allowlist;
        options.security.allowlist = {settings.clientKey};
    }
    const Parley::Opened listener
        = Parley::listenAndWait(self, {settings.host, settings.port}, options);
    //! [listen]
    if (!listener)
        return listener.fault;
    self.console("Listening at ", listener.at.toString(), " as ", Parley::identityFingerprint());
    Parley::announceReady(self, listener.at.toString());

    QHash<Parley::Address, QString> keys; // connection (its proxy) -> the client's key
    for (;;) {
        auto m = self.select<Parley::Accepted, Hello, Parley::Closed, Parley::Abandoned,
                             Parley::Stop>();
        if (const auto *accepted = m.getIf<Parley::Accepted>()) {
            // The handshake is done and the policy has judged the client's key.
            keys.insert(self.returnAddress(), accepted->peerKey);
            self.console("Accepted ", accepted->remote.toString(), " holding ", accepted->peerKey);
        } else if (m.is<Parley::Closed>() || m.is<Parley::Abandoned>()) {
            keys.remove(self.returnAddress());
        } else if (m.is<Parley::Stop>()) {
            return Parley::Aborted{};
        } else {
            // Authenticated once per connection: every message on it is from that key's holder.
            const QString key = keys.value(self.arrivedThrough());
            self.reply(Welcome{m.get<Hello>().myName, settings.serverName, key});
        }
    }
}

int main(int argc, char **argv)
{
    return Parley::run<&secureServer>(argc, argv, ServerSettings{});
}
