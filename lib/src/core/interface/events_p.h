// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/parley_export.h>

namespace Parley::Internal {

/// \internal
/// While one lives on a thread, the objects created there (and everything they create) are
/// left out of the event stream: the stream's own link to a monitor must not record itself.
class PARLEY_AUTOTEST_EXPORT UnrecordedScope
{
public:
    UnrecordedScope();
    ~UnrecordedScope();
    UnrecordedScope(const UnrecordedScope &) = delete;
    UnrecordedScope &operator=(const UnrecordedScope &) = delete;
    /// Whether one lives on this thread.
    [[nodiscard]] static bool active();
};

} // namespace Parley::Internal
