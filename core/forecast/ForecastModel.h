// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <vector>

namespace doppel::forecast {

// A model fitted to one series. Immutable after fitting: const members may be called from any
// thread at once (simulation takes the caller's random generator).
class ForecastModel
{
public:
    virtual ~ForecastModel() = default;

    virtual QString name() const = 0;   // e.g. "ETS(A,Ad,N)", "ARIMA(1,1,1)(0,1,1)[12]"
    virtual QString family() const = 0; // ets, arima, theta, mstl, naive, snaive
    virtual QJsonObject parameters() const = 0;
    virtual double aicc() const { return std::numeric_limits<double>::quiet_NaN(); }
    virtual std::vector<double> pointForecast(int horizon) const = 0;
    // Per-step forecast variance when the model has a closed form; empty when it has none and
    // intervals come from sample paths.
    virtual std::vector<double> analyticVariance(int /*horizon*/) const { return {}; }
    // `paths` sample paths of length `horizon`, row-major (path p, step h at p * horizon + h).
    virtual void simulate(int horizon, int paths, std::mt19937_64& rng,
                          std::vector<double>& out) const = 0;
};

using ModelPtr = std::unique_ptr<ForecastModel>;

} // namespace doppel::forecast
