// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReplayReport.h"

#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace doppel {

double quantile(std::vector<double>& values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double pos = q * double(values.size() - 1);
    const size_t lo = size_t(pos);
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (pos - double(lo));
}

ReplayReport ReplayReport::build(const std::vector<ReplayMeasurement>& measurements,
                                 const QStringList& fingerprints, const QStringList& normalized)
{
    ReplayReport report;
    std::vector<std::vector<double>> latencies(size_t(fingerprints.size()));
    std::vector<ReplayFingerprintStats> stats(size_t(fingerprints.size()));
    std::vector<double> lags;
    lags.reserve(measurements.size());
    QRandomGenerator random(20261123); // deterministic: the same replay gives the same report
    for (const ReplayMeasurement& m : measurements) {
        auto& s = stats.at(size_t(m.fingerprint));
        ++s.calls;
        s.rows += m.rows;
        if (!m.sqlState.isEmpty()) {
            ++s.errors;
            ++report.errors;
            ++s.errorCounts[m.sqlState];
            if (!s.errorStates.contains(m.sqlState))
                s.errorStates << m.sqlState;
        }
        const double ms = double(m.latencyUs) / 1000.0;
        latencies[size_t(m.fingerprint)].push_back(ms);
        // Reservoir sampling keeps the sample uniform over the whole replay.
        if (s.samplesMs.size() < ReplayFingerprintStats::SampleLimit) {
            s.samplesMs.push_back(ms);
        } else {
            const quint64 slot = random.bounded(quint64(s.calls));
            if (slot < ReplayFingerprintStats::SampleLimit)
                s.samplesMs[size_t(slot)] = ms;
        }
        lags.push_back(double(m.scheduleLagUs) / 1000.0);
    }
    report.statements = std::int64_t(measurements.size());
    for (size_t i = 0; i < stats.size(); ++i) {
        if (stats[i].calls == 0)
            continue;
        stats[i].fingerprint = fingerprints[qsizetype(i)];
        stats[i].query = normalized[qsizetype(i)];
        stats[i].p50Ms = quantile(latencies[i], 0.50);
        stats[i].p95Ms = quantile(latencies[i], 0.95);
        stats[i].p99Ms = quantile(latencies[i], 0.99);
        report.byFingerprint.push_back(std::move(stats[i]));
    }
    std::sort(report.byFingerprint.begin(), report.byFingerprint.end(),
              [](const ReplayFingerprintStats& a, const ReplayFingerprintStats& b) {
                  return a.calls != b.calls ? a.calls > b.calls : a.fingerprint < b.fingerprint;
              });
    report.lagP50Ms = quantile(lags, 0.50);
    report.lagP99Ms = quantile(lags, 0.99);
    report.lagMaxMs = lags.empty() ? 0 : *std::max_element(lags.begin(), lags.end());
    return report;
}

namespace {

QJsonObject counts(const QMap<QString, std::int64_t>& m)
{
    QJsonObject o;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return o;
}

QJsonArray samples(const std::vector<double>& values)
{
    QJsonArray a;
    for (double v : values)
        a.append(std::round(v * 1000.0) / 1000.0); // µs precision is all a latency carries
    return a;
}

} // namespace

QJsonObject ReplayReport::toJson() const
{
    QJsonArray list;
    for (const auto& s : byFingerprint)
        list.append(
            QJsonObject{{QStringLiteral("fingerprint"), s.fingerprint},
                        {QStringLiteral("query"), s.query},
                        {QStringLiteral("calls"), double(s.calls)},
                        {QStringLiteral("p50_ms"), s.p50Ms},
                        {QStringLiteral("p95_ms"), s.p95Ms},
                        {QStringLiteral("p99_ms"), s.p99Ms},
                        {QStringLiteral("rows"), double(s.rows)},
                        {QStringLiteral("errors"), double(s.errors)},
                        {QStringLiteral("error_states"), QJsonArray::fromStringList(s.errorStates)},
                        {QStringLiteral("error_counts"), counts(s.errorCounts)},
                        {QStringLiteral("samples_ms"), samples(s.samplesMs)}});
    QJsonObject o{
        {QStringLiteral("totals"), QJsonObject{{QStringLiteral("statements"), double(statements)},
                                               {QStringLiteral("errors"), double(errors)},
                                               {QStringLiteral("wall_s"), wallSeconds},
                                               {QStringLiteral("sessions"), sessions},
                                               {QStringLiteral("speed"), speed}}},
        {QStringLiteral("statements"), list},
        {QStringLiteral("schedule_lag_ms"), QJsonObject{{QStringLiteral("p50"), lagP50Ms},
                                                        {QStringLiteral("p99"), lagP99Ms},
                                                        {QStringLiteral("max"), lagMaxMs}}},
        {QStringLiteral("completed"), targetLost.isEmpty() && !cancelled}};
    if (!targetLost.isEmpty())
        o.insert(QStringLiteral("target_lost"), targetLost);
    if (!warnings.isEmpty())
        o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(warnings));
    return o;
}

} // namespace doppel
