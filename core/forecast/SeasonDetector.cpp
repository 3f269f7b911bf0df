// SPDX-License-Identifier: GPL-3.0-or-later
#include "SeasonDetector.h"

#include "Stats.h"

#include <QStringList>

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <set>

namespace doppel::forecast {

namespace {

// The series minus its centred moving average over `period` points (2 x period when even):
// what is left is the seasonal pattern of that period plus noise, whatever the trend does.
struct Detrended
{
    std::vector<double> x;
    double c0 = 0;
};

Detrended detrendFor(const std::vector<double>& y, int period)
{
    Detrended d;
    const int n = int(y.size());
    const int half = period / 2;
    std::vector<double> prefix(size_t(n) + 1, 0.0);
    for (int i = 0; i < n; ++i)
        prefix[size_t(i) + 1] = prefix[size_t(i)] + y[size_t(i)];
    for (int t = half; t + half < n; ++t) {
        double ma;
        if (period % 2 == 0)
            ma = (prefix[size_t(t + half)] - prefix[size_t(t - half + 1)] +
                  0.5 * (y[size_t(t - half)] + y[size_t(t + half)])) /
                 period;
        else
            ma = (prefix[size_t(t + half + 1)] - prefix[size_t(t - half)]) / period;
        d.x.push_back(y[size_t(t)] - ma);
    }
    const double m = mean(d.x);
    for (double& v : d.x) {
        v -= m;
        d.c0 += v * v;
    }
    return d;
}

double acfAt(const Detrended& d, int lag)
{
    if (d.c0 <= 0 || lag <= 0 || size_t(lag) >= d.x.size())
        return 0;
    double s = 0;
    for (size_t i = size_t(lag); i < d.x.size(); ++i)
        s += d.x[i] * d.x[i - size_t(lag)];
    return s / d.c0;
}

std::vector<int> periodogramPeaks(const std::vector<double>& y, int maxPeriod)
{
    // Linear detrending keeps a trend's leakage out of the low frequencies.
    const size_t n = y.size();
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t t = 0; t < n; ++t)
        sx += double(t), sy += y[t], sxx += double(t) * double(t), sxy += double(t) * y[t];
    const double b = (double(n) * sxy - sx * sy) / (double(n) * sxx - sx * sx);
    const double a = (sy - b * sx) / double(n);
    std::vector<double> c(n);
    for (size_t t = 0; t < n; ++t)
        c[t] = y[t] - a - b * double(t);
    Eigen::FFT<double> fft;
    std::vector<std::complex<double>> spectrum;
    fft.fwd(spectrum, c);
    std::vector<std::pair<double, int>> peaks;
    for (size_t k = 2; k + 1 < n / 2; ++k) {
        const double p = std::norm(spectrum[k]);
        if (p > std::norm(spectrum[k - 1]) && p >= std::norm(spectrum[k + 1]))
            peaks.emplace_back(p, int(k));
    }
    std::sort(peaks.rbegin(), peaks.rend());
    std::vector<int> out;
    for (size_t i = 0; i < peaks.size() && i < 6; ++i) {
        const int period = int(std::lround(double(n) / peaks[i].second));
        for (int d = -1; d <= 1; ++d)
            if (period + d >= 2 && period + d <= maxPeriod)
                out.push_back(period + d);
    }
    return out;
}

} // namespace

DetectedSeasons detectSeasons(const std::vector<double>& y, long long stepMs)
{
    DetectedSeasons result;
    const int n = int(y.size());
    if (n < 8) {
        result.reason = QStringLiteral("too few points to look for seasonality");
        return result;
    }
    const int maxPeriod = n / 2;
    std::set<int> candidates;
    for (int p : periodogramPeaks(y, maxPeriod))
        candidates.insert(p);
    std::set<int> calendar;
    if (stepMs > 0) {
        const long long hour = 3'600'000, day = 24 * hour, week = 7 * day;
        for (long long span : {hour, day, week, 365 * day})
            if (span % stepMs == 0 && span / stepMs >= 2 && span / stepMs <= maxPeriod)
                calendar.insert(int(span / stepMs));
        if (stepMs == day)
            calendar.insert(7);
        if (stepMs >= 28 * day && stepMs <= 31 * day)
            calendar.insert(12);
        if (stepMs >= 89 * day && stepMs <= 92 * day)
            calendar.insert(4);
    } else {
        for (int p : {4, 7, 12, 24, 52})
            if (p <= maxPeriod)
                calendar.insert(p);
    }
    candidates.insert(calendar.begin(), calendar.end());
    const double threshold = std::max(0.3, 2.5 / std::sqrt(double(n)));
    std::map<int, double> score;
    std::map<int, Detrended> detrended;
    for (int p : candidates) {
        if (p < 2 || 2 * p > n)
            continue;
        Detrended d = detrendFor(y, p);
        const double r = acfAt(d, p);
        // A peak, allowing for noise: not clearly below the neighbouring lags.
        if (r > threshold && r >= std::max(acfAt(d, p - 1), acfAt(d, p + 1)) - 0.02) {
            score[p] = r + (calendar.count(p) ? 0.05 : 0.0);
            detrended.emplace(p, std::move(d));
        }
    }
    if (score.empty()) {
        result.reason = QStringLiteral("no autocorrelation peak above %1 at any candidate period")
                            .arg(threshold, 0, 'f', 2);
        return result;
    }
    const auto best =
        std::max_element(score.begin(), score.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    int first = best->first;
    // Prefer the shortest period whose multiples explain the best one.
    for (const auto& [p, s] : score)
        if (p < first && first % p == 0 && s >= 0.8 * best->second) {
            first = p;
            break;
        }
    result.periods.push_back(first);
    int second = 0;
    double secondScore = 0;
    for (const auto& [p, s] : score) {
        if (p < 2 * first || p % first != 0 || n < 2 * p)
            continue;
        // The longer season must add something: the lag-p correlation beats the lags one short
        // cycle either side, which the shorter season alone would make equal.
        const Detrended& d = detrended.at(p);
        const double side = std::max(acfAt(d, p - first), acfAt(d, p + first));
        if (s - side > 0.05 && s > secondScore) {
            second = p;
            secondScore = s;
        }
    }
    if (second > 0)
        result.periods.push_back(second);
    QStringList parts;
    for (int p : result.periods)
        parts << QStringLiteral("%1 (ACF %2)").arg(p).arg(acfAt(detrended.at(p), p), 0, 'f', 2);
    result.reason = QStringLiteral("detected from periodogram and autocorrelation: %1")
                        .arg(parts.join(QStringLiteral(", ")));
    return result;
}

} // namespace doppel::forecast
