// SPDX-License-Identifier: GPL-3.0-or-later
#include "ArimaModel.h"

#include "ArimaLikelihood.h"
#include "NelderMead.h"
#include "Stats.h"

#include <QJsonArray>

#include <algorithm>

namespace doppel::forecast {

QString ArimaOrder::code() const
{
    QString s = QStringLiteral("ARIMA(%1,%2,%3)").arg(p).arg(d).arg(q);
    if (period > 1 && (P || D || Q))
        s += QStringLiteral("(%1,%2,%3)[%4]").arg(P).arg(D).arg(Q).arg(period);
    if (constant)
        s += d + D == 0 ? QStringLiteral(" with mean") : QStringLiteral(" with drift");
    return s;
}

namespace {

using Poly = std::vector<double>; // coefficients of B^0, B^1, ...

Poly multiply(const Poly& a, const Poly& b)
{
    Poly r(a.size() + b.size() - 1, 0.0);
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < b.size(); ++j)
            r[i + j] += a[i] * b[j];
    return r;
}

// 1 - Σ c_i B^(i·lag) (sign -1, AR) or 1 + Σ c_i B^(i·lag) (sign +1, MA).
Poly lagPoly(const std::vector<double>& c, int lag, double sign)
{
    Poly r(c.size() * size_t(lag) + 1, 0.0);
    r[0] = 1;
    for (size_t i = 0; i < c.size(); ++i)
        r[(i + 1) * size_t(lag)] = sign * c[i];
    return r;
}

// All roots of 1 - Σ c_i z^i outside the unit circle (with a margin).
bool rootsOutside(const std::vector<double>& c)
{
    if (c.empty())
        return true;
    // z^p - c_1 z^(p-1) - ... - c_p, whose roots are the reciprocals of 1 - Σ c_i z^i's.
    std::vector<double> poly(c.size() + 1);
    poly.back() = 1;
    for (size_t i = 0; i < c.size(); ++i)
        poly[c.size() - 1 - i] = -c[i];
    return rootsInsideUnitCircle(std::move(poly), 1e-3);
}

std::vector<double> negate(const std::vector<double>& c)
{
    std::vector<double> r(c);
    for (double& v : r)
        v = -v;
    return r;
}

struct Expanded
{
    std::vector<double> a, b; // a_k, b_k for k = 1..
};

Expanded expand(const std::vector<double>& phi, const std::vector<double>& theta,
                const std::vector<double>& sphi, const std::vector<double>& stheta, int m)
{
    const Poly ar = multiply(lagPoly(phi, 1, -1), lagPoly(sphi, m, -1));
    const Poly ma = multiply(lagPoly(theta, 1, 1), lagPoly(stheta, m, 1));
    Expanded x;
    for (size_t k = 1; k < ar.size(); ++k)
        x.a.push_back(-ar[k]);
    for (size_t k = 1; k < ma.size(); ++k)
        x.b.push_back(ma[k]);
    return x;
}

double css(const std::vector<double>& w, double mu, const Expanded& x, int start,
           std::vector<double>* residuals)
{
    const int n = int(w.size());
    std::vector<double> local;
    std::vector<double>& e = residuals ? *residuals : local;
    e.assign(w.size(), 0.0);
    // Seasonal expansions are mostly zeros: loop over the non-zero lags only.
    std::vector<std::pair<int, double>> ar, ma;
    for (size_t k = 0; k < x.a.size(); ++k)
        if (x.a[k] != 0)
            ar.emplace_back(int(k) + 1, x.a[k]);
    for (size_t k = 0; k < x.b.size(); ++k)
        if (x.b[k] != 0)
            ma.emplace_back(int(k) + 1, x.b[k]);
    double sse = 0;
    for (int t = start; t < n; ++t) {
        double v = w[size_t(t)] - mu;
        for (const auto& [lag, c] : ar)
            if (lag <= t)
                v -= c * (w[size_t(t - lag)] - mu);
        for (const auto& [lag, c] : ma)
            if (lag <= t)
                v -= c * e[size_t(t - lag)];
        e[size_t(t)] = v;
        sse += v * v;
    }
    return sse;
}

} // namespace

Result<std::unique_ptr<ArimaModel>> ArimaModel::fit(const std::vector<double>& y,
                                                    const ArimaOrder& orderIn, int conditioning,
                                                    bool exact)
{
    ArimaOrder order = orderIn;
    const int m = std::max(1, order.period);
    if (m == 1)
        order.P = order.D = order.Q = 0;
    std::vector<double> w = y;
    for (int i = 0; i < order.d; ++i)
        w = difference(w, 1);
    for (int i = 0; i < order.D; ++i)
        w = difference(w, m);
    if (order.d + order.D > 1)
        order.constant = false;
    const int own = order.p + m * order.P;
    const int start = std::max(own, conditioning);
    const int k = order.p + order.q + order.P + order.Q + (order.constant ? 1 : 0) + 1;
    const int used = int(w.size()) - start;
    if (used < k + 5)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 needs more data than %2 points").arg(order.code()).arg(y.size()));
    const double wMean = forecast::mean(w);
    std::vector<double> x0(size_t(k - 1), 0.0), lo(size_t(k - 1), -1.5), hi(size_t(k - 1), 1.5);
    if (order.constant) {
        const double sd = std::sqrt(std::max(variance(w), 1e-300));
        x0.back() = wMean;
        lo.back() = wMean - 10 * sd;
        hi.back() = wMean + 10 * sd;
    }
    auto unpack = [&](const std::vector<double>& v, std::vector<double>& phi,
                      std::vector<double>& theta, std::vector<double>& sphi,
                      std::vector<double>& stheta, double& mu) {
        size_t i = 0;
        phi.assign(v.begin(), v.begin() + order.p), i += size_t(order.p);
        theta.assign(v.begin() + long(i), v.begin() + long(i) + order.q), i += size_t(order.q);
        sphi.assign(v.begin() + long(i), v.begin() + long(i) + order.P), i += size_t(order.P);
        stheta.assign(v.begin() + long(i), v.begin() + long(i) + order.Q), i += size_t(order.Q);
        mu = order.constant ? v[i] : 0.0;
    };
    const double inf = std::numeric_limits<double>::infinity();
    auto objective = [&](const std::vector<double>& v) {
        std::vector<double> phi, theta, sphi, stheta;
        double mu;
        unpack(v, phi, theta, sphi, stheta, mu);
        if (!rootsOutside(phi) || !rootsOutside(sphi) || !rootsOutside(negate(theta)) ||
            !rootsOutside(negate(stheta)))
            return inf;
        const double sse = css(w, mu, expand(phi, theta, sphi, stheta, m), start, nullptr);
        return sse > 0 && std::isfinite(sse) ? 0.5 * std::log(sse / used) : inf;
    };
    auto best = nelderMead(objective, x0, lo, hi, 200 * k + 200, 1e-9);
    if (k > 2)
        best = nelderMead(objective, best.x, lo, hi, 100 * k + 100, 1e-10);
    if (best.value >= std::numeric_limits<double>::max() / 2)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1: no stationary and invertible fit").arg(order.code()));
    // CSS-ML: from the CSS optimum, maximise the exact likelihood. Kept only if it is finite
    // (the filter's state grows with the seasonal lags, so very long seasons stay on CSS).
    double exactLoglik = std::numeric_limits<double>::quiet_NaN(), exactSigma2 = 0;
    const int stateSize = std::max(order.p + m * order.P, order.q + m * order.Q + 1);
    if (exact && stateSize <= 40) {
        auto negLoglik = [&](const std::vector<double>& v) {
            std::vector<double> phi, theta, sphi, stheta;
            double mu;
            unpack(v, phi, theta, sphi, stheta, mu);
            if (!rootsOutside(phi) || !rootsOutside(sphi) || !rootsOutside(negate(theta)) ||
                !rootsOutside(negate(stheta)))
                return inf;
            const Expanded x = expand(phi, theta, sphi, stheta, m);
            const double ll = armaExactLogLikelihood(w, mu, x.a, x.b, nullptr);
            return std::isfinite(ll) ? -ll : inf;
        };
        auto ml = nelderMead(negLoglik, best.x, lo, hi, 100 * k + 100, 1e-10);
        if (ml.value < std::numeric_limits<double>::max() / 2) {
            std::vector<double> phi, theta, sphi, stheta;
            double mu;
            unpack(ml.x, phi, theta, sphi, stheta, mu);
            const Expanded x = expand(phi, theta, sphi, stheta, m);
            exactLoglik = armaExactLogLikelihood(w, mu, x.a, x.b, &exactSigma2);
            if (std::isfinite(exactLoglik))
                best = ml;
        }
    }
    std::unique_ptr<ArimaModel> model(new ArimaModel);
    model->m_order = order;
    unpack(best.x, model->m_phi, model->m_theta, model->m_sphi, model->m_stheta, model->m_mu);
    const Expanded x = expand(model->m_phi, model->m_theta, model->m_sphi, model->m_stheta, m);
    model->m_arFull = x.a;
    model->m_maFull = x.b;
    std::vector<double> e;
    const double sse = css(w, model->m_mu, x, start, &e);
    model->m_used = used;
    model->m_sigma2 = sse / std::max(1, used - (k - 1));
    const double s2ml = sse / used;
    model->m_loglik = -0.5 * used * (std::log(2 * M_PI * s2ml) + 1);
    model->m_aicc = -2 * model->m_loglik + 2 * k +
                    (used - k - 1 > 0 ? 2.0 * k * (k + 1) / (used - k - 1) : 1e9);
    if (std::isfinite(exactLoglik)) {
        const int nw = int(w.size());
        model->m_exact = true;
        model->m_loglik = exactLoglik;
        model->m_sigma2 = exactSigma2 * nw / std::max(1, nw - (k - 1));
        model->m_aicc =
            -2 * exactLoglik + 2 * k + (nw - k - 1 > 0 ? 2.0 * k * (k + 1) / (nw - k - 1) : 1e9);
    }
    Poly delta{1.0};
    for (int i = 0; i < order.d; ++i)
        delta = multiply(delta, Poly{1.0, -1.0});
    for (int i = 0; i < order.D; ++i)
        delta = multiply(delta, lagPoly({1.0}, m, -1));
    model->m_delta = delta;
    model->m_w = w;
    model->m_e = e;
    model->m_y = y;
    return model;
}

QJsonObject ArimaModel::parameters() const
{
    auto arr = [](const std::vector<double>& v) {
        QJsonArray a;
        for (double x : v)
            a.append(x);
        return a;
    };
    QJsonObject o{
        {QStringLiteral("p"), m_order.p},     {QStringLiteral("d"), m_order.d},
        {QStringLiteral("q"), m_order.q},     {QStringLiteral("ar"), arr(m_phi)},
        {QStringLiteral("ma"), arr(m_theta)}, {QStringLiteral("sigma2"), m_sigma2},
        {QStringLiteral("logLik"), m_loglik}, {QStringLiteral("method"), QStringLiteral("CSS")}};
    if (m_order.period > 1) {
        o[QStringLiteral("P")] = m_order.P;
        o[QStringLiteral("D")] = m_order.D;
        o[QStringLiteral("Q")] = m_order.Q;
        o[QStringLiteral("period")] = m_order.period;
        o[QStringLiteral("sar")] = arr(m_sphi);
        o[QStringLiteral("sma")] = arr(m_stheta);
    }
    if (m_order.constant)
        o[m_order.d + m_order.D == 0 ? QStringLiteral("mean") : QStringLiteral("drift")] = m_mu;
    return o;
}

void ArimaModel::runForward(int horizon, const double* innovations, double* out) const
{
    const size_t na = m_arFull.size(), nb = m_maFull.size(), nd = m_delta.size() - 1;
    const size_t keepW = std::max<size_t>(na, 1), keepE = std::max<size_t>(nb, 1);
    // Histories with the most recent value last, extended step by step.
    std::vector<double> w(m_w.end() - long(std::min(keepW, m_w.size())), m_w.end());
    std::vector<double> e(m_e.end() - long(std::min(keepE, m_e.size())), m_e.end());
    std::vector<double> y(m_y.end() - long(std::min(std::max<size_t>(nd, 1), m_y.size())),
                          m_y.end());
    for (int h = 0; h < horizon; ++h) {
        const double eps = innovations ? innovations[h] : 0.0;
        double v = m_mu + eps;
        for (size_t k = 1; k <= na && k <= w.size(); ++k)
            v += m_arFull[k - 1] * (w[w.size() - k] - m_mu);
        for (size_t k = 1; k <= nb && k <= e.size(); ++k)
            v += m_maFull[k - 1] * e[e.size() - k];
        w.push_back(v);
        e.push_back(eps);
        double yv = v;
        for (size_t i = 1; i <= nd && i <= y.size(); ++i)
            yv -= m_delta[i] * y[y.size() - i];
        y.push_back(yv);
        out[h] = yv;
    }
}

std::vector<double> ArimaModel::pointForecast(int horizon) const
{
    std::vector<double> f(static_cast<size_t>(horizon));
    runForward(horizon, nullptr, f.data());
    return f;
}

std::vector<double> ArimaModel::analyticVariance(int horizon) const
{
    // ψ weights of θ(B) / (φ(B) δ(B)), the full model in terms of y.
    Poly ar{1.0};
    for (double a : m_arFull)
        ar.push_back(-a);
    const Poly full = multiply(ar, m_delta);
    std::vector<double> psi(size_t(horizon), 0.0);
    psi[0] = 1;
    for (int j = 1; j < horizon; ++j) {
        double v = size_t(j) <= m_maFull.size() ? m_maFull[size_t(j - 1)] : 0.0;
        for (size_t k = 1; k < full.size() && k <= size_t(j); ++k)
            v -= full[k] * psi[size_t(j) - k];
        psi[size_t(j)] = v;
    }
    std::vector<double> var(static_cast<size_t>(horizon));
    double acc = 0;
    for (int h = 0; h < horizon; ++h) {
        acc += psi[size_t(h)] * psi[size_t(h)];
        var[size_t(h)] = m_sigma2 * acc;
    }
    return var;
}

void ArimaModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                          std::vector<double>& out) const
{
    out.resize(size_t(horizon) * size_t(paths));
    std::normal_distribution<double> noise(0, std::sqrt(m_sigma2));
    std::vector<double> eps(static_cast<size_t>(horizon));
    for (int p = 0; p < paths; ++p) {
        for (double& v : eps)
            v = noise(rng);
        runForward(horizon, eps.data(), out.data() + size_t(p) * size_t(horizon));
    }
}

} // namespace doppel::forecast
