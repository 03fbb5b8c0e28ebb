// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The vocabulary of the sessions example: a client adds numbers over a connection and asks for
// the tally; the server keeps one tally per connection.
#pragma once

#include <parley/parley.h>

#include <QtCore/QString>

/// Adds \a n to the tally of the connection it arrives through.
struct Add
{
    int n = 0;
};
/// Asks for the tally of the connection it arrives through; answered with Tally.
struct GetTally
{
};
/// How many numbers a connection added, and their sum.
struct Tally
{
    int count = 0;
    qint64 sum = 0;
};
PARLEY_MESSAGE_AS(Add, "demo.Add", n)
PARLEY_MESSAGE_AS(GetTally, "demo.GetTally")
PARLEY_MESSAGE_AS(Tally, "demo.Tally", count, sum)

/// Settings of the server: where it listens.
struct ServerSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32012;
};
PARLEY_MESSAGE_AS(ServerSettings, "demo.SessionsServerSettings", host, port)

/// Settings of the client: where the server is, and how many numbers to send.
struct ClientSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32012;
    int count = 10;
};
PARLEY_MESSAGE_AS(ClientSettings, "demo.SessionsClientSettings", host, port, count)
