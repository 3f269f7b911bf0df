// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastRound.h"

#include "ForecastAlerts.h"

#include <QDateTime>
#include <QSemaphore>
#include <QThreadPool>

#include <limits>
#include <mutex>

namespace doppel::forecast {

namespace {

struct Job
{
    Host host;
    QString metric;
    std::vector<ForecastThreshold> thresholds;
    std::vector<LimitCheck> limits;
};

struct JobResult
{
    QString host;
    std::vector<StoredForecast> forecasts;
    std::vector<std::pair<ForecastThreshold, FitResult>> thresholdFits;
    std::vector<LimitForecast> limits;
    int failed = 0;
    QStringList errors;
};

JobResult runJob(const QString& repoPath, const Job& job, const RoundOptions& options, qint64 now,
                 std::mutex& openMutex)
{
    JobResult r;
    r.host = job.host.name;
    const auto fail = [&](const Error& e) {
        ++r.failed;
        r.errors << e.message;
    };
    // One connection per task: a Repository belongs to one thread. Opening takes the write lock
    // for a moment (migration check), so the tasks open one at a time; reading runs side by side.
    auto repo = [&] {
        const std::lock_guard lock(openMutex);
        return Repository::open(repoPath);
    }();
    if (!repo) {
        fail(repo.error());
        return r;
    }
    auto samples = (*repo)->samples(job.host.id, job.metric, 0, std::numeric_limits<qint64>::max());
    if (!samples) {
        fail(samples.error());
        return r;
    }
    const auto cancelled = [&] { return options.cancel && options.cancel->load(); };
    for (qint64 horizon : options.horizons) {
        if (cancelled())
            return r;
        auto fit = fitMetric(job.host.name, job.metric, *samples, horizon, std::nullopt, now);
        if (fit)
            r.forecasts.push_back(fit->forecast);
        else
            fail(fit.error());
    }
    for (const ForecastThreshold& t : job.thresholds) {
        if (cancelled())
            return r;
        auto fit =
            fitMetric(job.host.name, job.metric, *samples, t.horizonMs, t.value, now, t.below);
        if (fit)
            r.thresholdFits.emplace_back(t, std::move(*fit));
        else
            fail(fit.error());
    }
    for (const LimitCheck& check : job.limits) {
        if (cancelled())
            return r;
        auto fit =
            fitMetric(job.host.name, job.metric, *samples, LimitHorizonMs, check.limitValue, now);
        if (fit)
            r.limits.push_back(limitForecast(job.host.name, check, *fit));
        else
            fail(fit.error());
    }
    return r;
}

} // namespace

RoundResult runForecastRound(const QString& repoPath, const RoundOptions& options,
                             QThreadPool& pool)
{
    RoundResult result;
    auto repo = Repository::open(repoPath);
    if (!repo) {
        result.errors << repo.error().message;
        return result;
    }
    auto hosts = (*repo)->hosts();
    auto thresholds = (*repo)->thresholds();
    if (!hosts || !thresholds) {
        result.errors << (!hosts ? hosts.error() : thresholds.error()).message;
        return result;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::vector<Job> jobs;
    QSet<QString> limitHosts;
    for (const Host& host : *hosts) {
        if (!options.host.isEmpty() && host.name != options.host)
            continue;
        auto metrics = (*repo)->metricsWithData(host.id);
        auto latest = (*repo)->latestValues(host.id);
        if (!metrics || !latest) {
            result.errors << (!metrics ? metrics.error() : latest.error()).message;
            continue;
        }
        const std::vector<LimitCheck> checks =
            options.limits ? limitChecks(*latest) : std::vector<LimitCheck>{};
        if (options.limits)
            limitHosts.insert(host.name);
        for (const QString& metric : *metrics) {
            Job job{host, metric, {}, {}};
            for (const ForecastThreshold& t : *thresholds)
                if (thresholdApplies(t, host.name, metric))
                    job.thresholds.push_back(t);
            for (const LimitCheck& c : checks)
                if (c.metric == metric)
                    job.limits.push_back(c);
            jobs.push_back(std::move(job));
        }
    }

    std::mutex mutex, openMutex;
    std::vector<JobResult> results;
    QSemaphore done;
    for (const Job& job : jobs) {
        pool.start([&, job] {
            JobResult r = runJob(repoPath, job, options, now, openMutex);
            {
                const std::lock_guard lock(mutex);
                results.push_back(std::move(r));
            }
            done.release();
        });
    }
    done.acquire(int(jobs.size()));

    // Writes from this one connection, after the fits, so the tasks never contend for the lock.
    QHash<QString, std::vector<LimitForecast>> limitsByHost;
    for (JobResult& r : results) {
        result.failed += r.failed;
        result.errors += r.errors;
        for (const StoredForecast& f : r.forecasts) {
            if (auto st = (*repo)->storeForecast(f); !st)
                result.errors << st.error().message;
            else
                ++result.fitted;
        }
        for (const auto& [threshold, fit] : r.thresholdFits) {
            ++result.thresholdsChecked;
            const ThresholdVerdict v = evaluateThreshold(threshold, fit);
            if (!v.raised)
                continue;
            const QString key = QStringLiteral("threshold:%1:%2").arg(threshold.id).arg(r.host);
            result.activeKeys.insert(key);
            result.hostsAtRisk.insert(r.host);
            if (!options.suppress.contains(key))
                result.events.push_back(thresholdEvent(threshold, r.host, fit, v));
        }
        for (const LimitForecast& l : r.limits) {
            limitsByHost[r.host].push_back(l);
            result.limits.push_back(l);
            if (l.probability < LimitAlertProbability)
                continue;
            const QString key = QStringLiteral("limit:%1:%2").arg(l.name, r.host);
            result.activeKeys.insert(key);
            result.hostsAtRisk.insert(r.host);
            if (!options.suppress.contains(key))
                result.events.push_back(limitEvent(l));
        }
    }
    for (const QString& host : std::as_const(limitHosts))
        if (auto st = (*repo)->storeLimitForecasts(host, limitsByHost.value(host)); !st)
            result.errors << st.error().message;
    for (const Event& e : result.events)
        if (auto st = (*repo)->appendEvent(e); !st)
            result.errors << st.error().message;
    return result;
}

} // namespace doppel::forecast
