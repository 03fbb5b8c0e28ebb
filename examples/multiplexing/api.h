// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' api module: Lookup asks for a page of companies, Companies answers it, and
// TheSkyIsFalling is an event a server may push at any time. Shared by the lookup and push
// examples; companiesOnPage() lets a client check that the answer it got is the one it asked
// for.
#pragma once

#include <parley/parley.h>

#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

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
PARLEY_MESSAGE_AS(Lookup, "demo.Lookup", url)
PARLEY_MESSAGE_AS(Companies, "demo.Companies", names)
PARLEY_MESSAGE_AS(TheSkyIsFalling, "demo.TheSkyIsFalling")

/// The URL of page \a page of the (made-up) companies API.
inline QString companiesUrl(int page)
{
    return QStringLiteral("http://fake-json-api.example/companies?page=%1").arg(page);
}

/// Returns the four companies on the page that \a url asks for: each page has its own.
inline QStringList companiesOnPage(const QString &url)
{
    static const QStringList all{
        "Sawayn Inc",
        "responsible-lunge.name",
        "Cummerata Group",
        "Koelpin - Torp",
        "Ratke, Walker and Sporer",
        "Ratke Group",
        "Haley, Erdman and Marvin",
        "Hickle, McCullough and Von",
        "Kulas - Lind",
        "Mayert - Gulgowski",
        "candid-trigger.name",
        "Jerde - Bednar",
        "Casper, Towne and Heidenreich",
    };
    const int page = QUrlQuery(QUrl(url)).queryItemValue(QStringLiteral("page")).toInt();
    QStringList names;
    for (int i = 0; i < 4; ++i)
        names.append(all[(qMax(page - 1, 0) * 4 + i) % all.size()]);
    return names;
}
