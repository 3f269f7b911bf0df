// SPDX-License-Identifier: GPL-3.0-or-later
#include "NelderMead.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace doppel::forecast {

NelderMeadResult nelderMead(const std::function<double(const std::vector<double>&)>& f,
                            std::vector<double> start, const std::vector<double>& lower,
                            const std::vector<double>& upper, int maxEvaluations, double tolerance)
{
    const size_t n = start.size();
    NelderMeadResult result;
    auto clamp = [&](std::vector<double>& x) {
        for (size_t i = 0; i < n; ++i)
            x[i] = std::clamp(x[i], lower[i], upper[i]);
    };
    auto eval = [&](const std::vector<double>& x) {
        ++result.evaluations;
        const double v = f(x);
        return std::isfinite(v) ? v : std::numeric_limits<double>::max();
    };
    clamp(start);
    if (n == 0) {
        result.x = start;
        result.value = eval(start);
        return result;
    }
    std::vector<std::vector<double>> simplex(n + 1, start);
    std::vector<double> values(n + 1);
    for (size_t i = 0; i < n; ++i) {
        // A step of 10 % of the value (or of the box) in each direction, away from the nearer
        // bound.
        const double range = std::isfinite(upper[i] - lower[i]) ? upper[i] - lower[i] : 1.0;
        double step = std::max(std::abs(start[i]) * 0.1, 0.05 * std::min(range, 1.0));
        if (start[i] + step > upper[i])
            step = -step;
        simplex[i + 1][i] += step;
        clamp(simplex[i + 1]);
    }
    for (size_t i = 0; i <= n; ++i)
        values[i] = eval(simplex[i]);
    std::vector<size_t> order(n + 1);
    std::vector<double> centroid(n), trial(n), trial2(n);
    while (result.evaluations < maxEvaluations) {
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](size_t a, size_t b) { return values[a] < values[b]; });
        const size_t best = order[0], worst = order[n], second = order[n - 1];
        const double spread = std::abs(values[worst] - values[best]);
        if (spread <= tolerance * (std::abs(values[best]) + tolerance))
            break;
        std::fill(centroid.begin(), centroid.end(), 0.0);
        for (size_t k = 0; k < n; ++k)
            for (size_t i = 0; i < n; ++i)
                centroid[i] += simplex[order[k]][i] / double(n);
        for (size_t i = 0; i < n; ++i)
            trial[i] = centroid[i] + (centroid[i] - simplex[worst][i]);
        clamp(trial);
        const double fr = eval(trial);
        if (fr < values[best]) {
            for (size_t i = 0; i < n; ++i)
                trial2[i] = centroid[i] + 2 * (centroid[i] - simplex[worst][i]);
            clamp(trial2);
            const double fe = eval(trial2);
            if (fe < fr) {
                simplex[worst] = trial2;
                values[worst] = fe;
            } else {
                simplex[worst] = trial;
                values[worst] = fr;
            }
            continue;
        }
        if (fr < values[second]) {
            simplex[worst] = trial;
            values[worst] = fr;
            continue;
        }
        const bool outside = fr < values[worst];
        for (size_t i = 0; i < n; ++i)
            trial2[i] = outside ? centroid[i] + 0.5 * (trial[i] - centroid[i])
                                : centroid[i] + 0.5 * (simplex[worst][i] - centroid[i]);
        const double fc = eval(trial2);
        if (fc < std::min(fr, values[worst])) {
            simplex[worst] = trial2;
            values[worst] = fc;
            continue;
        }
        // Shrink towards the best point.
        for (size_t k = 1; k <= n; ++k) {
            auto& p = simplex[order[k]];
            for (size_t i = 0; i < n; ++i)
                p[i] = simplex[best][i] + 0.5 * (p[i] - simplex[best][i]);
            values[order[k]] = eval(p);
        }
    }
    const auto it = std::min_element(values.begin(), values.end());
    result.x = simplex[size_t(it - values.begin())];
    result.value = *it;
    return result;
}

} // namespace doppel::forecast
