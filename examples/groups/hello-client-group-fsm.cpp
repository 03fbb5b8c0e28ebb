// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A connection group in a state machine: WAITING until the group is Ready, then GREETING; a
// NotReady sends it back to WAITING, so the Hello goes out again once the server is back.
// Works with every hello server.

#include "../hello/api.h"

#include <parley/app.h>

//! [fsm]
class Greeter : public Parley::StateMachine
{
public:
    explicit Greeter(const ClientSettings &s) : m_settings(s)
    {
        m_group.connectTo("server", {s.host, s.port});
        waiting.on<Parley::Start>([this] { m_group.create(*this); }).on<Parley::Ready>([this] {
            send(Hello{m_settings.clientName}, m_group["server"]);
            return greeting;
        });
        greeting.on<Welcome>([this](const Welcome &w) {
            console("At client - ", toText(w));
            return complete(w);
        });
        anyState
            .on<Parley::GroupUpdate>([this](const Parley::GroupUpdate &u) { m_group.update(u); })
            .on<Parley::NotReady>([this] { return waiting; })
            .on<Parley::Completed>([this](Parley::Completed &c) { return complete(c.value); })
            .on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }

private:
    State waiting{this, "WAITING"}, greeting{this, "GREETING"};
    ClientSettings m_settings;
    Parley::GroupTable m_group;
};
//! [fsm]

int main(int argc, char **argv)
{
    return Parley::run<Greeter>(argc, argv, ClientSettings{});
}
