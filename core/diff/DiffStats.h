// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace doppel::diffstats {

// The q-quantile (0..1) of sorted `values`, linear interpolation. 0 when empty.
double quantileSorted(const std::vector<double>& sorted, double q);

struct Interval
{
    double lo = 0;
    double hi = 0;
};

// Percentile bootstrap interval (level 0..1) of the q-quantile of `values`, from `resamples`
// resamples of at most `maxSample` values (a larger sample is subsampled first, which keeps the
// cost bounded on millions of statements). Deterministic for a given seed.
Interval bootstrapQuantile(const std::vector<double>& values, double q, double level,
                           int resamples = 200, std::size_t maxSample = 2000,
                           std::uint64_t seed = 1);

// Two-sided Mann-Whitney U test (normal approximation with tie correction and continuity
// correction); the p-value, 1 when either sample is empty or all values tie.
double mannWhitneyP(const std::vector<double>& a, const std::vector<double>& b);

// Holm-Bonferroni adjusted p-values, in the order given.
std::vector<double> holmAdjust(const std::vector<double>& p);

} // namespace doppel::diffstats
