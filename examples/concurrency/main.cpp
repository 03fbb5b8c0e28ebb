// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Routines, the seeds' concurrency demo: three workers ask one request worker for companies at
// once. Each lookup takes a random 50-300 ms, so the answers come back out of order, and each
// still reaches the worker that asked. A second round asks the same questions through
// Parley::Concurrently, which hands back the answers in request order. Run it with
// --debug-level=DEBUG to watch the interleaving in the log.

#include <parley/app.h>
#include <parley/parley.h>

#include <QtCore/QRandomGenerator>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

#include <chrono>
#include <vector>

using namespace std::chrono_literals;

//! [messages]
struct Lookup
{
    QString url;
};
struct Companies
{
    QStringList names;
};
PARLEY_MESSAGE(Lookup, url)
PARLEY_MESSAGE(Companies, names)
//! [messages]

namespace {

const QString CompaniesUrl = QStringLiteral("http://fake-json-api.example/companies?page=%1");

/// Returns the page of made-up companies that \a url asks for (four per page).
QStringList companiesOnPage(const QString &url)
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
    };
    const int page = QUrlQuery(QUrl(url)).queryItemValue(QStringLiteral("page")).toInt();
    return all.mid((page - 1) * 4, 4);
}

} // namespace

//! [httpGet]
// Stands in for one HTTP GET: waits 50-300 ms, still answering Stop, and completes with the
// companies. Waiting in select() rather than sleeping keeps the thread interruptible.
Parley::Value httpGet(Parley::Routine &self, const QString &url)
{
    const std::chrono::milliseconds delay(QRandomGenerator::global()->bounded(50, 301));
    self.trace("GET ", url, " will take ", delay.count(), " ms");
    auto m = self.select<Parley::Stop>(delay);
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    return Companies{companiesOnPage(url)};
}
//! [httpGet]

//! [requestWorker]
// Serves Lookup requests. Each one runs in a child of its own so that a slow lookup doesn't hold
// up the others; when the child completes, its result goes back to whoever asked, from here.
Parley::Value requestWorker(Parley::Routine &self)
{
    for (;;) {
        auto m = self.select<Lookup, Parley::Stop>();
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        const Parley::Address client = self.returnAddress();
        const Parley::Address get = self.create<&httpGet>(m.get<Lookup>().url);
        self.then(get,
                  [&self, client](Parley::Value &answer) { self.send(answer.take(), client); });
    }
}
//! [requestWorker]

//! [worker]
// Asks for one page and waits for the answer: with one request outstanding per worker, the
// Companies that arrives is the answer to it, whatever order the others come back in.
Parley::Value worker(Parley::Routine &self, const Parley::Address &service, int page)
{
    self.send(Lookup{CompaniesUrl.arg(page)}, service);
    auto m = self.select<Companies, Parley::Stop>(5s);
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    if (m.is<Parley::SelectTimer>())
        return Parley::TimedOut{QStringLiteral("no companies for page %1").arg(page)};
    self.console("page ", page, ": ", m.get<Companies>().names.size(), " companies retrieved");
    return Parley::Ack{};
}
//! [worker]

//! [application]
Parley::Value application(Parley::Routine &self)
{
    const Parley::Address service = self.create<&requestWorker>();

    // Round 1: three workers ask at once and each reports back when its answer is in.
    for (int page = 1; page <= 3; ++page)
        self.create<&worker>(service, page);
    for (int answered = 0; answered < 3; ++answered) {
        auto m = self.select<Parley::Completed, Parley::Stop>();
        if (m.is<Parley::Stop>())
            return Parley::Aborted{};
        Parley::Value &value = m.get<Parley::Completed>().value;
        if (value.isFault())
            return value.take(); // completing also stops the children still running
    }

    // Round 2: the same three questions as one operation; the answers arrive in any order but
    // Results holds them in request order. Each may take 5 s at most; an answer that is late
    // leaves a TimedOut in its slot and the others are kept.
    std::vector<Parley::Request> requests;
    for (int page = 1; page <= 3; ++page)
        requests.push_back({Lookup{CompaniesUrl.arg(page)}, service});
    self.create<Parley::Concurrently>(std::move(requests), 5s);
    auto m = self.select<Parley::Completed, Parley::Stop>();
    if (m.is<Parley::Stop>())
        return Parley::Aborted{};
    Parley::Value &outcome = m.get<Parley::Completed>().value;
    if (!outcome.is<Parley::Results>())
        return outcome.take();
    const Parley::Results &results = outcome.get<Parley::Results>();
    for (qsizetype i = 0; i < results.values.size(); ++i) {
        Parley::FaultView fault;
        if (const auto *companies = results.values[i].getIf<Companies>())
            self.console("request ", i + 1, ": ", companies->names.join(QStringLiteral(", ")));
        else if (results.values[i].fault(&fault))
            self.console("request ", i + 1, ": ", fault.condition, " (", fault.explanation, ")");
    }
    if (results.isPartial())
        return Parley::TimedOut{QStringLiteral("%1 of 3 answers missing").arg(results.missing)};

    // Explicit stop of the request worker, as in the seeds.
    self.send(Parley::Stop{}, service);
    self.select<Parley::Completed>();
    return Parley::Ack{};
}
//! [application]

int main(int argc, char **argv)
{
    return Parley::run<&application>(argc, argv);
}
