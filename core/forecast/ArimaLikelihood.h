// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

namespace doppel::forecast {

// Exact Gaussian log-likelihood of a stationary ARMA process, σ² concentrated out, by the Kalman
// filter on Harvey's state-space form with the stationary initial covariance (Lyapunov equation
// solved by doubling). `w` is the differenced series, `mu` its mean; a_k and b_k are the expanded
// AR and MA coefficients (w_t - mu = Σ a_k (w_{t-k} - mu) + e_t + Σ b_k e_{t-k}). Returns NaN
// when the filter breaks down. `sigma2` receives the ML innovation variance. Reentrant.
double armaExactLogLikelihood(const std::vector<double>& w, double mu, const std::vector<double>& a,
                              const std::vector<double>& b, double* sigma2);

} // namespace doppel::forecast
