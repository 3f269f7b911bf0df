// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyConfig.h"

#include "workload/StatementModel.h"

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace doppel::proxy {

class LsnWatcher;
class MirrorSession;
class ProxyShared;

// Totals over every mirrored session, for SHOW STATS and Prometheus. Relaxed atomics.
struct MirrorCounters
{
    std::atomic<std::uint64_t> sessions{0};            // sessions chosen for mirroring
    std::atomic<std::uint64_t> statements{0};          // statements run on the shadow
    std::atomic<std::uint64_t> droppedTransactions{0}; // whole transactions not mirrored
    std::atomic<std::uint64_t> droppedStatements{0};   // the statements in them
    std::atomic<std::uint64_t> shadowErrors{0};        // shadow errors and unreachable shadow
    std::atomic<std::uint64_t> connectFailures{0};
    std::atomic<std::uint64_t> resultsCompared{0}; // checked reads, shadow synchronised
    std::atomic<std::uint64_t> resultsDiverged{0}; // of those, a different result hash
    std::atomic<std::uint64_t> unsynchronized{0};  // checked reads the shadow had not caught up
    // Transactions holding a --critical-fingerprint statement that got into a full queue by
    // evicting others, and the transactions evicted for them (also counted as dropped).
    std::atomic<std::uint64_t> criticalKept{0};
    std::atomic<std::uint64_t> evictedTransactions{0};
};

// Mirroring to the shadow: decides which sessions (or statements) are mirrored, owns the
// MirrorSessions and their threads, and answers SHOW MIRROR. Any thread.
class MirrorEngine
{
public:
    MirrorEngine(const ProxyConfig& config, ProxyShared& shared);
    ~MirrorEngine();
    MirrorEngine(const MirrorEngine&) = delete;
    MirrorEngine& operator=(const MirrorEngine&) = delete;

    // The mirror side of a new client session, or null when it is not mirrored.
    std::shared_ptr<MirrorSession> openSession(std::uint64_t sessionId, std::string user,
                                               std::string database);
    // Whether a session that ends now may let its thread run what it still holds: not when
    // too many ended sessions still wait on the shadow (a stalled shadow must not pile up
    // threads and queues).
    bool mayDrain();
    // The session ended (after MirrorSession::finish); its thread is joined later.
    void closeSession(const std::shared_ptr<MirrorSession>& session);
    // Lets ended sessions run what they still hold for up to `graceMs`, then breaks statements
    // stuck on the shadow (their records go to the capture unmirrored) and joins every thread.
    void stop(int graceMs = 0);

    double rate() const { return m_rate.load(); }
    void setRate(double rate) { m_rate.store(rate); }
    bool byStatement() const { return m_byStatement; }
    bool mirrorWrites() const { return m_mirrorWrites; }
    std::size_t queueCapacity() const { return m_queueCapacity; }
    const std::string& shadowConninfo() const { return m_shadow; }
    double checkRate() const { return m_checkRate; }
    // Production's WAL against the shadow's slot; null without --shadow-slot.
    LsnWatcher* lsnWatcher() const { return m_lsn.get(); }
    // Whether this statement (already known to be eligible) is picked under --mirror-by statement.
    bool pickStatement();
    // Whether any --critical-fingerprint was given; without, nothing is ever classified.
    bool hasCriticalFingerprints() const { return !m_critical.empty(); }
    // Whether the statement's fingerprint is one of --critical-fingerprint. Called by epoll
    // workers, and only when a mirror queue is full: the fingerprint comes from a bounded,
    // shape-keyed StatementModel (not thread-safe, hence m_modelMutex), so a statement whose
    // literals vary is parsed once, not on every full queue.
    bool isCritical(const std::string& sql);
    std::size_t queueDepth() const;
    std::vector<std::shared_ptr<MirrorSession>> sessions() const;

    MirrorCounters counters;
    ProxyShared& shared;

private:
    bool chance();
    void reap();

    const std::string m_shadow;
    const bool m_byStatement;
    const bool m_mirrorWrites;
    const std::size_t m_queueCapacity;
    const double m_checkRate;
    std::unique_ptr<LsnWatcher> m_lsn;
    const std::unordered_set<std::string> m_critical; // fingerprints, lowercase hex
    std::mutex m_modelMutex;
    StatementModel m_model; // guarded by m_modelMutex
    std::atomic<double> m_rate;
    mutable std::mutex m_mutex;
    std::list<std::shared_ptr<MirrorSession>> m_live;
    std::list<std::shared_ptr<MirrorSession>> m_closed;
    bool m_stopped = false;
};

} // namespace doppel::proxy
