// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The seeds' ListenAtAddress: the hello server as a state machine, INITIAL -> PENDING ->
// LISTENING, with no thread of its own. Each (state, message) pair has its own handler;
// anyState takes control-C in every state. Any hello client works with it.

#include "server-fsm.h"

#include <parley/app.h>

int main(int argc, char **argv)
{
    return Parley::run<ListenAtAddress>(argc, argv, ServerSettings{});
}
