// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Server push: a Machine that answers each Lookup after a delay and, while any request is
// outstanding, sends an unsolicited TheSkyIsFalling to every connected client on a repeating
// timer. It learns the clients from Accepted (its return address is the connection's proxy,
// which stands for the client) and forgets them on Closed or Abandoned.

#include "../multiplexing/api.h"

#include <parley/app.h>

#include <chrono>
#include <vector>

struct ServerSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 5091;
    int replyAfterMs = 1000; ///< how long each Lookup takes
    int pushEveryMs = 250;   ///< how often the clients hear that the sky is falling
};
PARLEY_MESSAGE_AS(ServerSettings, "demo.PushServerSettings", host, port, replyAfterMs, pushEveryMs)

// Answers one Lookup after \a delay, as in lookup-server.
class LookupWorker : public Parley::Machine
{
public:
    LookupWorker(const Parley::Address &client, const QString &url, std::chrono::milliseconds delay)
    {
        on<Parley::Start>([this, delay] { start(Parley::T1{}, delay); });
        on<Parley::T1>([this, client, url] {
            send(Companies{companiesOnPage(url)}, client);
            complete(Parley::Ack{});
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

class PushServer : public Parley::Machine
{
public:
    explicit PushServer(const ServerSettings &s) : m_settings(s)
    {
        on<Parley::Start>([this] {
            Parley::listenAt(*this, Parley::HostPort{m_settings.host, m_settings.port});
        });
        on<Parley::Listening>([this](const Parley::Listening &l) {
            console("Listening at ", l.bound.toString());
            Parley::announceReady(*this, l.bound.toString()); // for a script that started us
        });
        on<Parley::NotListening>([this](Parley::NotListening &n) { complete(std::move(n)); });
        on<Parley::Accepted>([this] { m_clients.push_back(returnAddress()); });
        on<Parley::Closed>([this] { std::erase(m_clients, returnAddress()); });
        on<Parley::Abandoned>([this] { std::erase(m_clients, returnAddress()); });
        on<Lookup>([this](const Lookup &lookup) {
            // The answer comes later, from a child; the pushes start now.
            create<LookupWorker>(returnAddress(), lookup.url,
                                 std::chrono::milliseconds(m_settings.replyAfterMs));
            if (m_outstanding++ == 0)
                start(Parley::T2{}, std::chrono::milliseconds(m_settings.pushEveryMs),
                      Parley::TimerMode::Repeating);
        });
        on<Parley::Completed>([this] {
            if (--m_outstanding == 0)
                cancel<Parley::T2>(); // nothing outstanding: the sky holds
        });
        on<Parley::T2>([this] {
            for (const Parley::Address &client : m_clients)
                send(TheSkyIsFalling{}, client); // unsolicited: nobody asked for it
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    ServerSettings m_settings;
    std::vector<Parley::Address> m_clients;
    int m_outstanding = 0;
};

int main(int argc, char **argv)
{
    return Parley::run<PushServer>(argc, argv, ServerSettings{});
}
