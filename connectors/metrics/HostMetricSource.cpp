// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostMetricSource.h"

#include "ssh/SshHostOptions.h"

#include <QDateTime>

#include <chrono>

namespace doppel {

// Everything the PostgreSQL metrics need in one round trip. Replication lag: on a standby the
// receive/replay distance; on a primary the largest distance of a slot or a walsender; 0 when
// nothing replicates. Lag in seconds: replay_lag of the walsenders (logical subscribers report it
// too), NULL and so 0 once they have caught up.
static const char* const PgMetricsQuery = R"sql(
SELECT
  (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database)::float8,
  (SELECT sum(blks_hit) FROM pg_stat_database)::float8,
  (SELECT sum(blks_read) FROM pg_stat_database)::float8,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'active'),
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  (SELECT sum(pg_database_size(oid)) FROM pg_database
     WHERE datallowconn AND has_database_privilege(oid, 'CONNECT'))::float8,
  current_setting('max_connections')::int,
  (SELECT max(age(datfrozenxid)) FROM pg_database),
  CASE WHEN pg_is_in_recovery()
    THEN COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)
    ELSE GREATEST(
      COALESCE((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), COALESCE(confirmed_flush_lsn, restart_lsn)))
                FROM pg_replication_slots), 0),
      COALESCE((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication), 0))
  END::float8,
  CASE WHEN pg_is_in_recovery() THEN 0
    ELSE COALESCE((SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), min(restart_lsn))
                   FROM pg_replication_slots WHERE restart_lsn IS NOT NULL), 0)
  END::float8,
  CASE WHEN pg_is_in_recovery()
    THEN CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
      ELSE COALESCE(EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END
    ELSE COALESCE((SELECT max(EXTRACT(epoch FROM replay_lag)) FROM pg_stat_replication), 0)
  END::float8
)sql";

static qint64 monotonicNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

HostMetricSource::HostMetricSource(Host host, SecretStore& secrets,
                                   std::chrono::milliseconds timeout)
    : m_host(std::move(host)), m_secrets(secrets), m_timeout(timeout)
{}

HostMetricSource::~HostMetricSource() = default;

CollectionResult HostMetricSource::collect(const CancelToken& cancel)
{
    CollectionResult out;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 monotonic = monotonicNowMs();
    collectPostgres(now, monotonic, out, cancel);
    if (m_host.ssh && m_host.ssh->isValid())
        collectOs(now, monotonic, out, cancel);
    return out;
}

void HostMetricSource::collectPostgres(qint64 now, qint64 monotonic, CollectionResult& out,
                                       const CancelToken& cancel)
{
    if (m_pg && !m_pg->isOk())
        m_pg.reset();
    if (!m_pg) {
        pg::PgConnection::Options options;
        options.conninfo = m_host.conninfo;
        options.password = m_secrets.read(m_host.pgSecretKey()).value_or(QString());
        options.timeout = m_timeout;
        options.applicationName = QStringLiteral("doppel collector");
        auto conn = pg::PgConnection::connect(options, cancel);
        if (!conn) {
            out.errors << conn.error().toString();
            m_lastPg.reset();
            return;
        }
        m_pg = std::move(*conn);
        // Needs superuser or pg_read_all_settings; without it disk_free_bytes is not collected.
        if (auto dir = m_pg->exec(QStringLiteral("SELECT current_setting('data_directory')")); dir)
            m_dataDir = dir->value(0, 0);
    }
    auto r = m_pg->exec(QString::fromLatin1(PgMetricsQuery), {}, std::nullopt, cancel);
    if (!r) {
        out.errors << r.error().toString();
        if (!m_pg->isOk())
            m_pg.reset();
        return;
    }
    auto add = [&](const char* name, double value) {
        out.samples.append(MetricSample{QString::fromLatin1(name), now, value});
    };
    const PgCounters counters{monotonic, r->number(0, 0), r->number(0, 1), r->number(0, 2)};
    add("pg_connections_active", r->number(0, 3));
    add("pg_connections_total", r->number(0, 4));
    add("pg_db_size_bytes", r->number(0, 5));
    add("pg_max_connections", r->number(0, 6));
    add("pg_xid_age", r->number(0, 7));
    add("pg_replication_lag_bytes", r->number(0, 8));
    add("pg_wal_retained_bytes", r->number(0, 9));
    add("pg_replication_lag_seconds", r->number(0, 10));
    if (m_lastPg && counters.monotonicMs > m_lastPg->monotonicMs &&
        counters.xacts >= m_lastPg->xacts) {
        const double seconds = double(counters.monotonicMs - m_lastPg->monotonicMs) / 1000.0;
        add("pg_tps", (counters.xacts - m_lastPg->xacts) / seconds);
        const double hit = counters.blksHit - m_lastPg->blksHit;
        const double read = counters.blksRead - m_lastPg->blksRead;
        // No block access in the interval: nothing missed the cache.
        add("pg_cache_hit_ratio", hit + read > 0 ? hit / (hit + read) : 1.0);
    }
    m_lastPg = counters;
}

void HostMetricSource::collectOs(qint64 now, qint64 monotonic, CollectionResult& out,
                                 const CancelToken& cancel)
{
    if (!m_ssh) {
        m_ssh = std::make_unique<ssh::SshClient>(ssh::optionsForHost(m_host, m_secrets, m_timeout));
    }
    auto r = m_ssh->exec(procSnapshotCommand(m_dataDir), cancel);
    if (!r) {
        out.errors << r.error().toString();
        m_lastProc.reset();
        return;
    }
    QString error;
    auto snapshot = parseProcSnapshot(r->out, &error);
    if (!snapshot) {
        out.errors << error;
        return;
    }
    snapshot->monotonicMs = monotonic;
    auto add = [&](const char* name, double value) {
        out.samples.append(MetricSample{QString::fromLatin1(name), now, value});
    };
    add("load1", snapshot->load1);
    add("mem_available_bytes", double(snapshot->memAvailable));
    add("mem_used_bytes",
        double(snapshot->memTotal - std::min(snapshot->memTotal, snapshot->memAvailable)));
    if (snapshot->diskFreeBytes)
        add("disk_free_bytes", double(*snapshot->diskFreeBytes));
    if (m_lastProc && snapshot->monotonicMs > m_lastProc->monotonicMs) {
        const auto& p = *m_lastProc;
        const double seconds = double(snapshot->monotonicMs - p.monotonicMs) / 1000.0;
        auto rate = [&](quint64 now, quint64 before) {
            return now >= before ? double(now - before) / seconds : 0.0;
        };
        const double total = double(snapshot->cpuTotal - std::min(snapshot->cpuTotal, p.cpuTotal));
        const double idle = double(snapshot->cpuIdle - std::min(snapshot->cpuIdle, p.cpuIdle));
        add("cpu_percent", total > 0 ? 100.0 * (total - idle) / total : 0.0);
        add("disk_read_bytes_per_s", rate(snapshot->diskReadBytes, p.diskReadBytes));
        add("disk_write_bytes_per_s", rate(snapshot->diskWriteBytes, p.diskWriteBytes));
        add("net_rx_bytes_per_s", rate(snapshot->netRxBytes, p.netRxBytes));
        add("net_tx_bytes_per_s", rate(snapshot->netTxBytes, p.netTxBytes));
    }
    m_lastProc = *snapshot;
}

} // namespace doppel
