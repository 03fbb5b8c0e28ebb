// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A program whose two translation units give the wire name "Hello" two shapes; tst_registry
// runs it and expects it to stop at registration, naming both. Its main must never run.

#include <parley/messages.h>

#include <cstdio>

namespace a {
struct Hello
{
    QString text;
};
PARLEY_MESSAGE(Hello, text)
} // namespace a

const Parley::TypeInfo *helloFromB(); // collide_b.cpp

int main()
{
    // Touch both, in case a compiler registered neither at start-up.
    const bool same = Parley::typeOf<a::Hello>() == helloFromB();
    std::printf("main ran: the types %s one entry\n", same ? "share" : "do not share");
    return 0;
}
