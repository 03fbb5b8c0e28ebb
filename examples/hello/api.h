// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The Hello/Welcome vocabulary shared by every hello server and client: the seeds'
// hello_welcome module. The explicit wire names let any client talk to any server, whatever
// the C++ names; the settings are the seeds' (--host=127.0.0.1 --port=32011 plus a name).
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
};
PARLEY_MESSAGE_AS(Hello, "demo.Hello", myName)
PARLEY_MESSAGE_AS(Welcome, "demo.Welcome", yourName, myName)

/// Says what a Welcome says, as the seeds print it.
inline QString toText(const Welcome &w)
{
    return QStringLiteral("Hello \"%1\", my name is \"%2\"").arg(w.yourName, w.myName);
}

/// Settings of the servers: who they are and where they listen.
struct ServerSettings
{
    QString serverName = QStringLiteral("Buster");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32011;
};
PARLEY_MESSAGE_AS(ServerSettings, "demo.ServerSettings", serverName, host, port)

/// Settings of the clients: who they are and where the server is.
struct ClientSettings
{
    QString clientName = QStringLiteral("Gladys");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32011;
};
PARLEY_MESSAGE_AS(ClientSettings, "demo.ClientSettings", clientName, host, port)
