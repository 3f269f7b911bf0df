// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerInfo.h"

namespace doppel::pg {

Result<PostgresInfo> readServerInfo(PgConnection& conn)
{
    auto r = conn.exec(QStringLiteral(
        "SELECT current_setting('server_version'), current_setting('server_version_num')::int, "
        "current_setting('wal_level'), current_setting('max_replication_slots')::int, "
        "current_setting('max_wal_senders')::int, current_setting('shared_buffers'), "
        "current_setting('max_connections')::int"));
    if (!r)
        return r.error();
    PostgresInfo info;
    info.serverVersion = r->value(0, 0);
    info.serverVersionNum = r->value(0, 1).toInt();
    info.walLevel = r->value(0, 2);
    info.maxReplicationSlots = r->value(0, 3).toInt();
    info.maxWalSenders = r->value(0, 4).toInt();
    info.sharedBuffers = r->value(0, 5);
    info.maxConnections = r->value(0, 6).toInt();
    return info;
}

Result<QueryResult> readDatabaseStats(PgConnection& conn)
{
    return conn.exec(QStringLiteral(
        "SELECT datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit, "
        "tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, deadlocks, temp_bytes "
        "FROM pg_stat_database WHERE datname IS NOT NULL ORDER BY datname"));
}

Result<QueryResult> readActivity(PgConnection& conn)
{
    return conn.exec(QStringLiteral(
        "SELECT pid, datname, usename, application_name, client_addr, state, wait_event_type, "
        "wait_event, backend_type, now() - query_start AS running_for, query "
        "FROM pg_stat_activity ORDER BY pid"));
}

Result<QueryResult> readDatabaseSizes(PgConnection& conn)
{
    return conn.exec(QStringLiteral(
        "SELECT datname, pg_database_size(oid) FROM pg_database "
        "WHERE datallowconn AND has_database_privilege(oid, 'CONNECT') ORDER BY datname"));
}

} // namespace doppel::pg
