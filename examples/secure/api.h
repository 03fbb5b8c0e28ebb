// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The messages and settings of the encrypted hello pair: the hello vocabulary, plus the key
// fingerprints each side trusts (docs/security.md, "Verifying a fingerprint out of band").
#pragma once

#include <parley/parley.h>

#include <QtCore/QString>

struct Hello
{
    QString myName;
};
struct Welcome
{
    QString yourName;
    QString myName;
    QString yourKey; ///< the fingerprint the server saw: the client's, proved in the handshake
};
PARLEY_MESSAGE_AS(Hello, "demo.Hello", myName)
PARLEY_MESSAGE_AS(Welcome, "demo.SecureWelcome", yourName, myName, yourKey)

struct ServerSettings
{
    QString serverName = QStringLiteral("Buster");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32021;
    /// The one client key accepted ("SHA256:..."); empty: any client (with a warning each).
    QString clientKey;
};
PARLEY_MESSAGE_AS(ServerSettings, "demo.SecureServerSettings", serverName, host, port, clientKey)

struct ClientSettings
{
    QString clientName = QStringLiteral("Gladys");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32021;
    /// The server's key fingerprint ("SHA256:..."), from `secure-server --print-fingerprint`.
    QString serverKey;
};
PARLEY_MESSAGE_AS(ClientSettings, "demo.SecureClientSettings", clientName, host, port, serverKey)
