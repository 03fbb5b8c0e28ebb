// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

/// \file
/// A fault-injecting TCP proxy for tests, in process, after toxiproxy's toxics.
///
/// A FaultProxy listens on 127.0.0.1 and forwards every connection it accepts (a *link*) to an
/// upstream host and port. Between the two sockets of a link it applies *toxics*, each settable
/// per direction (Upstream: from the connecting client towards the server; Downstream: back) and
/// changeable at any time, taking effect on open links and new ones alike:
///
/// | toxic            | call                      | effect                                       |
/// |------------------|---------------------------|----------------------------------------------|
/// | latency          | setLatency()              | holds each byte for a delay (+ jitter)       |
/// | bandwidth        | setBandwidth()            | caps the rate in bytes per second            |
/// | slicer           | setSlicer()               | splits the stream into small, spaced chunks  |
/// | limit-data       | setLimitData()            | forwards N bytes, then resets both sides     |
/// | black hole       | setBlackHole()            | passes nothing, closes nothing (half-open)   |
/// | reset-peer       | resetLinks()              | sends RST to both sides, now or after a delay|
/// | drop-after       | setDropAfter()            | ends each link a time after it was accepted  |
/// | refuse / close   | setAcceptMode()           | refuses connections, or accepts and closes   |
///
/// The byte stream is never reordered, duplicated or altered: toxics only delay, cut or hold it.
/// An end of stream (FIN) travels after the bytes before it and is held by a black hole like
/// them. The sockets run on a thread of the proxy's own, so a test thread blocked in a QTRY loop,
/// or a Parley runtime busy on its workers, never stalls the proxy; every call is thread-safe and
/// has taken effect when it returns.
///
/// Counters (links accepted and open, bytes read and forwarded each way) and the time of every
/// accepted link (acceptTimes(), acceptHistogram(), and the linkAccepted() signal) let a test
/// assert what the fault did, for instance that reconnecting clients spread their attempts.
///
/// \code
/// // A Parley server on serverPort; its clients connect through the proxy instead.
/// TestSupport::FaultProxy proxy(QStringLiteral("127.0.0.1"), serverPort);
/// QVERIFY2(proxy.listen(), qPrintable(proxy.errorString()));
/// const Parley::HostPort via{QStringLiteral("127.0.0.1"), proxy.port()};
/// // ... connect clients to `via`, wait until they are connected ...
///
/// using Direction = TestSupport::FaultProxy::Direction;
/// proxy.setLatency(Direction::Both, 50ms, 10ms);  // a slow path
/// proxy.setBlackHole(Direction::Both, true);       // then a half-open one: heartbeats must notice
/// QTRY_VERIFY_WITH_TIMEOUT(clientSawItGoStale(), 5000);
/// proxy.setBlackHole(Direction::Both, false);
/// proxy.resetLinks();                              // RST every open link
/// proxy.setDropAfter(200ms);                       // a flapping link from now on
/// QTRY_VERIFY(proxy.counters().accepted >= 5);
/// qDebug() << proxy.acceptHistogram(100ms);        // connection attempts per 100 ms
/// \endcode
///
/// Limits: IPv4 loopback only on the listening side; the proxy holds at most 1 MiB per direction
/// and link before it stops reading (so TCP flow control reaches the sender); the upstream side
/// of a link is connected after the client was accepted, so an upstream that refuses shows up
/// as an accepted link that closes at once.

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <chrono>
#include <memory>
#include <optional>

namespace TestSupport {

class FaultProxyEngine;

/// Forwards TCP connections from 127.0.0.1 to an upstream server through toxics a test controls.
class FaultProxy : public QObject
{
    Q_OBJECT

public:
    using Milliseconds = std::chrono::milliseconds;

    /// Names one or both directions of a link; Upstream flows from the client to the server.
    enum class Direction { Upstream = 0x1, Downstream = 0x2, Both = Upstream | Downstream };
    /// Says what happens to a new connection.
    enum class AcceptMode {
        Forward,     ///< accepts and forwards (the default)
        Refuse,      ///< stops listening: connecting fails with "connection refused"
        CloseAtOnce, ///< accepts, then closes at once without contacting the upstream
    };
    /// Says how a link ends when a toxic ends it.
    enum class Ending {
        Close, ///< an orderly close (FIN) of both sides, dropping what was still held
        Reset, ///< a reset (RST) of both sides
    };

    /// Counts what the proxy has done since listen().
    struct Counters
    {
        int accepted = 0;               ///< links accepted (CloseAtOnce ones included)
        int open = 0;                   ///< links of which a socket is still open
        qint64 bytesReadUpstream = 0;   ///< bytes taken in from clients
        qint64 bytesUpstream = 0;       ///< bytes forwarded to the upstream server
        qint64 bytesReadDownstream = 0; ///< bytes taken in from the upstream server
        qint64 bytesDownstream = 0;     ///< bytes forwarded to clients
    };

    /// Creates a proxy that will forward to \a upstreamHost : \a upstreamPort; call listen().
    FaultProxy(const QString &upstreamHost, quint16 upstreamPort, QObject *parent = nullptr);
    /// Closes every link (RST) and the listening socket, then stops the proxy's thread.
    ~FaultProxy() override;

    Q_DISABLE_COPY_MOVE(FaultProxy)

    /// Listens on 127.0.0.1:\a port (0: any free port); returns whether it could.
    [[nodiscard]] bool listen(quint16 port = 0);
    /// Returns the port the proxy listens on (0 before a successful listen()).
    quint16 port() const;
    /// Returns why the last listen() failed.
    QString errorString() const;
    /// Sets where new links connect to; open links keep their upstream.
    void setUpstream(const QString &host, quint16 port);

    // -- toxics -----------------------------------------------------------------------------------

    /// Delays each byte by \a delay plus a random amount in [-\a jitter, +\a jitter] (never
    /// reordering); zero for both turns latency off.
    void setLatency(Direction direction, Milliseconds delay, Milliseconds jitter = Milliseconds{});
    /// Forwards at most \a bytesPerSecond; 0 turns the cap off.
    void setBandwidth(Direction direction, qint64 bytesPerSecond);
    /// Splits what is forwarded into chunks of \a averageSize bytes, varied randomly by up to
    /// \a sizeVariation, each sent \a delay after the one before; an \a averageSize of 0 turns
    /// slicing off.
    void setSlicer(Direction direction, int averageSize, int sizeVariation = 0,
                   std::chrono::microseconds delay = std::chrono::microseconds{});
    /// Forwards at most \a bytes in \a direction on each link (counted from the link's start),
    /// then resets both sides once those bytes have left the proxy; a negative value turns the
    /// limit off.
    void setLimitData(Direction direction, qint64 bytes);
    /// Holds everything in \a direction while \a on: no byte and no close passes, both sockets
    /// stay open (a half-open peer). What was held is forwarded when the hole is lifted, as TCP
    /// would retransmit it once the path is back.
    void setBlackHole(Direction direction, bool on);
    /// Ends every link \a after it was accepted, the open ones included (at once for those older
    /// than that); std::nullopt turns it off.
    void setDropAfter(std::optional<Milliseconds> after, Ending ending = Ending::Close);
    /// Sets what happens to new connections; links already open are not touched.
    void setAcceptMode(AcceptMode mode);
    /// Turns every toxic off and forwards new connections again; open links stay open.
    void clearToxics();

    // -- one-shot faults
    // ----------------------------------------------------------------------------

    /// Resets (RST) both sides of every link open now, \a after from now.
    void resetLinks(Milliseconds after = Milliseconds{});
    /// Closes both sides of every link open now (FIN), dropping what the proxy still holds.
    void closeLinks();

    // -- observation
    // --------------------------------------------------------------------------------

    /// Returns a snapshot of the counters.
    Counters counters() const;
    /// Returns when each link was accepted, in order, measured from listen().
    QList<Milliseconds> acceptTimes() const;
    /// Returns how many links were accepted in each \a bucket since listen(), up to the last one.
    QList<int> acceptHistogram(Milliseconds bucket) const;

signals:
    /// Tells that link number \a link (counting from 1) was accepted \a msSinceListen after
    /// listen(). Emitted from the proxy's thread.
    void linkAccepted(int link, qint64 msSinceListen);

private:
    friend class FaultProxyEngine;
    std::unique_ptr<FaultProxyEngine> m_engine;
};

} // namespace TestSupport
