// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// Objects the Parley::Test kit's own tests drive.

#include <parley/parley.h>

#include <chrono>

namespace KitTest {

struct Ping
{
    int n = 0;
};
struct Pong
{
    int n = 0;
};
PARLEY_MESSAGE_AS(Ping, "kit.Ping", n)
PARLEY_MESSAGE_AS(Pong, "kit.Pong", n)

/// Answers each Ping with a Pong of the same number.
class Echo : public Parley::Machine
{
public:
    Echo()
    {
        on<Ping>([this](const Ping &p) { reply(Pong{p.n}); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

/// Answers Pings only after T1 (1 s after start) has opened it; earlier ones wait.
class Door : public Parley::StateMachine
{
public:
    Door()
    {
        using namespace std::chrono_literals;
        closed.on<Parley::Start>([this] {
            start(Parley::T1{}, 1s);
            return closed;
        });
        closed.on<Parley::T1>([this] { return open; }).defer<Ping>();
        open.on<Ping>([this](const Ping &p) {
            reply(Pong{p.n});
            return open;
        });
        anyState.on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }
    State closed{this, "CLOSED"}, open{this, "OPEN"};
};

} // namespace KitTest
