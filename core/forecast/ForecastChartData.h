// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastAlerts.h"

#include <QPointF>

namespace doppel::forecast {

// What the console's Forecast view shows for one (host, metric, horizon), computed off the GUI
// thread: the fit, the recent history reduced for drawing, the threshold in force and its
// verdict, and the host's built-in limits as the forecast service stored them.
struct ChartForecast
{
    QString error;                // with a forecast: a warning (the event could not be logged)
    std::vector<QPointF> history; // reduced for drawing
    FitResult fit;
    std::optional<ForecastThreshold> threshold;
    ThresholdVerdict verdict;
    std::optional<Event> event; // logged because a new threshold is at risk
    std::vector<LimitForecast> limits;
};

// Reads and fits from the repository at `path` (its own connection: any thread). With `added`,
// that threshold is stored first and, when the fit puts it at risk within the horizon in view,
// the recommendation is appended to the event log and returned in `event`. `pixels` is the
// chart's width: the history is reduced to per-pixel min/max.
ChartForecast chartForecast(const QString& path, const QString& host, const QString& metric,
                            qint64 horizonMs, int pixels, std::optional<ForecastThreshold> added);

} // namespace doppel::forecast
