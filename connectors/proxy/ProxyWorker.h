// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyShared.h"
#include "workload/CaptureRecord.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

namespace doppel::proxy {

class ProxySession;

// One thread with its own epoll loop; every session handed to it stays on it for life, so
// sessions need no locks. adopt(), stop() and sessionCount(): any thread.
class ProxyWorker
{
public:
    ProxyWorker(ProxyShared& shared, int index);
    ~ProxyWorker();
    Status start();
    // Takes ownership of an accepted client socket.
    void adopt(int clientFd, const sockaddr_storage& peer);
    // Ends every session with a FATAL error and stops the loop.
    void stop();
    // Wakes the loop (it then notices a RESUME); any thread.
    void wake();
    std::size_t sessionCount() const { return m_sessionCount.load(std::memory_order_relaxed); }

private:
    void run();
    void takeNewSessions();
    void submitCaptured();

    ProxyShared& m_shared;
    int m_index;
    int m_epoll = -1;
    int m_eventFd = -1;
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<std::pair<int, sockaddr_storage>> m_incoming;
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_sessionCount{0};
    std::unordered_map<ProxySession*, std::unique_ptr<ProxySession>> m_sessions;
    std::vector<CaptureRecord> m_captured; // this loop iteration's records
    std::set<ProxySession*> m_ticking;
    std::uint64_t m_resumeSeen = 0;
};

} // namespace doppel::proxy
