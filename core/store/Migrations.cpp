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
        // 3 -> 4: summarized workload captures for the forecasting and cost engines: one row per
        // capture and host, its time windows and its statements by fingerprint with their
        // features. The windows' figures also go to `samples` as workload.* metrics.
        R"sql(
CREATE TABLE workload_captures (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL REFERENCES hosts(name) ON DELETE CASCADE ON UPDATE CASCADE,
    capture TEXT NOT NULL,
    window_ms INTEGER NOT NULL CHECK (window_ms > 0),
    summarized_at INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL CHECK (last_ms >= first_ms),
    statements INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    UNIQUE (host, capture, window_ms)
);
CREATE TABLE workload_windows (
    capture_id INTEGER NOT NULL REFERENCES workload_captures(id) ON DELETE CASCADE,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
    statements INTEGER NOT NULL,
    statements_per_s REAL NOT NULL,
    active_sessions INTEGER NOT NULL,
    mean_concurrency REAL NOT NULL,
    read_ratio REAL,
    errors INTEGER NOT NULL,
    PRIMARY KEY (capture_id, start_ms)
) WITHOUT ROWID;
CREATE TABLE workload_fingerprints (
    capture_id INTEGER NOT NULL REFERENCES workload_captures(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    query TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('select', 'insert', 'update', 'delete', 'merge', 'ddl',
                                       'utility', 'transaction', 'unparsed')),
    read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    calls INTEGER NOT NULL,
    total_ms REAL NOT NULL,
    mean_ms REAL NOT NULL,
    rows INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    joins INTEGER NOT NULL,
    subqueries INTEGER NOT NULL,
    ctes INTEGER NOT NULL,
    tables INTEGER NOT NULL,
    aggregates INTEGER NOT NULL,
    sorts INTEGER NOT NULL,
    windows INTEGER NOT NULL,
    has_limit INTEGER NOT NULL CHECK (has_limit IN (0, 1)),
    PRIMARY KEY (capture_id, fingerprint)
) WITHOUT ROWID;
)sql",
        // 4 -> 5: thresholds that are floors (free disk, cache hit ratio), crossed going down.
        R"sql(
ALTER TABLE forecast_thresholds ADD COLUMN below INTEGER NOT NULL DEFAULT 0 CHECK (below IN (0, 1));
)sql",
        // 5 -> 6: when each threshold was added, for the console's list of thresholds; those
        // added before stay NULL (unknown).
        R"sql(
ALTER TABLE forecast_thresholds ADD COLUMN created_ms INTEGER;
)sql",
    };
    return migrations;
}

} // namespace doppel
