// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "connection_p.h"

#include <parley/net.h>

namespace Parley {

QString HostPort::toString() const
{
    if (host.contains(u':'))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

namespace {

/// Brings \a options within the documented bounds, saying so when it has to.
void checkOptions(ConnectionOptions &options, const Object &self)
{
    if (options.maxFrameSize > Wire::MaxFrameLimit || options.maxFrameSize < 1024) {
        const qsizetype wanted = options.maxFrameSize;
        options.maxFrameSize = std::clamp<qsizetype>(wanted, 1024, Wire::MaxFrameLimit);
        self.warning("maxFrameSize ", wanted, " is outside 1 KiB..64 MiB; using ",
                     options.maxFrameSize);
    }
    if (options.heartbeatInterval.count() > 0
        && options.heartbeatTimeout <= options.heartbeatInterval) {
        self.warning("heartbeatTimeout must exceed heartbeatInterval; using three intervals");
        options.heartbeatTimeout = 3 * options.heartbeatInterval;
    }
}

} // namespace

Address listenAt(Object &self, const HostPort &at, ConnectionOptions options)
{
    checkOptions(options, self);
    return self.create<Internal::Listener>(at, std::move(options));
}

Address connectTo(Object &self, const HostPort &to, ConnectionOptions options)
{
    checkOptions(options, self);
    Internal::ConnectionSetup setup{std::move(options), self.address(), to, -1};
    return self.create<Internal::Connection>(std::move(setup));
}

} // namespace Parley
