// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Writes the synthetic demo run (a server, two clients, requests across processes, a state
// machine, warnings) as one recording per process into the folder given on the command line:
// the input for the monitor's screenshots and for trying the monitor without a running system.

#include "synthetic.h"

#include <QtCore/QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2 || args.size() > 3) {
        std::fprintf(stderr, "usage: monitor_make_recording DIR [ROUNDS]\n");
        return 2;
    }
    const int rounds = args.size() == 3 ? args.at(2).toInt() : 8;
    const QStringList paths = Synthetic::writeRecordings(Synthetic::demoRun(rounds), args.at(1));
    if (paths.isEmpty()) {
        std::fprintf(stderr, "monitor_make_recording: cannot write to %s\n",
                     qPrintable(args.at(1)));
        return 1;
    }
    for (const QString &path : paths)
        std::printf("%s\n", qPrintable(path));
    return 0;
}
