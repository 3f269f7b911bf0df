// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"
#include "common/Result.h"

namespace doppel::forecast {

struct ArimaOrder
{
    int p = 0, d = 0, q = 0;
    int P = 0, D = 0, Q = 0;
    int period = 1;
    bool constant = false; // mean of the differenced series (a drift when d + D = 1)
    QString code() const;  // "ARIMA(1,1,1)(0,1,1)[12] with drift"
    bool operator==(const ArimaOrder&) const = default;
};

// Seasonal ARIMA fitted by conditional sum of squares, then by exact maximum likelihood
// (Nelder–Mead, stationarity and invertibility enforced), forecast with ψ-weight variances.
// Immutable once fitted: any thread may forecast or simulate from it.
class ArimaModel final : public ForecastModel
{
public:
    // `conditioning` fixes how many differenced points start the CSS recursion so that models
    // compared by AICc use the same observations; 0 means "as few as this order needs".
    // `exact` refines the CSS estimate by maximising the exact likelihood (Kalman filter), as
    // R's method = "CSS-ML"; the stepwise search compares CSS fits and refines only the winner.
    static Result<std::unique_ptr<ArimaModel>> fit(const std::vector<double>& y,
                                                   const ArimaOrder& order, int conditioning = 0,
                                                   bool exact = true);
    // Hyndman–Khandakar: KPSS for d, seasonal strength for D, then a stepwise search on AICc.
    // `exact` as in fit(), for the chosen order; cross-validation skips it for speed.
    static Result<std::unique_ptr<ArimaModel>> autoFit(const std::vector<double>& y, int period,
                                                       bool exact = true);

    QString name() const override { return m_order.code(); }
    QString family() const override { return QStringLiteral("arima"); }
    QJsonObject parameters() const override;
    double aicc() const override { return m_aicc; }
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

    const ArimaOrder& order() const { return m_order; }
    const std::vector<double>& ar() const { return m_phi; }
    const std::vector<double>& ma() const { return m_theta; }
    const std::vector<double>& seasonalAr() const { return m_sphi; }
    const std::vector<double>& seasonalMa() const { return m_stheta; }
    double mean() const { return m_mu; }
    double sigma2() const { return m_sigma2; }

private:
    ArimaModel() = default;
    // Forecasts the differenced series from its history with the given future innovations.
    void runForward(int horizon, const double* innovations, double* out) const;

    ArimaOrder m_order;
    std::vector<double> m_phi, m_theta, m_sphi, m_stheta;
    double m_mu = 0;
    std::vector<double> m_arFull, m_maFull; // expanded: w_t = Σ a_k w_{t-k} + e_t + Σ b_k e_{t-k}
    std::vector<double> m_delta;            // differencing polynomial 1 + Σ δ_i B^i
    std::vector<double> m_w, m_e, m_y;      // history tails
    double m_sigma2 = 0, m_loglik = 0;
    double m_aicc = std::numeric_limits<double>::quiet_NaN();
    int m_used = 0;
    bool m_exact = false; // exact likelihood refined the CSS estimate
};

} // namespace doppel::forecast
