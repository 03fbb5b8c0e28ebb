// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A program for tst_run: settings of several types, and a mode that decides what the main
// object does (echo its settings, fault, or wait for Stop). Built three times: as a routine
// function (runhelper), as a callable (runcallable, with RUNHELPER_CALLABLE) and as a machine
// (runmachine, with RUNHELPER_MACHINE).

#include <parley/app.h>
#include <parley/parley.h>

#include <QtCore/QStringList>

#include <cstdio>

enum class Mode { Echo, Fault, Wait, Stubborn };
PARLEY_ENUM(Mode, Echo, Fault, Wait, Stubborn)

struct Endpoint
{
    QString host;
    quint16 port = 0;
};
PARLEY_MESSAGE(Endpoint, host, port)

struct Settings
{
    QString serverName;
    quint16 port = 0;
    bool verbose = false;
    double ratio = 0;
    QStringList tags;
    Endpoint peer;
    Mode mode = Mode::Echo;
    qint32 exitStatus = 0;
};
PARLEY_MESSAGE(Settings, serverName, port, verbose, ratio, tags, peer, mode, exitStatus)

namespace {

void tell(const char *text)
{
    std::fprintf(stderr, "%s\n", text);
    std::fflush(stderr);
}

Parley::Value failure(const Settings &settings)
{
    return Parley::Faulted{QStringLiteral("cannot connect"), QStringLiteral("connection refused"),
                           settings.exitStatus};
}

} // namespace

#ifndef RUNHELPER_MACHINE

Parley::Value helper(Parley::Routine &self, const Settings &settings)
{
    switch (settings.mode) {
    case Mode::Echo:
        self.console("echo ", settings.serverName);
        return settings;
    case Mode::Fault:
        return failure(settings);
    case Mode::Wait:
        tell("ready");
        self.select<Parley::Stop>();
        return Parley::Aborted{};
    case Mode::Stubborn:
        tell("ready");
        self.select<Parley::Stop>();
        tell("ignoring stop");
        self.select<Parley::Ack>(); // never comes
        return Parley::Aborted{};
    }
    return Parley::Nak{};
}

int main(int argc, char **argv)
{
    const Settings factory{QStringLiteral("Buster"), 32011, false, 0, {}, {}, Mode::Echo, 0};
#ifdef RUNHELPER_CALLABLE
    return Parley::run<Settings>(argc, argv, &helper, factory);
#else
    return Parley::run<&helper>(argc, argv, factory);
#endif
}

#else

class Helper : public Parley::Machine
{
public:
    explicit Helper(const Settings &settings)
    {
        on<Parley::Start>([this, settings] {
            if (settings.mode == Mode::Fault) {
                complete(failure(settings));
            } else if (settings.mode == Mode::Echo) {
                console("echo ", settings.serverName);
                complete(settings);
            } else {
                tell("ready");
            }
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }
};

int main(int argc, char **argv)
{
    return Parley::run<Helper>(
        argc, argv, Settings{QStringLiteral("Buster"), 32011, false, 0, {}, {}, Mode::Echo, 0});
}

#endif
