// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyNet.h"
#include "TlsStream.h"

#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace doppel {
class CaptureWriter;
}

namespace doppel::proxy {

class MirrorEngine;

// Counters every worker updates with relaxed atomics; read for logs and statistics.
struct ProxyCounters
{
    std::atomic<std::uint64_t> sessionsTotal{0};
    std::atomic<std::int64_t> sessionsActive{0};
    std::atomic<std::uint64_t> bytesToServer{0};
    std::atomic<std::uint64_t> bytesToClient{0};
    std::atomic<std::uint64_t> statementsCaptured{0};
    std::atomic<std::uint64_t> protocolErrors{0};
    std::atomic<std::uint64_t> upstreamFailures{0};
    std::atomic<std::uint64_t> cancelsForwarded{0};
    std::atomic<std::uint64_t> tlsClients{0};  // clients that asked for TLS and got 'S'
    std::atomic<std::uint64_t> tlsFailures{0}; // of those, handshakes that failed
};

// Maps the BackendKeyData the proxy hands to a client to the upstream backend's key, so a
// CancelRequest arriving on any new connection reaches the right upstream backend. The proxy's
// keys are random, so a client cannot cancel another's query by guessing. Any thread.
class CancelRegistry
{
public:
    struct Target
    {
        SocketAddress upstream;
        std::int32_t processId = 0;
        std::int32_t secretKey = 0;
    };
    // The key to give the client.
    std::pair<std::int32_t, std::int32_t> add(const Target& target);
    void remove(std::int32_t processId, std::int32_t secretKey);
    std::optional<Target> find(std::int32_t processId, std::int32_t secretKey) const;

private:
    static std::uint64_t key(std::int32_t pid, std::int32_t secret)
    {
        return (std::uint64_t(std::uint32_t(pid)) << 32) | std::uint32_t(secret);
    }
    mutable std::mutex m_mutex;
    std::unordered_map<std::uint64_t, Target> m_targets;
    std::uint64_t m_state = 0;
};

// The sessions open now, for the admin console's SHOW SESSIONS. Any thread.
class SessionRegistry
{
public:
    struct Info
    {
        std::uint64_t id = 0;
        QByteArray user;
        QByteArray database;
        QByteArray applicationName;
        QString client;
        std::int64_t connectedUs = 0;
        bool admin = false;
    };
    void add(const Info& info)
    {
        std::lock_guard lock(m_mutex);
        m_sessions[info.id] = info;
    }
    void remove(std::uint64_t id)
    {
        std::lock_guard lock(m_mutex);
        m_sessions.erase(id);
    }
    std::vector<Info> list() const
    {
        std::lock_guard lock(m_mutex);
        std::vector<Info> out;
        for (const auto& [id, info] : m_sessions)
            out.push_back(info);
        return out;
    }

private:
    mutable std::mutex m_mutex;
    std::map<std::uint64_t, Info> m_sessions;
};

// What the sessions of every worker share: settings that SIGHUP may change, the capture
// writer, the cancel registry and the counters. Any thread.
class ProxyShared
{
public:
    ProxyCounters counters;
    CancelRegistry cancels;
    CaptureWriter* capture = nullptr; // null when capture is off
    MirrorEngine* mirror = nullptr;   // null without --shadow
    std::atomic<std::uint32_t> maxMessageSize{1u << 30};
    std::atomic<std::uint64_t> nextSessionId{1};

    SessionRegistry sessions;
    // PAUSE: sessions outside a transaction hold their next query until RESUME.
    std::atomic<bool> paused{false};
    std::atomic<std::int64_t> busySessions{0}; // sessions in a transaction or awaiting a reply
    std::atomic<std::uint64_t> resumeGeneration{0};
    std::function<void()> wakeWorkers; // set before the workers start; any thread may call it

    SocketAddress upstream() const
    {
        std::lock_guard lock(m_mutex);
        return m_upstream;
    }
    void setUpstream(const SocketAddress& address)
    {
        std::lock_guard lock(m_mutex);
        m_upstream = address;
    }
    // Who may open the admin console, and the database their login is checked against.
    void setAdmin(const QStringList& users, const QByteArray& database)
    {
        std::lock_guard lock(m_mutex);
        m_adminUsers = users;
        m_adminDatabase = database;
    }
    bool isAdmin(const QByteArray& user) const
    {
        std::lock_guard lock(m_mutex);
        return m_adminUsers.contains(QString::fromUtf8(user));
    }
    QByteArray adminDatabase() const
    {
        std::lock_guard lock(m_mutex);
        return m_adminDatabase;
    }
    // TLS contexts: for clients (null without a certificate) and for the upstream (null with
    // sslmode=disable). A session takes both when it starts; RELOAD swaps them for new ones.
    struct Tls
    {
        std::shared_ptr<TlsContext> clients;
        std::shared_ptr<TlsContext> upstream;
        bool requireClients = false;
    };
    Tls tls() const
    {
        std::lock_guard lock(m_mutex);
        return m_tls;
    }
    void setTls(Tls tls)
    {
        std::lock_guard lock(m_mutex);
        m_tls = std::move(tls);
    }

private:
    mutable std::mutex m_mutex;
    SocketAddress m_upstream;
    QStringList m_adminUsers;
    QByteArray m_adminDatabase;
    Tls m_tls;
};

} // namespace doppel::proxy
