// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
//
// The descriptors (and codecs) of the messages declared in events.h, compiled once here.
#include <parley/events.h>

namespace Parley {

PARLEY_DEFINE_MESSAGE(Event)
PARLEY_DEFINE_MESSAGE(RuntimeInfo)
PARLEY_DEFINE_MESSAGE(EventBatch)
PARLEY_DEFINE_MESSAGE(CaptureFilter)

} // namespace Parley
