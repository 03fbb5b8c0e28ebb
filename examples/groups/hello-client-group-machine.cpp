// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A connection group in a stateless machine: the machine hands each GroupUpdate to its table and
// says hello whenever the group becomes Ready, so a server that restarts is greeted again with no
// code of its own for reconnecting. It completes with the first Welcome (--welcomes=N for more).

#include "../hello/api.h"

#include <parley/app.h>

struct GroupClientSettings
{
    QString clientName = QStringLiteral("Gladys");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32011;
    int welcomes = 1; ///< complete after this many Welcomes (one per time the group is Ready)
};
PARLEY_MESSAGE_AS(GroupClientSettings, "demo.GroupClientSettings", clientName, host, port, welcomes)

//! [machine]
class Greeter : public Parley::Machine
{
public:
    explicit Greeter(const GroupClientSettings &s) : m_settings(s)
    {
        m_group.connectTo("server", {s.host, s.port});
        on<Parley::Start>([this] { m_group.create(*this); });
        on<Parley::GroupUpdate>([this](const Parley::GroupUpdate &u) { m_group.update(u); });
        on<Parley::Ready>([this] { send(Hello{m_settings.clientName}, m_group["server"]); });
        on<Parley::NotReady>([this] { console("server gone; waiting for it"); });
        on<Welcome>([this](const Welcome &w) {
            console("At client - ", toText(w));
            if (++m_welcomes == m_settings.welcomes)
                complete(w);
        });
        on<Parley::Completed>([this](Parley::Completed &c) { complete(std::move(c.value)); });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    GroupClientSettings m_settings;
    Parley::GroupTable m_group;
    int m_welcomes = 0;
};
//! [machine]

int main(int argc, char **argv)
{
    return Parley::run<Greeter>(argc, argv, GroupClientSettings{});
}
