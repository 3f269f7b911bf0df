// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastChartData.h"

#include "SeriesReducer.h"

#include <limits>

namespace doppel::forecast {

ChartForecast chartForecast(const QString& path, const QString& hostName, const QString& metric,
                            qint64 horizonMs, int pixels, std::optional<ForecastThreshold> added)
{
    ChartForecast out;
    auto repo = Repository::open(path);
    if (!repo) {
        out.error = repo.error().message;
        return out;
    }
    auto host = (*repo)->host(hostName);
    if (!host) {
        out.error = host.error().message;
        return out;
    }
    if (added) {
        auto id = (*repo)->addThreshold(*added);
        if (!id) {
            out.error = id.error().message;
            return out;
        }
        added->id = *id;
        out.threshold = added;
    } else if (auto all = (*repo)->thresholds(); all) {
        // The newest threshold on this metric, preferring one with the horizon in view.
        for (const ForecastThreshold& t : *all)
            if (thresholdApplies(t, hostName, metric) &&
                (!out.threshold || t.horizonMs == horizonMs ||
                 out.threshold->horizonMs != horizonMs))
                out.threshold = t;
    }
    auto samples = (*repo)->samples(host->id, metric, 0, std::numeric_limits<qint64>::max());
    if (!samples) {
        out.error = samples.error().message;
        return out;
    }
    auto fit = fitMetric(hostName, metric, *samples, horizonMs,
                         out.threshold ? std::optional<double>(out.threshold->value) : std::nullopt,
                         0, out.threshold && out.threshold->below);
    if (!fit) {
        out.error = fit.error().message;
        return out;
    }
    out.fit = std::move(*fit);
    if (out.threshold) {
        // The chart's breach is within the horizon in view.
        ForecastThreshold inView = *out.threshold;
        inView.horizonMs = horizonMs;
        out.verdict = evaluateThreshold(inView, out.fit);
        if (added && added->horizonMs == horizonMs && out.verdict.raised) {
            out.event = thresholdEvent(*added, hostName, out.fit, out.verdict);
            if (auto st = (*repo)->appendEvent(*out.event); !st)
                out.error = st.error().message;
        }
    }
    // Four horizons of history give the forecast its context; the rest is off the chart.
    const qint64 from = out.fit.lastObservationMs - 4 * horizonMs;
    std::vector<QPointF> points;
    points.reserve(size_t(samples->size()));
    for (const MetricSample& s : *samples)
        if (s.timestampMs >= from)
            points.emplace_back(double(s.timestampMs), s.value);
    out.history = reduceMinMax(points, std::max(pixels, 100));
    if (auto limits = (*repo)->limitForecasts(hostName); limits)
        out.limits = *limits;
    return out;
}

} // namespace doppel::forecast
