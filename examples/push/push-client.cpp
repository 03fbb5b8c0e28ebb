// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The client side of server push: the Lookup goes out through a GetResponse child, so its reply
// comes back to that child, while the TheSkyIsFalling events the server pushes meanwhile come
// to this routine, the connection's controller: a reply and an event reach different objects
// over the same connection. The result counts both.

#include "../multiplexing/api.h"

#include <parley/app.h>

#include <chrono>

using namespace std::chrono_literals;

struct ClientSettings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 5091;
};
PARLEY_MESSAGE_AS(ClientSettings, "demo.PushClientSettings", host, port)

/// The client's result: how many pushes arrived before the reply, and the reply's size.
struct PushSummary
{
    int pushes = 0;
    int companies = 0;
};
PARLEY_MESSAGE_AS(PushSummary, "demo.PushSummary", pushes, companies)

Parley::Value client(Parley::Routine &self, const ClientSettings &settings)
{
    const Parley::Opened link = Parley::connectAndWait(self, {settings.host, settings.port});
    if (!link)
        return link.fault; // NotConnected, or Aborted on Stop
    const Parley::Address server = link.address;

    self.create<Parley::GetResponse>(Parley::Value(Lookup{companiesUrl(1)}), server, 10s);
    PushSummary summary;
    Parley::Value result;
    while (result.isEmpty()) {
        auto m = self.select<TheSkyIsFalling, Parley::Completed, Parley::Abandoned, Parley::Stop>();
        if (m.is<TheSkyIsFalling>()) {
            self.console("The sky is falling! (", ++summary.pushes, ")");
        } else if (m.is<Parley::Completed>()) {
            Parley::Value &reply = m.get<Parley::Completed>().value;
            if (const auto *companies = reply.getIf<Companies>()) {
                summary.companies = int(companies->names.size());
                self.console("Reply: ", companies->names.join(QStringLiteral(", ")));
                result = summary;
            } else {
                result = reply.take(); // TimedOut, or the server's fault
            }
        } else if (m.is<Parley::Abandoned>()) {
            return m.take();
        } else {
            result = Parley::Aborted{};
        }
    }
    self.send(Parley::Close{}, server);
    self.select<Parley::Closed, Parley::Abandoned>(3s);
    return result;
}

int main(int argc, char **argv)
{
    return Parley::run<&client>(argc, argv, ClientSettings{});
}
