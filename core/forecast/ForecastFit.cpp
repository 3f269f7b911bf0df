// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastFit.h"

#include "Stats.h"
#include "common/Duration.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace doppel::forecast {

Result<qint64> parseHorizon(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("1w") || t == QLatin1String("week"))
        return WeekMs;
    auto d = parseDuration(t);
    if (!d || d->count() <= 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a horizon: give 1h, 1d, 1w or a duration such as 3d")
                .arg(text));
    return qint64(d->count());
}

QString horizonName(qint64 ms)
{
    if (ms == HourMs)
        return QStringLiteral("1 h");
    if (ms == DayMs)
        return QStringLiteral("1 day");
    if (ms == WeekMs)
        return QStringLiteral("1 week");
    if (ms % DayMs == 0)
        return QStringLiteral("%1 days").arg(ms / DayMs);
    if (ms % HourMs == 0)
        return QStringLiteral("%1 h").arg(ms / HourMs);
    return formatDuration(std::chrono::milliseconds(ms));
}

Result<Series> seriesForHorizon(const MetricSamples& samples, qint64 horizonMs, int* horizonSteps)
{
    if (horizonMs <= 0)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("the horizon must be positive"));
    auto native = seriesFromSamples(samples);
    if (!native)
        return native.error();
    Series s = std::move(*native);
    if (s.stepMs <= 0 || s.values.size() < 2)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 sample(s) are too few to forecast").arg(s.values.size()));
    const qint64 span = s.stepMs * qint64(s.values.size() - 1);
    // Coarse enough for a few hundred steps ahead, fine enough to keep 48 points of history.
    qint64 factor = std::max<qint64>(1, horizonMs / TargetHorizonSteps / s.stepMs);
    factor = std::min(factor, std::max<qint64>(1, span / 48 / s.stepMs));
    if (factor > 1) {
        const size_t k = size_t(factor);
        const size_t drop = s.values.size() % k; // buckets end at the last observation
        std::vector<double> out;
        out.reserve(s.values.size() / k);
        for (size_t i = drop; i + k <= s.values.size(); i += k) {
            double sum = 0;
            for (size_t j = i; j < i + k; ++j)
                sum += s.values[j];
            out.push_back(sum / double(k));
        }
        // A bucket's timestamp is its last observation's, so the grid still ends there.
        s.startMs += qint64(drop + k - 1) * s.stepMs;
        s.stepMs *= factor;
        s.values = std::move(out);
        s.notes << QStringLiteral("averaged onto %1 steps")
                       .arg(formatDuration(std::chrono::milliseconds(s.stepMs)));
    }
    if (s.values.size() > size_t(MaxHistoryPoints)) {
        const size_t cut = s.values.size() - size_t(MaxHistoryPoints);
        s.values.erase(s.values.begin(), s.values.begin() + long(cut));
        s.startMs += qint64(cut) * s.stepMs;
    }
    qint64 steps = (horizonMs + s.stepMs - 1) / s.stepMs;
    if (steps > MaxHorizonSteps) {
        s.notes << QStringLiteral("history too short for %1 at this resolution: the forecast "
                                  "covers %2")
                       .arg(horizonName(horizonMs),
                            formatDuration(std::chrono::milliseconds(MaxHorizonSteps * s.stepMs)));
        steps = MaxHorizonSteps;
    }
    if (horizonSteps)
        *horizonSteps = int(steps);
    return s;
}

namespace {

// MASE of the chosen family refitted without the last `h` points, scored on them.
double holdoutMase(const ForecastReport& report, const std::vector<double>& y, int horizon)
{
    const int h = std::min(horizon, int(y.size()) / 5);
    if (h < 1 || int(y.size()) - h < 16)
        return std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> train(y.begin(), y.end() - h), actual(y.end() - h, y.end());
    std::vector<int> seasons;
    for (int p : report.seasons)
        if (p * 2 < int(train.size()))
            seasons.push_back(p);
    auto model = fitFamily(report.family, train, seasons, nullptr, true);
    if (!model)
        return std::numeric_limits<double>::quiet_NaN();
    return mase(train, actual, (*model)->pointForecast(h), seasons.empty() ? 1 : seasons.front());
}

const ForecastBand* bandAt(const ForecastReport& r, double level)
{
    for (const auto& b : r.bands)
        if (std::abs(b.level - level) < 1e-9)
            return &b;
    return nullptr;
}

} // namespace

Result<FitResult> fitMetric(const QString& host, const QString& metric,
                            const MetricSamples& samples, qint64 horizonMs,
                            std::optional<double> threshold, qint64 fittedAtMs, bool thresholdBelow)
{
    int steps = 0;
    auto series = seriesForHorizon(samples, horizonMs, &steps);
    if (!series)
        return makeError(series.error().code,
                         QStringLiteral("%1 on %2: %3").arg(metric, host, series.error().message));
    ForecastOptions options;
    options.horizon = steps;
    options.threshold = threshold;
    options.thresholdBelow = thresholdBelow;
    options.paths = 2000; // plenty for probabilities to ±0.02, and cheap for many series
    auto report = forecastSeries(series->values, series->stepMs, options);
    if (!report)
        return makeError(report.error().code,
                         QStringLiteral("%1 on %2: %3").arg(metric, host, report.error().message));
    FitResult fit;
    fit.points = int(series->values.size());
    fit.lastObservationMs = series->timestampAt(long(series->values.size()) - 1);
    fit.lastValue = series->values.back();
    fit.breach = report->breach;
    fit.notes = series->notes + report->notes;
    StoredForecast& f = fit.forecast;
    f.host = host;
    f.metric = metric;
    f.horizonMs = horizonMs;
    f.fittedAtMs = fittedAtMs ? fittedAtMs : QDateTime::currentMSecsSinceEpoch();
    f.model = report->model;
    f.reason = report->reason;
    f.accuracyMase = holdoutMase(*report, series->values, steps);
    f.stepMs = series->stepMs;
    f.startMs = fit.lastObservationMs + series->stepMs;
    f.mean = report->mean;
    if (const auto* b = bandAt(*report, 80)) {
        f.lo80 = b->lower;
        f.hi80 = b->upper;
    }
    if (const auto* b = bandAt(*report, 95)) {
        f.lo95 = b->lower;
        f.hi95 = b->upper;
    }
    return fit;
}

} // namespace doppel::forecast
