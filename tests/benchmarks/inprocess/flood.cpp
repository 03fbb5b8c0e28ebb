// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "flood.h"

namespace BenchFlood {
namespace {

class Receiver : public Parley::Machine
{
public:
    explicit Receiver(State *s)
    {
        on<Parley::Start>([s] {
            s->receiverThread = QThread::currentThread();
            s->ready.fetch_add(1);
            s->wake.notify();
        });
        on<Bench::Tick>([this, s](const Bench::Tick &tick) {
            if (tick.seq != m_count)
                s->inOrder = false;
            ++m_count;
            if ((m_count & 0xffff) == 0)
                s->received.store(m_count, std::memory_order_relaxed);
            if (m_count == s->count) {
                s->lastReceived = BenchKit::Clock::now();
                s->received.store(m_count, std::memory_order_relaxed);
                s->done.store(true);
                s->wake.notify();
            }
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    qint64 m_count = 0;
};

class Sender : public Parley::Machine
{
public:
    Sender(State *s, Parley::Address receiver) : m_receiver(std::move(receiver))
    {
        on<Parley::Start>([s] {
            s->senderThread = QThread::currentThread();
            s->ready.fetch_add(1);
            s->wake.notify();
        });
        on<Bench::Go>([this, s] {
            s->firstSend = BenchKit::Clock::now();
            for (qint64 i = 0; i < s->count; ++i)
                send(Bench::Tick{i}, m_receiver);
        });
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    Parley::Address m_receiver;
};

} // namespace

QString run(Parley::Runtime &runtime, State &s, BenchKit::Clock::time_point deadline,
            bool sameWorkerOk)
{
    const Parley::Address receiver = runtime.createOn<Receiver>(Parley::Placement::AnyWorker, &s);
    const Parley::Address sender
        = runtime.createOn<Sender>(Parley::Placement::AnyWorker, &s, receiver);
    if (!s.wake.waitUntil(deadline, [&s] { return s.ready.load() == 2; }))
        return QStringLiteral("the flood's machines did not start in time");
    if (!sameWorkerOk && s.senderThread == s.receiverThread)
        return QStringLiteral("flood: sender and receiver landed on the same worker");
    runtime.send(Bench::Go{}, sender);
    if (!s.wake.waitUntil(deadline, [&s] { return s.done.load(); }))
        return QStringLiteral("flood: %1 of %2 messages arrived in time")
            .arg(s.received.load())
            .arg(s.count);
    if (!s.inOrder)
        return QStringLiteral("flood: messages arrived out of order or were lost");
    return {};
}

} // namespace BenchFlood
