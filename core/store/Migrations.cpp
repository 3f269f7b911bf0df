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
        // 2 -> 3: the forecast service's fitted forecasts (the points as JSON arrays), the
        // user's thresholds per metric and the built-in PostgreSQL limits' time to breach.
        R"sql(
CREATE TABLE forecasts (
    host TEXT NOT NULL REFERENCES hosts(name) ON DELETE CASCADE ON UPDATE CASCADE,
    metric TEXT NOT NULL,
    horizon_ms INTEGER NOT NULL CHECK (horizon_ms > 0),
    fitted_at INTEGER NOT NULL,
    model TEXT NOT NULL,
    reason TEXT NOT NULL,
    accuracy_mase REAL,
    start_ms INTEGER NOT NULL,
    step_ms INTEGER NOT NULL CHECK (step_ms > 0),
    points TEXT NOT NULL,
    PRIMARY KEY (host, metric, horizon_ms, fitted_at)
) WITHOUT ROWID;
CREATE TABLE forecast_thresholds (
    id INTEGER PRIMARY KEY,
    host TEXT REFERENCES hosts(name) ON DELETE CASCADE ON UPDATE CASCADE,
    metric TEXT NOT NULL CHECK (length(metric) > 0),
    value REAL NOT NULL,
    horizon_ms INTEGER NOT NULL CHECK (horizon_ms > 0),
    probability REAL NOT NULL CHECK (probability > 0 AND probability <= 1)
);
CREATE TABLE forecast_limits (
    host TEXT NOT NULL REFERENCES hosts(name) ON DELETE CASCADE ON UPDATE CASCADE,
    name TEXT NOT NULL,
    metric TEXT NOT NULL,
    limit_value REAL NOT NULL,
    evaluated_at INTEGER NOT NULL,
    horizon_ms INTEGER NOT NULL,
    probability REAL NOT NULL,
    expected_at INTEGER,
    lower_at INTEGER,
    upper_at INTEGER,
    detail TEXT NOT NULL,
    PRIMARY KEY (host, name)
) WITHOUT ROWID;
)sql",
    };
    return migrations;
}

} // namespace doppel
