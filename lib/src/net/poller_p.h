// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/parley_export.h>

#include <cstdint>

namespace Parley::Internal {

/// \internal
/// What a Poller tells about one descriptor, on the thread that watches it.
class PollWatcher
{
public:
    /// The descriptor can be read (or has reached its end, or has an error). Read interest is
    /// off from here on until the watcher asks for it again (Poller::setRead()).
    virtual void pollReadable() = 0;
    /// The descriptor can be written (or has an error); write interest stays as it was.
    virtual void pollWritable() = 0;

protected:
    ~PollWatcher() = default;
};

/// \internal
/// Watches the descriptors of one thread with one epoll set, which Qt's event loop sees as a
/// single descriptor (one QSocketNotifier). Qt's UNIX dispatcher polls every descriptor it is
/// told of on every wake-up, and each notifier switched on or off is a search through its list:
/// a thread with two thousand connections paid O(connections) for each heartbeat it received
/// (docs/design-notes.md, "One epoll set per thread"). Here a wake-up costs what is ready.
///
/// Semantics are a QSocketNotifier's, level-triggered: a descriptor that stays readable while
/// read interest is on is reported again on the next turn of the event loop. A read report
/// turns read interest off (the watcher turns it on again when it reads, as an unbuffered
/// QTcpSocket's notifier is re-armed by read()); when the watcher does so inside its
/// callback, as a connection reading a burst does, no system call is made for it.
///
/// A thread's Poller is made with its first watched descriptor and freed with its last.
/// Every call for a descriptor is made on the thread that added it.
class PARLEY_AUTOTEST_EXPORT Poller
{
public:
    /// Who watches a descriptor; opaque outside the poller.
    using Handle = std::uint64_t;

    /// Watches \a fd for \a watcher on this thread, read interest on. Returns 0 (with errno
    /// set) when the descriptor can't be watched.
    static Handle add(int fd, PollWatcher *watcher);
    /// Stops watching; call before the descriptor is closed. No call for it follows, even
    /// from the round of reports in progress.
    static void remove(Handle handle);
    /// Read interest on or off.
    static void setRead(Handle handle, bool on);
    /// Write interest on or off.
    static void setWrite(Handle handle, bool on);

    /// Descriptors watched on this thread (tests).
    static int watchedOnThisThread();
    /// Rounds of reports handled on this thread so far: each is one wake-up of the event loop
    /// for the poller (tests: a descriptor nobody wants to hear of must not wake it).
    static std::uint64_t roundsOnThisThread();
};

} // namespace Parley::Internal
