// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A peer process for the network tests: listens on 127.0.0.1 port 0, prints the port on
// stdout, and takes every message (it knows the tests' message types) without answering, until
// it is killed.

#include "nettest.h"

#include <parley/parley.h>

#include <QtCore/QCoreApplication>

#include <cstdio>

namespace {

class Server : public Parley::Machine
{
public:
    Server()
    {
        on<Parley::Start>([this] {
            Parley::listenAt(*this, Parley::HostPort{QStringLiteral("127.0.0.1"), 0},
                             NetTest::variant());
        });
        on<Parley::Listening>([](const Parley::Listening &l) {
            std::printf("%u\n", unsigned(l.bound.port));
            std::fflush(stdout);
        });
        onUnknown([](Parley::Value &) {});
    }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    NetTest::encryptedVariant() = qEnvironmentVariableIsSet("PARLEY_TEST_ENCRYPTED");
    Parley::Runtime runtime;
    runtime.create<Server>();
    return app.exec();
}
