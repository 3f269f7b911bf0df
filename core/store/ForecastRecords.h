// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <limits>
#include <optional>
#include <vector>

namespace doppel {

// One fit of the forecast service as the repository keeps it: the forecast starts at `startMs`
// (one step after the last observation) with one point per `stepMs`.
struct StoredForecast
{
    QString host;
    QString metric;
    qint64 horizonMs = 0; // the horizon asked for: 1 h, 1 day or 1 week
    qint64 fittedAtMs = 0;
    QString model;
    QString reason;
    double accuracyMase = std::numeric_limits<double>::quiet_NaN(); // hold-out MASE, NaN if none
    qint64 startMs = 0;
    qint64 stepMs = 0;
    std::vector<double> mean, lo80, hi80, lo95, hi95;
};

// "metric > value within horizon with at least probability", for one host or (empty) all.
struct ForecastThreshold
{
    qint64 id = 0;
    QString host;
    QString metric;
    double value = 0;
    qint64 horizonMs = 0;
    double probability = 0.8; // 0 < p <= 1
    bool below = false;       // a floor (free disk, cache hit ratio): crossed by going under it
    qint64 createdMs = 0;     // when it was added; 0 when unknown (added before schema 6)
};

// Time to breach of one PostgreSQL limit, such as connections against max_connections.
struct LimitForecast
{
    QString host;
    QString name;   // connections, disk-db-growth, xid-wraparound, xid-freeze, disk-wal
    QString metric; // the metric forecast
    double limitValue = 0;
    qint64 evaluatedAtMs = 0;
    qint64 horizonMs = 0;
    double probability = 0;                             // of breaching within the horizon
    std::optional<qint64> expectedMs, lowerMs, upperMs; // breach date and its 80 % interval
    QString detail;
};

} // namespace doppel
