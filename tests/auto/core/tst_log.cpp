// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSemaphore>
#include <QtTest/QtTest>

using namespace std::chrono_literals;

/// A log argument that counts how often it is turned into text.
struct Expensive
{
    static inline std::atomic<int> formatted{0};
};
// Found by argument-dependent lookup: this is how a type teaches the log calls its text form.
inline void appendLogText(QString &out, const Expensive &)
{
    ++Expensive::formatted;
    out += QStringLiteral("expensive");
}

/// Logs one line at every level on Start, then completes.
class Chatty : public Parley::Machine
{
public:
    Chatty()
    {
        on<Parley::Start>([this] {
            debug("debug ", 1);
            trace("trace ", 2.5);
            console("console ", QStringLiteral("text"), ' ', true);
            warning("warning ", Parley::Address{1, 2});
            fault("fault");
            console(Expensive{});
            complete(Parley::Ack{});
        });
    }
};

/// A queued sink whose first write waits until the test lets it go, so that the test can fill
/// the logger's queue behind it.
class HeldSink : public Parley::LogSink
{
public:
    HeldSink() : LogSink(Parley::LogLevel::Debug) {}
    void write(const Parley::Event &e) override
    {
        if (m_first.exchange(false)) {
            m_inWrite.release();
            m_go.acquire();
        }
        QMutexLocker l(&m_lock);
        m_events.append(e);
    }
    void flush() override { m_flushes.fetch_add(1); }
    void waitUntilHeld() { m_inWrite.acquire(); }
    void letGo() { m_go.release(); }
    QList<Parley::Event> events() const
    {
        QMutexLocker l(&m_lock);
        return m_events;
    }
    std::atomic<int> m_flushes{0};

private:
    std::atomic<bool> m_first{true};
    QSemaphore m_inWrite, m_go;
    mutable QMutex m_lock;
    QList<Parley::Event> m_events;
};

/// A message with a body worth capturing.
struct Note
{
    QString text;
    int n = 0;
};
PARLEY_MESSAGE_AS(Note, "test.Note", text, n)

/// Sends itself a Note with \a text on Start, then completes when it arrives.
class NoteTaker : public Parley::Machine
{
public:
    explicit NoteTaker(QString text)
    {
        on<Parley::Start>([this, text] { send(Note{text, 7}, address()); });
        on<Note>([this] { complete(Parley::Ack{}); });
    }
};

Parley::Event created(quint64 id, quint64 parent)
{
    Parley::Event e;
    e.kind = Parley::EventKind::Created;
    e.object = id;
    e.parent = parent;
    return e;
}

Parley::Event sent(quint64 id, const QString &type,
                   Parley::LogLevel level = Parley::LogLevel::Object)
{
    Parley::Event e;
    e.kind = Parley::EventKind::Sent;
    e.level = level;
    e.object = id;
    e.type = type;
    return e;
}

class tst_Log : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void levelsParseByNameInAnyCase_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("level");
        QTest::newRow("DEBUG") << "DEBUG" << int(Parley::LogLevel::Debug);
        QTest::newRow("trace") << "trace" << int(Parley::LogLevel::Trace);
        QTest::newRow("Object") << "Object" << int(Parley::LogLevel::Object);
        QTest::newRow("CONSOLE") << "CONSOLE" << int(Parley::LogLevel::Console);
        QTest::newRow("WARNING") << "WARNING" << int(Parley::LogLevel::Warning);
        QTest::newRow("FAULT") << "FAULT" << int(Parley::LogLevel::Fault);
        QTest::newRow("NONE") << "NONE" << int(Parley::LogLevel::None);
    }
    void levelsParseByNameInAnyCase()
    {
        QFETCH(QString, name);
        QFETCH(int, level);
        const auto l = Parley::logLevelFromName(name);
        QVERIFY(l);
        QCOMPARE(int(*l), level);
        QCOMPARE(Parley::logLevelName(*l), name.toUpper());
    }
    void unknownLevelNameIsRejected() { QVERIFY(!Parley::logLevelFromName(u"LOUD")); }
    void textFormIsExact()
    {
        Parley::Event r;
        r.kind = Parley::EventKind::Created;
        r.wall = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 6)).toMSecsSinceEpoch() * 1'000'000;
        r.object = 0x1a;
        r.parent = 0x16;
        r.name = QStringLiteral("worker");
        QCOMPARE(Parley::formatEvent(r),
                 QStringLiteral("03:04:05.006 + <0000001a>worker - Created by <00000016>"));
        r.state = QStringLiteral("PENDING");
        QCOMPARE(
            Parley::formatEvent(r),
            QStringLiteral("03:04:05.006 + <0000001a>worker[PENDING] - Created by <00000016>"));
        // Each kind renders from its fields.
        Parley::Event sent;
        sent.kind = Parley::EventKind::Sent;
        sent.wall = r.wall;
        sent.object = 0x1a;
        sent.name = QStringLiteral("worker");
        sent.type = QStringLiteral("demo.Hello");
        sent.to = Parley::Address{0x1f, 0x3};
        QCOMPARE(Parley::formatEvent(sent),
                 QStringLiteral("03:04:05.006 > <0000001a>worker - Sent demo.Hello to "
                                "<0000001f.00000003>"));
        Parley::Event dropped = sent;
        dropped.kind = Parley::EventKind::Dropped;
        dropped.level = Parley::LogLevel::Warning;
        dropped.text = QStringLiteral("no such object");
        QCOMPARE(Parley::formatEvent(dropped),
                 QStringLiteral("03:04:05.006 ? <0000001a>worker - Dropped demo.Hello to "
                                "<0000001f.00000003> (no such object)"));
        Parley::Event future = sent;
        future.kind = Parley::EventKind::Unknown;
        QVERIFY(Parley::formatEvent(future).contains(QStringLiteral("newer kind")));
    }
    void sinksSeeOnlyTheirLevelAndAbove()
    {
        Parley::Runtime rt;
        auto all = std::make_shared<CountingSink>(Parley::LogLevel::Debug);
        auto warnings = std::make_shared<CountingSink>(Parley::LogLevel::Warning);
        rt.logger().addSink(all);
        rt.logger().addSink(warnings);
        QVERIFY(rt.waitForCompletion(rt.create<Chatty>(), 5s));
        // wording checked on purpose: this test pins the text rendering of each level.
        QTRY_VERIFY(all->contains(QStringLiteral("Chatty - Destroyed")));
        QVERIFY(all->contains(QStringLiteral("_ <00000002>Chatty - debug 1")));
        QVERIFY(all->contains(QStringLiteral("~ <00000002>Chatty - trace 2.5")));
        QVERIFY(all->contains(QStringLiteral("^ <00000002>Chatty - console text true")));
        QVERIFY(all->contains(QStringLiteral("? <00000002>Chatty - warning <00000001.00000002>")));
        QVERIFY(all->contains(QStringLiteral("! <00000002>Chatty - fault")));
        const QStringList w = warnings->lines();
        QCOMPARE(w.size(), 2);
        QVERIFY(w[0].contains(QStringLiteral(" ? ")));
        QVERIFY(w[1].contains(QStringLiteral(" ! ")));
        // Message events carry the type and the other party.
        bool sawMessageEvent = false;
        for (const auto &r : all->records()) {
            if (r.kind == Parley::EventKind::Received && r.type == QStringLiteral("parley.Start")) {
                QCOMPARE(r.from, rt.address());
                sawMessageEvent = true;
            }
        }
        QVERIFY(sawMessageEvent);
    }
    void recordsNoSinkWantsAreNeverFormatted()
    {
        Expensive::formatted = 0;
        {
            Parley::Runtime rt; // no sinks at all
            QVERIFY(!rt.logger().wants(Parley::LogLevel::Fault));
            QVERIFY(rt.waitForCompletion(rt.create<Chatty>(), 5s));
        }
        QCOMPARE(Expensive::formatted.load(), 0);
        {
            Parley::Runtime rt;
            rt.logger().addSink(std::make_shared<CountingSink>(Parley::LogLevel::Warning));
            QVERIFY(rt.waitForCompletion(rt.create<Chatty>(), 5s));
        }
        QCOMPARE(Expensive::formatted.load(), 0); // console is below WARNING
        {
            Parley::Runtime rt;
            rt.logger().addSink(std::make_shared<CountingSink>(Parley::LogLevel::Console));
            QVERIFY(rt.waitForCompletion(rt.create<Chatty>(), 5s));
        }
        QCOMPARE(Expensive::formatted.load(), 1);
    }
    void aFullQueueCountsWhatItLosesAndSaysSo()
    {
        // The drain thread is held inside the first event's write; the queue behind it holds
        // 16; the other 84 are counted and reported in one EventsDropped once there is room.
        Parley::Logger logger;
        logger.setCapacity(16);
        auto sink = std::make_shared<HeldSink>();
        logger.addSink(sink);
        logger.post(sent(2, QStringLiteral("first")));
        sink->waitUntilHeld();
        for (int i = 0; i < 100; ++i)
            logger.post(sent(2, QStringLiteral("later")));
        QCOMPARE(logger.dropped(), quint64(84));
        sink->letGo();
        logger.flush();
        const QList<Parley::Event> seen = sink->events();
        QCOMPARE(seen.size(), 1 + 1 + 16);
        QCOMPARE(seen[0].type, QStringLiteral("first"));
        QCOMPARE(seen[1].kind, Parley::EventKind::EventsDropped);
        QCOMPARE(seen[1].count, quint64(84));
        QCOMPARE(seen[1].level, Parley::LogLevel::Warning);
        // Sequence numbers: the lost events had theirs, so the gap shows where they were.
        QCOMPARE(seen[0].seq, quint64(1));
        QCOMPARE(seen[2].seq, quint64(2));
        QCOMPARE(seen.last().seq, quint64(17));
        QVERIFY(sink->m_flushes.load() >= 1); // told when the queue ran dry
    }
    void flushReturnsOnceEverythingIsWritten()
    {
        Parley::Logger logger;
        auto sink = std::make_shared<HeldSink>();
        logger.addSink(sink);
        logger.post(sent(2, QStringLiteral("first")));
        sink->waitUntilHeld();
        for (int i = 0; i < 10; ++i)
            logger.post(sent(2, QStringLiteral("later")));
        sink->letGo();
        logger.flush();
        QCOMPARE(sink->events().size(), 11);
        QCOMPARE(logger.dropped(), quint64(0));
        QVERIFY(logger.wants(Parley::LogLevel::Debug));
        logger.removeSink(sink);
        QVERIFY(!logger.wants(Parley::LogLevel::Fault)); // nobody listens: nothing is built
    }
    void theCaptureFilterFollowsSubtreesTypesAndLevels()
    {
        Parley::CaptureState all;
        QVERIFY(all.admits(sent(9, QStringLiteral("a.B"))));
        QVERIFY(!all.admits(sent(9, QStringLiteral("a.B"), Parley::LogLevel::Trace)));

        // Object 10 and what it creates, and what they create; not its sibling 11.
        Parley::CaptureState sub(Parley::CaptureFilter{.subtree = 10});
        QVERIFY(sub.admits(created(10, 1)));
        QVERIFY(!sub.admits(created(11, 1)));
        QVERIFY(sub.admits(created(12, 10)));
        QVERIFY(sub.admits(created(13, 12)));
        QVERIFY(sub.admits(sent(13, QStringLiteral("a.B"))));
        QVERIFY(!sub.admits(sent(11, QStringLiteral("a.B"))));
        Parley::Event gone;
        gone.kind = Parley::EventKind::Destroyed;
        gone.object = 13;
        QVERIFY(sub.admits(gone));                             // its end is in it too
        QVERIFY(!sub.admits(sent(13, QStringLiteral("a.B")))); // and then it is forgotten
        Parley::Event lost;
        lost.kind = Parley::EventKind::EventsDropped;
        lost.object = 1;
        QVERIFY(sub.admits(lost)); // what the pipeline says of itself always passes

        // Only message events of these types; other kinds pass.
        Parley::CaptureState types(Parley::CaptureFilter{.types = {QStringLiteral("a.B")}});
        QVERIFY(types.admits(sent(9, QStringLiteral("a.B"))));
        QVERIFY(!types.admits(sent(9, QStringLiteral("a.C"))));
        QVERIFY(types.admits(created(14, 1)));

        Parley::CaptureState warnings(Parley::CaptureFilter{.level = Parley::LogLevel::Warning});
        QVERIFY(!warnings.admits(sent(9, QStringLiteral("a.B"))));
        QVERIFY(warnings.admits(sent(9, QStringLiteral("a.B"), Parley::LogLevel::Fault)));
    }
    void bodiesAreCapturedAsCappedJsonOnlyWhenAsked()
    {
        QTemporaryDir dir;
        const QString withBodies = dir.filePath(QStringLiteral("bodies.prec"));
        const QString without = dir.filePath(QStringLiteral("plain.prec"));
        const QString longText(3000, QLatin1Char('x'));
        {
            Parley::Runtime rt(Parley::Runtime::Options{.workers = 1});
            auto a = std::make_shared<Parley::RecordingSink>(withBodies, rt.info(),
                                                             Parley::CaptureFilter{.bodies = true});
            auto b = std::make_shared<Parley::RecordingSink>(without, rt.info());
            QVERIFY(a->isOpen());
            QVERIFY(b->isOpen());
            rt.logger().addSink(a);
            rt.logger().addSink(b);
            QVERIFY(rt.waitForCompletion(rt.create<NoteTaker>(QStringLiteral("short")), 5s));
            QVERIFY(rt.waitForCompletion(rt.create<NoteTaker>(longText), 5s));
        }
        auto notes = [](const QString &path) {
            QList<Parley::Event> out;
            Parley::RecordingReader reader;
            if (!reader.open(path))
                return out;
            Parley::Event e;
            while (reader.next(e) == Parley::RecordingReader::Status::Ok) {
                if (e.kind == Parley::EventKind::Sent && e.type == QLatin1String("test.Note"))
                    out.append(e);
            }
            return out;
        };
        const QList<Parley::Event> captured = notes(withBodies);
        QCOMPARE(captured.size(), 2);
        const QJsonObject body = QJsonDocument::fromJson(captured[0].body.toUtf8()).object();
        QCOMPARE(body.value(QStringLiteral("text")).toString(), QStringLiteral("short"));
        QCOMPARE(body.value(QStringLiteral("n")).toInt(), 7);
        QVERIFY(!captured[0].bodyTruncated);
        QVERIFY(captured[1].bodyTruncated);
        QVERIFY(captured[1].body.toUtf8().size() <= 1024);
        QVERIFY(captured[1].body.startsWith(QStringLiteral("{")));
        const QList<Parley::Event> plain = notes(without);
        QCOMPARE(plain.size(), 2);
        QVERIFY(plain[0].body.isEmpty());
        QVERIFY(plain[1].body.isEmpty());
    }
    void fileSinkAppendsLines()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("parley.log"));
        {
            Parley::Runtime rt;
            auto sink = std::make_shared<Parley::FileSink>(path, Parley::LogLevel::Console);
            QVERIFY(sink->isOpen());
            rt.logger().addSink(sink);
            QVERIFY(rt.waitForCompletion(rt.create<Chatty>(), 5s));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines
            = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4); // console, warning, fault, expensive
        QVERIFY(lines[0].endsWith(QStringLiteral("Chatty - console text true")));
    }
};

QTEST_GUILESS_MAIN(tst_Log)
#include "tst_log.moc"
