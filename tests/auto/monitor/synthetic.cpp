// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "synthetic.h"

#include <parley/recording.h>

#include <QtCore/QDir>
#include <QtCore/QHash>

using namespace Parley;

namespace Synthetic {

namespace {

constexpr qint64 Base = 1'796'203'800'000'000'000; // 2026-12-02 09:30:00 UTC, in ns

struct ObjectInfo
{
    QString name;
    QString className;
    QString state;
};

class Builder
{
public:
    Run run;

    int process(quint64 runtimeId, const QString &program, qint64 pid, const QString &name)
    {
        RuntimeInfo info = runtimeInfo(runtimeId, program, pid);
        info.runtimeName = name;
        info.startWall = m_now - 250'000'000;
        run.processes.push_back(info);
        m_seq.push_back(0);
        m_nextObject.push_back(2);
        m_nextMessage.push_back(1);
        m_objects.emplace_back();
        return int(run.processes.size()) - 1;
    }
    quint64 rid(int p) const { return run.processes[size_t(p)].runtimeId; }
    void wait(qint64 ns) { m_now += ns; }

    Event base(int p, EventKind kind, LogLevel level, quint64 object)
    {
        Event e;
        e.kind = kind;
        e.level = level;
        e.object = object;
        if (object > 1) {
            const ObjectInfo &o = m_objects[size_t(p)][object];
            e.name = o.name;
            e.className = o.className;
            e.state = o.state;
            e.thread = o.className == QLatin1String("routine") ? o.name
                                                               : QStringLiteral("parley-worker-0");
        } else if (object == 1) {
            e.name = QStringLiteral("runtime");
        }
        return e;
    }
    void emitEvent(int p, Event e)
    {
        e.seq = ++m_seq[size_t(p)];
        e.wall = m_now;
        e.time = m_now - run.processes[size_t(p)].startWall;
        run.steps.push_back({p, std::move(e)});
        m_now += 23'000 + qint64((m_seq[size_t(p)] * 7919) % 90'000);
    }

    quint64 created(int p, quint64 parent, const QString &name, const QString &className,
                    const QString &state = {})
    {
        const quint64 id = m_nextObject[size_t(p)]++;
        m_objects[size_t(p)][id] = ObjectInfo{name, className, state};
        Event e = base(p, EventKind::Created, LogLevel::Object, id);
        e.parent = parent;
        emitEvent(p, std::move(e));
        return id;
    }
    void destroyed(int p, quint64 id)
    {
        emitEvent(p, base(p, EventKind::Destroyed, LogLevel::Object, id));
    }
    void completed(int p, quint64 id, const QString &type)
    {
        Event e = base(p, EventKind::Completed, LogLevel::Object, id);
        e.type = type;
        emitEvent(p, std::move(e));
    }
    void state(int p, quint64 id, const QString &to)
    {
        ObjectInfo &o = m_objects[size_t(p)][id];
        Event e = base(p, EventKind::StateChanged, LogLevel::Object, id);
        e.previousState = o.state;
        o.state = to;
        e.state = to;
        emitEvent(p, std::move(e));
    }
    /// Sends from \a from to \a to; returns the message id. \a cause is the message being
    /// handled (of runtime \a causeOrigin; 0 = this one).
    quint64 sent(int p, quint64 from, const Address &to, const QString &type, quint64 cause = 0,
                 quint64 causeOrigin = 0, const QString &body = {})
    {
        const quint64 id = m_nextMessage[size_t(p)]++;
        Event e = base(p, EventKind::Sent, LogLevel::Object, from);
        e.from = Address(from);
        e.to = to;
        e.type = type;
        e.messageId = id;
        e.cause = cause;
        e.causeOrigin = causeOrigin;
        e.body = body;
        emitEvent(p, std::move(e));
        return id;
    }
    void received(int p, quint64 at, const Address &from, const QString &type, quint64 messageId,
                  quint64 origin = 0, int depth = 0)
    {
        Event e = base(p, EventKind::Received, LogLevel::Object, at);
        e.from = from;
        e.to = Address(at);
        e.type = type;
        e.messageId = messageId;
        e.origin = origin;
        e.depth = depth;
        e.queuedNs = 18'000 + qint64(messageId * 131 % 40'000);
        e.handledNs = 60'000 + qint64(messageId * 977 % 300'000);
        emitEvent(p, std::move(e));
    }
    void text(int p, LogLevel level, quint64 object, const QString &line)
    {
        Event e = base(p, EventKind::Text, level, object);
        e.text = line;
        emitEvent(p, std::move(e));
    }
    void connection(int p, EventKind kind, quint64 object, const QString &endpoint,
                    const QString &text = {}, LogLevel level = LogLevel::Trace)
    {
        Event e = base(p, kind, level, object);
        e.endpoint = endpoint;
        e.text = text;
        emitEvent(p, std::move(e));
    }
    void timer(int p, EventKind kind, quint64 object, const QString &type, qint64 duration = 0)
    {
        Event e = base(p, kind, LogLevel::Trace, object);
        e.type = type;
        e.duration = duration;
        emitEvent(p, std::move(e));
    }

private:
    qint64 m_now = Base;
    std::vector<quint64> m_seq, m_nextObject, m_nextMessage;
    std::vector<QHash<quint64, ObjectInfo>> m_objects;
};

} // namespace

RuntimeInfo runtimeInfo(quint64 runtimeId, const QString &program, qint64 pid, const QString &host)
{
    RuntimeInfo info;
    info.runtimeId = runtimeId;
    info.pid = pid;
    info.host = host;
    info.program = program;
    info.runtimeName = program;
    info.startWall = Base - 1'000'000'000;
    info.parleyVersion = QStringLiteral("0.1.0");
    return info;
}

QList<Event> Run::eventsOf(int process) const
{
    QList<Event> out;
    for (const Step &s : steps) {
        if (s.process == process)
            out.append(s.event);
    }
    return out;
}

int Run::count(EventKind kind, int process) const
{
    int n = 0;
    for (const Step &s : steps)
        n += s.event.kind == kind && (process < 0 || s.process == process);
    return n;
}

Run demoRun(int rounds)
{
    Builder b;
    const int server = b.process(0x5e1e00000000a11bULL, QStringLiteral("hello-server"), 4242,
                                 QStringLiteral("Buster"));
    const int clients[2] = {
        b.process(0xc11e000000000a77ULL, QStringLiteral("hello-client"), 4250,
                  QStringLiteral("ann")),
        b.process(0xc11e000000000b0bULL, QStringLiteral("hello-client"), 4251,
                  QStringLiteral("bob")),
    };
    const QString endpoint = QStringLiteral("127.0.0.1:32011");

    // The server starts: its main routine, a listener, a worker pool and a line state machine.
    const quint64 serve = b.created(server, 1, QStringLiteral("serve"), QStringLiteral("routine"));
    b.text(server, LogLevel::Console, serve, QStringLiteral("Buster serving at %1").arg(endpoint));
    const quint64 listener
        = b.created(server, serve, QStringLiteral("listener"), QStringLiteral("Listener"));
    b.connection(server, EventKind::Listening, listener, endpoint);
    const quint64 pool = b.created(server, serve, QStringLiteral("pool"), QStringLiteral("Pool"),
                                   QStringLiteral("IDLE"));
    const quint64 line = b.created(server, serve, QStringLiteral("line"), QStringLiteral("Line"),
                                   QStringLiteral("INITIAL"));
    b.timer(server, EventKind::TimerStarted, line, QStringLiteral("parley.T1"), 150'000'000);
    b.state(server, line, QStringLiteral("PENDING"));
    b.text(server, LogLevel::Debug, pool, QStringLiteral("4 workers, queue limit 256"));

    // The clients connect; the server accepts each with a proxy and a Greeter session.
    quint64 clientMain[2], clientProxy[2], serverProxy[2], greeter[2];
    for (int c = 0; c < 2; ++c) {
        const int p = clients[c];
        clientMain[c] = b.created(p, 1, QStringLiteral("hello-client"), QStringLiteral("routine"));
        clientProxy[c] = b.created(p, clientMain[c], QStringLiteral("127.0.0.1:32011"),
                                   QStringLiteral("Connection"));
        b.connection(p, EventKind::Connected, clientProxy[c], endpoint);
        serverProxy[c] = b.created(server, listener, QStringLiteral("127.0.0.1:%1").arg(51200 + c),
                                   QStringLiteral("Connection"));
        b.connection(server, EventKind::Accepted, serverProxy[c],
                     QStringLiteral("127.0.0.1:%1").arg(51200 + c));
        greeter[c] = b.created(server, serverProxy[c], QStringLiteral("greeter"),
                               QStringLiteral("Greeter"), QStringLiteral("INITIAL"));
        b.state(server, greeter[c], QStringLiteral("READY"));
    }

    // A query arrives at the line before it is ready: deferred, then replayed.
    const quint64 q = b.sent(server, serve, Address(line), QStringLiteral("demo.Query"));
    b.received(server, line, Address(serve), QStringLiteral("demo.Query"), q);
    {
        Event e = b.base(server, EventKind::Deferred, LogLevel::Trace, line);
        e.type = QStringLiteral("demo.Query");
        e.messageId = q;
        b.emitEvent(server, e);
    }
    b.timer(server, EventKind::TimerFired, line, QStringLiteral("parley.T1"));
    b.state(server, line, QStringLiteral("READY"));
    {
        Event e = b.base(server, EventKind::Replayed, LogLevel::Trace, line);
        e.type = QStringLiteral("demo.Query");
        e.messageId = q;
        b.emitEvent(server, e);
    }
    const quint64 answer = b.sent(server, line, Address(serve), QStringLiteral("demo.Answer"), q);
    b.received(server, serve, Address(line), QStringLiteral("demo.Answer"), answer);

    for (int round = 1; round <= rounds; ++round) {
        for (int c = 0; c < 2; ++c) {
            const int p = clients[c];
            const quint64 crid = b.rid(p), srid = b.rid(server);
            const QString name = c == 0 ? QStringLiteral("ann") : QStringLiteral("bob");
            // client: a GetResponse child asks the server's greeter through the connection
            const quint64 get = b.created(p, clientMain[c], QStringLiteral("GetResponse"),
                                          QStringLiteral("GetResponse"));
            b.timer(p, EventKind::TimerStarted, get, QStringLiteral("parley.T1"), 2'000'000'000);
            const quint64 hello = b.sent(
                p, get, Address{greeter[c], clientProxy[c]}, QStringLiteral("demo.Hello"), 0, 0,
                QStringLiteral("{\"myName\":\"%1\",\"round\":%2,\"tags\":[\"a\",\"b\"]}")
                    .arg(name)
                    .arg(round));
            b.wait(180'000);
            // server: the greeter handles it, asks the pool, answers
            b.received(server, greeter[c], Address{get, serverProxy[c]},
                       QStringLiteral("demo.Hello"), hello, crid, round % 3);
            b.state(server, greeter[c], QStringLiteral("BUSY"));
            const quint64 lookup = b.sent(server, greeter[c], Address(pool),
                                          QStringLiteral("demo.Lookup"), hello, crid);
            b.received(server, pool, Address(greeter[c]), QStringLiteral("demo.Lookup"), lookup, 0,
                       round % 2);
            b.state(server, pool, QStringLiteral("WORKING"));
            if (round % 2 == 0)
                b.text(
                    server, LogLevel::Trace, pool,
                    QStringLiteral("cache hit for \"%1\" (%2 entries)").arg(name).arg(40 + round));
            const quint64 found
                = b.sent(server, pool, Address(greeter[c]), QStringLiteral("demo.Found"), lookup);
            b.state(server, pool, QStringLiteral("IDLE"));
            b.received(server, greeter[c], Address(pool), QStringLiteral("demo.Found"), found);
            if (round == 3 && c == 1)
                b.text(server, LogLevel::Warning, greeter[c],
                       QStringLiteral("slow answer for bob: 180 ms (limit 100 ms)"));
            const quint64 welcome
                = b.sent(server, greeter[c], Address{get, serverProxy[c]},
                         QStringLiteral("demo.Welcome"), found, 0,
                         QStringLiteral("{\"yourName\":\"%1\",\"myName\":\"Buster\",\"visits\":%2}")
                             .arg(name)
                             .arg(round));
            b.state(server, greeter[c], QStringLiteral("READY"));
            b.wait(160'000);
            // client: the answer, the GetResponse completes
            b.received(p, get, Address{greeter[c], clientProxy[c]}, QStringLiteral("demo.Welcome"),
                       welcome, srid);
            b.timer(p, EventKind::TimerCancelled, get, QStringLiteral("parley.T1"));
            b.completed(p, get, QStringLiteral("demo.Welcome"));
            b.destroyed(p, get);
            const quint64 done
                = b.sent(p, get, Address(clientMain[c]), QStringLiteral("parley.Completed"));
            b.received(p, clientMain[c], Address(get), QStringLiteral("parley.Completed"), done);
            b.text(p, LogLevel::Console, clientMain[c],
                   QStringLiteral("round %1: welcome from Buster (visit %1)").arg(round));
            b.wait(2'000'000);
        }
        if (round == 2)
            b.text(server, LogLevel::Debug, listener, QStringLiteral("2 connections, 0 pending"));
        if (round == 4) {
            // a message to an object that has gone
            Event e = b.base(clients[0], EventKind::Dropped, LogLevel::Warning, clientMain[0]);
            e.from = Address(clientMain[0]);
            e.to = Address(77);
            e.type = QStringLiteral("demo.Ping");
            e.messageId = 9999;
            e.dropReason = DropReason::NoSuchObject;
            e.text = QStringLiteral("no object <0000004d> (it ended, or never existed)");
            b.emitEvent(clients[0], e);
        }
        if (round == 5) {
            b.text(server, LogLevel::Fault, pool, QStringLiteral("worker 3 failed: disk full"));
            Event e = b.base(server, EventKind::EventsDropped, LogLevel::Warning, 1);
            e.count = 12;
            b.emitEvent(server, e);
        }
    }

    // bob leaves: the connection ends on both sides.
    b.connection(clients[1], EventKind::Closed, clientProxy[1], endpoint,
                 QStringLiteral("on request"));
    b.destroyed(clients[1], clientProxy[1]);
    b.completed(clients[1], clientMain[1], QStringLiteral("parley.Ack"));
    b.destroyed(clients[1], clientMain[1]);
    b.connection(server, EventKind::Abandoned, serverProxy[1], QStringLiteral("127.0.0.1:51201"),
                 QStringLiteral("the peer closed the connection"), LogLevel::Trace);
    b.destroyed(server, greeter[1]);
    b.destroyed(server, serverProxy[1]);
    return std::move(b.run);
}

QStringList writeRecordings(const Run &run, const QString &dir)
{
    QStringList paths;
    QDir().mkpath(dir);
    for (size_t p = 0; p < run.processes.size(); ++p) {
        const RuntimeInfo &info = run.processes[p];
        const QString path
            = QDir(dir).filePath(QStringLiteral("%1-%2.parley").arg(info.program).arg(info.pid));
        RecordingWriter writer;
        if (!writer.open(path, info))
            return {};
        for (const Step &s : run.steps) {
            if (size_t(s.process) == p)
                writer.write(s.event);
        }
        writer.close();
        paths << path;
    }
    return paths;
}

// -- Flood ----------------------------------------------------------------------------------------

Flood::Flood(quint64 runtimeId, int objects)
    : m_runtimeId(runtimeId), m_objects(std::max(objects, 16)), m_wall(Base)
{
}

Event Flood::next()
{
    static const QString types[] = {
        QStringLiteral("demo.Hello"),  QStringLiteral("demo.Welcome"),
        QStringLiteral("demo.Lookup"), QStringLiteral("demo.Found"),
        QStringLiteral("demo.Tick"),   QStringLiteral("demo.Query"),
        QStringLiteral("demo.Answer"), QStringLiteral("parley.Completed"),
    };
    static const QString names[] = {QStringLiteral("worker"), QStringLiteral("session"),
                                    QStringLiteral("pool"), QStringLiteral("GetResponse")};
    static const QString states[]
        = {QStringLiteral("IDLE"), QStringLiteral("BUSY"), QStringLiteral("READY")};
    auto random = [this] {
        m_rng ^= m_rng << 13;
        m_rng ^= m_rng >> 7;
        m_rng ^= m_rng << 17;
        return m_rng;
    };
    Event e;
    e.seq = ++m_seq;
    m_wall += 1000 + qint64(random() % 4000);
    e.wall = m_wall;
    e.time = m_wall - Base;
    if (m_seq <= quint64(m_objects)) {
        const quint64 i = m_seq - 1;
        e.kind = EventKind::Created;
        e.object = 2 + i;
        e.parent = i < 16 ? 1 : 2 + (i % 16);
        e.name = names[i % 4];
        e.className = names[i % 4];
        e.state = states[0];
        return e;
    }
    const quint64 r = random();
    e.object = 2 + (r >> 8) % quint64(m_objects);
    e.name = names[(e.object - 2) % 4];
    e.className = e.name;
    e.thread = QStringLiteral("parley-worker-1");
    switch (r % 20) {
    case 0:
    case 1:
        e.kind = EventKind::Text;
        e.level = LogLevel::Trace;
        e.text = QStringLiteral("processed item %1").arg(m_seq);
        break;
    case 2:
        e.kind = EventKind::StateChanged;
        e.previousState = states[r % 3];
        e.state = states[(r + 1) % 3];
        break;
    case 3:
        e.kind = EventKind::Text;
        e.level = (r >> 20) % 16 == 0 ? LogLevel::Warning : LogLevel::Console;
        e.text = QStringLiteral("request %1 done").arg(m_seq);
        break;
    default:
        if (r % 2 == 0) {
            e.kind = EventKind::Sent;
            e.messageId = ++m_messageId;
            e.from = Address(e.object);
            e.to = Address(2 + (r >> 24) % quint64(m_objects));
            e.type = types[(r >> 4) % 8];
        } else {
            e.kind = EventKind::Received;
            e.messageId = m_messageId ? m_messageId : 1;
            e.from = Address(2 + (r >> 24) % quint64(m_objects));
            e.to = Address(e.object);
            e.type = types[(r >> 4) % 8];
            e.depth = int((r >> 32) % 8);
            e.queuedNs = qint64((r >> 36) % 50'000);
            e.handledNs = qint64((r >> 40) % 200'000);
        }
        break;
    }
    (void)m_runtimeId;
    return e;
}

} // namespace Synthetic
