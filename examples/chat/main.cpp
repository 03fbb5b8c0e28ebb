// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A peer-to-peer chat room with Qt Widgets: start several copies, each with its own port and the
// others' ports, e.g.
//   chat --name=Ann --port=4001 --peers=4002,4003
//   chat --name=Bob --port=4002 --peers=4001,4003
//   chat --name=Cid --port=4003 --peers=4001,4002
// Each shows who is present and every line said; stop one and start it again, and the others
// see it leave and come back (see chat.h).

#include "chat.h"

#include <parley/gui.h>

int main(int argc, char **argv)
{
    return Parley::runGui<Chat>(argc, argv, ChatSettings{});
}
