// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThetaModel.h"

#include "Stats.h"

#include <QJsonArray>

#include <algorithm>

namespace doppel::forecast {

Result<std::unique_ptr<ThetaModel>> ThetaModel::fit(const std::vector<double>& y, int period)
{
    const int n = int(y.size());
    std::unique_ptr<ThetaModel> model(new ThetaModel);
    model->m_n = n;
    std::vector<double> x = y;
    if (period > 1 && n > 2 * period) {
        const auto r = autocorrelation(y, period);
        double s = 0;
        for (int k = 1; k < period; ++k)
            s += r[size_t(k)] * r[size_t(k)];
        const double stat = std::sqrt((1 + 2 * s) / n);
        if (std::abs(r[size_t(period)]) / stat > normalQuantile(0.95)) {
            const bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
            auto d = classicalDecompose(y, period, positive);
            if (d) {
                model->m_period = period;
                model->m_multiplicative = positive;
                model->m_index = d->index;
                for (int t = 0; t < n; ++t)
                    x[t] = positive ? y[t] / d->index[size_t(t % period)]
                                    : y[t] - d->index[size_t(t % period)];
            }
        }
    }
    auto ses = EtsModel::fit(x, EtsSpec{EtsError::Additive, EtsTrend::None, EtsSeason::None, 1});
    if (!ses)
        return ses.error();
    model->m_ses = std::move(*ses);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int t = 0; t < n; ++t) {
        sx += t;
        sy += x[t];
        sxx += double(t) * t;
        sxy += t * x[t];
    }
    const double den = n * sxx - sx * sx;
    model->m_slope = den != 0 ? (n * sxy - sx * sy) / den : 0;
    return model;
}

double ThetaModel::drift(int h) const
{
    const double alpha = std::max(1e-10, m_ses->fittedParameters().alpha);
    return 0.5 * m_slope * (h + (1 - std::pow(1 - alpha, m_n)) / alpha);
}

double ThetaModel::seasonAt(int h) const
{
    if (m_index.empty())
        return m_multiplicative ? 1.0 : 0.0;
    return m_index[size_t((m_n + h) % m_period)];
}

QJsonObject ThetaModel::parameters() const
{
    QJsonObject o{{QStringLiteral("alpha"), m_ses->fittedParameters().alpha},
                  {QStringLiteral("l0"), m_ses->fittedParameters().level},
                  {QStringLiteral("drift"), m_slope / 2},
                  {QStringLiteral("sigma2"), m_ses->sigma2()}};
    if (!m_index.empty()) {
        QJsonArray a;
        for (double v : m_index)
            a.append(v);
        o[QStringLiteral("seasonalIndex")] = a;
        o[QStringLiteral("decomposition")] =
            m_multiplicative ? QStringLiteral("multiplicative") : QStringLiteral("additive");
    }
    return o;
}

std::vector<double> ThetaModel::pointForecast(int horizon) const
{
    std::vector<double> f = m_ses->pointForecast(horizon);
    for (int h = 0; h < horizon; ++h) {
        const double v = f[size_t(h)] + drift(h);
        f[size_t(h)] = m_multiplicative ? v * seasonAt(h) : v + seasonAt(h);
    }
    return f;
}

std::vector<double> ThetaModel::analyticVariance(int horizon) const
{
    std::vector<double> v = m_ses->analyticVariance(horizon);
    if (m_multiplicative)
        for (int h = 0; h < horizon; ++h)
            v[size_t(h)] *= seasonAt(h) * seasonAt(h);
    return v;
}

void ThetaModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                          std::vector<double>& out) const
{
    m_ses->simulate(horizon, paths, rng, out);
    for (int p = 0; p < paths; ++p)
        for (int h = 0; h < horizon; ++h) {
            double& v = out[size_t(p) * size_t(horizon) + size_t(h)];
            v += drift(h);
            v = m_multiplicative ? v * seasonAt(h) : v + seasonAt(h);
        }
}

} // namespace doppel::forecast
