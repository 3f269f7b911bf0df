// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ShadowConnections.h"

#include <vector>

namespace doppel::shadow {

// Everything that decides whether logical replication from production to the shadow will work,
// each with a verdict and the fix: versions, wal_level, free slots and WAL senders, the
// replication privilege, tables without a primary key or replica identity, unlogged tables,
// large objects, sequences, extensions missing on the shadow, rows already on the shadow,
// leftovers of an earlier setup, DDL. Read-only on both sides. Blocking; any worker thread.
Result<std::vector<ShadowCheck>> runPrechecks(ShadowConnections& conns, const ShadowSpec& spec);

bool anyFailed(const std::vector<ShadowCheck>& checks);

} // namespace doppel::shadow
