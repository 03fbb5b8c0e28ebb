// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// What the baselines of every benchmark share: the clock, completion flags that need neither
// polling nor sleeps, the resident set size, time-cap warnings, event threads, a QTcpSocket
// connection over 127.0.0.1 between two of them (LoopbackPair), and the selftests' argument
// parsing. Builds with QT_NO_KEYWORDS (the CAF baselines need it).

#include <QtCore/QMetaObject>
#include <QtCore/QObject>
#include <QtCore/QThread>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>

class QTcpServer;
class QTcpSocket;

namespace BenchKit {

using Clock = std::chrono::steady_clock;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Returns the seconds from \a from to \a to.
inline double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

/// Converts a time cap in seconds to a clock duration.
constexpr Clock::duration timeCap(double seconds)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/// Returns the resident set size in bytes (from /proc/self/statm), or -1 when unknown.
long long residentBytes();

/// Prints on stderr that \a scope :: \a what hit its time cap of \a capSeconds after \a done of
/// \a wanted steps.
void warnTimeCap(const char *scope, const char *what, double capSeconds, long long done,
                 long long wanted);

/// Signals completion once, from any thread, to a thread that waits with a deadline; no polling,
/// no sleeps.
class Completion
{
public:
    /// Marks the completion and wakes the waiters.
    void signal()
    {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_condition.notify_all();
    }

    /// Waits until signal() was called or \a deadline passed; returns whether it was signalled.
    bool waitUntil(Clock::time_point deadline)
    {
        std::unique_lock lock(m_mutex);
        return m_condition.wait_until(lock, deadline, [this] { return m_done; });
    }

    /// Waits until \a predicate (evaluated under the lock) holds or \a deadline passed. Whoever
    /// makes the predicate true must call notify() afterwards.
    template <typename Predicate>
    bool waitUntil(Clock::time_point deadline, Predicate predicate)
    {
        std::unique_lock lock(m_mutex);
        return m_condition.wait_until(lock, deadline, predicate);
    }

    /// Wakes the waiters of waitUntil(deadline, predicate) to check their predicate again.
    void notify()
    {
        {
            std::lock_guard lock(m_mutex);
        }
        m_condition.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_condition;
    bool m_done = false;
};

/// Runs a QThread with an event loop and a context QObject living in it. Everything created in
/// the thread for a measurement is a (grand)child of context() and is deleted in the thread by
/// stop().
class EventThread
{
public:
    explicit EventThread(const char *name);
    ~EventThread() { stop(); }

    EventThread(const EventThread &) = delete;
    EventThread &operator=(const EventThread &) = delete;

    /// Returns the object that lives in the thread.
    QObject *context() const { return m_context.get(); }

    /// Runs \a function in the thread and waits until it has returned.
    template <typename Function>
    void run(Function &&function)
    {
        QMetaObject::invokeMethod(m_context.get(), std::forward<Function>(function),
                                  Qt::BlockingQueuedConnection);
    }

    /// Queues \a function for the thread and returns at once.
    template <typename Function>
    void post(Function &&function)
    {
        QMetaObject::invokeMethod(m_context.get(), std::forward<Function>(function),
                                  Qt::QueuedConnection);
    }

    /// Deletes the children of context() in the thread (newest first), then joins the thread.
    void stop();

private:
    QThread m_thread;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>();
    bool m_stopped = false;
};

/// Turns Nagle's algorithm off on \a socket.
void setLowDelay(QTcpSocket *socket);

/// Connects a QTcpSocket in a client thread to a QTcpServer in a server thread over 127.0.0.1,
/// both with LowDelayOption set, and waits until the measurement may start. State that handlers
/// installed on the sockets use must outlive the pair's threads: declare it before the pair.
class LoopbackPair
{
public:
    /// Says what the server and the client do with their sockets; each runs in its own thread.
    struct Hooks
    {
        /// Sets up the server side once it listens; returns false (after a warning) to give up.
        std::function<bool(QTcpServer *listener, quint16 port)> listening;
        /// Takes an accepted connection; calls ready once the server side is ready.
        std::function<void(QTcpServer *listener, QTcpSocket *socket, Completion &ready)> accepted;
        /// Takes the connected client socket; calls ready once the client side is ready.
        std::function<void(QTcpSocket *socket, Completion &ready)> connected;
    };

    /// Creates the pair's threads, named \a serverThread and \a clientThread.
    LoopbackPair(const char *serverThread, const char *clientThread);

    /// Listens on 127.0.0.1:0, connects, and waits until both hooks said ready. Returns false
    /// after a warning naming \a scope :: \a what when either side fails or is not ready in 10 s.
    bool open(const char *scope, const char *what, Hooks hooks);

    EventThread &server() { return m_server; }
    EventThread &client() { return m_client; }
    /// Returns the first socket the server accepted (set once open() returned true).
    QTcpSocket *serverSocket() const { return m_serverSocket; }
    /// Returns the client's socket (set once open() returned true).
    QTcpSocket *clientSocket() const { return m_clientSocket; }

    /// Deletes both sides in their threads and joins the threads (client first).
    void close()
    {
        m_client.stop();
        m_server.stop();
    }

private:
    // Declared before the threads, which use them until they are stopped.
    Completion m_serverReady;
    Completion m_clientReady;
    quint16 m_port = 0;
    QTcpSocket *m_serverSocket = nullptr; // written in the server thread before its hook runs
    QTcpSocket *m_clientSocket = nullptr; // written in the client thread before its hook runs
    bool m_clientFailed = false;          // written in the client thread before m_clientReady
    EventThread m_server;
    EventThread m_client;
};

// -- selftests ----------------------------------------------------------------------------------

/// Returns the count in argv[\a index] if it is one from 1 to 100,000,000, else \a fallback.
int countArgument(int argc, char **argv, int index, int fallback);

/// Returns whether \a value is a finite, positive figure.
bool plausible(double value);

} // namespace BenchKit
