// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' ConnectToAddress: the hello client as a state machine, INITIAL -> PENDING ->
// CONNECTED, plus CLOSING to close the connection before completing with the Welcome. A T1
// timer bounds the wait for the Welcome (3 s) like the routine's select() timeout does. Any
// hello server works with it.

#include "api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

class ConnectToAddress : public Parley::StateMachine
{
public:
    explicit ConnectToAddress(const ClientSettings &settings) : m_settings(settings)
    {
        initial.on<Parley::Start>([this] {
            Parley::connectTo(*this, Parley::HostPort{m_settings.host, m_settings.port});
            return pending;
        });
        pending
            .on<Parley::Connected>([this] {
                m_server = returnAddress(); // the proxy, standing for the server
                reply(Hello{m_settings.clientName});
                start(Parley::T1{}, 3s);
                return connected;
            })
            .on<Parley::NotConnected>(
                [this](Parley::NotConnected &n) { return complete(std::move(n)); });
        connected
            .on<Welcome>([this](const Welcome &welcome) {
                console("At client - ", toText(welcome));
                m_welcome = welcome;
                send(Parley::Close{}, m_server); // Closed follows once the close is sent
                start(Parley::T1{}, 3s);
                return closing;
            })
            .on<Parley::T1>([this] {
                return complete(Parley::TimedOut{QStringLiteral("no Welcome within 3 s")});
            })
            .on<Parley::Abandoned>([this](Parley::Abandoned &a) { return complete(std::move(a)); })
            .on<Parley::Closed>([this](const Parley::Closed &c) {
                return complete(Parley::Faulted{QStringLiteral("connection closed"), c.note});
            });
        closing.on<Parley::Closed>([this] { return complete(m_welcome); })
            .on<Parley::Abandoned>([this] { return complete(m_welcome); })
            .on<Parley::T1>([this] { return complete(m_welcome); });
        anyState.on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }

private:
    ClientSettings m_settings;
    Parley::Address m_server;
    Welcome m_welcome;
    State initial{this, "INITIAL"}, pending{this, "PENDING"}, connected{this, "CONNECTED"},
        closing{this, "CLOSING"};
};

int main(int argc, char **argv)
{
    return Parley::run<ConnectToAddress>(argc, argv, ClientSettings{});
}
