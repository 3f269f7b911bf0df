// SPDX-License-Identifier: GPL-3.0-or-later
#include "NaiveModel.h"

namespace doppel::forecast {

NaiveModel::NaiveModel(const std::vector<double>& y)
{
    m_last = y.empty() ? 0 : y.back();
    double ss = 0;
    int n = 0;
    for (size_t t = 1; t < y.size(); ++t) {
        const double d = y[t] - y[t - 1];
        ss += d * d;
        ++n;
    }
    m_sigma2 = n > 0 ? ss / n : 0;
    if (n > 2 && m_sigma2 > 0) {
        const double loglik = -0.5 * n * (std::log(2 * M_PI * m_sigma2) + 1);
        const int k = 1;
        m_aicc = -2 * loglik + 2 * k + 2.0 * k * (k + 1) / (n - k - 1);
    }
}

QJsonObject NaiveModel::parameters() const
{
    return {{QStringLiteral("last"), m_last}, {QStringLiteral("sigma2"), m_sigma2}};
}

std::vector<double> NaiveModel::pointForecast(int horizon) const
{
    return std::vector<double>(size_t(horizon), m_last);
}

std::vector<double> NaiveModel::analyticVariance(int horizon) const
{
    std::vector<double> v(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h)
        v[h] = m_sigma2 * (h + 1);
    return v;
}

void NaiveModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                          std::vector<double>& out) const
{
    out.resize(size_t(horizon) * size_t(paths));
    std::normal_distribution<double> noise(0, std::sqrt(m_sigma2));
    for (int p = 0; p < paths; ++p) {
        double y = m_last;
        for (int h = 0; h < horizon; ++h) {
            y += m_sigma2 > 0 ? noise(rng) : 0;
            out[size_t(p) * horizon + h] = y;
        }
    }
}

} // namespace doppel::forecast
