// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// The fsm example's state machine, in a header of its own so examples/testing can test it.

#include <parley/parley.h>

#include <chrono>

struct Query
{
    QString question;
};
struct Answer
{
    QString question;
    QString text;
};
struct Hangup
{
};
PARLEY_MESSAGE(Query, question)
PARLEY_MESSAGE(Answer, question, text)
PARLEY_MESSAGE(Hangup)

//! [connection]
class Connection : public Parley::StateMachine
{
public:
    Connection()
    {
        using namespace std::chrono_literals;
        initial.on<Parley::Start>([this] {
            start(Parley::T1{}, 150ms); // the handshake takes a while
            return pending;
        });
        pending.on<Parley::T1>([this] { return ready; }).defer<Query>();
        ready
            .on<Query>([this](Query &q) {
                reply(Answer{q.question, QStringLiteral("answer #%1").arg(++m_answered)});
                return ready;
            })
            .on<Hangup>([this] { return complete(Parley::Ack{}); });
        anyState.on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }
    /// Returns how many queries it has answered.
    [[nodiscard]] int answered() const { return m_answered; }

private:
    State initial{this, "INITIAL"}, pending{this, "PENDING"}, ready{this, "READY"};
    int m_answered = 0;
};
//! [connection]
