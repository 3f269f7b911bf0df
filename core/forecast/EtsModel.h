// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastModel.h"
#include "common/Result.h"

namespace doppel::forecast {

enum class EtsError { Additive, Multiplicative };
enum class EtsTrend { None, Additive, Damped };
enum class EtsSeason { None, Additive, Multiplicative };

struct EtsSpec
{
    EtsError error = EtsError::Additive;
    EtsTrend trend = EtsTrend::None;
    EtsSeason season = EtsSeason::None;
    int period = 1;
    QString code() const; // "A,Ad,M"
};

// Smoothing parameters in the state-space form of Hyndman et al. (2008), as forecast::ets
// reports them (beta < alpha, gamma < 1 - alpha), and the initial states. `season[k]` is the
// initial effect of phase k, where the phase of observation t is t mod period.
struct EtsParameters
{
    double alpha = 0.5;
    double beta = 0;
    double gamma = 0;
    double phi = 1;
    double level = 0;
    double slope = 0;
    std::vector<double> season;
};

// Exponential smoothing in the innovations state-space framework (error A/M, trend N/A/Ad,
// season N/A/M), fitted by maximum likelihood under the usual and admissible constraints.
// Immutable once fitted: any thread may forecast or simulate from it.
class EtsModel final : public ForecastModel
{
public:
    static Result<std::unique_ptr<EtsModel>> fit(const std::vector<double>& y, const EtsSpec& spec);
    // All admissible specifications for the data, chosen by AICc (forecast::ets' defaults: no
    // multiplicative trend, no multiplicative season with additive error, seasons up to 24).
    // Seasonal candidates are ranked with their initial seasonal states fixed; the winner is
    // then refitted with all states optimised.
    static Result<std::unique_ptr<EtsModel>> autoFit(const std::vector<double>& y, int period);
    // A model with given parameters (known-answer tests).
    static std::unique_ptr<EtsModel> withParameters(const std::vector<double>& y,
                                                    const EtsSpec& spec, const EtsParameters& p);

    QString name() const override { return QStringLiteral("ETS(%1)").arg(m_spec.code()); }
    QString family() const override { return QStringLiteral("ets"); }
    QJsonObject parameters() const override;
    double aicc() const override { return m_aicc; }
    std::vector<double> pointForecast(int horizon) const override;
    std::vector<double> analyticVariance(int horizon) const override;
    void simulate(int horizon, int paths, std::mt19937_64& rng,
                  std::vector<double>& out) const override;

    const EtsSpec& spec() const { return m_spec; }
    const EtsParameters& fittedParameters() const { return m_params; }
    const std::vector<double>& fitted() const { return m_fitted; } // one-step-ahead
    double sigma2() const { return m_sigma2; }
    double logLikelihood() const { return m_loglik; }

private:
    EtsModel() = default;
    // With optimiseSeasonStates false the initial seasonal states stay at their decomposition
    // values: an order of magnitude fewer dimensions, used to rank specifications.
    // `start`, when given, seeds the smoothing parameters and level/slope (a previous fit).
    static Result<std::unique_ptr<EtsModel>> fit(const std::vector<double>& y, const EtsSpec& spec,
                                                 bool optimiseSeasonStates,
                                                 const EtsParameters* start = nullptr);
    void finish(const std::vector<double>& y, int parameterCount);

    EtsSpec m_spec;
    EtsParameters m_params;
    std::vector<double> m_fitted;
    double m_level = 0, m_slope = 0; // states after the last observation
    std::vector<double> m_ring;      // seasonal states by phase
    int m_n = 0;
    double m_sigma2 = 0, m_loglik = 0;
    double m_aicc = std::numeric_limits<double>::quiet_NaN();
};

} // namespace doppel::forecast
