// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The descriptors (and codecs) of the messages declared in messages.h, compiled once here.
#include <parley/messages.h>

namespace Parley {

PARLEY_DEFINE_MESSAGE(Start)
PARLEY_DEFINE_MESSAGE(Stop)
PARLEY_DEFINE_MESSAGE(Completed)
PARLEY_DEFINE_MESSAGE(Ack)
PARLEY_DEFINE_MESSAGE(Nak)
PARLEY_DEFINE_MESSAGE(Faulted)
PARLEY_DEFINE_MESSAGE(Aborted)
PARLEY_DEFINE_MESSAGE(TimedOut)
PARLEY_DEFINE_MESSAGE(Undeliverable)
PARLEY_DEFINE_MESSAGE(T1)
PARLEY_DEFINE_MESSAGE(T2)
PARLEY_DEFINE_MESSAGE(T3)
PARLEY_DEFINE_MESSAGE(T4)
PARLEY_DEFINE_MESSAGE(SelectTimer)

} // namespace Parley
