// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "listener.h"

#include <parley/messages.h>

namespace Parley::Monitor {

StreamSession::StreamSession(std::shared_ptr<IngestQueue> queue, const SessionInfo &info)
    : m_queue(std::move(queue)), m_channel(m_queue->openChannel())
{
    const QString peer = info.remote.toString();
    on<RuntimeInfo>([this, peer](const RuntimeInfo &runtime) {
        m_identified = true;
        m_queue->hello(m_channel, runtime, SourceKind::Live, peer, returnAddress());
    });
    on<EventBatch>(
        [this](EventBatch &batch) { m_queue->events(m_channel, std::move(batch.events)); });
    on<Stop>([this, peer] {
        if (m_identified)
            m_queue->ended(m_channel, QStringLiteral("disconnected"), LogLevel::Console);
        else
            m_queue->status(
                QStringLiteral("%1 connected and left without identifying itself").arg(peer),
                LogLevel::Warning);
        complete(Ack{});
    });
    onUnknown([this, peer](Value &value) {
        m_queue->status(QStringLiteral("%1 sent %2, which is not part of the monitor stream; "
                                       "ignored")
                            .arg(peer, QString::fromLatin1(value.typeName())),
                        LogLevel::Warning);
    });
}

StreamListener::StreamListener(std::shared_ptr<IngestQueue> queue, HostPort at)
{
    on<Start>([this, queue, at] {
        ConnectionOptions options;
        options.session = createFrame<StreamSession>(queue);
        options.maxFrameSize = 16 << 20; // event batches can be large
        Parley::listenAt(*this, at, std::move(options));
    });
    on<Listening>([queue](const Listening &l) {
        queue->listening(l.bound.toString(),
                         QStringLiteral("listening for programs on %1 (start them with "
                                        "--monitor=%1)")
                             .arg(l.bound.toString()));
    });
    on<NotListening>([this, queue](const NotListening &n) {
        queue->status(QStringLiteral("cannot listen on %1: %2 (live streams are off; recordings "
                                     "still open)")
                          .arg(n.requested.toString(), n.text),
                      LogLevel::Fault);
        complete(n);
    });
    on<Accepted>([] {});
    on<Closed>([] {});
    on<Abandoned>([] {});
    on<Stop>([this] { complete(Aborted{}); });
}

bool parseHostPort(const QString &text, HostPort &out)
{
    QString host = QStringLiteral("127.0.0.1");
    QString port = text.trimmed();
    const qsizetype colon = port.lastIndexOf(u':');
    if (colon >= 0) {
        host = port.left(colon);
        port = port.mid(colon + 1);
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (host.isEmpty())
            host = QStringLiteral("127.0.0.1");
    }
    bool ok = false;
    const uint number = port.toUInt(&ok);
    if (!ok || number > 65535)
        return false;
    out = HostPort{host, quint16(number)};
    return true;
}

} // namespace Parley::Monitor
