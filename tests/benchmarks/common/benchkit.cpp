// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "benchkit.h"

#include <QtCore/QString>
#include <QtNetwork/QAbstractSocket>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace BenchKit {

long long residentBytes()
{
    std::FILE *file = std::fopen("/proc/self/statm", "r");
    if (!file)
        return -1;
    long long sizePages = 0;
    long long residentPages = 0;
    const int fields = std::fscanf(file, "%lld %lld", &sizePages, &residentPages);
    std::fclose(file);
    if (fields != 2)
        return -1;
    return residentPages * static_cast<long long>(sysconf(_SC_PAGESIZE));
}

void warnTimeCap(const char *scope, const char *what, double capSeconds, long long done,
                 long long wanted)
{
    std::fprintf(stderr, "%s::%s: time cap of %.0f s hit after %lld of %lld\n", scope, what,
                 capSeconds, done, wanted);
}

// -- EventThread ----------------------------------------------------------------------------------

EventThread::EventThread(const char *name)
{
    m_thread.setObjectName(QString::fromLatin1(name));
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

void EventThread::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    run([context = m_context.get()] {
        while (!context->children().isEmpty())
            delete context->children().constLast();
    });
    m_thread.quit();
    m_thread.wait();
}

// -- LoopbackPair ---------------------------------------------------------------------------------

void setLowDelay(QTcpSocket *socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

LoopbackPair::LoopbackPair(const char *serverThread, const char *clientThread)
    : m_server(serverThread), m_client(clientThread)
{
}

bool LoopbackPair::open(const char *scope, const char *what, Hooks hooks)
{
    // Time allowed for setting up both sides before a measurement starts.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    bool listening = false;
    bool serverSetUp = false;
    m_server.run([&] {
        auto *listener = new QTcpServer(m_server.context());
        if (!listener->listen(QHostAddress::LocalHost, 0))
            return;
        listening = true;
        m_port = listener->serverPort();
        serverSetUp = !hooks.listening || hooks.listening(listener, m_port);
        QObject::connect(listener, &QTcpServer::newConnection, listener,
                         [this, listener, accepted = hooks.accepted] {
                             while (QTcpSocket *socket = listener->nextPendingConnection()) {
                                 setLowDelay(socket);
                                 if (!m_serverSocket)
                                     m_serverSocket = socket;
                                 accepted(listener, socket, m_serverReady);
                             }
                         });
    });
    if (!listening || !serverSetUp) {
        if (!listening)
            std::fprintf(stderr, "%s::%s: cannot listen on 127.0.0.1\n", scope, what);
        return false;
    }

    m_client.run([this, scope, connected = hooks.connected] {
        auto *socket = new QTcpSocket(m_client.context());
        QObject::connect(socket, &QTcpSocket::connected, socket, [this, socket, connected] {
            setLowDelay(socket);
            m_clientSocket = socket;
            connected(socket, m_clientReady);
        });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, socket, [this, scope, socket] {
            if (!m_clientSocket) {
                std::fprintf(stderr, "%s: connecting failed: %s\n", scope,
                             qPrintable(socket->errorString()));
                m_clientFailed = true;
                m_clientReady.signal();
            }
        });
        socket->connectToHost(QHostAddress::LocalHost, m_port);
    });

    if (!m_clientReady.waitUntil(deadline) || m_clientFailed
        || !m_serverReady.waitUntil(deadline)) {
        std::fprintf(stderr, "%s::%s: the loopback connection did not become ready\n", scope, what);
        return false;
    }
    return true;
}

// -- selftests ------------------------------------------------------------------------------------

int countArgument(int argc, char **argv, int index, int fallback)
{
    if (index >= argc)
        return fallback;
    const long value = std::strtol(argv[index], nullptr, 10);
    return value > 0 && value <= 100'000'000 ? int(value) : fallback;
}

bool plausible(double value)
{
    return std::isfinite(value) && value > 0.0;
}

} // namespace BenchKit
