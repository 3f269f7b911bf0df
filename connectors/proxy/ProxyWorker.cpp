// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyWorker.h"

#include "ProxySession.h"
#include "common/ThreadRole.h"
#include "workload/CaptureWriter.h"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace doppel::proxy {

ProxyWorker::ProxyWorker(ProxyShared& shared, int index) : m_shared(shared), m_index(index)
{}

ProxyWorker::~ProxyWorker()
{
    stop();
    if (m_epoll >= 0)
        ::close(m_epoll);
    if (m_eventFd >= 0)
        ::close(m_eventFd);
    for (auto& [fd, peer] : m_incoming)
        ::close(fd);
}

Status ProxyWorker::start()
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_eventFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_eventFd < 0)
        return makeError(
            ErrorCode::Io,
            QStringLiteral("worker %1: epoll/eventfd: %2").arg(m_index).arg(errnoText(errno)));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr; // the wake-up eventfd
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_eventFd, &ev);
    m_thread = std::thread([this] { run(); });
    return Ok{};
}

void ProxyWorker::wake()
{
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(m_eventFd, &one, sizeof(one));
}

void ProxyWorker::adopt(int clientFd, const sockaddr_storage& peer)
{
    {
        std::lock_guard lock(m_mutex);
        m_incoming.push_back({clientFd, peer});
    }
    m_sessionCount.fetch_add(1, std::memory_order_relaxed);
    wake();
}

void ProxyWorker::stop()
{
    if (!m_thread.joinable())
        return;
    m_stop.store(true);
    wake();
    m_thread.join();
}

void ProxyWorker::takeNewSessions()
{
    std::vector<std::pair<int, sockaddr_storage>> incoming;
    {
        std::lock_guard lock(m_mutex);
        incoming.swap(m_incoming);
    }
    for (auto& [fd, peer] : incoming) {
        auto session =
            std::make_unique<ProxySession>(m_shared, m_epoll, fd, peer, &m_captured, &m_ticking);
        if (session->closed()) {
            m_sessionCount.fetch_sub(1, std::memory_order_relaxed);
            continue;
        }
        ProxySession* raw = session.get();
        m_sessions.emplace(raw, std::move(session));
    }
}

void ProxyWorker::submitCaptured()
{
    if (!m_shared.capture) {
        m_captured.clear(); // gathered for mirroring only
        return;
    }
    if (m_captured.empty())
        return;
    const std::size_t accepted = m_shared.capture->submitBatch(m_captured);
    m_shared.counters.statementsCaptured.fetch_add(accepted, std::memory_order_relaxed);
}

void ProxyWorker::run()
{
    setThisThreadRole(ThreadRole::Foreground, ("dp-worker" + std::to_string(m_index)).c_str());
    std::vector<epoll_event> events(256);
    std::vector<ProxySession*> touched;
    while (!m_stop.load(std::memory_order_relaxed)) {
        const int n =
            epoll_wait(m_epoll, events.data(), int(events.size()), m_ticking.empty() ? 1000 : 20);
        if (n < 0 && errno != EINTR)
            break;
        touched.clear();
        for (int i = 0; i < n; ++i) {
            auto* tag = static_cast<ProxySession::Endpoint*>(events[std::size_t(i)].data.ptr);
            if (!tag) {
                std::uint64_t v;
                [[maybe_unused]] const auto r = ::read(m_eventFd, &v, sizeof(v));
                takeNewSessions();
                const std::uint64_t generation = m_shared.resumeGeneration.load();
                if (generation != m_resumeSeen) {
                    m_resumeSeen = generation;
                    for (auto& [raw, session] : m_sessions) {
                        session->resume();
                        if (session->closed())
                            touched.push_back(raw);
                    }
                }
                continue;
            }
            tag->session->onEvent(tag->client, events[std::size_t(i)].events);
            if (tag->session->closed())
                touched.push_back(tag->session);
        }
        if (!m_ticking.empty()) {
            const std::vector<ProxySession*> ticking(m_ticking.begin(), m_ticking.end());
            for (ProxySession* s : ticking) {
                s->tick();
                if (s->closed())
                    touched.push_back(s);
            }
        }
        submitCaptured();
        // Freed only after the batch: a later event of the batch may name the same session.
        for (ProxySession* s : touched) {
            if (m_sessions.erase(s) > 0)
                m_sessionCount.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    takeNewSessions();
    for (auto& [raw, session] : m_sessions)
        session->terminate("57P01", "terminating connection because doppel-proxy is shutting down");
    m_sessions.clear();
    submitCaptured();
    m_sessionCount.store(0);
}

} // namespace doppel::proxy
