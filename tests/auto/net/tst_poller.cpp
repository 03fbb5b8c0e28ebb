// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The threads' epoll sets (lib/src/net/poller_p.h): a descriptor is reported once until its
// watcher asks again, and again while it stays readable; one that nobody listens to does not
// wake the loop, not even at its hang-up; a descriptor removed during a round is not reported
// from that round; the set goes with its last descriptor; many ready descriptors cost one round.

#include <net/poller_p.h>

#include <QtCore/QCoreApplication>
#include <QtTest/QtTest>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <vector>

using namespace Parley::Internal;

namespace {

/// A connected pair of stream descriptors.
struct Pair
{
    int ours = -1;
    int theirs = -1;
    Pair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0) {
            ours = fds[0];
            theirs = fds[1];
        }
    }
    ~Pair()
    {
        closeTheirs();
        if (ours >= 0)
            ::close(ours);
    }
    Pair(const Pair &) = delete;
    Pair &operator=(const Pair &) = delete;
    void send(const char *bytes = "x") const
    {
        QCOMPARE(::write(theirs, bytes, std::strlen(bytes)), ssize_t(std::strlen(bytes)));
    }
    void closeTheirs()
    {
        if (theirs >= 0)
            ::close(theirs);
        theirs = -1;
    }
    /// Reads what is there from our end; the count.
    [[nodiscard]] int drain() const
    {
        char buffer[256];
        int total = 0;
        ssize_t n;
        while ((n = ::read(ours, buffer, sizeof buffer)) > 0)
            total += int(n);
        return total;
    }
};

/// Counts the reports for one descriptor; can act inside them.
struct Watcher : PollWatcher
{
    int readable = 0;
    int writable = 0;
    std::function<void()> onReadable;
    std::function<void()> onWritable;
    void pollReadable() override
    {
        ++readable;
        if (onReadable)
            onReadable();
    }
    void pollWritable() override
    {
        ++writable;
        if (onWritable)
            onWritable();
    }
};

/// Turns the event loop \a times times, without waiting (posted events and ready descriptors).
void turn(int times)
{
    for (int i = 0; i < times; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

} // namespace

class TestPoller : public QObject
{
    Q_OBJECT

private slots:
    void aReadableDescriptorIsReportedOnceUntilAskedAgain()
    {
        Pair pair;
        QVERIFY(pair.ours >= 0);
        Watcher watcher;
        const Poller::Handle handle = Poller::add(pair.ours, &watcher);
        QVERIFY(handle != 0);
        turn(5);
        QCOMPARE(watcher.readable, 0); // nothing to read yet

        pair.send();
        QTRY_COMPARE(watcher.readable, 1);
        turn(50);
        QCOMPARE(watcher.readable, 1); // not read, not asked again: quiet

        // Asked again without reading: still readable, so reported again (level-triggered).
        Poller::setRead(handle, true);
        QTRY_COMPARE(watcher.readable, 2);

        // Read inside the report and asked again there: quiet until something new comes.
        watcher.onReadable = [&] {
            QCOMPARE(pair.drain(), 1);
            Poller::setRead(handle, true);
        };
        Poller::setRead(handle, true);
        QTRY_COMPARE(watcher.readable, 3);
        turn(50);
        QCOMPARE(watcher.readable, 3);
        watcher.onReadable = [&] {
            QCOMPARE(pair.drain(), 2);
            Poller::setRead(handle, true);
        };
        pair.send("yy");
        QTRY_COMPARE(watcher.readable, 4);
        Poller::remove(handle);
    }

    void readInterestTurnedOffIsNotReported()
    {
        Pair pair;
        Watcher watcher;
        const Poller::Handle handle = Poller::add(pair.ours, &watcher);
        Poller::setRead(handle, false);
        pair.send();
        turn(50);
        QCOMPARE(watcher.readable, 0);
        Poller::setRead(handle, true);
        QTRY_COMPARE(watcher.readable, 1);
        Poller::remove(handle);
    }

    void aHangUpNobodyListensToDoesNotWakeTheLoop()
    {
        // A descriptor whose read report went unanswered, and whose peer then closes: epoll
        // reports a hang-up whatever the interest, level-triggered; the set must not turn the
        // loop on it round after round.
        Pair pair;
        Watcher watcher;
        const Poller::Handle handle = Poller::add(pair.ours, &watcher);
        pair.send();
        QTRY_COMPARE(watcher.readable, 1);
        const std::uint64_t before = Poller::roundsOnThisThread();
        pair.closeTheirs();
        turn(200);
        QVERIFY2(Poller::roundsOnThisThread() - before <= 2,
                 qPrintable(QString::number(Poller::roundsOnThisThread() - before)));
        QCOMPARE(watcher.readable, 1);
        QCOMPARE(watcher.writable, 0);
        // Asked again, the end is reported (a read then sees it).
        Poller::setRead(handle, true);
        QTRY_COMPARE(watcher.readable, 2);
        Poller::remove(handle);
    }

    void writeInterestReportsUntilTurnedOff()
    {
        Pair pair;
        Watcher watcher;
        const Poller::Handle handle = Poller::add(pair.ours, &watcher);
        turn(5);
        QCOMPARE(watcher.writable, 0); // not asked
        watcher.onWritable = [&] { Poller::setWrite(handle, false); };
        Poller::setWrite(handle, true);
        QTRY_COMPARE(watcher.writable, 1);
        turn(50);
        QCOMPARE(watcher.writable, 1);
        // Asked for inside a read report: taken up when that report ends.
        watcher.onReadable = [&] {
            QCOMPARE(pair.drain(), 1);
            Poller::setRead(handle, true);
            Poller::setWrite(handle, true);
        };
        pair.send();
        QTRY_COMPARE(watcher.readable, 1);
        QTRY_COMPARE(watcher.writable, 2);
        Poller::remove(handle);
    }

    void aDescriptorRemovedDuringARoundIsNotReportedFromIt()
    {
        Pair a;
        Pair b;
        Pair c;
        Watcher wa;
        Watcher wb;
        Watcher wc;
        Poller::Handle ha = Poller::add(a.ours, &wa);
        Poller::Handle hb = Poller::add(b.ours, &wb);
        Poller::Handle hc = 0;
        // The first reported removes the other and closes its descriptor, as a connection ending
        // another would, and a new descriptor (nothing to read) takes the freed slot at once:
        // the other's report, already read from the kernel, must reach neither.
        wa.onReadable = [&] {
            Poller::remove(std::exchange(hb, 0));
            ::close(std::exchange(b.ours, -1));
            hc = Poller::add(c.ours, &wc);
        };
        wb.onReadable = [&] {
            Poller::remove(std::exchange(ha, 0));
            ::close(std::exchange(a.ours, -1));
            hc = Poller::add(c.ours, &wc);
        };
        a.send();
        b.send();
        QTRY_VERIFY(wa.readable + wb.readable >= 1);
        turn(20);
        QCOMPARE(wa.readable + wb.readable, 1);
        QCOMPARE(wc.readable, 0);
        Poller::remove(ha);
        Poller::remove(hb);
        Poller::remove(hc);
    }

    void aDescriptorRemovedAndReplacedInsideItsOwnReport()
    {
        // The report's slot is given to a new descriptor at once: the old report's generation
        // no longer matches, and the new one is reported for itself only.
        Pair a;
        Pair b;
        Watcher wa;
        Watcher wb;
        Poller::Handle ha = Poller::add(a.ours, &wa);
        Poller::Handle hb = 0;
        wa.onReadable = [&] {
            Poller::remove(std::exchange(ha, 0));
            hb = Poller::add(b.ours, &wb);
        };
        a.send();
        QTRY_COMPARE(wa.readable, 1);
        QVERIFY(hb != 0);
        QVERIFY(hb != ha);
        turn(20);
        QCOMPARE(wb.readable, 0);
        b.send();
        QTRY_COMPARE(wb.readable, 1);
        QCOMPARE(wa.readable, 1);
        Poller::remove(hb);
    }

    void theSetGoesWithItsLastDescriptor()
    {
        QCOMPARE(Poller::watchedOnThisThread(), 0);
        Pair a;
        Pair b;
        Watcher wa;
        Watcher wb;
        const Poller::Handle ha = Poller::add(a.ours, &wa);
        const Poller::Handle hb = Poller::add(b.ours, &wb);
        QCOMPARE(Poller::watchedOnThisThread(), 2);
        Poller::remove(ha);
        Poller::remove(ha); // twice: nothing
        QCOMPARE(Poller::watchedOnThisThread(), 1);
        // Removed inside its own report, the last one: the set goes when the round ends.
        wb.onReadable = [&] { Poller::remove(hb); };
        b.send();
        QTRY_COMPARE(wb.readable, 1);
        QCOMPARE(Poller::watchedOnThisThread(), 0);
        // And a new one starts a new set.
        Watcher wc;
        const Poller::Handle hc = Poller::add(a.ours, &wc);
        QVERIFY(hc != 0);
        a.send();
        QTRY_COMPARE(wc.readable, 1);
        Poller::remove(hc);
        QCOMPARE(Poller::watchedOnThisThread(), 0);
        // Calls for handles that are gone do nothing.
        Poller::setRead(hc, true);
        Poller::setWrite(hb, true);
        QCOMPARE(wb.writable, 0);
    }

    void whatCannotBeWatchedIsRefused()
    {
        Watcher watcher;
        errno = 0;
        QCOMPARE(Poller::add(-1, &watcher), Poller::Handle(0));
        QCOMPARE(errno, EBADF);
        // A regular file: epoll refuses it.
        QTemporaryFile file;
        QVERIFY(file.open());
        errno = 0;
        QCOMPARE(Poller::add(file.handle(), &watcher), Poller::Handle(0));
        QCOMPARE(errno, EPERM);
        QCOMPARE(Poller::watchedOnThisThread(), 0);
    }

    void manyReadyDescriptorsAreOneRound()
    {
        // 200 pairs ready at once: reported in one round (at most 256 reports per round).
        constexpr int Count = 200;
        std::vector<std::unique_ptr<Pair>> pairs;
        std::vector<Watcher> watchers(Count);
        std::vector<Poller::Handle> handles;
        for (int i = 0; i < Count; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            QVERIFY(pairs.back()->ours >= 0);
            handles.push_back(Poller::add(pairs.back()->ours, &watchers[size_t(i)]));
            QVERIFY(handles.back() != 0);
        }
        for (const auto &p : pairs)
            p->send();
        const std::uint64_t before = Poller::roundsOnThisThread();
        int told = 0;
        QTRY_VERIFY((told = int(std::count_if(watchers.begin(), watchers.end(),
                                              [](const Watcher &w) { return w.readable == 1; })))
                    == Count);
        QCOMPARE(Poller::roundsOnThisThread() - before, std::uint64_t(1));
        for (Poller::Handle h : handles)
            Poller::remove(h);
        QCOMPARE(Poller::watchedOnThisThread(), 0);
    }

    void moreReadyDescriptorsThanOneRoundTakesAreAllReported()
    {
        // One past the 256 reports a round reads: 300 ready at once, none lost, and the rest
        // reported on the next turn of the loop (the epoll set stays readable).
        constexpr int Count = 300;
        std::vector<std::unique_ptr<Pair>> pairs;
        std::vector<Watcher> watchers(Count);
        std::vector<Poller::Handle> handles;
        for (int i = 0; i < Count; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            QVERIFY(pairs.back()->ours >= 0);
            handles.push_back(Poller::add(pairs.back()->ours, &watchers[size_t(i)]));
            QVERIFY(handles.back() != 0);
        }
        for (const auto &p : pairs)
            p->send();
        const std::uint64_t before = Poller::roundsOnThisThread();
        QTRY_VERIFY(std::all_of(watchers.begin(), watchers.end(),
                                [](const Watcher &w) { return w.readable == 1; }));
        QCOMPARE(Poller::roundsOnThisThread() - before, std::uint64_t(2));
        for (Poller::Handle h : handles)
            Poller::remove(h);
        QCOMPARE(Poller::watchedOnThisThread(), 0);
    }

    void eachThreadHasItsOwnSet()
    {
        Pair pair;
        Watcher watcher;
        const Poller::Handle handle = Poller::add(pair.ours, &watcher);
        QCOMPARE(Poller::watchedOnThisThread(), 1);
        int there = -1;
        QThread *thread = QThread::create([&] { there = Poller::watchedOnThisThread(); });
        thread->start();
        QVERIFY(thread->wait(10000));
        delete thread;
        QCOMPARE(there, 0);
        Poller::remove(handle);
    }
};

QTEST_GUILESS_MAIN(TestPoller)
#include "tst_poller.moc"
