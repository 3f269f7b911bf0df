// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Lab.h"

namespace doppel::lab {

// The lab's PostgreSQL 15 clusters: initdb, a loopback-only configuration (scram for TCP,
// trust only on a private socket folder), start, and stop by pid. Blocking.

// PostgreSQL 15's bin folder: $DOPPEL_PG_BINDIR, /usr/lib/postgresql/15/bin, or PATH.
Result<QString> postgresBinDir();

// Creates and starts a cluster in `dataDir` on 127.0.0.1:port with superuser "doppel".
Result<LabState::Cluster> createCluster(const QString& dataDir, int port, const QString& password);
// Fast shutdown (SIGINT to the postmaster), waiting until it is gone.
Status stopCluster(const LabState::Cluster& cluster);
// The postmaster pid from <dataDir>/postmaster.pid, 0 if absent.
qint64 postmasterPid(const QString& dataDir);

} // namespace doppel::lab
