// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Machines, the seeds' stateless Application: one handler per message type and no thread of its
// own. Each of three lookups runs in a GetResponse child whose answer comes back to a lambda
// given to then(), so answers never need telling apart. The request worker also sends an
// unsolicited TheSkyIsFalling, which lands in a handler of its own and is logged with warning().

#include <parley/app.h>
#include <parley/parley.h>

#include <QtCore/QStringList>

#include <chrono>

using namespace std::chrono_literals;

struct Lookup
{
    QString url;
};
struct Companies
{
    QStringList names;
};
struct TheSkyIsFalling
{
};
PARLEY_MESSAGE(Lookup, url)
PARLEY_MESSAGE(Companies, names)
PARLEY_MESSAGE(TheSkyIsFalling)

// Serves lookups one at a time, as in the seeds (no real network here). Before the first answer
// it tells its parent, unasked, that the sky is falling: an event, not a reply to anything.
Parley::Value requestWorker(Parley::Routine &self)
{
    bool warned = false;
    for (;;) {
        auto m = self.select<Lookup, Parley::Stop>();
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        if (!warned) {
            self.send(TheSkyIsFalling{}, self.parentAddress());
            warned = true;
        }
        self.reply(Companies{{"Sawayn Inc", "Cummerata Group", "Ratke Group", "Kulas - Lind"}});
    }
}

//! [application]
class Application : public Parley::Machine
{
public:
    Application()
    {
        on<Parley::Start>([this] {
            const Parley::Address worker = create<&requestWorker>();
            const QString url = QStringLiteral("http://fake-json-api.example/companies");
            for (int i = 0; i < Lookups; ++i) {
                const Parley::Address get = create<Parley::GetResponse>(Lookup{url}, worker, 2s);
                then(get, [this](Parley::Value &answer) { done(answer); });
            }
        });
        on<TheSkyIsFalling>([this] { warning("Abandon ship"); });
        on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
    }

private:
    static constexpr int Lookups = 3;

    void done(Parley::Value &answer)
    {
        if (const auto *companies = answer.getIf<Companies>())
            console(companies->names.size(), " companies retrieved");
        else
            warning("lookup failed: ", answer.typeName());
        // Completing also stops the request worker, which this machine created.
        if (++m_answered == Lookups)
            complete(Parley::Ack{});
    }

    int m_answered = 0;
};
//! [application]

int main(int argc, char **argv)
{
    return Parley::run<Application>(argc, argv);
}
