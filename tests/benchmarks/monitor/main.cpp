// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// bench_monitor: feeds a synthetic stream (100k live objects in one process, then 1M records)
// into the monitor's real window offscreen — store, log, filter, tree, flow and details models
// and their views — the way a live source does (a producer thread, the IngestQueue, the 50 ms
// ingest tick), and reports:
//   ingest       records/s from the first record produced to the last one committed;
//                baseline: appending the same events to a plain QList<Event>
//   stall        the longest lateness of a 5 ms GUI timer while ingesting (ms);
//                baseline: the same timer's longest lateness on an idle event loop
//   memory       resident bytes per record after the ingest (store, indexes, models, flow);
//                baseline: the same events held in a QList<Event>
//   filter       re-filtering every record held after a display filter change (ms);
//                baseline: QSortFilterProxyModel over the same log model with a regex
//   filter_all   the same change as the log view applies it (log and flow together, ms)
// A figure's ratio > 1 means the monitor is better than its baseline.

#include "../common/report.h"
#include "synthetic.h"

#include <app/mainwindow.h>
#include <views/logview.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QSortFilterProxyModel>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <malloc.h>

#include <atomic>
#include <thread>

using namespace Parley;
using namespace Parley::Monitor;

namespace {

qint64 residentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return 0;
}

/// Measures the longest lateness of a 5 ms timer while it runs.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last)
                m_worst = std::max(m_worst, now - m_last - 5'000'000);
            m_last = now;
        });
    }
    void start()
    {
        m_worst = 0;
        m_last = 0;
        m_clock.start();
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        return double(m_worst) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worst = 0;
};

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_monitor"));
    QCommandLineParser parser;
    parser.addOption(
        {QStringLiteral("objects"), QStringLiteral("live objects (100000)"), QStringLiteral("N")});
    parser.addOption({QStringLiteral("records"),
                      QStringLiteral("records after the objects (1000000)"), QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("only"), QStringLiteral("figures to run"), QStringLiteral("LIST")});
    parser.addHelpOption();
    parser.process(app);
    const qint64 objects
        = BenchReport::countOption("bench_monitor", parser, QStringLiteral("objects"), 100'000);
    const qint64 records
        = BenchReport::countOption("bench_monitor", parser, QStringLiteral("records"), 1'000'000);
    const QStringList figures = BenchReport::onlyOption(
        "bench_monitor", parser,
        {QStringLiteral("ingest"), QStringLiteral("stall"), QStringLiteral("memory"),
         QStringLiteral("filter"), QStringLiteral("filter_all")});
    const qint64 total = objects + records;
    const quint64 runtimeId = 0xbe4c;

    // -- baselines that need the events alone: a plain list
    double listRate = 0;
    double listBytes = 0;
    {
        malloc_trim(0);
        const qint64 before = residentBytes();
        QElapsedTimer clock;
        clock.start();
        QList<Event> list;
        Synthetic::Flood flood(runtimeId, int(objects));
        for (qint64 i = 0; i < total; ++i)
            list.append(flood.next());
        listRate = double(total) / (double(clock.nsecsElapsed()) / 1e9);
        listBytes = double(residentBytes() - before) / double(total);
    }
    malloc_trim(0);

    StallMeter meter;
    meter.start();
    spin(1000);
    const double idleStall = meter.stop();

    // -- the monitor
    const qint64 rssBefore = residentBytes();
    auto queue = std::make_shared<IngestQueue>();
    queue->setLimit(200'000); // the producer waits for room, as a file does; nothing is dropped
    MainWindow window(queue);
    window.store()->setCapacity(total + EventStore::ChunkSize);
    window.resize(1600, 1000);
    window.show();
    QCoreApplication::processEvents();

    std::atomic_bool done{false};
    QElapsedTimer clock;
    clock.start();
    meter.start();
    std::thread producer([&] {
        const int channel = queue->openChannel();
        queue->hello(channel, Synthetic::runtimeInfo(runtimeId, QStringLiteral("flood"), 1),
                     SourceKind::Live, QStringLiteral("127.0.0.1:1"));
        Synthetic::Flood flood(runtimeId, int(objects));
        constexpr int Batch = 1000;
        for (qint64 i = 0; i < total; i += Batch) {
            QList<Event> batch;
            batch.reserve(Batch);
            for (qint64 j = i; j < std::min(total, i + Batch); ++j)
                batch.append(flood.next());
            queue->eventsWaiting(
                std::move(batch),
                std::vector<int>(size_t(std::min<qint64>(Batch, total - i)), channel));
        }
        done = true;
    });
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done && queue->isEmpty() && window.store()->pending() == 0
            && qint64(window.store()->endSerial()) >= total)
            loop.quit();
    });
    check.start(10);
    loop.exec();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const double stall = meter.stop();
    producer.join();
    QCoreApplication::processEvents();
    const double rate = double(total) / seconds;
    const qint64 rssAfter = residentBytes();
    const double bytesPerRecord = double(rssAfter - rssBefore) / double(total);

    if (figures.contains(QStringLiteral("ingest")))
        BenchReport::printFigure("ingest", rate, "records/s", 0, "qlist_append", listRate,
                                 BenchReport::Better::Higher);
    if (figures.contains(QStringLiteral("stall")))
        BenchReport::printFigure("stall", stall, "ms", 1, "idle_loop", idleStall,
                                 BenchReport::Better::Lower);
    if (figures.contains(QStringLiteral("memory"))) {
        window.flowModel()->catchUp(); // the flow takes records between events; count them all
        BenchReport::printFigure("memory", bytesPerRecord, "bytes/record", 0, "qlist_events",
                                 listBytes, BenchReport::Better::Lower);
        std::printf(
            "note records=%lld objects=%lld resident_MiB=%.0f store_estimate_bytes_per_record=%.0f "
            "arrows=%d\n",
            total, objects, double(rssAfter - rssBefore) / 1048576.0,
            double(window.store()->memoryUsed()) / double(total), window.flowModel()->arrowCount());
        std::fflush(stdout);
    }

    // -- filtering everything held
    DisplayFilter filter;
    FilterRule tick;
    tick.field = FilterRule::Field::Type;
    tick.text = QStringLiteral("demo.Tick");
    filter.exclude.push_back(tick);
    filter.search = QStringLiteral("item 9");
    if (figures.contains(QStringLiteral("filter"))) {
        QElapsedTimer t;
        t.start();
        window.logModel()->setFilter(filter);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        const int shown = window.logModel()->rowCount();
        // Baseline: a proxy that matches the rendered text of every row.
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(window.logModel()->logModel());
        proxy.setFilterKeyColumn(LogModel::EventColumn);
        t.restart();
        proxy.setFilterRegularExpression(QRegularExpression(QStringLiteral("item 9")));
        (void)proxy.rowCount(); // the proxy filters when first asked
        const double proxyMs = double(t.nsecsElapsed()) / 1e6;
        BenchReport::printFigure("filter", ms, "ms", 1, "qsortfilterproxy_regex", proxyMs,
                                 BenchReport::Better::Lower);
        std::printf("note filter_rows=%d proxy_rows=%d\n", shown, proxy.rowCount());
        std::fflush(stdout);
    }
    if (figures.contains(QStringLiteral("filter_all"))) {
        filter.search = QStringLiteral("item 8");
        QElapsedTimer t;
        t.start();
        window.logView()->setFilter(filter);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        filter.search = QStringLiteral("item 7");
        t.restart();
        window.logModel()->setFilter(filter);
        const double logOnly = double(t.nsecsElapsed()) / 1e6;
        BenchReport::printFigure("filter_all", ms, "ms", 1, "log_only", logOnly,
                                 BenchReport::Better::Lower);
    }
    return 0;
}
