// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The monitor's widgets, offscreen, in the real main window: a display filter hides and
// highlights what it should (and the flow follows it), pause keeps everything and says how much
// is new, a selection in one view selects the same thing in the others, and the flow diagram
// draws one arrow per message, joined across processes, zooms around the cursor and exports.

#include "synthetic.h"

#include <app/mainwindow.h>
#include <views/detailsview.h>
#include <views/flowview.h>
#include <views/logview.h>
#include <views/objecttreeview.h>
#include <views/selectionhub.h>

#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtTest/QtTest>
#include <QtWidgets/QTableView>
#include <QtWidgets/QTreeView>

using namespace Parley;
using namespace Parley::Monitor;

namespace {

/// A main window fed with the synthetic run, shown offscreen.
struct Fixture
{
    std::shared_ptr<IngestQueue> queue = std::make_shared<IngestQueue>();
    MainWindow window{queue};
    Synthetic::Run run;
    std::vector<int> sources;

    explicit Fixture(int rounds = 4)
    {
        window.ingestor()->stop(); // the test commits by hand
        window.resize(1600, 1000);
        window.show();
        run = Synthetic::demoRun(rounds);
        for (const RuntimeInfo &info : run.processes)
            sources.push_back(window.store()->addSource(info, SourceKind::Live, QString()));
    }
    void feed(size_t from = 0, size_t to = SIZE_MAX)
    {
        to = std::min(to, run.steps.size());
        for (size_t i = from; i < to; ++i)
            window.store()->append(sources[size_t(run.steps[i].process)], run.steps[i].event);
        window.store()->commit();
        window.flowModel()->catchUp();
        QCoreApplication::processEvents();
    }
    EventStore &store() { return *window.store(); }
    /// Returns the serial of the first record of \a kind with message type \a type.
    Serial find(EventKind kind, const QString &type)
    {
        for (Serial s = store().firstSerial(); s < store().endSerial(); ++s) {
            const Record &r = store().record(s);
            if (r.kind == kind && store().string(r.type) == type)
                return s;
        }
        return NoSerial;
    }
};

} // namespace

class tst_Views : public QObject
{
    Q_OBJECT

private slots:
    void init() { QCoreApplication::setApplicationName(QStringLiteral("tst_views")); }

    void aFilterHidesAndHighlightsWhatItShould()
    {
        Fixture f;
        f.feed();
        LogView *log = f.window.logView();
        const int all = log->model()->rowCount();
        QCOMPARE(all, int(f.store().size()));
        const int lookups = f.run.count(EventKind::Sent) - 0; // counted below precisely
        Q_UNUSED(lookups);

        FilterRule type;
        type.field = FilterRule::Field::Type;
        type.text = QStringLiteral("demo.Lookup");
        log->addExclude(type);
        int hidden = 0;
        for (Serial s = f.store().firstSerial(); s < f.store().endSerial(); ++s)
            hidden += f.store().string(f.store().record(s).type) == QLatin1String("demo.Lookup");
        QVERIFY(hidden > 0);
        QCOMPARE(log->model()->rowCount(), all - hidden);
        for (int row = 0; row < log->model()->rowCount(); ++row)
            QVERIFY(!log->model()
                         ->index(row, LogModel::EventColumn)
                         .data()
                         .toString()
                         .contains(u"demo.Lookup"));
        // The flow follows the display filter: no arrow of an excluded type.
        FlowModel *flow = f.window.flowModel();
        QVERIFY(flow->isCatchingUp()); // the window's flow rebuilds between events ...
        flow->catchUp();               // ... which the test does not wait for
        QVERIFY(flow->arrowCount() > 0);
        for (int row = 0; row < flow->arrowCount(); ++row)
            QVERIFY(f.store().string(flow->arrow(row).type) != QLatin1String("demo.Lookup"));

        FilterRule greeter;
        greeter.field = FilterRule::Field::Object;
        greeter.source = f.sources[0];
        greeter.object = 7; // the first greeter
        log->addHighlight(greeter);
        int highlighted = 0;
        for (int row = 0; row < log->model()->rowCount(); ++row) {
            const QModelIndex index = log->model()->index(row, LogModel::EventColumn);
            const Record &r = f.store().record(log->model()->serialAt(row));
            const bool mine = r.source == greeter.source && r.object == greeter.object;
            QCOMPARE(index.data(HighlightedRole).toBool(), mine);
            highlighted += mine;
        }
        QVERIFY(highlighted > 0);

        // "Only highlighted" leaves exactly the highlighted rows; the status says how many.
        DisplayFilter onlyHighlighted = log->filter();
        onlyHighlighted.showOnlyHighlighted = true;
        log->setFilter(onlyHighlighted);
        QCOMPARE(log->model()->rowCount(), highlighted);
        QVERIFY2(log->statusText().startsWith(
                     QStringLiteral("Showing %1 of %2 records").arg(highlighted).arg(all)),
                 qPrintable(log->statusText()));

        // The quick search (a regex) narrows further.
        log->setFilter(DisplayFilter());
        DisplayFilter search;
        search.search = QStringLiteral("^round [12]:");
        search.searchIsRegex = true;
        log->setFilter(search);
        QCOMPARE(log->model()->rowCount(), 4); // two rounds, two clients
    }

    void pauseKeepsEverythingAndShowsHowMuchIsNew()
    {
        Fixture f;
        const size_t half = f.run.steps.size() / 2;
        f.feed(0, half);
        LogView *log = f.window.logView();
        QCOMPARE(log->model()->rowCount(), int(half));
        log->setPaused(true);
        QVERIFY(log->isPaused());
        f.feed(half);
        QCOMPARE(log->model()->rowCount(), int(half));             // the view stands still
        QCOMPARE(f.store().size(), qsizetype(f.run.steps.size())); // nothing is lost
        const qsizetype fresh = qsizetype(f.run.steps.size() - half);
        QCOMPARE(log->pauseText(), QStringLiteral("Paused: %1 new").arg(fresh));
        QVERIFY(log->statusText().contains(QStringLiteral("paused, %1 new").arg(fresh)));
        log->setPaused(false);
        QCOMPARE(log->model()->rowCount(), int(f.run.steps.size()));
        QCOMPARE(log->pauseText(), QStringLiteral("Pause"));
        // Following the tail, the newest record is in view after the resume.
        QCoreApplication::processEvents();
        QTableView *table = log->table();
        QVERIFY(table->rowAt(table->viewport()->height() - 2) >= log->model()->rowCount() - 2
                || table->rowAt(table->viewport()->height() - 2) == -1);
    }

    void selectingInOneViewSelectsTheSameThingInTheOthers()
    {
        Fixture f;
        f.feed();
        LogView *log = f.window.logView();
        FlowView *flow = f.window.flowView();
        ObjectTreeView *tree = f.window.treeView();
        DetailsModel *details = qobject_cast<DetailsModel *>(f.window.detailsView()->model());
        QVERIFY(details);

        // A record in the log: its object in the tree, its arrow in the flow, its fields.
        const Serial hello = f.find(EventKind::Sent, QStringLiteral("demo.Hello"));
        QVERIFY(hello != NoSerial);
        const int row = log->model()->rowOf(hello);
        log->table()->setCurrentIndex(log->model()->index(row, LogModel::EventColumn));
        QCOMPARE(f.window.hub()->record(), hello);
        const int getResponse = f.store().objectOf(hello);
        QCOMPARE(f.window.treeView()->model()->nodeOf(tree->tree()->currentIndex()), getResponse);
        QCOMPARE(flow->currentRow(), f.window.flowModel()->rowOf(hello));
        QCOMPARE(details->shownRecord(), hello);

        // An arrow in the flow (the reply, which crossed processes): the log selects its Sent
        // record, the tree the greeter that sent it.
        const Serial welcome = f.find(EventKind::Sent, QStringLiteral("demo.Welcome"));
        const int arrow = f.window.flowModel()->rowOf(welcome);
        QVERIFY(arrow >= 0);
        QVERIFY(f.window.flowModel()->arrow(arrow).crossesProcesses(*f.window.flowModel()));
        flow->setCurrentRow(arrow);
        QCOMPARE(log->model()->serialAt(log->table()->currentIndex().row()), welcome);
        const QModelIndex current = tree->tree()->currentIndex();
        QCOMPARE(current.data().toString(), QStringLiteral("greeter"));
        QCOMPARE(details->shownRecord(), welcome);

        // An object in the tree: the log shows its latest record, the details show the object.
        const int pool = f.store().findObject(f.sources[0], 4);
        tree->tree()->setCurrentIndex(tree->model()->indexOfNode(pool));
        QCOMPARE(f.window.hub()->object(), pool);
        const Serial shown = log->model()->serialAt(log->table()->currentIndex().row());
        QCOMPARE(f.store().objectOf(shown), pool);
        QCOMPARE(shown, f.store().objectRecords(pool).back());
        QCOMPARE(details->shownRecord(), NoSerial);
        QCOMPARE(details->index(0, 1).data().toString(), formatId(4));

        // Details link: the "received by" row of a record selects the other end everywhere.
        f.window.hub()->selectRecord(hello, nullptr);
        QModelIndex link;
        for (int r = 0; r < details->rowCount(); ++r) {
            if (details->linkOf(details->index(r, 0)) != NoSerial) {
                link = details->index(r, 1);
                break;
            }
        }
        QVERIFY(link.isValid());
        emit f.window.detailsView()->doubleClicked(link);
        const Serial received = f.store().otherEnd(hello);
        QCOMPARE(f.window.hub()->record(), received);
        QCOMPARE(log->model()->serialAt(log->table()->currentIndex().row()), received);
    }

    void theFlowDrawsOneArrowPerMessageJoinedAcrossProcesses()
    {
        Fixture f(3);
        f.feed();
        FlowView *flow = f.window.flowView();
        FlowModel *model = f.window.flowModel();
        const int messages = f.run.count(EventKind::Sent) + f.run.count(EventKind::Dropped);
        QCOMPARE(model->arrowCount(), messages);

        const FlowView::Layout l = flow->layout(0, model->arrowCount() - 1);
        QCOMPARE(int(l.arrows.size()), messages); // every arrow is drawn, once
        QCOMPARE(int(l.bands.size()), 3);         // one band per process
        int cross = 0;
        for (const FlowView::ArrowShape &s : l.arrows) {
            const FlowModel::Arrow &a = model->arrow(s.row);
            QCOMPARE(s.x1, l.lanes[size_t(l.laneOf[size_t(a.from)])].x);
            QCOMPARE(s.x2, l.lanes[size_t(l.laneOf[size_t(a.to)])].x);
            QCOMPARE(s.y, flow->headerHeight() + (s.row + 0.5) * flow->rowHeight());
            if (s.crossesProcesses) {
                ++cross;
                // The two ends sit in the bands of two different processes.
                auto bandOf = [&](qreal x) {
                    for (size_t b = 0; b < l.bands.size(); ++b) {
                        if (x >= l.bands[b].left && x <= l.bands[b].right)
                            return l.bands[b].source;
                    }
                    return -1;
                };
                QVERIFY(bandOf(s.x1) != bandOf(s.x2));
                QVERIFY(a.sent != NoSerial && a.received != NoSerial);
            }
        }
        QCOMPARE(cross, 3 * 2 * 2); // Hello and Welcome per round and client

        // Lanes do not overlap, in process order.
        for (size_t i = 1; i < l.lanes.size(); ++i)
            QVERIFY(l.lanes[i].x - l.lanes[i].width / 2
                    >= l.lanes[i - 1].x + l.lanes[i - 1].width / 2 - 0.01);
    }

    void theFlowZoomsAroundTheCursorAndIsDrivenByKeys()
    {
        Fixture f(6);
        f.feed();
        FlowView *flow = f.window.flowView();
        QVERIFY(QTest::qWaitForWindowExposed(&f.window));
        flow->setCurrentRow(10);
        const QPointF anchor(flow->viewport()->width() / 2.0,
                             flow->headerHeight() + 3.5 * flow->rowHeight());
        const int before = flow->rowAt(int(anchor.y()));
        QVERIFY(before >= 0);
        flow->zoomAt(2.0, anchor);
        QCOMPARE(flow->zoom(), 2.0);
        QCOMPARE(flow->rowAt(int(anchor.y())), before);
        flow->zoomAt(0.5, anchor);
        QCOMPARE(flow->rowAt(int(anchor.y())), before);

        QSignalSpy goTo(flow, &FlowView::goToRecordRequested);
        QSignalSpy activated(flow, &FlowView::recordActivated);
        flow->setFocus();
        QTest::keyClick(flow, Qt::Key_Down);
        QCOMPARE(flow->currentRow(), 11);
        QTest::keyClick(flow, Qt::Key_Up);
        QTest::keyClick(flow, Qt::Key_Up);
        QCOMPARE(flow->currentRow(), 9);
        QCOMPARE(activated.count(), 3);
        QTest::keyClick(flow, Qt::Key_G);
        QCOMPARE(goTo.count(), 1);
        QCOMPARE(goTo.last().at(0).value<Serial>(), f.window.flowModel()->arrow(9).serial());
        QTest::keyClick(flow, Qt::Key_End);
        QCOMPARE(flow->currentRow(), f.window.flowModel()->arrowCount() - 1);
    }

    void idleLifelinesCollapse()
    {
        Fixture f(6);
        f.feed();
        FlowView *flow = f.window.flowView();
        flow->setCollapseEmpty(true);
        // In the first rows only the server's own objects talk: the clients' lanes collapse.
        const FlowView::Layout early = flow->layout(0, 2);
        int collapsed = 0;
        for (const FlowView::Lane &lane : early.lanes)
            collapsed += lane.collapsed;
        QVERIFY(collapsed > 0);
        flow->setCollapseEmpty(false);
        for (const FlowView::Lane &lane : flow->layout(0, 2).lanes)
            QVERIFY(!lane.collapsed);
        QVERIFY(flow->layout(0, 2).width > early.width);
    }

    void theFlowExportsAsPngAndSvg()
    {
        Fixture f(2);
        f.feed();
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("flow.png"));
        const QString svg = dir.filePath(QStringLiteral("flow.svg"));
        FlowView *flow = f.window.flowView();
        QVERIFY(flow->exportPng(png));
        QVERIFY(flow->exportSvg(svg));
        const QImage image(png);
        QCOMPARE(image.size(), flow->renderSize(0, f.window.flowModel()->arrowCount() - 1));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("demo.Welcome")); // labels are text in the drawing
    }

    void theTreeKeepsItsExpansionWhileItUpdates()
    {
        Fixture f(2);
        const size_t third = f.run.steps.size() / 3;
        f.feed(0, third);
        ObjectTreeView *view = f.window.treeView();
        ObjectTreeModel *model = view->model();
        const int listener = f.store().findObject(f.sources[0], 3);
        const QModelIndex index = model->indexOfNode(listener);
        QVERIFY(index.isValid());
        view->tree()->expand(index);
        f.feed(third);
        QVERIFY(view->tree()->isExpanded(model->indexOfNode(listener)));
        view->setHideDestroyed(true); // a reset
        QVERIFY(view->tree()->isExpanded(model->indexOfNode(listener)));
        // Search by name finds the pool.
        QVERIFY(view->findNext(QStringLiteral("poo")));
        QCOMPARE(view->tree()->currentIndex().data().toString(), QStringLiteral("pool"));
        QVERIFY(!view->findNext(QStringLiteral("no such thing")));
    }
};

QTEST_MAIN(tst_Views)
#include "tst_views.moc"
