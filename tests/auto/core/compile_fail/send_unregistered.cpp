// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Must NOT compile: sending a struct that was never declared with PARLEY_MESSAGE.
#include <parley/parley.h>

struct NotAMessage
{
    int n = 0;
};

void sendIt(Parley::Object &self, const Parley::Address &to)
{
    self.send(NotAMessage{1}, to);
}
