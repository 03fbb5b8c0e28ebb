// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

/// \file
/// The library's layers, lowest first (docs/design-notes.md, "Layers"). Each public header
/// states its layer; while the library is built, each layer's sources are compiled with
/// PARLEY_BUILDING_LAYER set to their own layer, so that including a header of a higher layer
/// stops the build with an #error. User code leaves PARLEY_BUILDING_LAYER unset and may include
/// everything.
///
///   codec  < log < core < crypto < net < app
///
/// \internal

#define PARLEY_LAYER_CODEC 1  ///< values, addresses, messages, the encodings, the registry
#define PARLEY_LAYER_LOG 2    ///< log records, events, recordings
#define PARLEY_LAYER_CORE 3   ///< objects, the runtime, executors, timers, helpers
#define PARLEY_LAYER_CRYPTO 4 ///< Noise handshakes, secure channels, identities
#define PARLEY_LAYER_NET 5    ///< connections, listeners, the wire
#define PARLEY_LAYER_APP 6    ///< program entry: settings, the command line, GUI programs

#ifndef PARLEY_BUILDING_LAYER
#define PARLEY_BUILDING_LAYER 100
#endif
