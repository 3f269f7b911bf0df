// SPDX-License-Identifier: GPL-3.0-or-later
#include "Stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace doppel::forecast {

double normalCdf(double x)
{
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double normalQuantile(double p)
{
    if (p <= 0)
        return -std::numeric_limits<double>::infinity();
    if (p >= 1)
        return std::numeric_limits<double>::infinity();
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double low = 0.02425;
    double x;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - low) {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double e = normalCdf(x) - p;
    const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double mean(const std::vector<double>& y)
{
    if (y.empty())
        return std::numeric_limits<double>::quiet_NaN();
    return std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
}

double variance(const std::vector<double>& y)
{
    if (y.size() < 2)
        return 0;
    const double m = mean(y);
    double s = 0;
    for (double v : y)
        s += (v - m) * (v - m);
    return s / double(y.size() - 1);
}

double quantileSorted(const std::vector<double>& v, double p)
{
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double h = (double(v.size()) - 1) * std::clamp(p, 0.0, 1.0);
    const auto lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

std::vector<double> autocorrelation(const std::vector<double>& y, int maxLag)
{
    const int n = int(y.size());
    maxLag = std::min(maxLag, n - 1);
    std::vector<double> r(size_t(std::max(maxLag + 1, 0)), 0.0);
    if (n < 2)
        return r;
    const double m = mean(y);
    std::vector<double> c(y.size());
    for (int i = 0; i < n; ++i)
        c[i] = y[i] - m;
    double c0 = 0;
    for (double v : c)
        c0 += v * v;
    if (c0 <= 0)
        return r;
    for (int k = 0; k <= maxLag; ++k) {
        double s = 0;
        for (int i = k; i < n; ++i)
            s += c[i] * c[i - k];
        r[k] = s / c0;
    }
    return r;
}

std::vector<double> difference(const std::vector<double>& y, int lag)
{
    std::vector<double> out;
    for (size_t i = size_t(lag); i < y.size(); ++i)
        out.push_back(y[i] - y[i - size_t(lag)]);
    return out;
}

double kpssStatistic(const std::vector<double>& y)
{
    const int n = int(y.size());
    const double m = mean(y);
    std::vector<double> e(y.size());
    for (int i = 0; i < n; ++i)
        e[i] = y[i] - m;
    double s = 0, eta = 0;
    for (int i = 0; i < n; ++i) {
        s += e[i];
        eta += s * s;
    }
    double s2 = 0;
    for (double v : e)
        s2 += v * v;
    s2 /= n;
    const int lags = int(3 * std::sqrt(double(n)) / 13);
    for (int l = 1; l <= lags; ++l) {
        double g = 0;
        for (int i = l; i < n; ++i)
            g += e[i] * e[i - l];
        s2 += 2 * (1 - double(l) / (lags + 1)) * g / n;
    }
    if (s2 <= 0)
        return 0;
    return eta / (double(n) * n * s2);
}

int kpssDifferences(const std::vector<double>& y, int maxD)
{
    std::vector<double> x = y;
    int d = 0;
    while (d < maxD && x.size() > 10) {
        if (variance(x) <= 0 || kpssStatistic(x) <= 0.463)
            break;
        x = difference(x, 1);
        ++d;
    }
    return d;
}

std::optional<Decomposition> classicalDecompose(const std::vector<double>& y, int period,
                                                bool multiplicative)
{
    const int n = int(y.size());
    if (period < 2 || n < 2 * period)
        return std::nullopt;
    if (multiplicative && std::any_of(y.begin(), y.end(), [](double v) { return v <= 0; }))
        return std::nullopt;
    Decomposition d;
    d.multiplicative = multiplicative;
    d.trend.assign(y.size(), std::numeric_limits<double>::quiet_NaN());
    // Centred moving average of order `period` (2 x m when m is even), with a running sum.
    const bool even = period % 2 == 0;
    const int half = period / 2;
    std::vector<double> prefix(size_t(n) + 1, 0.0);
    for (int i = 0; i < n; ++i)
        prefix[i + 1] = prefix[i] + y[i];
    for (int t = half; t + half < n; ++t) {
        if (even) {
            const double inner = prefix[t + half] - prefix[t - half + 1];
            d.trend[t] = (inner + 0.5 * (y[t - half] + y[t + half])) / period;
        } else {
            d.trend[t] = (prefix[t + half + 1] - prefix[t - half]) / period;
        }
    }
    std::vector<double> sum(size_t(period), 0.0);
    std::vector<int> count(size_t(period), 0);
    for (int t = 0; t < n; ++t) {
        if (std::isnan(d.trend[t]))
            continue;
        sum[t % period] += multiplicative ? y[t] / d.trend[t] : y[t] - d.trend[t];
        ++count[t % period];
    }
    d.index.assign(size_t(period), multiplicative ? 1.0 : 0.0);
    double total = 0;
    for (int k = 0; k < period; ++k) {
        if (count[k] > 0)
            d.index[k] = sum[k] / count[k];
        total += d.index[k];
    }
    const double avg = total / period;
    for (double& v : d.index)
        v = multiplicative ? v / avg : v - avg;
    d.remainder.assign(y.size(), std::numeric_limits<double>::quiet_NaN());
    for (int t = 0; t < n; ++t) {
        if (!std::isnan(d.trend[t]))
            d.remainder[t] = multiplicative ? y[t] / (d.trend[t] * d.index[t % period])
                                            : y[t] - d.trend[t] - d.index[t % period];
    }
    return d;
}

double seasonalStrength(const std::vector<double>& y, int period)
{
    const auto d = classicalDecompose(y, period, false);
    if (!d)
        return 0;
    std::vector<double> r, sr;
    for (size_t t = 0; t < y.size(); ++t) {
        if (std::isnan(d->remainder[t]))
            continue;
        r.push_back(d->remainder[t]);
        sr.push_back(d->remainder[t] + d->index[t % size_t(period)]);
    }
    const double vsr = variance(sr);
    if (vsr <= 0)
        return 0;
    return std::max(0.0, 1 - variance(r) / vsr);
}

bool rootsInsideUnitCircle(std::vector<double> c, double margin)
{
    // Roots of p(z) inside |z| < r  <=>  roots of p(r·z) inside the unit circle.
    const double r = 1 - margin;
    double power = 1;
    for (double& v : c) {
        v *= power;
        power *= r;
    }
    while (c.size() > 1) {
        const double lead = c.back();
        if (lead == 0 || !std::isfinite(lead))
            return false;
        const double k = c.front() / lead;
        if (!(std::abs(k) < 1))
            return false;
        // p_{n-1}(z) = (p(z) - k·p*(z)) / z, p* the reversed polynomial.
        const size_t n = c.size() - 1;
        std::vector<double> next(n);
        for (size_t i = 1; i <= n; ++i)
            next[i - 1] = c[i] - k * c[n - i];
        c = std::move(next);
    }
    return true;
}

double mase(const std::vector<double>& train, const std::vector<double>& actual,
            const std::vector<double>& predicted, int period)
{
    int lag = period > 1 && int(train.size()) > period ? period : 1;
    double scale = 0;
    int count = 0;
    for (size_t t = size_t(lag); t < train.size(); ++t) {
        scale += std::abs(train[t] - train[t - size_t(lag)]);
        ++count;
    }
    if (count == 0)
        return std::numeric_limits<double>::quiet_NaN();
    scale /= count;
    double err = 0;
    const size_t h = std::min(actual.size(), predicted.size());
    for (size_t i = 0; i < h; ++i)
        err += std::abs(actual[i] - predicted[i]);
    err /= double(h);
    return scale > 0 ? err / scale : std::numeric_limits<double>::quiet_NaN();
}

double smape(const std::vector<double>& actual, const std::vector<double>& predicted)
{
    const size_t h = std::min(actual.size(), predicted.size());
    double s = 0;
    for (size_t i = 0; i < h; ++i) {
        const double denom = std::abs(actual[i]) + std::abs(predicted[i]);
        if (denom > 0)
            s += 200 * std::abs(actual[i] - predicted[i]) / denom;
    }
    return h ? s / double(h) : std::numeric_limits<double>::quiet_NaN();
}

} // namespace doppel::forecast
