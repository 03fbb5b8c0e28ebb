// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "recorder.h"

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
