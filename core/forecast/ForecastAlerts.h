// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastFit.h"
#include "store/ForecastRecords.h"
#include "store/Repository.h"

#include <QHash>

namespace doppel::forecast {

// What turns forecasts into recommendations: the user's thresholds and the built-in PostgreSQL
// limits that cause outages. Pure functions: any thread may call them.

// The threshold's verdict on a fit made with threshold.value as the threshold: raised when the
// breach probability within the horizon reaches the threshold's probability.
struct ThresholdVerdict
{
    bool raised = false;
    double probability = 0;
    std::optional<qint64> expectedMs, lowerMs, upperMs; // first crossing, 80 % interval
};
ThresholdVerdict evaluateThreshold(const ForecastThreshold& threshold, const FitResult& fit);
bool thresholdApplies(const ForecastThreshold& threshold, const QString& host,
                      const QString& metric);

// The recommendation event (source "forecast", warning) with the evidence.
Event thresholdEvent(const ForecastThreshold& threshold, const QString& host, const FitResult& fit,
                     const ThresholdVerdict& verdict);

// How far ahead the built-in limits look, and the probability from which they raise an event.
constexpr qint64 LimitHorizonMs = 30 * DayMs;
constexpr double LimitAlertProbability = 0.5;
constexpr double XidWraparound = 2147483648.0;   // 2^31
constexpr double XidFreezeDefault = 200'000'000; // autovacuum_freeze_max_age's default

// One built-in limit to check on a host: forecast `metric` against `limitValue`.
struct LimitCheck
{
    QString name;
    QString metric;
    double limitValue = 0;
    QString detail; // what the limit is, for the DBA
};

// The limits that can be checked from the host's latest samples (metric -> last value): those
// whose inputs were never collected are left out.
std::vector<LimitCheck> limitChecks(const QHash<QString, double>& latest);

// The limit's time to breach from a fit made with check.limitValue as the threshold.
LimitForecast limitForecast(const QString& host, const LimitCheck& check, const FitResult& fit);
Event limitEvent(const LimitForecast& limit);

QString formatTime(qint64 ms); // "2026-11-24 13:05 UTC"

} // namespace doppel::forecast
