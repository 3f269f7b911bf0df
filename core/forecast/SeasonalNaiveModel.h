// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"

namespace doppel::forecast {

// The value one season ago carried forward; variance grows with whole seasons elapsed. Any
// thread.
class SeasonalNaiveModel final : public ForecastModel
{
public:
    SeasonalNaiveModel(const std::vector<double>& y, int period);
    QString name() const override;
    QString family() const override { return QStringLiteral("snaive"); }
    QJsonObject parameters() const override;
    double aicc() const override { return m_aicc; }
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

private:
    std::vector<double> m_lastSeason;
    int m_period = 1;
    double m_sigma2 = 0;
    double m_aicc = std::numeric_limits<double>::quiet_NaN();
};

} // namespace doppel::forecast
