// SPDX-License-Identifier: GPL-3.0-or-later
#include "SeasonalNaiveModel.h"

#include <algorithm>

namespace doppel::forecast {

SeasonalNaiveModel::SeasonalNaiveModel(const std::vector<double>& y, int period)
    : m_period(std::max(1, std::min(period, int(y.size()))))
{
    m_lastSeason.assign(y.end() - m_period, y.end());
    double ss = 0;
    int n = 0;
    for (size_t t = size_t(m_period); t < y.size(); ++t) {
        const double d = y[t] - y[t - size_t(m_period)];
        ss += d * d;
        ++n;
    }
    m_sigma2 = n > 0 ? ss / n : 0;
    if (n > 2 && m_sigma2 > 0) {
        const double loglik = -0.5 * n * (std::log(2 * M_PI * m_sigma2) + 1);
        m_aicc = -2 * loglik + 2 + 4.0 / (n - 2);
    }
}

QString SeasonalNaiveModel::name() const
{
    return QStringLiteral("SeasonalNaive[%1]").arg(m_period);
}

QJsonObject SeasonalNaiveModel::parameters() const
{
    return {{QStringLiteral("period"), m_period}, {QStringLiteral("sigma2"), m_sigma2}};
}

std::vector<double> SeasonalNaiveModel::pointForecast(int horizon) const
{
    std::vector<double> f(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h)
        f[h] = m_lastSeason[size_t(h % m_period)];
    return f;
}

std::vector<double> SeasonalNaiveModel::analyticVariance(int horizon) const
{
    std::vector<double> v(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h)
        v[h] = m_sigma2 * (h / m_period + 1);
    return v;
}

void SeasonalNaiveModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                                  std::vector<double>& out) const
{
    out.resize(size_t(horizon) * size_t(paths));
    std::normal_distribution<double> noise(0, std::sqrt(m_sigma2));
    std::vector<double> season(m_lastSeason);
    for (int p = 0; p < paths; ++p) {
        season = m_lastSeason;
        for (int h = 0; h < horizon; ++h) {
            double& s = season[size_t(h % m_period)];
            s += m_sigma2 > 0 ? noise(rng) : 0;
            out[size_t(p) * horizon + h] = s;
        }
    }
}

} // namespace doppel::forecast
