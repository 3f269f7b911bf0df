// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Forecaster.h"
#include "Series.h"
#include "common/Result.h"
#include "metrics/MetricSample.h"
#include "store/ForecastRecords.h"

#include <optional>

namespace doppel::forecast {

// The product's forecasts of one repository metric at one horizon (1 h, 1 day, 1 week): the
// samples are averaged onto a step coarse enough that the horizon stays a few hundred steps,
// the model is chosen automatically, and its accuracy is measured on a held-out tail.
// Pure functions: any thread may call them (the forecast service runs many at once).

constexpr qint64 HourMs = 3'600'000;
constexpr qint64 DayMs = 24 * HourMs;
constexpr qint64 WeekMs = 7 * DayMs;

// "1h", "1d", "1w" or any duration such as "3d" / "90m".
Result<qint64> parseHorizon(const QString& text);
QString horizonName(qint64 ms); // "1 h", "1 day", "1 week", "3 days", "90 min"

// At most this many steps ahead and this many points of history go into one fit.
constexpr int MaxHorizonSteps = 1000;
constexpr int TargetHorizonSteps = 288;
constexpr int MaxHistoryPoints = 4032;

// The regular series of `samples` averaged onto the step chosen for `horizonMs`, ending at the
// last observation; `horizonSteps` receives how many steps cover the horizon (capped at
// MaxHorizonSteps, with a note in the series when that shortens it).
Result<Series> seriesForHorizon(const MetricSamples& samples, qint64 horizonMs, int* horizonSteps);

struct FitResult
{
    StoredForecast forecast;
    std::optional<BreachEstimate> breach; // when a threshold was given
    qint64 lastObservationMs = 0;
    double lastValue = 0;
    int points = 0; // history points the model saw
    QStringList notes;
};

// Fits `samples` (one metric of one host) for `horizonMs`; with `threshold`, also the risk of
// crossing it within the horizon from the engine's sample paths (exceeding it, or falling under
// it with `thresholdBelow`).
Result<FitResult> fitMetric(const QString& host, const QString& metric,
                            const MetricSamples& samples, qint64 horizonMs,
                            std::optional<double> threshold = std::nullopt, qint64 fittedAtMs = 0,
                            bool thresholdBelow = false);

// Breach step (1-based, possibly fractional) to a timestamp on the fitted series' grid.
inline qint64 stepToTime(const FitResult& fit, double step)
{
    return fit.lastObservationMs + qint64(step * double(fit.forecast.stepMs));
}

} // namespace doppel::forecast
