// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace doppel {

// One statement as it ran on the target.
struct ReplayMeasurement
{
    int fingerprint = 0;            // index into ReplayPlan::fingerprints
    std::int64_t latencyUs = 0;     // send to complete result
    std::int64_t scheduleLagUs = 0; // actual start minus planned start (>= 0)
    std::int64_t rows = 0;
    QString sqlState; // empty on success
};

struct ReplayFingerprintStats
{
    QString fingerprint;
    QString query;
    std::int64_t calls = 0;
    double p50Ms = 0, p95Ms = 0, p99Ms = 0;
    std::int64_t rows = 0;
    std::int64_t errors = 0;
    QStringList errorStates;                 // distinct SQLSTATEs seen
    QMap<QString, std::int64_t> errorCounts; // SQLSTATE -> count
    // Up to SampleLimit latencies (a uniform reservoir sample), for the differential analysis.
    std::vector<double> samplesMs;
    static constexpr size_t SampleLimit = 10000;
};

// What a replay measured, per fingerprint and in total, with the schedule-lag distribution.
// toJson() gives the shape scripts rely on: {"totals": {"statements", "errors", "wall_s"},
// "statements": [{"fingerprint", "query", "calls", "p50_ms", "p95_ms", "p99_ms", "rows",
// "errors"}], "schedule_lag_ms": {"p50", "p99", "max"}}, and per statement "error_counts" and
// "samples_ms" (a bounded sample of latencies) for `doppelctl diff --replay`. Plain data.
struct ReplayReport
{
    std::int64_t statements = 0;
    std::int64_t errors = 0;
    double wallSeconds = 0;
    double lagP50Ms = 0, lagP99Ms = 0, lagMaxMs = 0;
    std::vector<ReplayFingerprintStats> byFingerprint; // by calls, most first
    int sessions = 0;
    double speed = 1;
    QString targetLost; // why the replay ended early, empty when it ran to the end
    bool cancelled = false;
    QStringList warnings;

    static ReplayReport build(const std::vector<ReplayMeasurement>& measurements,
                              const QStringList& fingerprints, const QStringList& normalized);
    QJsonObject toJson() const;
};

// The q-quantile (0..1) of `values` by linear interpolation; sorts `values`. 0 when empty.
double quantile(std::vector<double>& values, double q);

} // namespace doppel
