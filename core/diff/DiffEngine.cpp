// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffEngine.h"

#include "DiffStats.h"

#include <QJsonArray>

#include <QSet>

#include <algorithm>
#include <cmath>
#include <functional>

namespace doppel {

using namespace diffstats;

namespace {

SideLatency summarize(std::vector<double> values, const QMap<QString, std::int64_t>& errors)
{
    SideLatency s;
    s.calls = std::int64_t(values.size());
    for (auto n : errors)
        s.errors += n;
    if (values.empty())
        return s;
    for (double v : values)
        s.totalMs += v;
    std::sort(values.begin(), values.end());
    s.p50Ms = quantileSorted(values, 0.50);
    s.p95Ms = quantileSorted(values, 0.95);
    s.p99Ms = quantileSorted(values, 0.99);
    const Interval ci = bootstrapQuantile(values, 0.95, 0.95);
    s.p95LoMs = ci.lo;
    s.p95HiMs = ci.hi;
    return s;
}

// A/A: production against itself, odd against even observations. The p95 ratio of two halves
// of the same host's run is what noise alone produces for this statement.
double aaNoiseRatio(const std::vector<double>& prod)
{
    if (prod.size() < 40)
        return 1.0;
    std::vector<double> even, odd;
    for (size_t i = 0; i < prod.size(); ++i)
        (i % 2 ? odd : even).push_back(prod[i]);
    std::sort(even.begin(), even.end());
    std::sort(odd.begin(), odd.end());
    const double a = quantileSorted(even, 0.95), b = quantileSorted(odd, 0.95);
    if (a <= 0 || b <= 0)
        return 1.0;
    return std::exp(std::fabs(std::log(a / b)));
}

QJsonObject sideJson(const SideLatency& s)
{
    return {{QStringLiteral("calls"), double(s.calls)},
            {QStringLiteral("p50_ms"), s.p50Ms},
            {QStringLiteral("p95_ms"), s.p95Ms},
            {QStringLiteral("p99_ms"), s.p99Ms},
            {QStringLiteral("p95_ci_ms"), QJsonArray{s.p95LoMs, s.p95HiMs}},
            {QStringLiteral("total_ms"), s.totalMs},
            {QStringLiteral("errors"), double(s.errors)}};
}

QJsonObject countsJson(const QMap<QString, std::int64_t>& m)
{
    QJsonObject o;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return o;
}

} // namespace

int DiffEngine::fingerprint(const QString& fingerprint, const QString& query)
{
    auto [it, added] = m_index.try_emplace(fingerprint.toStdString(), int(m_acc.size()));
    if (added) {
        m_acc.push_back(Accumulator{});
        m_acc.back().fingerprint = fingerprint;
        m_acc.back().query = query;
    }
    return it->second;
}

void DiffEngine::addProduction(int fp, double ms, const std::string& state)
{
    Accumulator& a = m_acc.at(size_t(fp));
    a.prod.push_back(ms);
    if (!state.empty())
        ++a.prodErrors[QString::fromStdString(state)];
}

void DiffEngine::addShadow(int fp, double ms, const std::string& state)
{
    Accumulator& a = m_acc.at(size_t(fp));
    a.shadow.push_back(ms);
    if (!state.empty())
        ++a.shadowErrors[QString::fromStdString(state)];
}

void DiffEngine::addPairCheck(int fp, bool synchronized, std::int64_t prodRows,
                              std::int64_t shadowRows, std::optional<bool> resultsMatch)
{
    Accumulator& a = m_acc.at(size_t(fp));
    if (!synchronized) {
        ++a.unsynchronized; // lag, not a regression: left out of the result comparison
        return;
    }
    ++a.compared;
    a.rowsDiffer += prodRows != shadowRows;
    // Divergence needs result hashes; a row count alone can differ for lag-free reasons too.
    a.divergent += resultsMatch.has_value() && !*resultsMatch;
}

LatencySamples DiffEngine::latencies(const QString& fingerprint) const
{
    auto it = m_index.find(fingerprint.toStdString());
    if (it == m_index.end())
        return {};
    const Accumulator& a = m_acc[size_t(it->second)];
    return {a.prod, a.shadow};
}

std::vector<StatementDiff> DiffEngine::compare(const Options& options) const
{
    std::vector<StatementDiff> out;
    std::vector<double> raw;
    std::vector<size_t> tested;
    for (const Accumulator& a : m_acc) {
        StatementDiff d;
        d.fingerprint = a.fingerprint;
        d.query = a.query;
        d.prod = summarize(a.prod, a.prodErrors);
        d.shadow = summarize(a.shadow, a.shadowErrors);
        d.ratioP95 = d.prod.p95Ms > 0 && d.shadow.calls > 0 ? d.shadow.p95Ms / d.prod.p95Ms : 1.0;
        d.noiseRatio = aaNoiseRatio(a.prod);
        d.comparedResults = a.compared;
        d.divergentResults = a.divergent;
        d.rowsDiffer = a.rowsDiffer;
        d.unsynchronized = a.unsynchronized;
        d.prodErrors = a.prodErrors;
        d.shadowErrors = a.shadowErrors;
        QSet<QString> prodClasses;
        for (auto it = a.prodErrors.cbegin(); it != a.prodErrors.cend(); ++it)
            prodClasses.insert(it.key().left(2));
        for (auto it = a.shadowErrors.cbegin(); it != a.shadowErrors.cend(); ++it)
            if (!prodClasses.contains(it.key().left(2)) &&
                !d.newErrorClasses.contains(it.key().left(2)))
                d.newErrorClasses << it.key().left(2);
        if (std::int64_t(a.prod.size()) >= options.minCalls &&
            std::int64_t(a.shadow.size()) >= options.minCalls) {
            d.pRaw = mannWhitneyP(a.prod, a.shadow);
            raw.push_back(d.pRaw);
            tested.push_back(out.size());
        }
        out.push_back(std::move(d));
    }
    const std::vector<double> adjusted = holmAdjust(raw);
    for (size_t i = 0; i < tested.size(); ++i) {
        StatementDiff& d = out[tested[i]];
        d.pValue = adjusted[i];
        // Significant: unlikely by chance AND larger than what an A/A comparison shows.
        const double spread = std::max(d.ratioP95, 1.0 / std::max(d.ratioP95, 1e-12));
        d.significant = d.pValue < options.alpha && spread > d.noiseRatio;
    }
    std::sort(out.begin(), out.end(), [](const StatementDiff& a, const StatementDiff& b) {
        return a.prod.calls != b.prod.calls ? a.prod.calls > b.prod.calls
                                            : a.fingerprint < b.fingerprint;
    });
    return out;
}

std::optional<double> StatementDiff::field(const QString& name) const
{
    static const QMap<QString, std::function<double(const StatementDiff&)>> fields{
        {QStringLiteral("calls"), [](const StatementDiff& d) { return double(d.prod.calls); }},
        {QStringLiteral("shadow_calls"),
         [](const StatementDiff& d) { return double(d.shadow.calls); }},
        {QStringLiteral("ratio_p95"), [](const StatementDiff& d) { return d.ratioP95; }},
        {QStringLiteral("ratio_p50"),
         [](const StatementDiff& d) {
             return d.prod.p50Ms > 0 ? d.shadow.p50Ms / d.prod.p50Ms : 1.0;
         }},
        {QStringLiteral("ratio_p99"),
         [](const StatementDiff& d) {
             return d.prod.p99Ms > 0 ? d.shadow.p99Ms / d.prod.p99Ms : 1.0;
         }},
        {QStringLiteral("p_value"), [](const StatementDiff& d) { return d.pValue; }},
        {QStringLiteral("significant"),
         [](const StatementDiff& d) { return d.significant ? 1.0 : 0.0; }},
        {QStringLiteral("divergent_results"),
         [](const StatementDiff& d) { return double(d.divergentResults); }},
        {QStringLiteral("rows_differ"),
         [](const StatementDiff& d) { return double(d.rowsDiffer); }},
        {QStringLiteral("new_error_classes"),
         [](const StatementDiff& d) { return double(d.newErrorClasses.size()); }},
        {QStringLiteral("shadow_errors"),
         [](const StatementDiff& d) { return double(d.shadow.errors); }},
        {QStringLiteral("unsynchronized"),
         [](const StatementDiff& d) { return double(d.unsynchronized); }},
    };
    auto it = fields.find(name);
    if (it == fields.end())
        return std::nullopt;
    return it.value()(*this);
}

QJsonObject StatementDiff::toJson() const
{
    QJsonObject errorDiff{
        {QStringLiteral("production"), countsJson(prodErrors)},
        {QStringLiteral("shadow"), countsJson(shadowErrors)},
        {QStringLiteral("new_classes"), QJsonArray::fromStringList(newErrorClasses)}};
    return {{QStringLiteral("fingerprint"), fingerprint},
            {QStringLiteral("query"), query},
            {QStringLiteral("calls"), double(prod.calls)},
            {QStringLiteral("prod_p50_ms"), prod.p50Ms},
            {QStringLiteral("prod_p95_ms"), prod.p95Ms},
            {QStringLiteral("prod_p99_ms"), prod.p99Ms},
            {QStringLiteral("shadow_p50_ms"), shadow.p50Ms},
            {QStringLiteral("shadow_p95_ms"), shadow.p95Ms},
            {QStringLiteral("shadow_p99_ms"), shadow.p99Ms},
            {QStringLiteral("prod"), sideJson(prod)},
            {QStringLiteral("shadow"), sideJson(shadow)},
            {QStringLiteral("ratio_p95"), ratioP95},
            {QStringLiteral("p_value"), pValue},
            {QStringLiteral("p_raw"), pRaw},
            {QStringLiteral("noise_ratio"), noiseRatio},
            {QStringLiteral("significant"), significant},
            {QStringLiteral("compared_results"), double(comparedResults)},
            {QStringLiteral("divergent_results"), double(divergentResults)},
            {QStringLiteral("rows_differ"), double(rowsDiffer)},
            {QStringLiteral("unsynchronized"), double(unsynchronized)},
            {QStringLiteral("error_diff"), errorDiff}};
}

} // namespace doppel
