// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricCatalog.h"

namespace doppel {

const std::vector<MetricInfo>& metricCatalog()
{
    using K = MetricSourceKind;
    static const std::vector<MetricInfo> catalog = {
        {"cpu_percent", "%", K::Os, "CPU busy time over the interval, all cores (/proc/stat)"},
        {"load1", "count", K::Os, "1-minute load average (/proc/loadavg)"},
        {"mem_used_bytes", "bytes", K::Os, "MemTotal - MemAvailable (/proc/meminfo)"},
        {"mem_available_bytes", "bytes", K::Os, "MemAvailable (/proc/meminfo)"},
        {"disk_read_bytes_per_s", "bytes/s", K::Os,
         "Sectors read on whole disks (/proc/diskstats)"},
        {"disk_write_bytes_per_s", "bytes/s", K::Os,
         "Sectors written on whole disks (/proc/diskstats)"},
        {"net_rx_bytes_per_s", "bytes/s", K::Os, "Bytes received, all interfaces but lo"},
        {"net_tx_bytes_per_s", "bytes/s", K::Os, "Bytes sent, all interfaces but lo"},
        {"disk_free_bytes", "bytes", K::Os,
         "Free bytes of the filesystem holding the data directory (df)"},
        {"pg_tps", "tx/s", K::Postgres, "Commits + rollbacks per second, all databases"},
        {"pg_connections_active", "count", K::Postgres, "Client backends in state active"},
        {"pg_connections_total", "count", K::Postgres, "All client backends"},
        {"pg_db_size_bytes", "bytes", K::Postgres, "Sum of pg_database_size over all databases"},
        {"pg_cache_hit_ratio", "ratio", K::Postgres,
         "blks_hit / (blks_hit + blks_read) over the interval"},
        {"pg_replication_lag_bytes", "bytes", K::Postgres,
         "Largest replay lag of a standby or logical slot; 0 without replication"},
        {"pg_replication_lag_seconds", "s", K::Postgres,
         "Largest replay lag in time of a standby or logical subscriber (shadow); 0 caught up"},
        {"pg_max_connections", "count", K::Postgres, "The max_connections setting"},
        {"pg_xid_age", "xids", K::Postgres, "Oldest datfrozenxid age (wraparound at 2^31)"},
        {"pg_wal_retained_bytes", "bytes", K::Postgres,
         "WAL held back by replication slots (current LSN - oldest restart_lsn)"},
        {"workload.statements_per_s", "statements/s", K::Workload,
         "Statements started per second in a captured workload's time window"},
        {"workload.active_sessions", "count", K::Workload,
         "Sessions running a statement in a captured workload's time window"},
        {"workload.read_ratio", "ratio", K::Workload,
         "Read-only statements / (reads + writes) in a captured workload's time window"},
    };
    return catalog;
}

std::optional<MetricInfo> findMetric(const QString& name)
{
    for (const auto& info : metricCatalog())
        if (name == QLatin1String(info.name))
            return info;
    return std::nullopt;
}

QStringList metricNames()
{
    QStringList names;
    for (const auto& info : metricCatalog())
        names << QString::fromLatin1(info.name);
    return names;
}

} // namespace doppel
