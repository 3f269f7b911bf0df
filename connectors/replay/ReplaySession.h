// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Replayer.h"
#include "postgres/PgHandles.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace doppel::replay {

// What the session threads of one replay share: counters for progress, and the stop that a
// lost target or the user's cancel sets. Any thread.
struct ReplayShared
{
    std::int64_t total = 0;
    std::atomic<std::int64_t> done{0};
    std::atomic<std::int64_t> errors{0};
    std::atomic<std::int64_t> maxLagUs{0};
    std::atomic<int> finished{0};
    CancelToken cancel;
    bool measureLag = true; // not at speed 0: there is no schedule to lag behind

    bool stopping() const { return m_lost.load() || cancel.isCancelled(); }
    void targetLost(const QString& why);
    QString lostReason() const;

private:
    std::atomic<bool> m_lost{false};
    mutable std::mutex m_mutex;
    QString m_reason;
};

// One captured session replayed on its own connection. run() belongs to the session's thread;
// cancelRunning() may be called from any other thread.
class ReplaySession
{
public:
    using Clock = std::chrono::steady_clock;
    ReplaySession(const PlannedSession& planned, const ReplayTarget& target,
                  Clock::time_point start, ReplayShared& shared);
    void run();
    void cancelRunning();
    const std::vector<ReplayMeasurement>& measurements() const { return m_measurements; }

private:
    bool connect();
    // Runs one statement; false when the connection is gone.
    bool execute(const PlannedStatement& statement);
    pg::PgResultPtr send(const CaptureRecord& record);
    // Prepares `name` with `text` unless this connection already has it so.
    pg::PgResultPtr prepare(const CaptureRecord& record);

    const PlannedSession& m_planned;
    const ReplayTarget& m_target;
    Clock::time_point m_start;
    ReplayShared& m_shared;
    pg::PgConnPtr m_conn;
    std::mutex m_cancelMutex;
    pg::PgCancelPtr m_cancel;
    std::map<std::string, std::string> m_prepared; // name -> text prepared on this connection
    std::vector<ReplayMeasurement> m_measurements;
};

} // namespace doppel::replay
