// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A dispatcher plus one session per connection: it files a TallySession under each Accepted's
// proxy, sends every client message to the session of the connection it arrivedThrough(), and
// stops that session on the Closed or Abandoned that comes from the same proxy. Sessions answer
// their clients directly. (listenAt(.session = ...) does this without a dispatcher.)

#include "api.h"

#include <parley/app.h>

#include <map>

/// Keeps the tally of one connection; completes with it when stopped.
class TallySession : public Parley::Machine
{
public:
    explicit TallySession(const Parley::HostPort &client)
    {
        on<Add>([this](const Add &a) {
            ++m_tally.count;
            m_tally.sum += a.n;
        });
        on<GetTally>([this] { reply(m_tally); }); // straight back through the connection
        on<Parley::Stop>([this, client] {
            console(client.toString(), " has gone: ", m_tally.count, " numbers, sum ", m_tally.sum);
            complete(m_tally);
        });
    }

private:
    Tally m_tally;
};

//! [dispatcher]
class Dispatcher : public Parley::Machine
{
public:
    explicit Dispatcher(const ServerSettings &s)
    {
        on<Parley::Start>([this, s] { Parley::listenAt(*this, Parley::HostPort{s.host, s.port}); });
        on<Parley::Listening>([this](const Parley::Listening &l) {
            console("Listening at ", l.bound.toString());
            Parley::announceReady(*this, l.bound.toString()); // for a script that started us
        });
        on<Parley::NotListening>([this](Parley::NotListening &n) { complete(std::move(n)); });
        // A connection: its proxy sent Accepted, and names it from now on.
        on<Parley::Accepted>([this](const Parley::Accepted &a) {
            m_sessions[returnAddress()] = create<TallySession>(a.remote);
        });
        // The application's messages: to the session of the connection they came through.
        on<Add>([this](Add &m) { toSession(Parley::Value(std::move(m))); });
        on<GetTally>([this](GetTally &m) { toSession(Parley::Value(std::move(m))); });
        // The end of a connection comes from its proxy: stop its session.
        on<Parley::Closed>([this] { endSession(); });
        on<Parley::Abandoned>([this] { endSession(); });
        on<Parley::Completed>([] {}); // a session's final tally (it said so)
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    void toSession(Parley::Value message)
    {
        const auto it = m_sessions.find(arrivedThrough());
        if (it == m_sessions.end()) {
            warning("dropped ", message.typeName(), ": it came through no open connection");
            return;
        }
        // Forwarded with the client's return address, so the session's reply goes to the client.
        forward(std::move(message), it->second, returnAddress());
    }
    void endSession()
    {
        const auto it = m_sessions.find(returnAddress());
        if (it == m_sessions.end())
            return;
        send(Parley::Stop{}, it->second);
        m_sessions.erase(it);
    }

    std::map<Parley::Address, Parley::Address> m_sessions; ///< connection (proxy) -> session
};
//! [dispatcher]

int main(int argc, char **argv)
{
    return Parley::run<Dispatcher>(argc, argv, ServerSettings{});
}
