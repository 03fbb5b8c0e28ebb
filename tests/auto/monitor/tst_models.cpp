// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The monitor's models, headless: each passes QAbstractItemModelTester while records arrive in
// batches, the bounded store evicts, filters change and the view pauses; and each shows what
// the records say (the tree's parents, the flow's joined arrows, the filter's choices).

#include "synthetic.h"

#include <model/detailsmodel.h>
#include <model/displayfilter.h>
#include <model/flowmodel.h>
#include <model/logmodel.h>
#include <model/objecttreemodel.h>
#include <model/shardedhash.h>
#include <model/sourcesmodel.h>

#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QtTest>

using namespace Parley;
using namespace Parley::Monitor;

namespace {

/// Feeds \a run into \a store, committing every \a batch events.
void feed(EventStore &store, const Synthetic::Run &run, int batch = 25)
{
    std::vector<int> sources;
    for (const RuntimeInfo &info : run.processes)
        sources.push_back(store.addSource(info, SourceKind::Live, QStringLiteral("127.0.0.1:1")));
    int n = 0;
    for (const Synthetic::Step &s : run.steps) {
        store.append(sources[size_t(s.process)], s.event);
        if (++n % batch == 0)
            store.commit();
    }
    store.commit();
}

/// Expands every node of \a model below \a parent (fetching lazily populated children).
int fetchAll(QAbstractItemModel &model, const QModelIndex &parent = {})
{
    if (model.canFetchMore(parent))
        model.fetchMore(parent);
    int count = 0;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        ++count;
        count += fetchAll(model, model.index(row, 0, parent));
    }
    return count;
}

/// Finds the tree index whose name column is \a name below \a parent.
QModelIndex findByName(QAbstractItemModel &model, const QString &name,
                       const QModelIndex &parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == name)
            return index;
        const QModelIndex below = findByName(model, name, index);
        if (below.isValid())
            return below;
    }
    return {};
}

} // namespace

class tst_Models : public QObject
{
    Q_OBJECT

private slots:
    void everyModelPassesTheTesterWhileFedAndEvicting()
    {
        EventStore store;
        store.setCapacity(EventStore::ChunkSize * 2);
        LogModel log(&store);
        LogFilterModel filtered(&log);
        ObjectTreeModel tree(&store);
        FlowModel flow(&store);
        SourcesModel sources(&store);
        DetailsModel details(&store);
        const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        QAbstractItemModelTester t1(&log, mode), t2(&filtered, mode), t3(&tree, mode),
            t4(&flow, mode), t5(&sources, mode), t6(&details, mode);
        // The tester would fetch lazily populated children from inside its own signal handlers
        // (nesting a change in the one being reported); the test fetches them itself instead.
        t3.setUseFetchMore(false);

        DisplayFilter filter;
        filter.exclude.push_back({FilterRule::Field::Type, true, LogLevel::Debug,
                                  EventKind::Unknown, -1, 0, QStringLiteral("demo.Tick")});
        filter.highlight.push_back({FilterRule::Field::Kind, true, LogLevel::Debug,
                                    EventKind::StateChanged, -1, 0, QString()});
        filtered.setFilter(filter);
        flow.setFilter(filter);

        const int source = store.addSource(Synthetic::runtimeInfo(7, QStringLiteral("flood"), 1),
                                           SourceKind::Live, QString());
        Synthetic::Flood flood(7, 300);
        qint64 fed = 0;
        for (int batch = 0; batch < 60; ++batch) {
            for (int i = 0; i < 1000; ++i, ++fed)
                store.append(source, flood.next());
            store.commit();
            if (batch == 5)
                fetchAll(tree); // populate the lazy tree so that changes reach populated rows
            if (batch == 10)
                filtered.setPaused(true);
            if (batch == 15)
                filtered.setPaused(false);
            if (batch == 20) {
                tree.setHideDestroyed(true);
                fetchAll(tree);
            }
            if (batch == 25) {
                filter.showOnlyHighlighted = true;
                filtered.setFilter(filter);
            }
            if (batch == 30) {
                filter.showOnlyHighlighted = false;
                filter.minimumLevel = LogLevel::Console;
                filtered.setFilter(filter);
                flow.setFilter(filter);
            }
            if (batch == 40)
                flow.setScope(FlowModel::Scope::Objects);
            if (batch == 41)
                flow.setObjects({store.findObject(source, 20), store.findObject(source, 21)});
            if (batch % 7 == 0)
                details.showRecord(store.endSerial() - 1);
        }
        QCOMPARE(qint64(store.evicted() + quint64(store.size())), fed);
        QVERIFY(store.evicted() > 0);
        QVERIFY(store.size() <= store.capacity());
        QCOMPARE(log.rowCount(), int(store.size()));
        QCOMPARE(log.index(0, 0).data(SerialRole).toULongLong(), store.firstSerial());
        // The filter model holds exactly what the filter accepts of what is still held.
        DisplayFilter check = filtered.filter();
        check.prepare(store);
        int accepted = 0;
        for (Serial s = store.firstSerial(); s < store.endSerial(); ++s)
            accepted += check.accepts(s);
        QCOMPARE(filtered.rowCount(), accepted);
        QVERIFY(accepted > 0 && accepted < store.size());
        QCOMPARE(sources.rowCount(), 1);
        QCOMPARE(sources.index(0, SourcesModel::EventsColumn).data().toULongLong(), quint64(fed));
    }

    void theTreeShowsEachObjectUnderItsCreator()
    {
        EventStore store;
        ObjectTreeModel tree(&store);
        QAbstractItemModelTester tester(&tree,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false);
        const Synthetic::Run run = Synthetic::demoRun(3);
        feed(store, run, 7);
        QCOMPARE(tree.rowCount(), 3); // three processes
        QCOMPARE(tree.index(0, 0).data().toString(), QStringLiteral("hello-server/Buster (4242)"));
        fetchAll(tree);
        const QModelIndex greeter = findByName(tree, QStringLiteral("greeter"));
        QVERIFY(greeter.isValid());
        QCOMPARE(greeter.parent().data().toString(), QStringLiteral("127.0.0.1:51200"));
        QCOMPARE(greeter.parent().parent().data().toString(), QStringLiteral("listener"));
        QCOMPARE(greeter.parent().parent().parent().data().toString(), QStringLiteral("serve"));
        QCOMPARE(tree.index(greeter.row(), ObjectTreeModel::StateColumn, greeter.parent())
                     .data()
                     .toString(),
                 QStringLiteral("READY"));
        QCOMPARE(
            tree.index(greeter.row(), ObjectTreeModel::InColumn, greeter.parent()).data().toInt(),
            3 * 2); // Hello and Found per round

        // bob's greeter was destroyed: shown greyed with an end time, or hidden.
        const QModelIndex bobProxy = findByName(tree, QStringLiteral("127.0.0.1:51201"));
        QVERIFY(bobProxy.isValid());
        QVERIFY(!tree.index(bobProxy.row(), ObjectTreeModel::EndedColumn, bobProxy.parent())
                     .data()
                     .toString()
                     .isEmpty());
        QVERIFY(bobProxy.data(Qt::ForegroundRole).isValid());
        const int before = fetchAll(tree);
        tree.setHideDestroyed(true);
        const int after = fetchAll(tree);
        QVERIFY(!findByName(tree, QStringLiteral("127.0.0.1:51201")).isValid());
        QVERIFY(!findByName(tree, QStringLiteral("GetResponse")).isValid());
        QCOMPARE(before - after,
                 2 + 3 * 2 + 2); // bob's proxy + greeter, the GetResponses, bob's client objects
    }

    void destroyedObjectsLeaveTheTreeAsTheyDieWhenHidden()
    {
        EventStore store;
        ObjectTreeModel tree(&store);
        QAbstractItemModelTester tester(&tree,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false);
        tree.setHideDestroyed(true);
        const int p = store.addSource(Synthetic::runtimeInfo(3, QStringLiteral("p"), 3),
                                      SourceKind::Live, QString());
        auto event = [](EventKind kind, quint64 object, quint64 parent = 0) {
            Event e;
            e.kind = kind;
            e.object = object;
            e.parent = parent;
            e.name = QStringLiteral("o%1").arg(object);
            return e;
        };
        for (quint64 id = 2; id < 40; ++id)
            store.append(p, event(EventKind::Created, id, 1));
        store.commit();
        fetchAll(tree);
        QCOMPARE(tree.rowCount(tree.index(0, 0)), 38);
        for (quint64 id : {5, 6, 7, 20, 39, 2})
            store.append(p, event(EventKind::Destroyed, id));
        store.commit();
        QCOMPARE(tree.rowCount(tree.index(0, 0)), 32);
        for (int row = 0; row < 32; ++row) {
            const QString name = tree.index(row, 0, tree.index(0, 0)).data().toString();
            QVERIFY2(!QStringList({"o2", "o5", "o6", "o7", "o20", "o39"}).contains(name),
                     qPrintable(name));
        }
    }

    void theFlowJoinsBothEndsOfAMessageAcrossProcesses()
    {
        EventStore store;
        FlowModel flow(&store);
        QAbstractItemModelTester tester(&flow,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int rounds = 4;
        const Synthetic::Run run = Synthetic::demoRun(rounds);
        feed(store, run, 5); // small batches: ends are joined across commits too

        const int messages = run.count(EventKind::Sent) + run.count(EventKind::Dropped);
        QCOMPARE(flow.rowCount(), messages); // one arrow per message, never two
        int hellos = 0, welcomes = 0;
        for (int row = 0; row < flow.rowCount(); ++row) {
            const FlowModel::Arrow &a = flow.arrow(row);
            const QString type = store.string(a.type);
            if (type == QLatin1String("demo.Hello") || type == QLatin1String("demo.Welcome")) {
                QVERIFY(a.sent != NoSerial);
                QVERIFY(a.received != NoSerial);
                QVERIFY(a.crossesProcesses(flow));
                const QString from = flow.lifelineName(a.from), to = flow.lifelineName(a.to);
                if (type == QLatin1String("demo.Hello")) {
                    ++hellos;
                    QCOMPARE(from, QStringLiteral("GetResponse"));
                    QCOMPARE(to, QStringLiteral("greeter"));
                } else {
                    ++welcomes;
                    QCOMPARE(from, QStringLiteral("greeter"));
                    QCOMPARE(to, QStringLiteral("GetResponse"));
                }
                QCOMPARE(flow.rowOf(a.sent), row);
                QCOMPARE(flow.rowOf(a.received), row);
            }
        }
        QCOMPARE(hellos, rounds * 2);
        QCOMPARE(welcomes, rounds * 2);
    }

    void causesChainARequestThroughTheHandlerToTheReply()
    {
        EventStore store;
        feed(store, Synthetic::demoRun(1));
        // Find the server's Welcome send and walk its causes back to the client's Hello.
        Serial welcome = NoSerial;
        for (Serial s = store.firstSerial(); s < store.endSerial(); ++s) {
            const Record &r = store.record(s);
            if (r.kind == EventKind::Sent && store.string(r.type) == QLatin1String("demo.Welcome"))
                welcome = s;
        }
        QVERIFY(welcome != NoSerial);
        const Serial found = store.causeOf(welcome);
        QVERIFY(found != NoSerial);
        QCOMPARE(store.string(store.record(found).type), QStringLiteral("demo.Found"));
        const Serial lookup = store.causeOf(store.otherEnd(found));
        QCOMPARE(store.string(store.record(lookup).type), QStringLiteral("demo.Lookup"));
        const Serial hello = store.causeOf(store.otherEnd(lookup));
        QCOMPARE(store.string(store.record(hello).type), QStringLiteral("demo.Hello"));
        QCOMPARE(store.record(hello).kind, EventKind::Received);
        const Serial sentHello = store.otherEnd(hello);
        QCOMPARE(store.source(store.record(sentHello).source).info.program,
                 QStringLiteral("hello-client"));
    }

    void filtersExcludeAndHighlight_data()
    {
        QTest::addColumn<int>("field");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("level");
        QTest::addColumn<QString>("objectName");

        QTest::newRow("type") << int(FilterRule::Field::Type) << "demo.Hello" << 0 << "";
        QTest::newRow("text") << int(FilterRule::Field::Text) << "WELCOME from" << 0 << "";
        QTest::newRow("regex") << int(FilterRule::Field::Regex) << "round [23]:" << 0 << "";
        QTest::newRow("level") << int(FilterRule::Field::Level) << "" << int(LogLevel::Warning)
                               << "";
        QTest::newRow("object") << int(FilterRule::Field::Object) << "" << 0 << "pool";
        QTest::newRow("subtree") << int(FilterRule::Field::Subtree) << "" << 0 << "listener";
    }
    void filtersExcludeAndHighlight()
    {
        QFETCH(int, field);
        QFETCH(QString, text);
        QFETCH(int, level);
        QFETCH(QString, objectName);

        EventStore store;
        LogModel log(&store);
        LogFilterModel filtered(&log);
        QAbstractItemModelTester tester(&filtered,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        feed(store, Synthetic::demoRun(4));

        FilterRule rule;
        rule.field = FilterRule::Field(field);
        rule.text = text;
        rule.level = LogLevel(level);
        if (!objectName.isEmpty()) {
            for (int n = 0; n < store.objectCount(); ++n) {
                if (store.string(store.object(n).name) == objectName) {
                    rule.source = store.object(n).source;
                    rule.object = store.object(n).id;
                }
            }
            QVERIFY(rule.object);
        }
        // What the rule should match, worked out independently from the records.
        auto expected = [&](Serial s) {
            const Record &r = store.record(s);
            const RecordExtra *x = store.extra(s);
            const QString summary = RecordFormatter(store).summary(s);
            switch (rule.field) {
            case FilterRule::Field::Type:
                return store.string(r.type) == text;
            case FilterRule::Field::Text:
                return (x && x->text.contains(text, Qt::CaseInsensitive))
                    || store.string(r.name).contains(text, Qt::CaseInsensitive);
            case FilterRule::Field::Regex:
                return x && QRegularExpression(text).match(x->text).hasMatch();
            case FilterRule::Field::Level:
                return r.level == rule.level;
            case FilterRule::Field::Object:
                return r.source == rule.source && r.object == rule.object;
            case FilterRule::Field::Subtree: {
                if (r.source != rule.source)
                    return false;
                for (int n = store.objectOf(s); n >= 0; n = store.object(n).parent) {
                    if (store.object(n).id == rule.object && !store.object(n).isProcess)
                        return true;
                }
                return false;
            }
            default:
                return false;
            }
        };
        int matching = 0;
        for (Serial s = store.firstSerial(); s < store.endSerial(); ++s)
            matching += expected(s);
        QVERIFY(matching > 0);

        DisplayFilter filter;
        filter.exclude.push_back(rule);
        filtered.setFilter(filter);
        QCOMPARE(filtered.rowCount(), int(store.size()) - matching);
        for (int row = 0; row < filtered.rowCount(); ++row)
            QVERIFY(!expected(filtered.serialAt(row)));

        filter.exclude.clear();
        filter.highlight.push_back(rule);
        filtered.setFilter(filter);
        QCOMPARE(filtered.rowCount(), int(store.size())); // highlighting hides nothing
        int highlighted = 0;
        for (int row = 0; row < filtered.rowCount(); ++row) {
            const QModelIndex index = filtered.index(row, LogModel::EventColumn);
            const bool h = index.data(HighlightedRole).toBool();
            QCOMPARE(h, expected(filtered.serialAt(row)));
            QCOMPARE(index.data(Qt::BackgroundRole).isValid(), h);
            highlighted += h;
        }
        QCOMPARE(highlighted, matching);

        filter.showOnlyHighlighted = true;
        filtered.setFilter(filter);
        QCOMPARE(filtered.rowCount(), matching);
    }

    void pauseKeepsEverythingAndCountsWhatIsNew()
    {
        EventStore store;
        LogModel log(&store);
        LogFilterModel filtered(&log);
        QAbstractItemModelTester tester(&filtered,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy pauses(&filtered, &LogFilterModel::pauseChanged);
        const Synthetic::Run run = Synthetic::demoRun(2);
        const int source = store.addSource(run.processes[0], SourceKind::Live, QString());
        const QList<Event> events = run.eventsOf(0);
        for (int i = 0; i < 10; ++i)
            store.append(source, events[i]);
        store.commit();
        QCOMPARE(filtered.rowCount(), 10);
        filtered.setPaused(true);
        for (int i = 10; i < events.size(); ++i)
            store.append(source, events[i]);
        store.commit();
        QCOMPARE(filtered.rowCount(), 10);                       // the view stands still ...
        QCOMPARE(filtered.newWhilePaused(), events.size() - 10); // ... and says how much is new
        QCOMPARE(store.size(), events.size());                   // ... while everything is kept
        QCOMPARE(pauses.last().at(1).value<qsizetype>(), events.size() - 10);
        filtered.setPaused(false);
        QCOMPARE(filtered.rowCount(), events.size());
        QCOMPARE(filtered.newWhilePaused(), 0);
        for (int row = 1; row < filtered.rowCount(); ++row)
            QVERIFY(filtered.serialAt(row - 1) < filtered.serialAt(row));
    }

    void theStoreKeepsEveryFieldOfAnEvent()
    {
        EventStore store;
        const int source = store.addSource(Synthetic::runtimeInfo(0xabc, QStringLiteral("p"), 9),
                                           SourceKind::File, QString());
        Event e;
        e.kind = EventKind::Received;
        e.level = LogLevel::Trace;
        e.seq = 42;
        e.time = 1234;
        e.wall = 5678;
        e.object = 12;
        e.name = QStringLiteral("n");
        e.className = QStringLiteral("C");
        e.state = QStringLiteral("S");
        e.thread = QStringLiteral("t");
        e.from = Address{3, 4};
        e.to = Address(12);
        e.type = QStringLiteral("demo.X");
        e.messageId = 77;
        e.origin = 0xdef;
        e.cause = 5;
        e.depth = 3;
        e.queuedNs = 100;
        e.handledNs = 200;
        e.body = QStringLiteral("{\"a\":1}");
        e.bodyTruncated = true;
        e.text = QStringLiteral("text");
        store.append(source, e);
        store.commit();
        const Event back = store.event(store.firstSerial());
        QCOMPARE(back.kind, e.kind);
        QCOMPARE(back.level, e.level);
        QCOMPARE(back.seq, e.seq);
        QCOMPARE(back.time, e.time);
        QCOMPARE(back.wall, e.wall);
        QCOMPARE(back.name, e.name);
        QCOMPARE(back.className, e.className);
        QCOMPARE(back.state, e.state);
        QCOMPARE(back.thread, e.thread);
        QCOMPARE(back.from, e.from);
        QCOMPARE(back.to, e.to);
        QCOMPARE(back.type, e.type);
        QCOMPARE(back.messageId, e.messageId);
        QCOMPARE(back.origin, e.origin);
        QCOMPARE(back.cause, e.cause);
        QCOMPARE(back.causeOrigin, quint64(0)); // this runtime, as it was written
        QCOMPARE(back.depth, e.depth);
        QCOMPARE(back.queuedNs, e.queuedNs);
        QCOMPARE(back.handledNs, e.handledNs);
        QCOMPARE(back.body, e.body);
        QCOMPARE(back.bodyTruncated, e.bodyTruncated);
        QCOMPARE(back.text, e.text);
    }

    void detailsShowFieldsBodyAndLinks()
    {
        EventStore store;
        DetailsModel details(&store);
        QAbstractItemModelTester tester(&details,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        feed(store, Synthetic::demoRun(1));
        Serial hello = NoSerial;
        for (Serial s = store.firstSerial(); s < store.endSerial(); ++s) {
            const Record &r = store.record(s);
            if (r.kind == EventKind::Sent && store.string(r.type) == QLatin1String("demo.Hello"))
                hello = s;
        }
        details.showRecord(hello);
        QStringList fields;
        QModelIndex body, link;
        for (int row = 0; row < details.rowCount(); ++row) {
            const QModelIndex i = details.index(row, 0);
            fields << i.data().toString();
            if (i.data().toString() == QLatin1String("body"))
                body = i;
            if (details.linkOf(i) != NoSerial)
                link = i;
        }
        QVERIFY2(fields.contains(QStringLiteral("type")), qPrintable(fields.join(u',')));
        QVERIFY(body.isValid());
        QCOMPARE(details.rowCount(body), 3); // myName, round, tags
        QVERIFY(link.isValid());
        QCOMPARE(store.record(details.linkOf(link)).kind, EventKind::Received);
    }

    void aShardedHashBehavesAsOneHash()
    {
        // The store's and the flow's indexes: the same answers as a QHash, across growth and
        // removal, with the keys spread over the shards.
        ShardedHash<quint64, int> sharded;
        QHash<quint64, int> plain;
        for (quint64 k = 0; k < 20000; ++k) {
            sharded.insert(k * 7919, int(k));
            plain.insert(k * 7919, int(k));
        }
        for (quint64 k = 0; k < 20000; k += 3) {
            QCOMPARE(sharded.remove(k * 7919), plain.remove(k * 7919));
        }
        QVERIFY(!sharded.remove(1)); // never there
        sharded[5] += 2;
        plain[5] += 2;
        QCOMPARE(sharded.size(), plain.size());
        QVERIFY(sharded.capacity() >= sharded.size());
        for (quint64 k = 0; k < 20000 * 7919; k += 7919 / 2) {
            const int *found = sharded.find(k);
            QCOMPARE(found != nullptr, plain.contains(k));
            if (found)
                QCOMPARE(*found, plain.value(k));
            QCOMPARE(sharded.value(k, -1), plain.value(k, -1));
        }
        sharded.clear();
        QCOMPARE(sharded.size(), 0);
        QVERIFY(!sharded.find(7919));
    }
};

QTEST_MAIN(tst_Models)
#include "tst_models.moc"
