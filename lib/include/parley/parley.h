// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_APP
#error "<parley/parley.h> is in the app layer, above this one (docs/design-notes.md, Layers)"
#endif

/// \file
/// Includes the whole public API of Parley's core.

#include <parley/address.h>
#include <parley/events.h>
#include <parley/group.h>
#include <parley/helpers.h>
#include <parley/log.h>
#include <parley/machine.h>
#include <parley/message.h>
#include <parley/messages.h>
#include <parley/net.h>
#include <parley/object.h>
#include <parley/recording.h>
#include <parley/retry.h>
#include <parley/routine.h>
#include <parley/runtime.h>
#include <parley/statemachine.h>
#include <parley/stream.h>
