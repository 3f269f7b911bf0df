// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <vector>

namespace doppel::forecast {

// Box-constrained Nelder–Mead: trial points are clamped into [lower, upper]; the objective
// returns +inf (or any huge value) for points it rejects (inadmissible parameters). Reentrant.
struct NelderMeadResult
{
    std::vector<double> x;
    double value = 0;
    int evaluations = 0;
};

NelderMeadResult nelderMead(const std::function<double(const std::vector<double>&)>& f,
                            std::vector<double> start, const std::vector<double>& lower,
                            const std::vector<double>& upper, int maxEvaluations = 2000,
                            double tolerance = 1e-8);

} // namespace doppel::forecast
