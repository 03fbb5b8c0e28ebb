// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/ingest.h>

#include <parley/events.h>
#include <parley/machine.h>
#include <parley/net.h>

#include <memory>

namespace Parley::Monitor {

/// Takes one program's live stream (docs/events.md, "The live stream"): its RuntimeInfo, then
/// EventBatch messages, handed to the IngestQueue as they come; the return address of the
/// RuntimeInfo is where a CaptureFilter for the program goes. One session per connection; when
/// the connection ends the session is stopped and the source is marked gone.
class StreamSession : public Machine
{
public:
    StreamSession(std::shared_ptr<IngestQueue> queue, const SessionInfo &info);

private:
    std::shared_ptr<IngestQueue> m_queue;
    int m_channel;
    bool m_identified = false;
};

/// Listens for programs started with `--monitor=HOST:PORT` and makes a StreamSession for each;
/// reports "listening" or why it cannot listen through the IngestQueue. Run it on a worker
/// (Placement::AnyWorker) so that decoding streams never takes the GUI thread's time.
class StreamListener : public Machine
{
public:
    StreamListener(std::shared_ptr<IngestQueue> queue, HostPort at);
};

/// The monitor's default port.
inline constexpr quint16 DefaultMonitorPort = 32100;

/// Parses "HOST:PORT", ":PORT" or "PORT" (host 127.0.0.1) into \a out; false when malformed.
bool parseHostPort(const QString &text, HostPort &out);

} // namespace Parley::Monitor
