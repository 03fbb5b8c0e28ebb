// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Must compile: the control case for the compile-fail tests (same setup, a declared message).
#include <parley/parley.h>

struct AMessage
{
    int n = 0;
};
PARLEY_MESSAGE(AMessage, n)

void sendIt(Parley::Object &self, const Parley::Address &to)
{
    self.send(AMessage{1}, to);
}
