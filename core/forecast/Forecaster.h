// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"
#include "common/Result.h"

#include <QJsonArray>
#include <QStringList>

#include <optional>

namespace doppel::forecast {

struct ForecastOptions
{
    int horizon = 1;
    QString model = QStringLiteral("auto"); // auto|ets|arima|mstl|theta|naive|snaive
    bool detectSeasons = true;              // --season auto
    std::vector<int> seasons;               // used when detectSeasons is false; empty = none
    std::vector<double> levels{80, 95};
    std::optional<double> threshold;
    bool thresholdBelow = false; // the risk of falling under the threshold (free disk, hit ratio)
    bool robust = false;         // replace isolated outliers by a running median before fitting
    int paths = 5000; // sample paths for threshold risk and models without closed-form variance
    unsigned long long seed = 20261123;
};

struct ForecastBand
{
    double level = 0;
    std::vector<double> lower, upper;
};

// Probability of crossing the threshold (exceeding it, or falling under it for a floor) at any
// step within the horizon, from sample paths, and the first-crossing step among the paths that
// cross (mean, median, 80 % interval).
struct BreachEstimate
{
    double threshold = 0;
    bool below = false; // the threshold is a floor
    double probability = 0;
    int paths = 0;
    bool alreadyAbove = false; // the last value is already past the threshold (either way)
    std::optional<double> expectedStep, medianStep, lowerStep, upperStep;
};

struct ForecastReport
{
    QString model;  // "ETS(M,Ad,M)"
    QString family; // ets, arima, theta, mstl, naive, snaive
    QJsonObject parameters;
    double aicc = std::numeric_limits<double>::quiet_NaN();
    std::vector<int> seasons;
    QString seasonReason;
    QString reason;         // why this model
    QString intervalMethod; // "analytic" or "simulated (N paths)"
    std::vector<double> mean;
    std::vector<ForecastBand> bands;
    std::optional<BreachEstimate> breach;
    QJsonArray candidates; // cross-validation scores when `auto` compared models
    QStringList notes;
};

// Fits and forecasts one regular series (see Series.h). Reentrant: call from any thread; the
// forecast service runs many at once.
Result<ForecastReport> forecastSeries(const std::vector<double>& y, long long stepMs,
                                      const ForecastOptions& options);

// One model family fitted to a series with the given seasons (internal to the engine and the
// benchmark): ets, arima, theta, mstl, mstl-arima, naive, snaive.
// `quick` skips refinements that rarely change point forecasts (ARIMA's exact likelihood), for
// cross-validation refits.
Result<ModelPtr> fitFamily(const QString& family, const std::vector<double>& y,
                           const std::vector<int>& seasons, QStringList* notes = nullptr,
                           bool quick = false);

// Rolling-origin cross-validation among families; returns the winner and fills `reason`.
struct Selection
{
    QString family;
    QString reason;
    QJsonArray scores;
};
Selection selectByCrossValidation(const std::vector<double>& y, const std::vector<int>& seasons,
                                  int horizon, const QStringList& families);

// Robust option: points further than 5 robust standard deviations (1.4826 · MAD) from the
// running median of 7 are replaced by that median; returns how many were replaced.
int replaceOutliers(std::vector<double>& y);

// `below`: the threshold is a floor, crossed by going under it.
BreachEstimate estimateBreach(const std::vector<double>& paths, int horizon, double threshold,
                              double lastValue, bool below = false);

} // namespace doppel::forecast
