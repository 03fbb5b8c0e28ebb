// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The descriptors (and codecs) of the messages declared in net.h, compiled once here.
#include <parley/group.h>
#include <parley/net.h>

namespace Parley {

PARLEY_DEFINE_MESSAGE(HostPort)
PARLEY_DEFINE_MESSAGE(Listening)
PARLEY_DEFINE_MESSAGE(NotListening)
PARLEY_DEFINE_MESSAGE(Accepted)
PARLEY_DEFINE_MESSAGE(Connected)
PARLEY_DEFINE_MESSAGE(NotConnected)
PARLEY_DEFINE_MESSAGE(Close)
PARLEY_DEFINE_MESSAGE(Closed)
PARLEY_DEFINE_MESSAGE(Abandoned)
PARLEY_DEFINE_MESSAGE(ConnectionLost)
PARLEY_DEFINE_MESSAGE(SendFailed)
PARLEY_DEFINE_MESSAGE(WhenDrained)
PARLEY_DEFINE_MESSAGE(Drained)
PARLEY_DEFINE_MESSAGE(GroupUpdate)
PARLEY_DEFINE_MESSAGE(Ready)
PARLEY_DEFINE_MESSAGE(NotReady)
PARLEY_DEFINE_MESSAGE(GroupFailed)

} // namespace Parley
