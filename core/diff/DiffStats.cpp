// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffStats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace doppel::diffstats {

double quantileSorted(const std::vector<double>& sorted, double q)
{
    if (sorted.empty())
        return 0;
    const double pos = q * double(sorted.size() - 1);
    const size_t lo = size_t(pos);
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

Interval bootstrapQuantile(const std::vector<double>& values, double q, double level, int resamples,
                           size_t maxSample, std::uint64_t seed)
{
    if (values.empty())
        return {};
    std::mt19937_64 rng(seed);
    std::vector<double> base;
    if (values.size() > maxSample) {
        base.reserve(maxSample);
        std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
        for (size_t i = 0; i < maxSample; ++i)
            base.push_back(values[pick(rng)]);
    } else {
        base = values;
    }
    std::uniform_int_distribution<size_t> pick(0, base.size() - 1);
    std::vector<double> estimates;
    estimates.reserve(size_t(resamples));
    std::vector<double> sample(base.size());
    for (int r = 0; r < resamples; ++r) {
        for (double& v : sample)
            v = base[pick(rng)];
        std::sort(sample.begin(), sample.end());
        estimates.push_back(quantileSorted(sample, q));
    }
    std::sort(estimates.begin(), estimates.end());
    const double tail = (1.0 - level) / 2.0;
    return {quantileSorted(estimates, tail), quantileSorted(estimates, 1.0 - tail)};
}

double mannWhitneyP(const std::vector<double>& a, const std::vector<double>& b)
{
    const size_t n1 = a.size(), n2 = b.size();
    if (n1 == 0 || n2 == 0)
        return 1.0;
    struct Item
    {
        double value;
        bool first;
    };
    std::vector<Item> all;
    all.reserve(n1 + n2);
    for (double v : a)
        all.push_back({v, true});
    for (double v : b)
        all.push_back({v, false});
    std::sort(all.begin(), all.end(),
              [](const Item& x, const Item& y) { return x.value < y.value; });
    const double n = double(n1 + n2);
    double rankSumA = 0, tieTerm = 0;
    for (size_t i = 0; i < all.size();) {
        size_t j = i;
        while (j < all.size() && all[j].value == all[i].value)
            ++j;
        const double rank = (double(i + 1) + double(j)) / 2.0; // average rank of the tie group
        const double t = double(j - i);
        tieTerm += t * t * t - t;
        for (size_t k = i; k < j; ++k)
            if (all[k].first)
                rankSumA += rank;
        i = j;
    }
    const double u = rankSumA - double(n1) * double(n1 + 1) / 2.0;
    const double mean = double(n1) * double(n2) / 2.0;
    const double variance = double(n1) * double(n2) / 12.0 * ((n + 1) - tieTerm / (n * (n - 1)));
    if (variance <= 0)
        return 1.0;
    const double z = (std::fabs(u - mean) - 0.5) / std::sqrt(variance);
    if (z <= 0)
        return 1.0;
    return std::erfc(z / std::sqrt(2.0)); // two-sided
}

std::vector<double> holmAdjust(const std::vector<double>& p)
{
    const size_t m = p.size();
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p[x] < p[y]; });
    std::vector<double> adjusted(m);
    double running = 0;
    for (size_t rank = 0; rank < m; ++rank) {
        const size_t i = order[rank];
        running = std::max(running, std::min(1.0, double(m - rank) * p[i]));
        adjusted[i] = running;
    }
    return adjusted;
}

} // namespace doppel::diffstats
