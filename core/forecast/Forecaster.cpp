// SPDX-License-Identifier: GPL-3.0-or-later
#include "Forecaster.h"

#include "NaiveModel.h"
#include "SeasonDetector.h"
#include "Stats.h"

#include <algorithm>

namespace doppel::forecast {

namespace {

QStringList candidateFamilies(const std::vector<int>& seasons)
{
    if (seasons.empty())
        return {QStringLiteral("ets"), QStringLiteral("arima"), QStringLiteral("theta"),
                QStringLiteral("naive")};
    const int m = seasons.front();
    if (seasons.size() == 1 && m <= 24)
        return {QStringLiteral("ets"), QStringLiteral("arima"), QStringLiteral("theta"),
                QStringLiteral("snaive")};
    if (seasons.size() == 1 && m <= 52)
        return {QStringLiteral("arima"), QStringLiteral("mstl"), QStringLiteral("theta"),
                QStringLiteral("snaive")};
    return {QStringLiteral("mstl"), QStringLiteral("theta"), QStringLiteral("snaive")};
}

void scaleVector(std::vector<double>& v, double s)
{
    for (double& x : v)
        x *= s;
}

} // namespace

int replaceOutliers(std::vector<double>& y)
{
    const int n = int(y.size()), half = 3;
    if (n < 2 * half + 1)
        return 0;
    std::vector<double> med(y.size()), window, dev(y.size());
    for (int t = 0; t < n; ++t) {
        const int a = std::max(0, std::min(t - half, n - 2 * half - 1));
        window.assign(y.begin() + a, y.begin() + a + 2 * half + 1);
        std::nth_element(window.begin(), window.begin() + half, window.end());
        med[size_t(t)] = window[size_t(half)];
        dev[size_t(t)] = std::abs(y[size_t(t)] - med[size_t(t)]);
    }
    std::vector<double> sorted(dev);
    std::nth_element(sorted.begin(), sorted.begin() + n / 2, sorted.end());
    const double sigma = 1.4826 * sorted[size_t(n / 2)];
    if (!(sigma > 0))
        return 0;
    int replaced = 0;
    for (int t = 0; t < n; ++t)
        if (dev[size_t(t)] > 5 * sigma) {
            y[size_t(t)] = med[size_t(t)];
            ++replaced;
        }
    return replaced;
}

Result<ForecastReport> forecastSeries(const std::vector<double>& yIn, long long stepMs,
                                      const ForecastOptions& options)
{
    if (options.horizon < 1)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("the horizon must be at least 1"));
    for (double l : options.levels)
        if (!(l > 0 && l < 100))
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("interval level %1 is not between 0 and 100").arg(l));
    if (yIn.empty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("the series is empty"));
    for (size_t i = 0; i < yIn.size(); ++i)
        if (!std::isfinite(yIn[i]))
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("value %1 of the series is not a finite number").arg(i + 1));
    ForecastReport report;
    const int n = int(yIn.size());
    const int h = options.horizon;
    // Fit on a unit scale so squared errors of huge (or tiny) values stay representable.
    double maxAbs = 0;
    for (double v : yIn)
        maxAbs = std::max(maxAbs, std::abs(v));
    const double scale = (maxAbs > 1e6 || (maxAbs > 0 && maxAbs < 1e-3)) ? maxAbs : 1.0;
    std::vector<double> y(yIn);
    if (scale != 1.0) {
        scaleVector(y, 1 / scale);
        report.notes << QStringLiteral("fitted on values divided by %1").arg(scale, 0, 'g', 6);
    }

    if (options.robust) {
        const int replaced = replaceOutliers(y);
        report.notes
            << QStringLiteral("robust: %1 outlier(s) replaced by the running median").arg(replaced);
    }

    const bool constant = std::all_of(y.begin(), y.end(), [&](double v) { return v == y.front(); });
    std::vector<int> seasons;
    if (options.detectSeasons) {
        if (!constant) {
            const DetectedSeasons d = detectSeasons(y, stepMs);
            seasons = d.periods;
            report.seasonReason = d.reason;
        } else {
            report.seasonReason = QStringLiteral("constant series: no season");
        }
    } else {
        for (int p : options.seasons) {
            if (p > 1 && n >= 2 * p)
                seasons.push_back(p);
            else if (p > 1)
                report.notes << QStringLiteral("season %1 dropped: it needs at least %2 points, "
                                               "the series has %3")
                                    .arg(p)
                                    .arg(2 * p)
                                    .arg(n);
        }
        std::sort(seasons.begin(), seasons.end());
        report.seasonReason = options.seasons.empty() ? QStringLiteral("no season (--season none)")
                                                      : QStringLiteral("given by --season");
    }
    report.seasons = seasons;

    ModelPtr model;
    const bool explicitNaive = options.model == QLatin1String("naive");
    if (constant) {
        model = std::make_unique<NaiveModel>(y);
        report.reason = QStringLiteral("the series is constant (every value is %1): naive "
                                       "forecast with zero-width intervals")
                            .arg(yIn.front(), 0, 'g', 15);
    } else if (n < 10 && !explicitNaive) {
        model = std::make_unique<NaiveModel>(y);
        report.reason = QStringLiteral("only %1 points, too few to fit ETS, ARIMA or Theta: naive "
                                       "forecast")
                            .arg(n);
    } else {
        QString family = options.model;
        if (family == QLatin1String("auto")) {
            const Selection sel =
                selectByCrossValidation(y, seasons, h, candidateFamilies(seasons));
            family = sel.family;
            report.reason = sel.reason;
            report.candidates = sel.scores;
        } else {
            report.reason = QStringLiteral("requested with --model %1").arg(family);
        }
        auto fitted = fitFamily(family, y, seasons, &report.notes);
        if (!fitted && fitted.error().message.startsWith(QLatin1String("unknown model")))
            return fitted.error();
        if (fitted) {
            model = std::move(*fitted);
        } else {
            report.reason = QStringLiteral("%1 could not be fitted (%2): naive forecast instead")
                                .arg(family, fitted.error().message);
            model = std::make_unique<NaiveModel>(y);
        }
    }
    report.model = model->name();
    report.family = model->family();
    report.parameters = model->parameters();
    report.aicc = model->aicc();
    if (std::isfinite(report.aicc) && scale != 1.0)
        report.aicc += 2 * n * std::log(scale);
    report.mean = model->pointForecast(h);

    std::mt19937_64 rng(options.seed);
    std::vector<double> paths;
    const std::vector<double> variance = model->analyticVariance(h);
    const bool analytic = variance.size() == size_t(h) &&
                          std::all_of(variance.begin(), variance.end(),
                                      [](double v) { return std::isfinite(v) && v >= 0; });
    if (!analytic || options.threshold)
        model->simulate(h, options.paths, rng, paths);
    report.intervalMethod = analytic ? QStringLiteral("analytic")
                                     : QStringLiteral("simulated (%1 paths)").arg(options.paths);
    for (double level : options.levels) {
        ForecastBand band;
        band.level = level;
        band.lower.resize(static_cast<size_t>(h));
        band.upper.resize(static_cast<size_t>(h));
        const double a = (1 - level / 100) / 2;
        if (analytic) {
            const double z = normalQuantile(1 - a);
            for (int i = 0; i < h; ++i) {
                const double sd = std::sqrt(variance[size_t(i)]);
                band.lower[size_t(i)] = report.mean[size_t(i)] - z * sd;
                band.upper[size_t(i)] = report.mean[size_t(i)] + z * sd;
            }
        } else {
            std::vector<double> column(size_t(options.paths));
            for (int i = 0; i < h; ++i) {
                for (int p = 0; p < options.paths; ++p)
                    column[size_t(p)] = paths[size_t(p) * size_t(h) + size_t(i)];
                std::sort(column.begin(), column.end());
                band.lower[size_t(i)] = quantileSorted(column, a);
                band.upper[size_t(i)] = quantileSorted(column, 1 - a);
            }
        }
        report.bands.push_back(std::move(band));
    }
    if (options.threshold)
        report.breach =
            estimateBreach(paths, h, *options.threshold / scale, y.back(), options.thresholdBelow);
    if (scale != 1.0) {
        scaleVector(report.mean, scale);
        for (auto& b : report.bands) {
            scaleVector(b.lower, scale);
            scaleVector(b.upper, scale);
        }
        if (report.breach)
            report.breach->threshold = *options.threshold;
    }
    return report;
}

} // namespace doppel::forecast
