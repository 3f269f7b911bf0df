// SPDX-License-Identifier: GPL-3.0-or-later
#include "EtsModel.h"

#include "EtsCore.h"
#include "NelderMead.h"
#include "Stats.h"

#include <QJsonArray>

#include <algorithm>

namespace doppel::forecast {

using namespace ets;

QString EtsSpec::code() const
{
    const QString e = error == EtsError::Additive ? QStringLiteral("A") : QStringLiteral("M");
    const QString t = trend == EtsTrend::None       ? QStringLiteral("N")
                      : trend == EtsTrend::Additive ? QStringLiteral("A")
                                                    : QStringLiteral("Ad");
    const QString s = season == EtsSeason::None       ? QStringLiteral("N")
                      : season == EtsSeason::Additive ? QStringLiteral("A")
                                                      : QStringLiteral("M");
    return e + QLatin1Char(',') + t + QLatin1Char(',') + s;
}

namespace {

struct RunResult
{
    bool ok = false;
    double sse = 0;    // sum of squared (relative, for multiplicative error) residuals
    double sumLog = 0; // sum of log|f| (multiplicative error)
};

// The filter specialised per model shape: it runs for every objective evaluation, so the
// branches on the specification are resolved at compile time.
template <EtsTrend T, EtsSeason S, bool MultError>
RunResult runFilterT(const std::vector<double>& y, const EtsParameters& p,
                     std::vector<double>* fitted, StepState* last, std::vector<double>* ring)
{
    const size_t m = S == EtsSeason::None ? 1 : p.season.size();
    // The seasonal states on the stack for the usual periods: this runs for every objective
    // evaluation, where an allocation costs as much as the filter over a short series.
    double local[32] = {0.0};
    std::vector<double> heap;
    double* s = local;
    if constexpr (S != EtsSeason::None) {
        if (m > std::size(local)) {
            heap = p.season;
            s = heap.data();
        } else {
            std::copy(p.season.begin(), p.season.end(), local);
        }
    }
    // The level and the damped trend are carried as l and phib = phi * b, and each update is
    // written so that the next step's one-step forecast q waits on as few dependent operations
    // as possible: l' = (1 - alpha) q + alpha adj and phib' = phi phib + phi beta (adj - q),
    // the same recurrences as R's etscalc (b' = phib + (beta / alpha)(l' - l - phib) equals
    // phib + beta (adj - q)), rearranged so the terms in adj are computed off the critical path.
    // The latency chain per observation drops from about nine floating-point operations to three.
    const double alpha = p.alpha, beta = p.beta, gamma = p.gamma;
    const double phi = T == EtsTrend::Damped ? p.phi : 1.0;
    const double keep = 1 - alpha, phiBeta = phi * beta;
    double l = p.level;
    double phib = T == EtsTrend::None ? 0.0 : phi * p.slope;
    double b = T == EtsTrend::None ? 0.0 : p.slope;
    RunResult r;
    if (fitted)
        fitted->resize(y.size());
    // log|f| summed as the log of products of 16 terms: one log call instead of sixteen.
    double product = 1;
    size_t j = 0;
    for (size_t t = 0; t < y.size(); ++t) {
        const double q = T == EtsTrend::None ? l : l + phib;
        const double season = S == EtsSeason::None ? 0.0 : s[j];
        const double f = S == EtsSeason::Multiplicative ? q * season
                         : S == EtsSeason::Additive     ? q + season
                                                        : q;
        if (fitted)
            (*fitted)[t] = f;
        const double yt = y[t];
        if constexpr (MultError) {
            if (!(f > 0))
                return r;
            const double e = (yt - f) / f;
            r.sse += e * e;
            product *= f;
            if ((t & 15) == 15) {
                r.sumLog += std::log(product);
                product = 1;
            }
        } else {
            const double e = yt - f;
            r.sse += e * e;
        }
        if constexpr (S == EtsSeason::Multiplicative) {
            if (!(q > 0 && season > 0))
                return r;
        }
        const double adj = S == EtsSeason::Additive         ? yt - season
                           : S == EtsSeason::Multiplicative ? yt / season
                                                            : yt;
        l = keep * q + alpha * adj;
        if constexpr (T != EtsTrend::None) {
            b = phib + beta * (adj - q);
            phib = (phi * phib + phiBeta * adj) - phiBeta * q;
        }
        if constexpr (S == EtsSeason::Additive)
            s[j] = season + gamma * (yt - q - season);
        if constexpr (S == EtsSeason::Multiplicative)
            s[j] = season + gamma * (yt / q - season);
        if (++j == m)
            j = 0;
    }
    if constexpr (MultError)
        r.sumLog += std::log(product);
    if (!std::isfinite(r.sse) || !std::isfinite(r.sumLog) || !std::isfinite(l))
        return r;
    r.ok = true;
    if (last)
        *last = StepState{l, b};
    if (ring)
        ring->assign(s, s + m);
    return r;
}

template <EtsTrend T, EtsSeason S>
RunResult runFilterE(const std::vector<double>& y, const EtsSpec& spec, const EtsParameters& p,
                     std::vector<double>* fitted, StepState* last, std::vector<double>* ring)
{
    return spec.error == EtsError::Multiplicative
               ? runFilterT<T, S, true>(y, p, fitted, last, ring)
               : runFilterT<T, S, false>(y, p, fitted, last, ring);
}

template <EtsTrend T>
RunResult runFilterS(const std::vector<double>& y, const EtsSpec& spec, const EtsParameters& p,
                     std::vector<double>* fitted, StepState* last, std::vector<double>* ring)
{
    switch (spec.season) {
    case EtsSeason::None:
        return runFilterE<T, EtsSeason::None>(y, spec, p, fitted, last, ring);
    case EtsSeason::Additive:
        return runFilterE<T, EtsSeason::Additive>(y, spec, p, fitted, last, ring);
    case EtsSeason::Multiplicative:
        return runFilterE<T, EtsSeason::Multiplicative>(y, spec, p, fitted, last, ring);
    }
    return {};
}

RunResult runFilter(const std::vector<double>& y, const EtsSpec& spec, const EtsParameters& p,
                    std::vector<double>* fitted, StepState* last, std::vector<double>* ring)
{
    switch (spec.trend) {
    case EtsTrend::None:
        return runFilterS<EtsTrend::None>(y, spec, p, fitted, last, ring);
    case EtsTrend::Additive:
        return runFilterS<EtsTrend::Additive>(y, spec, p, fitted, last, ring);
    case EtsTrend::Damped:
        return runFilterS<EtsTrend::Damped>(y, spec, p, fitted, last, ring);
    }
    return {};
}

// forecast::ets' admissible(): the characteristic equation of the discount matrix, with the
// seasonal unit root divided out, must have all roots inside the unit circle.
bool admissible(const EtsSpec& spec, const EtsParameters& p)
{
    const double phi = spec.trend == EtsTrend::Damped ? p.phi : 1.0;
    const double alpha = p.alpha;
    const double beta = spec.trend == EtsTrend::None ? 0.0 : p.beta;
    if (spec.season == EtsSeason::None) {
        if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi)
            return false;
        if (spec.trend != EtsTrend::None &&
            (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha)))
            return false;
        return true;
    }
    const int m = spec.period;
    const double gamma = p.gamma;
    if (gamma < std::max(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha)
        return false;
    if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m))
        return false;
    if (beta < -(1 - phi) * (gamma / m + alpha))
        return false;
    // Polynomial coefficients in increasing powers, degree m + 1; roots via the companion matrix.
    std::vector<double> c;
    c.push_back(phi * (1 - alpha - gamma));
    c.push_back(alpha + beta - alpha * phi + gamma - 1);
    for (int i = 0; i < m - 2; ++i)
        c.push_back(alpha + beta - alpha * phi);
    c.push_back(alpha + beta - phi);
    c.push_back(1);
    return rootsInsideUnitCircle(std::move(c), -1e-10);
}

// Series longer than this keep their heuristic initial states (see EtsModel::fit).
constexpr int kLongSeries = 300;
// Points the smoothing parameters of a long series are estimated on (see EtsModel::fit).
constexpr int kFitWindow = 1024;

int smoothingCount(const EtsSpec& spec)
{
    return 1 + (spec.trend != EtsTrend::None) + (spec.season != EtsSeason::None) +
           (spec.trend == EtsTrend::Damped);
}

EtsParameters initialStates(const std::vector<double>& y, const EtsSpec& spec)
{
    EtsParameters p;
    const int n = int(y.size());
    const int m = spec.period;
    std::vector<double> sa(y);
    if (spec.season != EtsSeason::None) {
        const bool mult = spec.season == EtsSeason::Multiplicative;
        const int use = std::min(n, std::max(4 * m, 2 * m));
        const auto d = classicalDecompose(std::vector<double>(y.begin(), y.begin() + use), m, mult);
        p.season = d ? d->index : std::vector<double>(size_t(m), mult ? 1.0 : 0.0);
        for (int t = 0; t < n; ++t)
            sa[t] = mult ? y[t] / p.season[t % m] : y[t] - p.season[t % m];
    }
    const int maxn = std::min(std::max(10, 2 * m), n);
    if (spec.trend == EtsTrend::None) {
        p.level = mean(std::vector<double>(sa.begin(), sa.begin() + maxn));
    } else {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int t = 0; t < maxn; ++t) {
            const double x = t + 1;
            sx += x;
            sy += sa[t];
            sxx += x * x;
            sxy += x * sa[t];
        }
        const double den = maxn * sxx - sx * sx;
        p.slope = den != 0 ? (maxn * sxy - sx * sy) / den : 0;
        p.level = (sy - p.slope * sx) / maxn;
    }
    return p;
}

} // namespace

Result<std::unique_ptr<EtsModel>> EtsModel::fit(const std::vector<double>& y, const EtsSpec& spec)
{
    return fit(y, spec, true);
}

Result<std::unique_ptr<EtsModel>> EtsModel::fit(const std::vector<double>& y, const EtsSpec& specIn,
                                                bool optimiseSeasonStates,
                                                const EtsParameters* start)
{
    EtsSpec spec = specIn;
    if (spec.season == EtsSeason::None)
        spec.period = 1;
    const int n = int(y.size());
    const int m = spec.period;
    const bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
    if ((spec.error == EtsError::Multiplicative || spec.season == EtsSeason::Multiplicative) &&
        !positive)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("ETS(%1) needs strictly positive data").arg(spec.code()));
    if (spec.season != EtsSeason::None && (m < 2 || n < 2 * m))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("ETS(%1) needs two full seasons of %2 points, the series "
                                        "has %3")
                             .arg(spec.code())
                             .arg(m)
                             .arg(n));
    const int stateCount =
        1 + (spec.trend != EtsTrend::None) + (spec.season != EtsSeason::None ? m - 1 : 0);
    const int k = smoothingCount(spec) + stateCount + 1;
    if (n <= k + 3)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("ETS(%1) has %2 parameters, too many for %3 points")
                             .arg(spec.code())
                             .arg(k)
                             .arg(n));

    // Long series: the smoothing parameters are estimated on the most recent kFitWindow points
    // (the dynamics that matter for the forecast, at a fraction of the cost); the states are
    // then filtered through the whole series with them.
    const bool window = n > kFitWindow && n > kLongSeries;
    const std::vector<double> recent =
        window ? std::vector<double>(y.end() - kFitWindow, y.end()) : std::vector<double>();
    const std::vector<double>& data = window ? recent : y;
    const int nFit = int(data.size());
    EtsParameters init = initialStates(data, spec);
    if (start && !window) {
        init.level = start->level;
        init.slope = start->slope;
    }
    const double lowP = 1e-4, highP = 0.9999;
    std::vector<double> x, lo, hi;
    const bool seasonal = spec.season != EtsSeason::None;
    const double alpha0 = lowP + 0.2 * (highP - lowP) / (seasonal ? m : 1);
    // beta and gamma are searched as shares of their upper limits (beta = u·alpha, gamma =
    // v·(1 - alpha)), so the usual constraints form a box the simplex cannot leave; with beta
    // itself the optimum often sits on the beta < alpha edge, where Nelder–Mead stalls.
    x.push_back(start ? start->alpha : alpha0), lo.push_back(lowP), hi.push_back(highP);
    if (spec.trend != EtsTrend::None)
        x.push_back(start ? start->beta / start->alpha : 0.1), lo.push_back(lowP),
            hi.push_back(highP);
    if (seasonal)
        x.push_back(start ? start->gamma / (1 - start->alpha) : 0.05), lo.push_back(lowP),
            hi.push_back(highP);
    if (spec.trend == EtsTrend::Damped)
        x.push_back(start ? start->phi : 0.978), lo.push_back(0.8), hi.push_back(0.98);
    const double inf = std::numeric_limits<double>::infinity();
    const bool multSeason = spec.season == EtsSeason::Multiplicative;
    // On long series the initial states wash out after a few 1/alpha steps: they stay at their
    // heuristic values and the optimiser searches only the smoothing parameters, which keeps
    // the simplex small (the cost of fitting a 2,016-point series is dominated by this).
    const bool optimiseStates = n <= kLongSeries;
    if (optimiseStates) {
        x.push_back(init.level), lo.push_back(spec.error == EtsError::Multiplicative ? 1e-8 : -inf),
            hi.push_back(inf);
        if (spec.trend != EtsTrend::None)
            x.push_back(init.slope), lo.push_back(-inf), hi.push_back(inf);
        if (seasonal && optimiseSeasonStates)
            for (int j = 0; j < m - 1; ++j)
                x.push_back(init.season[size_t(j)]), lo.push_back(multSeason ? 1e-3 : -inf),
                    hi.push_back(inf);
    }

    auto unpack = [&](const std::vector<double>& v) {
        EtsParameters p;
        size_t i = 0;
        p.alpha = v[i++];
        if (spec.trend != EtsTrend::None)
            p.beta = v[i++] * p.alpha;
        if (seasonal)
            p.gamma = v[i++] * (1 - p.alpha);
        if (spec.trend == EtsTrend::Damped)
            p.phi = v[i++];
        if (!optimiseStates) {
            p.level = init.level;
            p.slope = init.slope;
            p.season = init.season;
            return p;
        }
        p.level = v[i++];
        p.season = init.season;
        if (spec.trend != EtsTrend::None)
            p.slope = v[i++];
        if (seasonal && optimiseSeasonStates) {
            p.season.assign(size_t(m), 0.0);
            double sum = 0;
            for (int j = 0; j < m - 1; ++j) {
                p.season[size_t(j)] = v[i++];
                sum += p.season[size_t(j)];
            }
            p.season[size_t(m - 1)] = multSeason ? m - sum : -sum;
        }
        return p;
    };
    auto objective = [&](const std::vector<double>& v) {
        const EtsParameters p = unpack(v);
        if (spec.trend != EtsTrend::None && p.beta >= p.alpha)
            return inf;
        if (seasonal && p.gamma >= 1 - p.alpha)
            return inf;
        if (multSeason && p.season.back() <= 0)
            return inf;
        if (!admissible(spec, p))
            return inf;
        const RunResult r = runFilter(data, spec, p, nullptr, nullptr, nullptr);
        if (!r.ok || r.sse <= 0)
            return inf;
        return nFit * std::log(r.sse) + 2 * r.sumLog;
    };
    // With its initial states in the search the simplex is large and may collapse early: a
    // restart from the first optimum escapes that, as optim() users do. With the states fixed
    // (long series) it has at most four dimensions, and one run to the same tolerance ends at
    // the same optimum with a quarter fewer filter runs.
    auto best =
        nelderMead(objective, x, lo, hi, 150 * int(x.size()) + 300, optimiseStates ? 1e-5 : 1e-8);
    if (optimiseStates)
        best = nelderMead(objective, best.x, lo, hi, 30 * int(x.size()) + 60, 1e-8);
    if (!std::isfinite(best.value) || best.value >= std::numeric_limits<double>::max() / 2)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("ETS(%1) found no admissible parameters").arg(spec.code()));
    std::unique_ptr<EtsModel> model(new EtsModel);
    model->m_spec = spec;
    model->m_params = unpack(best.x);
    if (window) {
        const EtsParameters full = initialStates(y, spec);
        model->m_params.level = full.level;
        model->m_params.slope = full.slope;
        model->m_params.season = full.season;
    }
    model->finish(y, k);
    if (!std::isfinite(model->m_loglik))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("ETS(%1) could not be fitted").arg(spec.code()));
    return model;
}

std::unique_ptr<EtsModel> EtsModel::withParameters(const std::vector<double>& y,
                                                   const EtsSpec& spec, const EtsParameters& p)
{
    std::unique_ptr<EtsModel> model(new EtsModel);
    model->m_spec = spec;
    model->m_params = p;
    model->finish(y, smoothingCount(spec) + 2);
    return model;
}

void EtsModel::finish(const std::vector<double>& y, int k)
{
    StepState last;
    const RunResult r = runFilter(y, m_spec, m_params, &m_fitted, &last, &m_ring);
    m_n = int(y.size());
    const int n = m_n;
    m_level = last.l;
    m_slope = last.b;
    if (!r.ok) {
        m_loglik = std::numeric_limits<double>::quiet_NaN();
        return;
    }
    m_loglik = -0.5 * n * (std::log(2 * M_PI * r.sse / n) + 1) - r.sumLog;
    m_sigma2 = r.sse / std::max(1, n - k);
    m_aicc = -2 * m_loglik + 2 * k + (n - k - 1 > 0 ? 2.0 * k * (k + 1) / (n - k - 1) : 1e9);
}

QJsonObject EtsModel::parameters() const
{
    QJsonObject o{{QStringLiteral("alpha"), m_params.alpha},
                  {QStringLiteral("sigma2"), m_sigma2},
                  {QStringLiteral("logLik"), m_loglik},
                  {QStringLiteral("l0"), m_params.level}};
    if (m_spec.trend != EtsTrend::None) {
        o[QStringLiteral("beta")] = m_params.beta;
        o[QStringLiteral("b0")] = m_params.slope;
    }
    if (m_spec.trend == EtsTrend::Damped)
        o[QStringLiteral("phi")] = m_params.phi;
    if (m_spec.season != EtsSeason::None) {
        o[QStringLiteral("gamma")] = m_params.gamma;
        o[QStringLiteral("period")] = m_spec.period;
        QJsonArray s;
        for (double v : m_params.season)
            s.append(v);
        o[QStringLiteral("s0")] = s;
    }
    return o;
}

std::vector<double> EtsModel::pointForecast(int horizon) const
{
    std::vector<double> f(static_cast<size_t>(horizon));
    StepState st{m_level, m_slope};
    std::vector<double> ring = m_ring;
    const size_t m = ring.size();
    for (int h = 0; h < horizon; ++h) {
        const double phib = trendPart(m_spec, m_params, st.b);
        const double q = st.l + phib;
        double& sv = ring[(size_t(m_n) + size_t(h)) % m];
        const double season = m_spec.season == EtsSeason::None ? neutralSeason(m_spec) : sv;
        f[h] = oneStep(m_spec, q, season);
        // With no error the states move deterministically: level q, trend phi·b.
        st.l = q;
        st.b = phib;
    }
    return f;
}

std::vector<double> EtsModel::analyticVariance(int horizon) const
{
    if (m_spec.season == EtsSeason::Multiplicative)
        return {};
    const double phi = m_spec.trend == EtsTrend::Damped ? m_params.phi : 1.0;
    const double beta = m_spec.trend == EtsTrend::None ? 0.0 : m_params.beta;
    const double gamma = m_spec.season == EtsSeason::None ? 0.0 : m_params.gamma;
    const int m = m_spec.season == EtsSeason::None ? 0 : m_spec.period;
    std::vector<double> c2(size_t(horizon), 0.0); // c_j², j = 1..h-1
    double phiSum = 0, phiPow = 1;
    for (int j = 1; j < horizon; ++j) {
        phiPow *= phi;
        phiSum += phiPow;
        const double c = m_params.alpha + beta * phiSum + ((m > 0 && j % m == 0) ? gamma : 0.0);
        c2[size_t(j)] = c * c;
    }
    std::vector<double> v(static_cast<size_t>(horizon));
    if (m_spec.error == EtsError::Additive) {
        double acc = 0;
        for (int h = 0; h < horizon; ++h) {
            if (h > 0)
                acc += c2[size_t(h)];
            v[size_t(h)] = m_sigma2 * (1 + acc);
        }
        return v;
    }
    // Class 2: theta_h = mu_h² + σ² Σ c_j² theta_{h-j}; v_h = (1 + σ²) theta_h - mu_h².
    const std::vector<double> mu = pointForecast(horizon);
    std::vector<double> theta(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h) {
        double s = 0;
        for (int j = 1; j <= h; ++j)
            s += c2[size_t(j)] * theta[size_t(h - j)];
        theta[size_t(h)] = mu[size_t(h)] * mu[size_t(h)] + m_sigma2 * s;
        v[size_t(h)] = (1 + m_sigma2) * theta[size_t(h)] - mu[size_t(h)] * mu[size_t(h)];
    }
    return v;
}

void EtsModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                        std::vector<double>& out) const
{
    out.resize(size_t(horizon) * size_t(paths));
    std::normal_distribution<double> noise(0, std::sqrt(m_sigma2));
    std::vector<double> ring;
    const size_t m = m_ring.size();
    for (int p = 0; p < paths; ++p) {
        StepState st{m_level, m_slope};
        ring = m_ring;
        for (int h = 0; h < horizon; ++h) {
            const double phib = trendPart(m_spec, m_params, st.b);
            const double q = st.l + phib;
            double& sv = ring[(size_t(m_n) + size_t(h)) % m];
            const double season = m_spec.season == EtsSeason::None ? neutralSeason(m_spec) : sv;
            const double f = oneStep(m_spec, q, season);
            const double e = noise(rng);
            const double y = m_spec.error == EtsError::Additive ? f + e : f * (1 + e);
            out[size_t(p) * size_t(horizon) + size_t(h)] = y;
            if (m_spec.season == EtsSeason::Multiplicative && (q == 0 || season == 0))
                continue;
            const double ns = update(m_spec, m_params, y, q, phib, season, st);
            if (m_spec.season != EtsSeason::None)
                sv = ns;
        }
    }
}

} // namespace doppel::forecast
