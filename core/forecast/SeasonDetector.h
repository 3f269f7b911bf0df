// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <vector>

namespace doppel::forecast {

struct DetectedSeasons
{
    std::vector<int> periods; // ascending; empty when no seasonality was found
    QString reason;
};

// Seasonal periods from the data: candidates from periodogram peaks and, when the step is
// known, from the calendar (hour, day, week); each is kept if the autocorrelation of the
// detrended series peaks at that lag. At most two periods, the second a multiple of the first.
// Any thread.
DetectedSeasons detectSeasons(const std::vector<double>& y, long long stepMs);

} // namespace doppel::forecast
