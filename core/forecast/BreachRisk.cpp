// SPDX-License-Identifier: GPL-3.0-or-later
#include "Forecaster.h"

#include "Stats.h"

#include <algorithm>

namespace doppel::forecast {

BreachEstimate estimateBreach(const std::vector<double>& paths, int horizon, double threshold,
                              double lastValue, bool below)
{
    BreachEstimate b;
    b.threshold = threshold;
    b.below = below;
    b.paths = horizon > 0 ? int(paths.size() / size_t(horizon)) : 0;
    const auto crosses = [&](double v) { return below ? v < threshold : v > threshold; };
    b.alreadyAbove = crosses(lastValue);
    std::vector<double> firstSteps;
    for (int p = 0; p < b.paths; ++p) {
        const double* row = paths.data() + size_t(p) * size_t(horizon);
        for (int h = 0; h < horizon; ++h) {
            if (crosses(row[h])) {
                firstSteps.push_back(h + 1);
                break;
            }
        }
    }
    if (b.paths > 0)
        b.probability = double(firstSteps.size()) / b.paths;
    if (!firstSteps.empty()) {
        std::sort(firstSteps.begin(), firstSteps.end());
        b.expectedStep = mean(firstSteps);
        b.medianStep = quantileSorted(firstSteps, 0.5);
        b.lowerStep = quantileSorted(firstSteps, 0.1);
        b.upperStep = quantileSorted(firstSteps, 0.9);
    }
    return b;
}

} // namespace doppel::forecast
