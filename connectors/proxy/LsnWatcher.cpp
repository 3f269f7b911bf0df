// SPDX-License-Identifier: GPL-3.0-or-later
#include "LsnWatcher.h"

#include "common/ThreadRole.h"

#include <libpq-fe.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string_view>

namespace doppel::proxy {

namespace {

constexpr std::size_t kKeptReadings = 512;
// A bracket needs polls close around the reads; an older one means polling stalled.
constexpr std::int64_t kFreshUs = 1'000'000;

// The insert position at the start of a WAL page points past the page header, where no record
// ends: a slot that confirmed the page boundary has everything before it.
constexpr std::uint64_t kWalPage = 8192;
constexpr std::uint64_t kLongPageHeader = 40;

bool confirms(std::uint64_t confirmed, std::uint64_t needed)
{
    const std::uint64_t intoPage = needed % kWalPage;
    return confirmed >= needed || (intoPage <= kLongPageHeader && confirmed >= needed - intoPage);
}

// "16/B374D848" -> 0x16B374D848; nothing for NULL or garbage.
std::optional<std::uint64_t> parseLsn(const char* text)
{
    unsigned int hi = 0, lo = 0;
    if (!text || std::sscanf(text, "%X/%X", &hi, &lo) != 2)
        return std::nullopt;
    return (std::uint64_t(hi) << 32) | lo;
}

} // namespace

std::int64_t wallClockUs()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

LsnWatcher::LsnWatcher(std::string prodConninfo, std::string shadowConninfo, std::string slot,
                       std::chrono::milliseconds interval)
    : m_conninfo(std::move(prodConninfo)), m_shadowConninfo(std::move(shadowConninfo)),
      m_slot(std::move(slot)), m_interval(interval)
{
    m_thread = std::thread([this] { run(); });
}

LsnWatcher::~LsnWatcher()
{
    stop();
}

void LsnWatcher::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

std::string LsnWatcher::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

std::optional<LsnWatcher::Reading> LsnWatcher::answeredBefore(std::int64_t us) const
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_readings.rbegin(); it != m_readings.rend(); ++it)
        if (it->receivedUs <= us)
            return us - it->receivedUs <= kFreshUs ? std::optional(*it) : std::nullopt;
    return std::nullopt;
}

std::optional<LsnWatcher::Reading> LsnWatcher::sentAfter(std::int64_t us,
                                                         std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    std::optional<Reading> found;
    m_changed.wait_for(lock, timeout, [&] {
        for (const Reading& r : m_readings)
            if (r.sentUs >= us) {
                found = r;
                return true;
            }
        return m_stopping;
    });
    return found;
}

bool LsnWatcher::waitApplied(std::uint64_t lsn, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] {
        // The slot's position only grows: what a reading saw still holds now.
        return m_stopping || (!m_readings.empty() && confirms(m_readings.back().confirmedLsn, lsn));
    }) && !m_stopping;
}

namespace {

bool hasDatabase(const std::string& conninfo)
{
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
    bool has = false;
    for (PQconninfoOption* o = options; o && o->keyword; ++o)
        if (std::string_view(o->keyword) == "dbname" && o->val && *o->val)
            has = true;
    PQconninfoFree(options);
    return has;
}

// A connection of the watcher's own; `database` when the conninfo names none.
PGconn* connectWatcher(PGconn* conn, const std::string& conninfo, const char* database)
{
    if (conn && PQstatus(conn) == CONNECTION_OK)
        return conn;
    PQfinish(conn);
    const bool named = hasDatabase(conninfo);
    const char* keys[] = {"dbname", "application_name", "connect_timeout",
                          named ? nullptr : "dbname", nullptr};
    const char* values[] = {conninfo.c_str(), "doppel-proxy-lsn", "5", database, nullptr};
    return PQconnectdbParams(keys, values, 1);
}

// The shadow's applied position: the replication origin of the subscription named `slot`.
std::optional<std::uint64_t> shadowCommitLsn(PGconn* shadow, const std::string& slot,
                                             std::string& error)
{
    const char* query = "SELECT pg_replication_origin_progress('pg_' || oid, false) "
                        "FROM pg_subscription WHERE subname = $1";
    const char* params[] = {slot.c_str()};
    PGresult* res = PQstatus(shadow) == CONNECTION_OK
                        ? PQexecParams(shadow, query, 1, nullptr, params, nullptr, nullptr, 0)
                        : nullptr;
    std::optional<std::uint64_t> lsn;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
        error = std::string("shadow: ") + PQerrorMessage(shadow);
    else if (PQntuples(res) != 1)
        error = "no subscription " + slot + " on the shadow";
    else
        lsn = PQgetisnull(res, 0, 0) ? 0 : parseLsn(PQgetvalue(res, 0, 0)).value_or(0);
    PQclear(res);
    return lsn;
}

} // namespace

void LsnWatcher::run()
{
    setThisThreadRole(ThreadRole::Background, "dp-lsnwatch");
    PGconn* conn = nullptr;
    PGconn* shadow = nullptr;
    const char* query = "SELECT pg_current_wal_insert_lsn(), "
                        "(SELECT confirmed_flush_lsn FROM pg_replication_slots "
                        " WHERE slot_name = $1), pg_current_snapshot()::text";
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_changed.wait_for(lock, m_interval, [this] { return m_stopping; }))
                break;
        }
        conn = connectWatcher(conn, m_conninfo, "postgres");
        shadow = connectWatcher(shadow, m_shadowConninfo, "postgres");
        std::string error;
        Reading reading;
        reading.sentUs = wallClockUs();
        const char* params[] = {m_slot.c_str()};
        PGresult* res = PQstatus(conn) == CONNECTION_OK
                            ? PQexecParams(conn, query, 1, nullptr, params, nullptr, nullptr, 0)
                            : nullptr;
        reading.receivedUs = wallClockUs();
        if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            error = PQerrorMessage(conn);
        } else if (PQgetisnull(res, 0, 1)) {
            error = "replication slot " + m_slot + " does not exist on production";
        } else {
            const auto insert = parseLsn(PQgetvalue(res, 0, 0));
            const auto confirmed = parseLsn(PQgetvalue(res, 0, 1));
            if (insert && confirmed) {
                reading.insertLsn = *insert;
                reading.confirmedLsn = *confirmed;
                reading.snapshot = PQgetvalue(res, 0, 2);
            } else {
                error = "unreadable WAL positions from production";
            }
        }
        PQclear(res);
        if (error.empty())
            reading.shadowCommitLsn = shadowCommitLsn(shadow, m_slot, error);
        {
            std::lock_guard lock(m_mutex);
            m_error = error;
            if (error.empty()) {
                m_readings.push_back(reading);
                if (m_readings.size() > kKeptReadings)
                    m_readings.pop_front();
            }
        }
        m_changed.notify_all();
        if (!error.empty()) {
            // Production unreachable or the slot gone: try again at a calmer pace.
            std::unique_lock lock(m_mutex);
            if (m_changed.wait_for(lock, std::chrono::seconds(1), [this] { return m_stopping; }))
                break;
        }
    }
    PQfinish(conn);
    PQfinish(shadow);
}

} // namespace doppel::proxy
