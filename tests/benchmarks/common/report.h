// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// What every benchmark main prints and parses the same way: one `figure=... ratio=...` line per
// figure and baseline (with a `# why` note where a value could not be measured), counts from the
// command line, and the --only list.

#include <QtCore/QCommandLineParser>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace BenchReport {

/// Which way a figure is better, so that a ratio > 1 always means Parley is better.
enum class Better { Higher, Lower };

/// Prints one figure next to its baseline and their ratio. A value that could not be measured
/// is NaN and prints as nan; \a note then says why, after a `#` at the end of the line.
inline void printFigure(const char *figure, double value, const char *unit, int precision,
                        const char *baseline, double baselineValue, Better better,
                        const QString &note = {})
{
    const double ratio = better == Better::Higher ? value / baselineValue : baselineValue / value;
    std::printf("figure=%s value=%.*f unit=%s baseline=%s baseline_value=%.*f ratio=%.2f%s%s\n",
                figure, precision, value, unit, baseline, precision, baselineValue, ratio,
                note.isEmpty() ? "" : " # ", qPrintable(note));
    std::fflush(stdout);
}

/// Returns why a figure or its baseline is missing: \a parleyWhy when the Parley value is NaN,
/// then, when the baseline value is NaN, \a baselineWhy (or a pointer to the baseline's own
/// warning on stderr); empty when both were measured.
inline QString missingNote(double value, const QString &parleyWhy, double baselineValue,
                           const QString &baselineWhy = {})
{
    QStringList notes;
    if (std::isnan(value))
        notes << QStringLiteral("not measured: %1")
                     .arg(parleyWhy.isEmpty() ? QStringLiteral("see stderr") : parleyWhy);
    if (std::isnan(baselineValue))
        notes << QStringLiteral("baseline not measured: %1")
                     .arg(baselineWhy.isEmpty() ? QStringLiteral("see stderr") : baselineWhy);
    return notes.join(QStringLiteral("; "));
}

/// Returns the count given as --\a option, or \a fallback; exits with status 2 and one line
/// naming \a program for anything but a count from 1 to 100,000,000.
inline qint64 countOption(const char *program, const QCommandLineParser &parser,
                          const QString &option, qint64 fallback)
{
    if (!parser.isSet(option))
        return fallback;
    bool ok = false;
    const qint64 value = parser.value(option).toLongLong(&ok);
    if (!ok || value <= 0 || value > 100'000'000) {
        std::fprintf(stderr, "%s: --%s needs a count between 1 and 100000000\n", program,
                     qPrintable(option));
        std::exit(2);
    }
    return value;
}

/// Returns the figures to run: --only's comma-separated list, or all of \a known; exits with
/// status 2 and one line naming \a program for a name not in \a known.
inline QStringList onlyOption(const char *program, const QCommandLineParser &parser,
                              const QStringList &known)
{
    if (!parser.isSet(QStringLiteral("only")))
        return known;
    const QStringList only = parser.value(QStringLiteral("only")).split(u',', Qt::SkipEmptyParts);
    for (const QString &name : only) {
        if (!known.contains(name)) {
            std::fprintf(stderr, "%s: unknown figure '%s' (known: %s)\n", program, qPrintable(name),
                         qPrintable(known.join(u", ")));
            std::exit(2);
        }
    }
    return only;
}

} // namespace BenchReport
