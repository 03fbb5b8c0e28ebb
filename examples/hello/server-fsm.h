// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// The hello server as a state machine, in a header of its own so examples/testing can test it
// (hello-server-fsm.cpp runs it).

#include "api.h"

#include <parley/app.h>
#include <parley/parley.h>

//! [server-fsm]
class ListenAtAddress : public Parley::StateMachine
{
public:
    explicit ListenAtAddress(const ServerSettings &settings) : m_settings(settings)
    {
        initial.on<Parley::Start>([this] {
            Parley::listenAt(*this, Parley::HostPort{m_settings.host, m_settings.port});
            return pending;
        });
        pending
            .on<Parley::Listening>([this](const Parley::Listening &l) {
                console("Listening at ", l.bound.toString());
                Parley::announceReady(*this, l.bound.toString()); // for a script that started us
                return listening;
            })
            .on<Parley::NotListening>(
                [this](Parley::NotListening &n) { return complete(std::move(n)); });
        listening
            .on<Parley::Accepted>([this](const Parley::Accepted &a) {
                console("Accepted at ", a.remote.toString());
                return listening;
            })
            .on<Hello>([this](const Hello &hello) {
                const Welcome welcome{hello.myName, m_settings.serverName};
                reply(welcome);
                console("At server - ", toText(welcome));
                return listening;
            })
            .on<Parley::Closed>([this](const Parley::Closed &c) {
                console("Closed ", c.remote.toString());
                return listening;
            })
            .on<Parley::Abandoned>([this](const Parley::Abandoned &a) {
                console("Abandoned by ", a.remote.toString());
                return listening;
            });
        anyState.on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }

private:
    ServerSettings m_settings;
    State initial{this, "INITIAL"}, pending{this, "PENDING"}, listening{this, "LISTENING"};
};
//! [server-fsm]
