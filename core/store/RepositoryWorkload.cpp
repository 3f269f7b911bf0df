// SPDX-License-Identifier: GPL-3.0-or-later
// The workload part of the repository: summarized captures, their windows and fingerprints, and
// the windows' figures as metric samples.
#include "Repository.h"

#include "SqliteStatement.h"
#include "workload/WorkloadSummary.h"

#include <QDateTime>

#include <cmath>

#include <sqlite3.h>

namespace doppel {

namespace {

// Per-window figures as samples at the window's aligned start, so that a capture's series has
// the regular step forecasting expects; a window with neither reads nor writes has no ratio.
MetricSamples windowSamples(const WorkloadSummary& summary)
{
    MetricSamples out;
    for (const WorkloadWindow& w : summary.windows) {
        const qint64 ts =
            w.startMs - (w.startMs % summary.windowMs + summary.windowMs) % summary.windowMs;
        out.append(MetricSample{QStringLiteral("workload.statements_per_s"), ts, w.statementsPerS});
        out.append(
            MetricSample{QStringLiteral("workload.active_sessions"), ts, double(w.activeSessions)});
        if (std::isfinite(w.readRatio))
            out.append(MetricSample{QStringLiteral("workload.read_ratio"), ts, w.readRatio});
    }
    return out;
}

} // namespace

Result<qint64> Repository::storeWorkloadSummary(const QString& hostName,
                                                const WorkloadSummary& summary)
{
    auto host = this->host(hostName);
    if (!host)
        return host.error();
    if (auto st = exec("BEGIN"); !st)
        return st.error();
    auto fail = [&](Error error) -> Result<qint64> {
        rollback();
        m_metricIds.clear(); // a metric registered in the rolled back transaction is gone
        return error;
    };
    // Replacing a capture drops its windows and fingerprints by cascade.
    SqliteStatement del(m_db,
                        "DELETE FROM workload_captures WHERE host=? AND capture=? AND window_ms=?");
    del.bind(1, hostName);
    del.bind(2, summary.capture);
    del.bind(3, summary.windowMs);
    if (del.step() != SQLITE_DONE)
        return fail(
            sqliteError(QStringLiteral("Replacing the workload of %1 failed").arg(hostName)));
    SqliteStatement cap(m_db, "INSERT INTO workload_captures (host, capture, window_ms, "
                              "summarized_at, first_ms, last_ms, statements, errors) "
                              "VALUES (?,?,?,?,?,?,?,?)");
    cap.bind(1, hostName);
    cap.bind(2, summary.capture);
    cap.bind(3, summary.windowMs);
    cap.bind(4, QDateTime::currentMSecsSinceEpoch());
    cap.bind(5, summary.firstMs);
    cap.bind(6, summary.lastMs);
    cap.bind(7, summary.statements);
    cap.bind(8, summary.errors);
    if (cap.step() != SQLITE_DONE)
        return fail(sqliteError(QStringLiteral("Storing the workload of %1 failed").arg(hostName)));
    const qint64 id = sqlite3_last_insert_rowid(m_db);

    SqliteStatement win(m_db, "INSERT INTO workload_windows (capture_id, start_ms, end_ms, "
                              "statements, statements_per_s, active_sessions, mean_concurrency, "
                              "read_ratio, errors) VALUES (?,?,?,?,?,?,?,?,?)");
    for (const WorkloadWindow& w : summary.windows) {
        win.reset();
        win.bind(1, id);
        win.bind(2, w.startMs);
        win.bind(3, w.endMs);
        win.bind(4, w.statements);
        win.bind(5, w.statementsPerS);
        win.bind(6, w.activeSessions);
        win.bind(7, w.meanConcurrency);
        if (std::isfinite(w.readRatio))
            win.bind(8, w.readRatio);
        else
            win.bindNull(8);
        win.bind(9, w.errors);
        if (win.step() != SQLITE_DONE)
            return fail(sqliteError(QStringLiteral("Storing workload windows failed")));
    }

    SqliteStatement fp(m_db, "INSERT INTO workload_fingerprints (capture_id, fingerprint, query, "
                             "kind, read_only, calls, total_ms, mean_ms, rows, errors, depth, "
                             "joins, subqueries, ctes, tables, aggregates, sorts, windows, "
                             "has_limit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const FingerprintSummary& f : summary.byFingerprint) {
        const StatementFeatures& x = f.features;
        fp.reset();
        fp.bind(1, id);
        fp.bind(2, f.fingerprint);
        fp.bind(3, f.query);
        fp.bind(4, statementKindName(f.kind));
        fp.bind(5, qint64(f.readOnly));
        fp.bind(6, f.calls);
        fp.bind(7, f.totalMs);
        fp.bind(8, f.meanMs);
        fp.bind(9, f.rows);
        fp.bind(10, f.errors);
        int col = 11;
        for (int v : {x.depth, x.joins, x.subqueries, x.ctes, x.tables, x.aggregates, x.sorts,
                      x.windows, int(x.limit)})
            fp.bind(col++, qint64(v));
        if (fp.step() != SQLITE_DONE)
            return fail(sqliteError(QStringLiteral("Storing workload fingerprints failed")));
    }

    if (auto st = insertSamples(host->id, windowSamples(summary)); !st)
        return fail(st.error());
    if (auto st = exec("COMMIT"); !st)
        return fail(st.error());
    return id;
}

Result<std::vector<StoredWorkloadCapture>> Repository::workloadCaptures(const QString& host) const
{
    SqliteStatement s(m_db, "SELECT id, host, capture, window_ms, summarized_at, first_ms, "
                            "last_ms, statements, errors FROM workload_captures WHERE host=? "
                            "ORDER BY first_ms, id");
    s.bind(1, host);
    std::vector<StoredWorkloadCapture> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(StoredWorkloadCapture{s.int64(0), s.text(1), s.text(2), s.int64(3),
                                            s.int64(4), s.int64(5), s.int64(6), s.int64(7),
                                            s.int64(8)});
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading workload captures failed"));
    return out;
}

Result<QList<WorkloadWindow>> Repository::workloadWindows(qint64 captureId) const
{
    SqliteStatement s(m_db, "SELECT start_ms, end_ms, statements, statements_per_s, "
                            "active_sessions, mean_concurrency, read_ratio, errors "
                            "FROM workload_windows WHERE capture_id=? ORDER BY start_ms");
    s.bind(1, captureId);
    QList<WorkloadWindow> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        WorkloadWindow w;
        w.startMs = s.int64(0);
        w.endMs = s.int64(1);
        w.statements = s.int64(2);
        w.statementsPerS = s.real(3);
        w.activeSessions = s.int64(4);
        w.meanConcurrency = s.real(5);
        w.readRatio = s.isNull(6) ? std::numeric_limits<double>::quiet_NaN() : s.real(6);
        w.errors = s.int64(7);
        out.append(w);
    }
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading workload windows failed"));
    return out;
}

Result<QList<FingerprintSummary>> Repository::workloadFingerprints(qint64 captureId) const
{
    SqliteStatement s(m_db, "SELECT fingerprint, query, kind, read_only, calls, total_ms, "
                            "mean_ms, rows, errors, depth, joins, subqueries, ctes, tables, "
                            "aggregates, sorts, windows, has_limit FROM workload_fingerprints "
                            "WHERE capture_id=? ORDER BY total_ms DESC, fingerprint");
    s.bind(1, captureId);
    QList<FingerprintSummary> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        FingerprintSummary f;
        f.fingerprint = s.text(0);
        f.query = s.text(1);
        f.kind = statementKindFromName(s.text(2)).value_or(StatementKind::Unparsed);
        f.readOnly = s.int64(3) != 0;
        f.calls = s.int64(4);
        f.totalMs = s.real(5);
        f.meanMs = s.real(6);
        f.rows = s.int64(7);
        f.errors = s.int64(8);
        StatementFeatures& x = f.features;
        x.depth = int(s.int64(9));
        x.joins = int(s.int64(10));
        x.subqueries = int(s.int64(11));
        x.ctes = int(s.int64(12));
        x.tables = int(s.int64(13));
        x.aggregates = int(s.int64(14));
        x.sorts = int(s.int64(15));
        x.windows = int(s.int64(16));
        x.limit = s.int64(17) != 0;
        out.append(f);
    }
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading workload fingerprints failed"));
    return out;
}

} // namespace doppel
