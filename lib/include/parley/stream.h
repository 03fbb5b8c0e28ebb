// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_APP
#error "<parley/stream.h> is in the app layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/events.h>
#include <parley/log.h>
#include <parley/net.h>

#include <memory>

/// \file
/// The live event stream to a monitor (docs/events.md, "The live stream"): what
/// `--monitor=HOST:PORT` and the PARLEY_MONITOR environment variable start.

namespace Parley {

class Runtime;

/// Streams a runtime's events to `parley-monitor` over a Parley connection.
///
/// It connects in the background and, when the monitor is not there yet or goes away, tries
/// again with a growing delay (RetryPolicy::forPeer); the program never waits for it. Each time
/// it connects it sends the runtime's RuntimeInfo, a snapshot of the objects alive (so a monitor
/// that attaches late can rebuild the tree), then the events as they happen, in EventBatch
/// messages. A CaptureFilter from the monitor changes what it sends from then on. Events are
/// kept in a bounded buffer: what the monitor can't take is counted and reported in an
/// EventsDropped event. The stream's own objects and connection are left out of the stream.
class PARLEY_EXPORT MonitorStream : public LogSink
{
public:
    /// The most events waiting to be sent (here and in the link's mailbox); more are counted
    /// as dropped.
    static constexpr qsizetype MaxPending = 65536;
    /// Events per EventBatch message.
    static constexpr qsizetype BatchSize = 1024;

    /// Creates the stream and its link object in \a runtime, and adds the stream to the
    /// runtime's logger. \a filter is the capture filter until the monitor sends another.
    static std::shared_ptr<MonitorStream> start(Runtime &runtime, const HostPort &monitor,
                                                const CaptureFilter &filter = {});
    ~MonitorStream() override;

    /// Whether the monitor is connected now.
    [[nodiscard]] bool isConnected() const;
    /// How many times the stream has connected to the monitor.
    [[nodiscard]] int connections() const;
    /// Events handed to the connection so far (less those it refused, which count as dropped).
    /// Both counts are of the runtime's events: the snapshots and the stream's EventsDropped
    /// reports are not in them.
    [[nodiscard]] quint64 eventsSent() const;
    /// Events lost because the buffer or the connection's queue was full, or because the
    /// connection went (or the program ended) while they waited to be handed to it.
    [[nodiscard]] quint64 eventsDropped() const;
    /// Returns the capture filter in force.
    [[nodiscard]] CaptureFilter filter() const;

    void write(const Event &event) override;
    void flush() override;
    [[nodiscard]] bool wantsBodies() const override;

    struct Private;

private:
    explicit MonitorStream(std::shared_ptr<Private> d);
    std::shared_ptr<Private> d; ///< shared with the link object in the runtime
};

/// Parses "HOST:PORT" (or ":PORT", or "PORT", meaning 127.0.0.1) into \a out; false when it is
/// malformed.
PARLEY_EXPORT bool parseMonitorAddress(const QString &text, HostPort &out);

} // namespace Parley
