// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastRecords.h"
#include "common/Result.h"
#include "inventory/Host.h"
#include "metrics/MetricSample.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

struct sqlite3;

namespace doppel {

struct WorkloadSummary;
struct WorkloadWindow;
struct FingerprintSummary;

enum class Severity { Info, Warning, Error };
QString severityName(Severity severity);

struct Event
{
    qint64 id = 0;
    qint64 timestampMs = 0;
    Severity severity = Severity::Info;
    QString source; // "collector", "lab", "inventory", ...
    QString host;   // empty when not about one host
    QString message;
};

// A workload capture summarized into the repository (RepositoryWorkload.cpp).
struct StoredWorkloadCapture
{
    qint64 id = 0;
    QString host;
    QString capture; // the capture directory as given
    qint64 windowMs = 0;
    qint64 summarizedAtMs = 0;
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    qint64 statements = 0;
    qint64 errors = 0;
};

// The console's local state: one SQLite file (WAL, foreign keys on) with the inventory, metric
// samples and the event log. One instance per thread: each owns its own SQLite connection, and
// WAL lets a reader on one thread run beside the writer on another.
class Repository
{
public:
    static constexpr int CurrentSchemaVersion = 6;

    // Opens (creating if absent) and migrates to `targetVersion`. A file that is not SQLite,
    // not a Doppel repository, or from a newer Doppel is refused and left untouched.
    static Result<std::unique_ptr<Repository>> open(const QString& path,
                                                    int targetVersion = CurrentSchemaVersion);
    // Where the repository lives when no --repo is given: $XDG_DATA_HOME/doppel/doppel.sqlite.
    static QString defaultPath();

    ~Repository();
    Repository(const Repository&) = delete;
    Repository& operator=(const Repository&) = delete;

    QString path() const { return m_path; }
    int schemaVersion() const;

    // Inventory
    Result<qint64> addHost(const Host& host);
    Status updateHost(const Host& host);
    Status removeHost(const QString& name);
    Result<std::vector<Host>> hosts() const;
    Result<Host> host(const QString& name) const;

    // Metric samples. appendSamples runs in one transaction; existing (host, metric, ts) rows
    // are replaced.
    Status appendSamples(qint64 hostId, const MetricSamples& samples);
    Result<MetricSamples> samples(qint64 hostId, const QString& metric, qint64 fromMs,
                                  qint64 toMs) const;
    Result<QStringList> metricsWithData(qint64 hostId) const;
    // The newest value of each metric of the host (RepositoryForecasts.cpp).
    Result<QHash<QString, double>> latestValues(qint64 hostId) const;

    // Event log
    Status appendEvent(const Event& event);
    Result<std::vector<Event>> events(int limit, Severity minimum = Severity::Info) const;

    // Forecasts (RepositoryForecasts.cpp). storeForecast keeps the newest few fits per
    // (host, metric, horizon); latestForecast is NotFound when none was stored.
    Status storeForecast(const StoredForecast& forecast);
    Result<StoredForecast> latestForecast(const QString& host, const QString& metric,
                                          qint64 horizonMs) const;
    // addThreshold stamps createdMs with the current time unless the caller set it.
    Result<qint64> addThreshold(const ForecastThreshold& threshold);
    Status removeThreshold(qint64 id);
    Result<std::vector<ForecastThreshold>> thresholds() const;
    // Replaces the host's built-in limit estimates with `limits`.
    Status storeLimitForecasts(const QString& host, const std::vector<LimitForecast>& limits);
    Result<std::vector<LimitForecast>> limitForecasts(const QString& host = {}) const;

    // Workload summaries (RepositoryWorkload.cpp). storeWorkloadSummary writes, in one
    // transaction, the capture, its windows, its fingerprints and each window's figures as
    // samples of the host (workload.statements_per_s, workload.active_sessions,
    // workload.read_ratio at the window's aligned start) so forecasting reads them like any
    // metric. Storing the same capture with the same window again replaces it. Returns its id.
    Result<qint64> storeWorkloadSummary(const QString& host, const WorkloadSummary& summary);
    Result<std::vector<StoredWorkloadCapture>> workloadCaptures(const QString& host) const;
    Result<QList<WorkloadWindow>> workloadWindows(qint64 captureId) const;
    Result<QList<FingerprintSummary>> workloadFingerprints(qint64 captureId) const;

private:
    Repository(sqlite3* db, QString path);
    Status exec(const char* sql) const;
    void rollback() const;
    Status migrate(int targetVersion);
    Result<qint64> metricId(const QString& name);
    // Inserts (or replaces) samples inside the caller's transaction.
    Status insertSamples(qint64 hostId, const MetricSamples& samples);
    Error sqliteError(const QString& what) const;

    sqlite3* m_db = nullptr;
    QString m_path;
    QHash<QString, qint64> m_metricIds;
};

} // namespace doppel
