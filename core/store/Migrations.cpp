// SPDX-License-Identifier: GPL-3.0-or-later
#include "Migrations.h"

namespace doppel {

const std::vector<const char*>& schemaMigrations()
{
    static const std::vector<const char*> migrations = {
        // 0 -> 1: inventory, metrics, events.
        R"sql(
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    role TEXT NOT NULL CHECK (role IN ('production', 'shadow', 'target')),
    conninfo TEXT NOT NULL,
    ssh_host TEXT,
    ssh_port INTEGER,
    ssh_user TEXT,
    ssh_auth TEXT CHECK (ssh_auth IN ('agent', 'key', 'password')),
    ssh_key_file TEXT,
    known_hosts_file TEXT
);
CREATE TABLE metrics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE samples (
    host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    metric_id INTEGER NOT NULL REFERENCES metrics(id),
    ts INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (host_id, metric_id, ts)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    source TEXT NOT NULL,
    host TEXT,
    message TEXT NOT NULL
);
)sql",
        // 1 -> 2: the events pane filters by severity and time; keep that cheap.
        R"sql(
CREATE INDEX events_by_time ON events (ts);
CREATE INDEX events_by_severity ON events (severity, ts);
)sql",
    };
    return migrations;
}

} // namespace doppel
