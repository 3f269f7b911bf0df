// SPDX-License-Identifier: GPL-3.0-or-later
#include "MirrorEngine.h"

#include "LsnWatcher.h"
#include "MirrorSession.h"
#include "ProxyShared.h"
#include "workload/CaptureWriter.h"

#include <chrono>
#include <random>
#include <thread>

namespace doppel::proxy {

namespace {

// Ended sessions whose threads may still be running their queues.
constexpr std::size_t kMaxDraining = 64;
// Statement shapes whose fingerprint the engine remembers for --critical-fingerprint.
constexpr std::size_t kCriticalCacheSize = 4096;

std::unordered_set<std::string> fingerprintSet(const QStringList& fingerprints)
{
    std::unordered_set<std::string> out;
    for (const QString& fp : fingerprints)
        out.insert(fp.toStdString());
    return out;
}

} // namespace

MirrorEngine::MirrorEngine(const ProxyConfig& config, ProxyShared& shared)
    : shared(shared), m_shadow(config.shadow.toStdString()),
      m_byStatement(config.mirrorByStatement), m_mirrorWrites(config.mirrorWrites),
      m_queueCapacity(std::size_t(config.mirrorQueue)), m_checkRate(config.checkResults),
      m_critical(fingerprintSet(config.criticalFingerprints)), m_model(kCriticalCacheSize),
      m_rate(config.mirrorRate)
{
    if (!config.shadowSlot.isEmpty())
        m_lsn =
            std::make_unique<LsnWatcher>(config.upstream.toStdString(), config.shadow.toStdString(),
                                         config.shadowSlot.toStdString());
}

MirrorEngine::~MirrorEngine()
{
    stop();
}

bool MirrorEngine::chance()
{
    const double r = m_rate.load();
    if (r <= 0)
        return false;
    if (r >= 1)
        return true;
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator) < r;
}

bool MirrorEngine::pickStatement()
{
    return !m_byStatement || chance();
}

bool MirrorEngine::isCritical(const std::string& sql)
{
    if (m_critical.empty())
        return false;
    std::shared_ptr<const StatementAnalysis> analysis;
    {
        std::lock_guard lock(m_modelMutex);
        analysis = m_model.analyze(sql);
    }
    return m_critical.contains(analysis->fingerprint.toStdString());
}

std::shared_ptr<MirrorSession> MirrorEngine::openSession(std::uint64_t sessionId, std::string user,
                                                         std::string database)
{
    // By statement every session gets a mirror side (it starts its thread only when a
    // transaction arrives); by session the share is drawn once here.
    if (m_byStatement ? m_rate.load() <= 0 : !chance())
        return nullptr;
    reap();
    auto session =
        std::make_shared<MirrorSession>(*this, sessionId, std::move(user), std::move(database));
    std::lock_guard lock(m_mutex);
    if (m_stopped)
        return nullptr;
    m_live.push_back(session);
    counters.sessions.fetch_add(1, std::memory_order_relaxed);
    return session;
}

bool MirrorEngine::mayDrain()
{
    reap();
    std::lock_guard lock(m_mutex);
    return !m_stopped && m_closed.size() < kMaxDraining;
}

void MirrorEngine::closeSession(const std::shared_ptr<MirrorSession>& session)
{
    std::lock_guard lock(m_mutex);
    m_live.remove(session);
    m_closed.push_back(session);
}

void MirrorEngine::reap()
{
    std::list<std::shared_ptr<MirrorSession>> finished;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_closed.begin(); it != m_closed.end();) {
            if ((*it)->done())
                finished.splice(finished.end(), m_closed, it++);
            else
                ++it;
        }
    }
    for (auto& s : finished)
        s->join();
}

void MirrorEngine::stop(int graceMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(graceMs);
    for (;;) {
        reap();
        {
            std::lock_guard lock(m_mutex);
            if (m_closed.empty() || std::chrono::steady_clock::now() >= deadline)
                break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::list<std::shared_ptr<MirrorSession>> all;
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
        all.splice(all.end(), m_live);
        all.splice(all.end(), m_closed);
    }
    std::vector<CaptureRecord> unmirrored;
    for (auto& s : all) {
        s->finish(unmirrored, false);
        s->interrupt();
    }
    if (shared.capture && !unmirrored.empty())
        shared.counters.statementsCaptured.fetch_add(shared.capture->submitBatch(unmirrored),
                                                     std::memory_order_relaxed);
    for (auto& s : all)
        s->join();
    if (m_lsn)
        m_lsn->stop();
}

std::size_t MirrorEngine::queueDepth() const
{
    std::size_t depth = 0;
    for (const auto& s : sessions())
        depth += s->snapshot().queueDepth;
    return depth;
}

std::vector<std::shared_ptr<MirrorSession>> MirrorEngine::sessions() const
{
    std::lock_guard lock(m_mutex);
    return {m_live.begin(), m_live.end()};
}

} // namespace doppel::proxy
