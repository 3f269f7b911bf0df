// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"
#include "common/Result.h"

namespace doppel::forecast {

// Long and multiple seasonalities (288 and 2016 five-minute points): each season is a Fourier
// series whose number of harmonics is chosen by AICc in one least-squares regression with a
// linear trend; the seasonally adjusted series is forecast by a non-seasonal AutoETS or
// AutoARIMA, and the seasonal terms are extrapolated. Model state is immutable after fit.
class MstlModel final : public ForecastModel
{
public:
    enum class Adjusted { Ets, Arima };
    static Result<std::unique_ptr<MstlModel>> fit(const std::vector<double>& y,
                                                  const std::vector<int>& periods,
                                                  Adjusted adjusted = Adjusted::Ets);

    QString name() const override;
    QString family() const override { return QStringLiteral("mstl"); }
    QJsonObject parameters() const override;
    double aicc() const override { return m_inner->aicc(); }
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

private:
    MstlModel() = default;
    double seasonal(long t) const;

    std::vector<int> m_periods;
    std::vector<int> m_harmonics;
    std::vector<double> m_coef; // sin, cos per harmonic per period, in that order
    int m_n = 0;
    ModelPtr m_inner;
};

} // namespace doppel::forecast
