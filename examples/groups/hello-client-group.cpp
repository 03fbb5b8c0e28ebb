// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Seed 001's connect-and-reconnect-to-address in routine style: a GroupTable names the server,
// its manager keeps trying until the connection is up (start this client before its server and
// it waits), and the routine only says hello once the group is Ready. Works with every hello
// server.

#include "../hello/api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

//! [say hello]
Parley::Value sayHello(Parley::Routine &self, const QString &clientName, Parley::GroupTable &group)
{
    for (;;) {
        auto m = self.select<Parley::GroupUpdate, Parley::Ready, Parley::Completed, Parley::Stop>();
        if (group.update(m))
            continue; // connected, or an existing connection lost
        if (m.is<Parley::Ready>())
            break; // the full set of connections
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        return m.get<Parley::Completed>().value; // the group gave up, e.g. another version
    }
    auto m = self.ask<Welcome>(Hello{clientName}, group["server"], 3s);
    if (m.is<Welcome>())
        self.console("At client - ", toText(m.get<Welcome>()));
    return m; // the Welcome, or the fault
}

Parley::Value connectToAddress(Parley::Routine &self, const ClientSettings &settings)
{
    Parley::GroupTable group;
    group.connectTo("server", {settings.host, settings.port});
    const Parley::Address manager = group.create(self);

    Parley::Value welcome = sayHello(self, settings.clientName, group);

    self.send(Parley::Stop{}, manager); // clean up
    self.select<Parley::Completed>(3s);
    return welcome;
}
//! [say hello]

int main(int argc, char **argv)
{
    return Parley::run<&connectToAddress>(argc, argv, ClientSettings{});
}
