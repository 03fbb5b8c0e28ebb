// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// Uses the installed Parley: one machine that completes with Ack, printed on stdout.
#include <parley/parley.h>

#include <QtCore/QCoreApplication>

#include <cstdio>

class Hello : public Parley::Machine
{
public:
    Hello()
    {
        on<Parley::Start>([this] { complete(Parley::Ack{}); });
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Parley::Runtime runtime;
    const auto result
        = runtime.waitForCompletion(runtime.create<Hello>(), std::chrono::seconds(10));
    std::printf("%s\n", result ? result->typeName() : "nothing");
    return result && result->is<Parley::Ack>() ? 0 : 1;
}
