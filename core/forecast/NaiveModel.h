// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"

namespace doppel::forecast {

// Random walk: the last value carried forward, variance h·σ² from one-step differences.
// Also the fallback for constant and very short series (σ = 0 when constant). Any thread.
class NaiveModel final : public ForecastModel
{
public:
    explicit NaiveModel(const std::vector<double>& y);
    QString name() const override { return QStringLiteral("Naive"); }
    QString family() const override { return QStringLiteral("naive"); }
    QJsonObject parameters() const override;
    double aicc() const override { return m_aicc; }
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

private:
    double m_last = 0;
    double m_sigma2 = 0;
    double m_aicc = std::numeric_limits<double>::quiet_NaN();
};

} // namespace doppel::forecast
