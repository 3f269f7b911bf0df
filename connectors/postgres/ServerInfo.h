// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PgConnection.h"
#include "services/HostServices.h"

namespace doppel::pg {

// Server version and the settings a migration depends on (wal_level, slots, senders, ...).
Result<PostgresInfo> readServerInfo(PgConnection& conn);

// One row per database from pg_stat_database, and the sessions of pg_stat_activity.
Result<QueryResult> readDatabaseStats(PgConnection& conn);
Result<QueryResult> readActivity(PgConnection& conn);
Result<QueryResult> readDatabaseSizes(PgConnection& conn);

} // namespace doppel::pg
