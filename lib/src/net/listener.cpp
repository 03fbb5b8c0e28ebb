// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "connection_p.h"

#include "core/object_p.h"
#include "core/runtime_p.h"

#include <QtNetwork/QHostInfo>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpServer>

#include <unistd.h>

namespace Parley::detail {

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

/// \internal
/// A QTcpServer that hands descriptors to the listener instead of making sockets itself: each
/// connection's socket is made by its proxy, on the proxy's thread.
class Listener::Server final : public QTcpServer
{
public:
    Server(Listener *listener) : QTcpServer(listener), m_listener(listener) {}

protected:
    void incomingConnection(qintptr descriptor) override { m_listener->accept(descriptor); }

private:
    Listener *m_listener;
};

Listener::Listener(HostPort at, ConnectionOptions options)
    : m_requested(std::move(at)), m_options(std::move(options))
{
    ObjectPrivate::get(this)->quiet = true; // the controller asked for it to end
}

Listener::~Listener() = default;

void Listener::begin()
{
    auto notListening = [this](ListenError reason, const QString &text) {
        trace("Not listening at ", m_requested.toString(), ": ", text);
        send(NotListening{m_requested, reason, text}, parentAddress());
        complete(Ack{});
    };
    QHostAddress address;
    if (!resolveForListen(m_requested.host, address))
        return notListening(ListenError::BadAddress,
                            QStringLiteral("host \"%1\" not found").arg(m_requested.host));
    m_server = new Server(this);
    m_server->setProxy(QNetworkProxy::NoProxy);
    m_server->setMaxPendingConnections(std::max(m_options.maxPending, 1));
    // A connection storm waits in the kernel's queue instead of being dropped and retried a
    // second later; the kernel caps this at net.core.somaxconn.
    m_server->setListenBacklogSize(4096);
    if (!m_server->listen(address, m_requested.port))
        return notListening(listenErrorOf(m_server->serverError()), m_server->errorString());
    m_bound = HostPort{m_server->serverAddress().toString(), m_server->serverPort()};
    trace("Listening at ", m_bound.toString());
    send(Listening{m_requested, m_bound}, parentAddress());
}

void Listener::accept(qintptr descriptor)
{
    const int live = int(m_live.size());
    const int pending = int(m_pending.size());
    if (live >= m_options.maxConnections || pending >= m_options.maxPending) {
        // Accepted and closed at once: the peer sees the connection end, this process keeps
        // its limits. One line per burst, not per refused peer.
        ::close(int(descriptor));
        if (!m_refusalWarned) {
            m_refusalWarned = true;
            warning("refusing connections at ", m_bound.toString(), ": ", live, " open (limit ",
                    m_options.maxConnections, "), ", pending, " not yet greeted (limit ",
                    m_options.maxPending, ")");
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
    } else if (m.is<Completed>()) {
        m_live.remove(envelope.from.last());
        m_pending.remove(envelope.from.last());
    } else if (m.is<Stop>()) {
        if (m_server)
            m_server->close();
        trace("Stopped listening at ", m_bound.toString());
        complete(Ack{});
    } else {
        ObjectPrivate *d = ObjectPrivate::get(this);
        d->runtime()->logDropped(envelope, d->id, "a listener takes only Stop", this);
    }
}

} // namespace Parley::detail
