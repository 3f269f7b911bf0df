// SPDX-License-Identifier: GPL-3.0-or-later
// The forecast service's part of the repository: fitted forecasts, thresholds and the built-in
// PostgreSQL limits' time to breach.
#include "Repository.h"

#include "SqliteStatement.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

#include <sqlite3.h>

namespace doppel {

namespace {

// How many fits per (host, metric, horizon) stay: enough to compare a few rounds.
constexpr int KeptFits = 5;

QJsonArray toJson(const std::vector<double>& v)
{
    QJsonArray a;
    for (double x : v)
        a.append(std::isfinite(x) ? QJsonValue(x) : QJsonValue(QJsonValue::Null));
    return a;
}

std::vector<double> fromJson(const QJsonValue& v)
{
    std::vector<double> out;
    for (const QJsonValue& x : v.toArray())
        out.push_back(x.isDouble() ? x.toDouble() : std::numeric_limits<double>::quiet_NaN());
    return out;
}

void bindOptional(SqliteStatement& s, int i, const std::optional<qint64>& v)
{
    if (v)
        s.bind(i, *v);
    else
        s.bindNull(i);
}

std::optional<qint64> optionalAt(const SqliteStatement& s, int col)
{
    return s.isNull(col) ? std::nullopt : std::optional<qint64>(s.int64(col));
}

} // namespace

Status Repository::storeForecast(const StoredForecast& f)
{
    if (f.stepMs <= 0 || f.horizonMs <= 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("A forecast of %1 needs a positive step and horizon").arg(f.metric));
    const QJsonObject points{{QStringLiteral("mean"), toJson(f.mean)},
                             {QStringLiteral("lo80"), toJson(f.lo80)},
                             {QStringLiteral("hi80"), toJson(f.hi80)},
                             {QStringLiteral("lo95"), toJson(f.lo95)},
                             {QStringLiteral("hi95"), toJson(f.hi95)}};
    if (auto st = exec("BEGIN"); !st)
        return st;
    SqliteStatement s(m_db, "INSERT OR REPLACE INTO forecasts (host, metric, horizon_ms, "
                            "fitted_at, model, reason, accuracy_mase, start_ms, step_ms, points) "
                            "VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, f.host);
    s.bind(2, f.metric);
    s.bind(3, f.horizonMs);
    s.bind(4, f.fittedAtMs);
    s.bind(5, f.model);
    s.bind(6, f.reason);
    if (std::isfinite(f.accuracyMase))
        s.bind(7, f.accuracyMase);
    else
        s.bindNull(7);
    s.bind(8, f.startMs);
    s.bind(9, f.stepMs);
    s.bind(10, QString::fromUtf8(QJsonDocument(points).toJson(QJsonDocument::Compact)));
    if (s.step() != SQLITE_DONE) {
        Error error = sqliteError(
            QStringLiteral("Storing the forecast of %1 on %2 failed").arg(f.metric, f.host));
        rollback();
        return error;
    }
    SqliteStatement prune(
        m_db, "DELETE FROM forecasts WHERE host=?1 AND metric=?2 AND horizon_ms=?3 AND fitted_at "
              "NOT IN (SELECT fitted_at FROM forecasts WHERE host=?1 AND metric=?2 AND "
              "horizon_ms=?3 ORDER BY fitted_at DESC LIMIT ?4)");
    prune.bind(1, f.host);
    prune.bind(2, f.metric);
    prune.bind(3, f.horizonMs);
    prune.bind(4, qint64(KeptFits));
    if (prune.step() != SQLITE_DONE) {
        Error error = sqliteError(QStringLiteral("Pruning old forecasts failed"));
        rollback();
        return error;
    }
    return exec("COMMIT");
}

Result<StoredForecast> Repository::latestForecast(const QString& host, const QString& metric,
                                                  qint64 horizonMs) const
{
    SqliteStatement s(m_db, "SELECT fitted_at, model, reason, accuracy_mase, start_ms, step_ms, "
                            "points FROM forecasts WHERE host=? AND metric=? AND horizon_ms=? "
                            "ORDER BY fitted_at DESC LIMIT 1");
    s.bind(1, host);
    s.bind(2, metric);
    s.bind(3, horizonMs);
    const int rc = s.step();
    if (rc == SQLITE_DONE)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("No stored forecast of %1 on %2").arg(metric, host));
    if (rc != SQLITE_ROW)
        return sqliteError(QStringLiteral("Reading the forecast of %1 failed").arg(metric));
    StoredForecast f;
    f.host = host;
    f.metric = metric;
    f.horizonMs = horizonMs;
    f.fittedAtMs = s.int64(0);
    f.model = s.text(1);
    f.reason = s.text(2);
    if (!s.isNull(3))
        f.accuracyMase = s.real(3);
    f.startMs = s.int64(4);
    f.stepMs = s.int64(5);
    const QJsonObject points = QJsonDocument::fromJson(s.text(6).toUtf8()).object();
    f.mean = fromJson(points.value(QStringLiteral("mean")));
    f.lo80 = fromJson(points.value(QStringLiteral("lo80")));
    f.hi80 = fromJson(points.value(QStringLiteral("hi80")));
    f.lo95 = fromJson(points.value(QStringLiteral("lo95")));
    f.hi95 = fromJson(points.value(QStringLiteral("hi95")));
    return f;
}

Result<qint64> Repository::addThreshold(const ForecastThreshold& t)
{
    if (t.metric.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("A threshold needs a metric"));
    if (!std::isfinite(t.value))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("A threshold value must be a finite number"));
    if (t.horizonMs <= 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("A threshold needs a positive horizon"));
    if (!(t.probability > 0 && t.probability <= 1))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("A threshold's probability must be in (0, 1], not %1")
                             .arg(t.probability));
    SqliteStatement s(m_db, "INSERT INTO forecast_thresholds (host, metric, value, horizon_ms, "
                            "probability, below, created_ms) VALUES (?,?,?,?,?,?,?)");
    if (t.host.isEmpty())
        s.bindNull(1);
    else
        s.bind(1, t.host);
    s.bind(2, t.metric);
    s.bind(3, t.value);
    s.bind(4, t.horizonMs);
    s.bind(5, t.probability);
    s.bind(6, qint64(t.below ? 1 : 0));
    s.bind(7, t.createdMs > 0 ? t.createdMs : QDateTime::currentMSecsSinceEpoch());
    if (s.step() != SQLITE_DONE) {
        if (sqlite3_extended_errcode(m_db) == SQLITE_CONSTRAINT_FOREIGNKEY)
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("No host named '%1' in %2").arg(t.host, m_path));
        return sqliteError(QStringLiteral("Adding the threshold on %1 failed").arg(t.metric));
    }
    return static_cast<qint64>(sqlite3_last_insert_rowid(m_db));
}

Status Repository::removeThreshold(qint64 id)
{
    SqliteStatement s(m_db, "DELETE FROM forecast_thresholds WHERE id=?");
    s.bind(1, id);
    if (s.step() != SQLITE_DONE)
        return sqliteError(QStringLiteral("Removing threshold %1 failed").arg(id));
    if (sqlite3_changes(m_db) == 0)
        return makeError(ErrorCode::NotFound, QStringLiteral("No threshold with id %1").arg(id));
    return Ok{};
}

Result<std::vector<ForecastThreshold>> Repository::thresholds() const
{
    SqliteStatement s(m_db, "SELECT id, host, metric, value, horizon_ms, probability, below, "
                            "created_ms FROM forecast_thresholds ORDER BY metric, id");
    std::vector<ForecastThreshold> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(ForecastThreshold{s.int64(0), s.text(1), s.text(2), s.real(3), s.int64(4),
                                        s.real(5), s.int64(6) != 0, s.int64(7)});
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading thresholds failed"));
    return out;
}

Status Repository::storeLimitForecasts(const QString& host,
                                       const std::vector<LimitForecast>& limits)
{
    if (auto st = exec("BEGIN"); !st)
        return st;
    SqliteStatement del(m_db, "DELETE FROM forecast_limits WHERE host=?");
    del.bind(1, host);
    if (del.step() != SQLITE_DONE) {
        Error error = sqliteError(QStringLiteral("Replacing the limits of %1 failed").arg(host));
        rollback();
        return error;
    }
    SqliteStatement s(m_db, "INSERT INTO forecast_limits (host, name, metric, limit_value, "
                            "evaluated_at, horizon_ms, probability, expected_at, lower_at, "
                            "upper_at, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    for (const LimitForecast& l : limits) {
        s.reset();
        s.bind(1, host);
        s.bind(2, l.name);
        s.bind(3, l.metric);
        s.bind(4, l.limitValue);
        s.bind(5, l.evaluatedAtMs);
        s.bind(6, l.horizonMs);
        s.bind(7, l.probability);
        bindOptional(s, 8, l.expectedMs);
        bindOptional(s, 9, l.lowerMs);
        bindOptional(s, 10, l.upperMs);
        s.bind(11, l.detail);
        if (s.step() != SQLITE_DONE) {
            Error error = sqliteError(QStringLiteral("Storing limit %1 failed").arg(l.name));
            rollback();
            return error;
        }
    }
    return exec("COMMIT");
}

Result<std::vector<LimitForecast>> Repository::limitForecasts(const QString& host) const
{
    SqliteStatement s(m_db, "SELECT host, name, metric, limit_value, evaluated_at, horizon_ms, "
                            "probability, expected_at, lower_at, upper_at, detail FROM "
                            "forecast_limits WHERE ?1 = '' OR host = ?1 ORDER BY host, name");
    s.bind(1, host);
    std::vector<LimitForecast> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        LimitForecast l;
        l.host = s.text(0);
        l.name = s.text(1);
        l.metric = s.text(2);
        l.limitValue = s.real(3);
        l.evaluatedAtMs = s.int64(4);
        l.horizonMs = s.int64(5);
        l.probability = s.real(6);
        l.expectedMs = optionalAt(s, 7);
        l.lowerMs = optionalAt(s, 8);
        l.upperMs = optionalAt(s, 9);
        l.detail = s.text(10);
        out.push_back(l);
    }
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading limit forecasts failed"));
    return out;
}

Result<QHash<QString, double>> Repository::latestValues(qint64 hostId) const
{
    SqliteStatement s(m_db, "SELECT m.name, (SELECT value FROM samples s WHERE s.host_id=?1 AND "
                            "s.metric_id=m.id ORDER BY s.ts DESC LIMIT 1) AS v FROM metrics m");
    s.bind(1, hostId);
    QHash<QString, double> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        if (!s.isNull(1))
            out.insert(s.text(0), s.real(1));
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading the latest samples failed"));
    return out;
}

} // namespace doppel
