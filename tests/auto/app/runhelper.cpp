// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A program for tst_run: settings of several types, and a mode that decides what the main
// object does (echo its settings, fault, wait for Stop, announce that it is ready and wait, or
// log at every level and echo). Built three times: as a routine
// function (runhelper), as a callable (runcallable, with RUNHELPER_CALLABLE) and as a machine
// (runmachine, with RUNHELPER_MACHINE).

#include <parley/app.h>
#include <parley/parley.h>

#include <QtCore/QStringList>

#include <cstdio>

enum class Mode { Echo, Fault, Wait, Stubborn, Ready, Chatty };
PARLEY_ENUM(Mode, Echo, Fault, Wait, Stubborn, Ready, Chatty)

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

/// Logs one line at each level a program logs at.
void chat(const Parley::Object &self)
{
    self.debug("a debug line");
    self.trace("a trace line");
    self.console("a console line");
    self.warning("a warning line");
    self.fault("a fault line");
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
    case Mode::Ready:
        Parley::announceReady(self, settings.serverName);
        Parley::announceReady(self, QStringLiteral("only the first call counts"));
        self.select<Parley::Stop>();
        return Parley::Aborted{};
    case Mode::Chatty:
        chat(self);
        return settings;
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
            } else if (settings.mode == Mode::Chatty) {
                chat(*this);
                complete(settings);
            } else if (settings.mode == Mode::Ready) {
                Parley::announceReady(*this, settings.serverName);
                Parley::announceReady(*this, QStringLiteral("only the first call counts"));
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
