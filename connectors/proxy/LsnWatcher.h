// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace doppel::proxy {

// Watches production's write state and what the shadow has applied of it, so a mirrored read is
// compared for results only when both sides read the same data. A thread of its own polls, every
// few milliseconds and on connections of its own, production (the upstream conninfo: passwords
// from .pgpass or PGPASSWORD, as libpq does it) for its WAL insert position, the slot's confirmed
// position and its transaction snapshot (pg_current_snapshot, which changes with every write
// transaction), and the shadow (the --shadow conninfo) for the production position of the last
// commit it applied (the progress of the subscription's replication origin, which needs a
// superuser or a role granted pg_replication_origin_progress).
//
// A pair is synchronized when (1) polls just before and just after production's read saw the
// same snapshot, so the read saw exactly the commits before the first poll's WAL position P;
// (2) the slot had confirmed P before the shadow's read, so the shadow had all of them; and (3)
// a poll after the shadow's read found no commit past P applied, so the shadow had nothing more.
// Every method but the constructor may be called from any thread.
class LsnWatcher
{
public:
    struct Reading
    {
        std::int64_t sentUs = 0;     // wall clock when the poll was sent
        std::int64_t receivedUs = 0; // and when its answer came
        std::uint64_t insertLsn = 0;
        std::uint64_t confirmedLsn = 0;
        std::string snapshot; // pg_current_snapshot() as text
        // Production's end position of the last commit the shadow applied, polled after the rest.
        std::optional<std::uint64_t> shadowCommitLsn;
    };

    // `slot` names the slot on production and the subscription on the shadow (Doppel's setup
    // gives both the same name).
    LsnWatcher(std::string prodConninfo, std::string shadowConninfo, std::string slot,
               std::chrono::milliseconds interval = std::chrono::milliseconds(10));
    ~LsnWatcher();
    LsnWatcher(const LsnWatcher&) = delete;
    LsnWatcher& operator=(const LsnWatcher&) = delete;

    // The newest poll answered before `us` (wall clock µs), if one is recent enough to bracket.
    std::optional<Reading> answeredBefore(std::int64_t us) const;
    // The first poll sent at or after `us`, waiting for it at most `timeout`.
    std::optional<Reading> sentAfter(std::int64_t us, std::chrono::milliseconds timeout);
    // Whether the slot has confirmed `lsn` (the shadow applied and flushed it), waiting at most
    // `timeout` for it to get there.
    bool waitApplied(std::uint64_t lsn, std::chrono::milliseconds timeout);
    // For the log: the last error, empty while polls succeed.
    std::string lastError() const;
    void stop();

private:
    void run();

    const std::string m_conninfo;
    const std::string m_shadowConninfo;
    const std::string m_slot;
    const std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Reading> m_readings; // newest last, a few seconds' worth
    std::string m_error;
    bool m_stopping = false;
    std::thread m_thread;
};

// The wall clock in µs since the epoch, as capture records and readings use it.
std::int64_t wallClockUs();

} // namespace doppel::proxy
