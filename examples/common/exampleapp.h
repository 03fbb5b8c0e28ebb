// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

/// \file
/// The few lines every example shares until Parley::run() arrives: a QCoreApplication, a
/// runtime, `--debug-level=LEVEL` for a log on stderr, one top-level object, and its result's
/// type on stdout.

#include <parley/parley.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QStringList>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

namespace Example {

/// Runs the top-level object that \a create makes and returns the program's exit status.
///
/// The status is 0 when the object completes with a value that is not a fault, the fault's exit
/// status (71 by default) when it completes with one, 1 when it has not completed within
/// \a timeout, and 2 for a bad command line.
inline int run(int argc, char **argv,
               const std::function<Parley::Address(Parley::Runtime &)> &create,
               std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
    QCoreApplication app(argc, argv);
    const QByteArray program = QCoreApplication::applicationName().toLocal8Bit();
    const char *usage = "usage: %s [--debug-level=DEBUG|TRACE|OBJECT|CONSOLE|WARNING|FAULT|NONE]\n";

    std::optional<Parley::LogLevel> level;
    const QStringList arguments = QCoreApplication::arguments().mid(1);
    for (const QString &argument : arguments) {
        if (argument == u"--help") {
            std::printf(usage, program.constData());
            return 0;
        }
        if (argument.startsWith(u"--debug-level=")) {
            level = Parley::logLevelFromName(QStringView(argument).sliced(14));
            if (level)
                continue;
        }
        std::fprintf(stderr, "%s: bad argument \"%s\"\n", program.constData(),
                     argument.toLocal8Bit().constData());
        std::fprintf(stderr, usage, program.constData());
        return 2;
    }

    Parley::Runtime runtime;
    if (level)
        runtime.logger().addSink(std::make_shared<Parley::StderrSink>(*level));

    const Parley::Address main = create(runtime);
    const std::optional<Parley::Value> result = runtime.waitForCompletion(main, timeout);
    if (!result) {
        std::fprintf(stderr, "%s: no result within %lld ms\n", program.constData(),
                     static_cast<long long>(timeout.count()));
        return 1;
    }
    std::printf("%s\n", result->typeName());
    std::fflush(stdout);

    Parley::FaultView fault;
    if (result->fault(&fault)) {
        std::fprintf(stderr, "%s: %s (%s)\n", program.constData(),
                     fault.condition.toLocal8Bit().constData(),
                     fault.explanation.toLocal8Bit().constData());
        return fault.exitStatus ? fault.exitStatus : Parley::DefaultFaultExitStatus;
    }
    return 0;
}

} // namespace Example
