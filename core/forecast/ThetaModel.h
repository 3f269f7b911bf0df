// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "EtsModel.h"

namespace doppel::forecast {

// The Theta method as forecast::thetaf: simple exponential smoothing with drift equal to half
// the slope of the linear trend, on data seasonally adjusted by classical multiplicative
// decomposition when the lag-m autocorrelation is significant (90 %). Immutable once fitted;
// any thread.
class ThetaModel final : public ForecastModel
{
public:
    static Result<std::unique_ptr<ThetaModel>> fit(const std::vector<double>& y, int period);

    QString name() const override { return QStringLiteral("Theta"); }
    QString family() const override { return QStringLiteral("theta"); }
    QJsonObject parameters() const override;
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

private:
    ThetaModel() = default;
    double drift(int h) const;
    double seasonAt(int h) const;

    std::unique_ptr<EtsModel> m_ses;
    double m_slope = 0;
    int m_n = 0;
    int m_period = 1;
    std::vector<double> m_index; // multiplicative seasonal index by phase, empty if none
    bool m_multiplicative = true;
};

} // namespace doppel::forecast
