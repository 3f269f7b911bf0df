// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <unordered_map>
#include <vector>

namespace doppel {

// Latency percentiles of one side, with the 95 % bootstrap interval of p95.
struct SideLatency
{
    std::int64_t calls = 0;
    double p50Ms = 0, p95Ms = 0, p99Ms = 0;
    double p95LoMs = 0, p95HiMs = 0;
    double totalMs = 0;
    std::int64_t errors = 0;
};

// Every latency (ms) observed for one fingerprint, on each side, in the order they were fed.
struct LatencySamples
{
    std::vector<double> prod;
    std::vector<double> shadow;
};

// Production against the shadow for one statement fingerprint.
struct StatementDiff
{
    QString fingerprint;
    QString query;
    SideLatency prod;
    SideLatency shadow;
    double ratioP95 = 1;   // shadow p95 / production p95
    double pRaw = 1;       // Mann-Whitney U, two-sided
    double pValue = 1;     // Holm-adjusted over every fingerprint compared
    double noiseRatio = 1; // the A/A spread this difference must exceed
    bool significant = false;
    std::int64_t comparedResults = 0;
    std::int64_t divergentResults = 0;
    std::int64_t rowsDiffer = 0;
    std::int64_t unsynchronized = 0;
    QMap<QString, std::int64_t> prodErrors; // SQLSTATE -> count
    QMap<QString, std::int64_t> shadowErrors;
    QStringList newErrorClasses; // SQLSTATE classes seen on the shadow only
    QJsonObject toJson() const;
    // A named figure for alert rules (ratio_p95, p_value, calls, divergent_results, ...).
    std::optional<double> field(const QString& name) const;
};

struct DiffAlert
{
    QString rule;
    QString fingerprint;
    QString query;
    QString message;
};

// Collects observations of both sides and compares them per fingerprint. Feed with add*();
// any number of observations (10 million pairs fit: one double per sample). Not thread-safe.
class DiffEngine
{
public:
    int fingerprint(const QString& fingerprint, const QString& query);
    void addProduction(int fp, double ms, const std::string& sqlState = {});
    void addShadow(int fp, double ms, const std::string& sqlState = {});
    // A mirrored pair's comparison: whether the shadow had applied production's WAL position
    // (only then are rows and results compared), rows on both sides, result hashes if checked.
    void addPairCheck(int fp, bool synchronized, std::int64_t prodRows, std::int64_t shadowRows,
                      std::optional<bool> resultsMatch);

    struct Options
    {
        double alpha = 0.01;
        int minCalls = 20; // below that, no significance test
    };
    std::vector<StatementDiff> compare(const Options& options) const;
    std::vector<StatementDiff> compare() const { return compare(Options{}); }
    // The raw samples behind a fingerprint's figures, for charts; empty for an unknown one.
    LatencySamples latencies(const QString& fingerprint) const;

private:
    struct Accumulator
    {
        QString fingerprint;
        QString query;
        std::vector<double> prod;
        std::vector<double> shadow;
        QMap<QString, std::int64_t> prodErrors;
        QMap<QString, std::int64_t> shadowErrors;
        std::int64_t compared = 0, divergent = 0, rowsDiffer = 0, unsynchronized = 0;
    };
    std::vector<Accumulator> m_acc;
    std::unordered_map<std::string, int> m_index;
};

} // namespace doppel
