// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Must NOT compile: selecting a type that was never declared with PARLEY_MESSAGE.
#include <parley/parley.h>

struct NotAMessage
{
};

Parley::Value wait(Parley::Routine &self)
{
    return self.select<NotAMessage, Parley::Stop>();
}
