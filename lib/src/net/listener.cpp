// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "connection_p.h"

#include "transport_p.h"

#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <QtNetwork/QHostInfo>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpServer>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

namespace Parley::Internal {

namespace {

ListenError listenErrorOf(QAbstractSocket::SocketError e)
{
    switch (e) {
    case QAbstractSocket::AddressInUseError:
        return ListenError::AddressInUse;
    case QAbstractSocket::SocketAccessError:
        return ListenError::PermissionDenied;
    case QAbstractSocket::SocketAddressNotAvailableError:
    case QAbstractSocket::HostNotFoundError:
        return ListenError::BadAddress;
    default:
        return ListenError::Other;
    }
}

/// Resolves \a host for listening: empty or "*" means every interface.
bool resolveForListen(const QString &host, QHostAddress &out)
{
    if (host.isEmpty() || host == u"*") {
        out = QHostAddress::Any;
        return true;
    }
    if (out.setAddress(host))
        return true;
    // A name: looked up once, blocking, on the listener's thread.
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
        return false;
    out = info.addresses().constFirst();
    return true;
}

} // namespace

Listener::Listener(HostPort at, ConnectionOptions options)
    : m_requested(std::move(at)), m_options(std::move(options))
{
    Internal::TransportHost(this).setQuiet(true); // the controller asked for it to end
}

Listener::~Listener() = default;

void Listener::begin()
{
    auto notListening = [this](ListenError reason, const QString &text) {
        Internal::TransportHost(this).connectionEvent(EventKind::NotListening, LogLevel::Warning,
                                                      m_requested.toString(), text);
        send(NotListening{m_requested, reason, text}, parentAddress());
        complete(Ack{});
    };
    QHostAddress address;
    if (!resolveForListen(m_requested.host, address))
        return notListening(ListenError::BadAddress,
                            QStringLiteral("host \"%1\" not found").arg(m_requested.host));
    m_server = new QTcpServer(this);
    m_server->setProxy(QNetworkProxy::NoProxy);
    // A connection storm waits in the kernel's queue instead of being dropped and retried a
    // second later; the kernel caps this at net.core.somaxconn.
    m_server->setListenBacklogSize(4096);
    if (!m_server->listen(address, m_requested.port))
        return notListening(listenErrorOf(m_server->serverError()), m_server->errorString());
    // QTcpServer binds and listens; accepting is the listener's own, so that it can stop at
    // maxPending and leave the rest in the kernel's queue (QTcpServer accepts everything the
    // kernel holds whenever it is told of one).
    m_server->pauseAccepting();
    m_notifier = new QSocketNotifier(m_server->socketDescriptor(), QSocketNotifier::Read, this);
    QObject::connect(m_notifier, &QSocketNotifier::activated, this, [this] { acceptReady(); });
    m_bound = HostPort{m_server->serverAddress().toString(), m_server->serverPort()};
    Internal::TransportHost(this).connectionEvent(EventKind::Listening, LogLevel::Object,
                                                  m_bound.toString());
    send(Listening{m_requested, m_bound}, parentAddress());
}

void Listener::acceptReady()
{
    const int fd = int(m_server->socketDescriptor());
    for (;;) {
        if (int(m_pending.size()) >= m_options.maxPending) {
            // The rest wait in the kernel's queue until greetings finish.
            m_notifier->setEnabled(false);
            if (!m_paused)
                debug("pausing accepts at ", m_bound.toString(), ": ", m_pending.size(),
                      " connections have not yet greeted (limit ", m_options.maxPending, ")");
            m_paused = true;
            return;
        }
        const int descriptor = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (descriptor >= 0) {
            m_acceptErrorWarned = false;
            accept(descriptor);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
            return; // the queue is empty
        case EINTR:
        case ECONNABORTED:
            continue;
        default:
            // Out of descriptors or memory: back off a second instead of spinning on a queue
            // that can't be emptied; one line per episode.
            if (!m_acceptErrorWarned) {
                m_acceptErrorWarned = true;
                warning("cannot accept at ", m_bound.toString(), ": ",
                        QString::fromLocal8Bit(std::strerror(errno)), "; retrying in 1 s");
            }
            m_notifier->setEnabled(false);
            QTimer::singleShot(std::chrono::seconds(1), this, [this] {
                if (!m_paused)
                    m_notifier->setEnabled(true);
            });
            return;
        }
    }
}

void Listener::resumeIfBelowPending()
{
    if (!m_paused || int(m_pending.size()) >= m_options.maxPending)
        return;
    m_paused = false;
    m_notifier->setEnabled(true);
}

void Listener::accept(qintptr descriptor)
{
    const int live = int(m_live.size());
    if (live >= m_options.maxConnections) {
        // Accepted and closed at once: the peer sees the connection end, this process keeps
        // its limit. One line per burst, not per refused peer.
        ::close(int(descriptor));
        if (!m_refusalWarned) {
            m_refusalWarned = true;
            warning("refusing connections at ", m_bound.toString(), ": ", live, " open (limit ",
                    m_options.maxConnections, ")");
        }
        return;
    }
    m_refusalWarned = false;
    ConnectionSetup setup{m_options, parentAddress(), m_bound, descriptor};
    const Address a = createOn<Connection>(
        m_options.spreadOverWorkers ? Placement::AnyWorker : Placement::Default, std::move(setup));
    if (a.isNull()) {
        ::close(int(descriptor));
        return;
    }
    m_live.insert(a.last());
    m_pending.insert(a.last());
}

void Listener::parleyReceive(Envelope &envelope)
{
    const Value &m = envelope.message;
    if (m.is<Start>()) {
        begin();
    } else if (m.is<Greeted>()) {
        m_pending.remove(envelope.from.last());
        resumeIfBelowPending();
    } else if (m.is<Completed>()) {
        m_live.remove(envelope.from.last());
        m_pending.remove(envelope.from.last());
        resumeIfBelowPending();
    } else if (m.is<Stop>()) {
        if (m_notifier)
            m_notifier->setEnabled(false);
        if (m_server)
            m_server->close();
        trace("Stopped listening at ", m_bound.toString());
        complete(Ack{});
    } else {
        Internal::TransportHost(this).logDropped(envelope, "a listener takes only Stop");
    }
}

} // namespace Parley::Internal
