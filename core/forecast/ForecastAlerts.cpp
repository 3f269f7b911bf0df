// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastAlerts.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace doppel::forecast {

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
               .toString(QStringLiteral("yyyy-MM-dd HH:mm")) +
           QStringLiteral(" UTC");
}

bool thresholdApplies(const ForecastThreshold& threshold, const QString& host,
                      const QString& metric)
{
    return threshold.metric == metric && (threshold.host.isEmpty() || threshold.host == host);
}

ThresholdVerdict evaluateThreshold(const ForecastThreshold& threshold, const FitResult& fit)
{
    ThresholdVerdict v;
    if (!fit.breach)
        return v;
    const BreachEstimate& b = *fit.breach;
    v.probability = b.alreadyAbove ? 1.0 : b.probability;
    v.raised = v.probability >= threshold.probability;
    if (b.alreadyAbove) {
        v.expectedMs = v.lowerMs = v.upperMs = fit.lastObservationMs;
    } else if (b.expectedStep) {
        v.expectedMs = stepToTime(fit, *b.expectedStep);
        v.lowerMs = stepToTime(fit, *b.lowerStep);
        v.upperMs = stepToTime(fit, *b.upperStep);
    }
    return v;
}

Event thresholdEvent(const ForecastThreshold& threshold, const QString& host, const FitResult& fit,
                     const ThresholdVerdict& verdict)
{
    QString when;
    if (fit.breach && fit.breach->alreadyAbove)
        when = QStringLiteral("it is already %1 (last value %2)")
                   .arg(threshold.below ? QStringLiteral("below") : QStringLiteral("above"))
                   .arg(fit.lastValue, 0, 'g', 6);
    else if (verdict.expectedMs)
        when = QStringLiteral("expected crossing %1 (80 % interval %2 to %3)")
                   .arg(formatTime(*verdict.expectedMs), formatTime(*verdict.lowerMs),
                        formatTime(*verdict.upperMs));
    Event e;
    e.timestampMs = QDateTime::currentMSecsSinceEpoch();
    e.severity = Severity::Warning;
    e.source = QStringLiteral("forecast");
    e.host = host;
    e.message = QStringLiteral("Recommendation: %1 is forecast to %11 %2 within %3 with "
                               "probability %4 % (threshold #%5 asks for ≥ %6 %); %7. Model %8, "
                               "%9 points of %10.")
                    .arg(threshold.metric)
                    .arg(threshold.value, 0, 'g', 6)
                    .arg(horizonName(threshold.horizonMs))
                    .arg(verdict.probability * 100, 0, 'f', 0)
                    .arg(threshold.id)
                    .arg(threshold.probability * 100, 0, 'f', 0)
                    .arg(when, fit.forecast.model)
                    .arg(fit.points)
                    .arg(horizonName(fit.forecast.stepMs))
                    .arg(threshold.below ? QStringLiteral("fall below") : QStringLiteral("exceed"));
    return e;
}

std::vector<LimitCheck> limitChecks(const QHash<QString, double>& latest)
{
    std::vector<LimitCheck> out;
    const auto has = [&](const char* m) { return latest.contains(QLatin1String(m)); };
    const auto at = [&](const char* m) { return latest.value(QLatin1String(m)); };
    if (has("pg_connections_total") && has("pg_max_connections") && at("pg_max_connections") > 0)
        // Integers: reaching max_connections is the breach, hence the half.
        out.push_back({QStringLiteral("connections"), QStringLiteral("pg_connections_total"),
                       at("pg_max_connections") - 0.5,
                       QStringLiteral("client connections reach max_connections = %1")
                           .arg(at("pg_max_connections"))});
    if (has("pg_db_size_bytes") && has("disk_free_bytes"))
        out.push_back({QStringLiteral("disk-db-growth"), QStringLiteral("pg_db_size_bytes"),
                       at("pg_db_size_bytes") + at("disk_free_bytes"),
                       QStringLiteral("database growth uses up the %1 GiB free on the disk")
                           .arg(at("disk_free_bytes") / 1073741824.0, 0, 'f', 2)});
    if (has("pg_xid_age")) {
        out.push_back({QStringLiteral("xid-wraparound"), QStringLiteral("pg_xid_age"),
                       XidWraparound,
                       QStringLiteral("transaction ID age reaches wraparound at 2^31; "
                                      "autovacuum forces a freeze from %1 (default "
                                      "autovacuum_freeze_max_age)")
                           .arg(XidFreezeDefault, 0, 'f', 0)});
        out.push_back({QStringLiteral("xid-freeze"), QStringLiteral("pg_xid_age"), XidFreezeDefault,
                       QStringLiteral("transaction ID age reaches autovacuum's forced freeze "
                                      "limit (autovacuum_freeze_max_age, default 200M)")});
    }
    if (has("pg_wal_retained_bytes") && has("disk_free_bytes"))
        out.push_back({QStringLiteral("disk-wal"), QStringLiteral("pg_wal_retained_bytes"),
                       at("pg_wal_retained_bytes") + at("disk_free_bytes"),
                       QStringLiteral("WAL retained by replication slots uses up the %1 GiB "
                                      "free on the disk")
                           .arg(at("disk_free_bytes") / 1073741824.0, 0, 'f', 2)});
    return out;
}

LimitForecast limitForecast(const QString& host, const LimitCheck& check, const FitResult& fit)
{
    LimitForecast l;
    l.host = host;
    l.name = check.name;
    l.metric = check.metric;
    l.limitValue = check.limitValue;
    l.evaluatedAtMs = fit.forecast.fittedAtMs;
    // The steps cover the horizon rounded up, or less when the history was too short for it.
    l.horizonMs = std::min(LimitHorizonMs, fit.forecast.stepMs * qint64(fit.forecast.mean.size()));
    ForecastThreshold t;
    t.metric = check.metric;
    t.value = check.limitValue;
    t.horizonMs = l.horizonMs;
    t.probability = LimitAlertProbability;
    const ThresholdVerdict v = evaluateThreshold(t, fit);
    l.probability = v.probability;
    l.expectedMs = v.expectedMs;
    l.lowerMs = v.lowerMs;
    l.upperMs = v.upperMs;
    l.detail = check.detail;
    if (fit.breach && fit.breach->alreadyAbove)
        l.detail +=
            QStringLiteral("; already reached (last value %1)").arg(fit.lastValue, 0, 'g', 6);
    else if (!l.expectedMs)
        l.detail += QStringLiteral("; no breach in any simulated path within %1")
                        .arg(horizonName(l.horizonMs));
    return l;
}

Event limitEvent(const LimitForecast& l)
{
    Event e;
    e.timestampMs = QDateTime::currentMSecsSinceEpoch();
    e.severity = l.probability >= 0.95 ? Severity::Error : Severity::Warning;
    e.source = QStringLiteral("forecast");
    e.host = l.host;
    e.message = QStringLiteral("Recommendation: %1 — breach within %2 with probability %3 %")
                    .arg(l.detail, horizonName(l.horizonMs))
                    .arg(l.probability * 100, 0, 'f', 0);
    if (l.expectedMs)
        e.message +=
            QStringLiteral(", expected %1 (80 % interval %2 to %3)")
                .arg(formatTime(*l.expectedMs), formatTime(*l.lowerMs), formatTime(*l.upperMs));
    e.message += QLatin1Char('.');
    return e;
}

} // namespace doppel::forecast
