// SPDX-License-Identifier: GPL-3.0-or-later
#include "ArimaLikelihood.h"

#include <Eigen/Dense>

#include <cmath>
#include <limits>

namespace doppel::forecast {

double armaExactLogLikelihood(const std::vector<double>& w, double mu, const std::vector<double>& a,
                              const std::vector<double>& b, double* sigma2)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const int r = int(std::max(a.size(), b.size() + 1));
    Eigen::MatrixXd t = Eigen::MatrixXd::Zero(r, r);
    for (int i = 0; i < int(a.size()); ++i)
        t(i, 0) = a[size_t(i)];
    for (int i = 0; i + 1 < r; ++i)
        t(i, i + 1) = 1;
    Eigen::VectorXd rv = Eigen::VectorXd::Zero(r);
    rv(0) = 1;
    for (int i = 0; i < int(b.size()); ++i)
        rv(i + 1) = b[size_t(i)];
    const Eigen::MatrixXd rr = rv * rv.transpose();
    // P0 = Σ_k T^k RR' T'^k, summed by doubling: P ← P + A P A', A ← A², 2^k terms per round.
    Eigen::MatrixXd p = rr, power = t;
    for (int k = 0; k < 40; ++k) {
        const Eigen::MatrixXd add = power * p * power.transpose();
        p += add;
        if (add.cwiseAbs().maxCoeff() < 1e-12 * (1 + p.cwiseAbs().maxCoeff()))
            break;
        power = power * power;
        if (!power.allFinite())
            return nan;
    }
    if (!p.allFinite())
        return nan;
    Eigen::VectorXd state = Eigen::VectorXd::Zero(r);
    Eigen::VectorXd gain(r);
    double sumSq = 0, sumLogF = 0;
    bool steady = false;
    const int n = int(w.size());
    for (int i = 0; i < n; ++i) {
        const double v = (w[size_t(i)] - mu) - state(0);
        const double f = steady ? 1.0 : p(0, 0);
        if (!(f > 0) || !std::isfinite(f))
            return nan;
        sumSq += v * v / f;
        sumLogF += std::log(f);
        if (!steady) {
            gain = t * p.col(0) / f;
            // P ← T P T' + RR' - K K' f
            const Eigen::MatrixXd next = t * p * t.transpose() + rr - gain * gain.transpose() * f;
            // Once P has converged to RR' (the invertible steady state: F = 1, K = T e1·1 + ...)
            // the filter is the CSS recursion and P need not be updated any more.
            if ((next - p).cwiseAbs().maxCoeff() < 1e-10 && std::abs(next(0, 0) - 1) < 1e-10)
                steady = true;
            p = next;
        }
        state = t * state + gain * v;
    }
    const double s2 = sumSq / n;
    if (sigma2)
        *sigma2 = s2;
    return -0.5 * (n * (std::log(2 * M_PI * s2) + 1) + sumLogF);
}

} // namespace doppel::forecast
