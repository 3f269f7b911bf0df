// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <vector>

namespace doppel::forecast {

// Small statistics shared by the forecasting models. Pure functions: any thread may call them.

double normalCdf(double x);
double normalQuantile(double p); // Acklam's approximation refined by one Halley step
double mean(const std::vector<double>& y);
double variance(const std::vector<double>& y); // divides by n - 1
// p in [0, 1], linear interpolation between order statistics (R's type 7); `v` is sorted.
double quantileSorted(const std::vector<double>& v, double p);
std::vector<double> autocorrelation(const std::vector<double>& y, int maxLag); // [0..maxLag]
std::vector<double> difference(const std::vector<double>& y, int lag);

// KPSS level-stationarity statistic with Bartlett weights, lag trunc(3 sqrt(n) / 13), as
// forecast::ndiffs uses it; the 5 % critical value is 0.463.
double kpssStatistic(const std::vector<double>& y);
int kpssDifferences(const std::vector<double>& y, int maxD = 2);

// Classical moving-average decomposition; `index[k]` is the seasonal effect of phase k, where
// phase = t mod period for t counted from the first observation.
struct Decomposition
{
    std::vector<double> index;
    std::vector<double> remainder; // NaN where the centred moving average is undefined
    std::vector<double> trend;
    bool multiplicative = false;
};
std::optional<Decomposition> classicalDecompose(const std::vector<double>& y, int period,
                                                bool multiplicative);

// Hyndman's seasonal strength max(0, 1 - var(R) / var(S + R)) from the classical decomposition;
// above 0.64 a seasonal difference is taken (forecast::nsdiffs' "seas" test).
double seasonalStrength(const std::vector<double>& y, int period);

// Schur–Cohn test: all roots of Σ c_i z^i (increasing powers, c.back() != 0) strictly inside the
// unit circle, with `margin` (e.g. 1e-3 asks for |z| < 1 - margin approximately). O(deg²), so
// cheap enough for every objective evaluation of an optimiser.
bool rootsInsideUnitCircle(std::vector<double> c, double margin = 0);

// MASE scaled by the in-sample (seasonal) naive error, and symmetric MAPE in percent.
double mase(const std::vector<double>& train, const std::vector<double>& actual,
            const std::vector<double>& predicted, int period);
double smape(const std::vector<double>& actual, const std::vector<double>& predicted);

} // namespace doppel::forecast
