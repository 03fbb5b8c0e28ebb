// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

#include "poller_p.h"

#include <QtCore/QSocketNotifier>

#include <array>
#include <cerrno>
#include <vector>

#include <sys/epoll.h>
#include <unistd.h>

namespace Parley::Internal {

namespace {

/// One watched descriptor. The handle given out is its index and a generation: a report read
/// from the kernel before the descriptor was removed carries the old generation and is dropped.
struct Slot
{
    PollWatcher *watcher = nullptr; ///< null when free
    int fd = -1;
    std::uint32_t generation = 0;
    bool wantRead = false;
    bool wantWrite = false;
    bool registered = false;  ///< in the epoll set
    std::uint32_t kernel = 0; ///< the events the epoll set has for it
};

constexpr int MaxReports = 256;

class Set
{
public:
    Set()
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0)
            return;
        m_notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read);
        QObject::connect(m_notifier, &QSocketNotifier::activated, m_notifier, [this] { round(); });
    }
    ~Set()
    {
        if (m_notifier) {
            m_notifier->setEnabled(false);
            m_notifier->disconnect();
            if (m_depth > 0 || m_endingRound)
                m_notifier->deleteLater(); // freed from inside its own signal
            else
                delete m_notifier;
        }
        if (m_epoll >= 0)
            ::close(m_epoll);
    }
    Set(const Set &) = delete;
    Set &operator=(const Set &) = delete;

    [[nodiscard]] bool usable() const { return m_epoll >= 0; }
    [[nodiscard]] int watched() const { return m_watched; }
    [[nodiscard]] std::uint64_t rounds() const { return m_rounds; }

    Poller::Handle add(int fd, PollWatcher *watcher)
    {
        std::uint32_t index;
        if (!m_free.empty()) {
            index = m_free.back();
            m_free.pop_back();
        } else {
            index = std::uint32_t(m_slots.size());
            m_slots.emplace_back();
        }
        Slot &s = m_slots[index];
        s.watcher = watcher;
        s.fd = fd;
        s.wantRead = true;
        s.wantWrite = false;
        s.registered = false;
        s.kernel = 0;
        if (!update(index)) {
            const int e = errno;
            s.watcher = nullptr;
            s.fd = -1;
            m_free.push_back(index);
            errno = e;
            return 0;
        }
        ++m_watched;
        return handleOf(index);
    }

    void remove(Poller::Handle handle)
    {
        Slot *s = find(handle);
        if (!s)
            return;
        if (s->registered)
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, s->fd, nullptr);
        s->watcher = nullptr;
        s->fd = -1;
        s->registered = false;
        ++s->generation; // reports already read for it are dropped
        m_free.push_back(std::uint32_t(handle & 0xffffffffU));
        --m_watched;
    }

    void set(Poller::Handle handle, bool read, bool on)
    {
        Slot *s = find(handle);
        if (!s)
            return;
        (read ? s->wantRead : s->wantWrite) = on;
        // Inside a read report for this descriptor, the interest it leaves is settled when its
        // callback returns: a watcher that reads (and so asks again) costs no system call.
        if (m_depth > 0 && std::uint32_t(handle & 0xffffffffU) == m_reporting)
            return;
        update(std::uint32_t(handle & 0xffffffffU));
    }

private:
    [[nodiscard]] Poller::Handle handleOf(std::uint32_t index) const
    {
        return (Poller::Handle(m_slots[index].generation) << 32 | index)
            + (Poller::Handle(1) << 32);
    }
    Slot *find(Poller::Handle handle)
    {
        if (handle == 0)
            return nullptr;
        const auto index = std::uint32_t(handle & 0xffffffffU);
        const auto generation = std::uint32_t((handle >> 32) - 1);
        if (index >= m_slots.size() || m_slots[index].generation != generation
            || !m_slots[index].watcher)
            return nullptr;
        return &m_slots[index];
    }

    /// Makes the epoll set's events for \a index what its watcher wants. A descriptor that
    /// wants nothing is taken out of the set: epoll reports hang-ups and errors whatever the
    /// events, and level-triggered, so it would wake the loop on every turn.
    bool update(std::uint32_t index)
    {
        Slot &s = m_slots[index];
        const std::uint32_t want = (s.wantRead ? EPOLLIN : 0U) | (s.wantWrite ? EPOLLOUT : 0U);
        if (s.registered && want == s.kernel)
            return true;
        if (want == 0) {
            if (s.registered)
                ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, s.fd, nullptr);
            s.registered = false;
            s.kernel = 0;
            return true;
        }
        epoll_event ev{};
        ev.events = want;
        ev.data.u64 = handleOf(index);
        if (::epoll_ctl(m_epoll, s.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s.fd, &ev) != 0)
            return false;
        s.registered = true;
        s.kernel = want;
        return true;
    }

    void round()
    {
        ++m_rounds;
        std::array<epoll_event, MaxReports> reports;
        int n;
        do {
            n = ::epoll_wait(m_epoll, reports.data(), MaxReports, 0);
        } while (n < 0 && errno == EINTR);
        // A callback may run a nested event loop, and with it a nested round: the outer one's
        // state is put back when it returns.
        ++m_depth;
        const std::uint32_t outerReporting = m_reporting;
        for (int i = 0; i < n; ++i) {
            const Poller::Handle handle = reports[size_t(i)].data.u64;
            const std::uint32_t events = reports[size_t(i)].events;
            const auto index = std::uint32_t(handle & 0xffffffffU);
            Slot *s = find(handle);
            if (!s)
                continue; // removed since the kernel reported it
            const bool broken = events & (EPOLLERR | EPOLLHUP);
            if (s->wantRead && (events & (EPOLLIN | EPOLLRDHUP) || broken)) {
                s->wantRead = false; // told once, until the watcher reads
                m_reporting = index;
                s->watcher->pollReadable();
                m_reporting = outerReporting;
                s = find(handle);
                if (!s)
                    continue;
            }
            if (s->wantWrite && (events & EPOLLOUT || broken)) {
                s->watcher->pollWritable();
                s = find(handle);
                if (!s)
                    continue;
            }
            update(index);
        }
        --m_depth;
        if (m_watched == 0 && m_depth == 0) {
            m_endingRound = true; // its notifier's signal is still running
            dropIfEmpty();
        }
    }

public:
    /// Frees this set when it watches nothing and no round is running.
    void dropIfEmpty();

private:
    static constexpr std::uint32_t NoSlot = 0xffffffffU;
    int m_epoll = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_free;
    int m_watched = 0;
    int m_depth = 0;            ///< rounds running (nested event loops)
    bool m_endingRound = false; ///< freed at the end of a round
    std::uint32_t m_reporting = NoSlot;
    std::uint64_t m_rounds = 0;
};

/// This thread's set, made with the first descriptor, freed with the last (and, should any be
/// left, when the thread ends).
struct ThreadSet
{
    Set *set = nullptr;
    std::uint64_t rounds = 0; ///< of sets already freed
    ~ThreadSet() { delete set; }
};

thread_local ThreadSet t_set;

void Set::dropIfEmpty()
{
    if (m_watched != 0 || m_depth > 0 || t_set.set != this) {
        m_endingRound = false;
        return;
    }
    t_set.rounds += m_rounds;
    t_set.set = nullptr;
    delete this;
}

} // namespace

Poller::Handle Poller::add(int fd, PollWatcher *watcher)
{
    if (!t_set.set) {
        auto *set = new Set;
        if (!set->usable()) {
            const int e = errno;
            delete set;
            errno = e;
            return 0;
        }
        t_set.set = set;
    }
    const Handle handle = t_set.set->add(fd, watcher);
    if (handle == 0 && t_set.set->watched() == 0) {
        const int e = errno;
        t_set.set->dropIfEmpty();
        errno = e;
    }
    return handle;
}

void Poller::remove(Handle handle)
{
    if (!t_set.set)
        return;
    t_set.set->remove(handle);
    t_set.set->dropIfEmpty();
}

void Poller::setRead(Handle handle, bool on)
{
    if (t_set.set)
        t_set.set->set(handle, true, on);
}

void Poller::setWrite(Handle handle, bool on)
{
    if (t_set.set)
        t_set.set->set(handle, false, on);
}

int Poller::watchedOnThisThread()
{
    return t_set.set ? t_set.set->watched() : 0;
}

std::uint64_t Poller::roundsOnThisThread()
{
    return t_set.rounds + (t_set.set ? t_set.set->rounds() : 0);
}

} // namespace Parley::Internal
