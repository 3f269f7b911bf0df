// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureStats.h"

#include "Crc32c.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <pg_query.h>

namespace doppel {

Fingerprint fingerprintStatement(const std::string& sql)
{
    Fingerprint out;
    PgQueryFingerprintResult fp = pg_query_fingerprint(sql.c_str());
    if (!fp.error && fp.fingerprint_str) {
        out.fingerprint = QString::fromLatin1(fp.fingerprint_str);
        out.parsed = true;
    }
    pg_query_free_fingerprint_result(fp);
    if (!out.parsed) {
        out.fingerprint = QStringLiteral("unparsed-%1")
                              .arg(crc32c(sql.data(), sql.size()), 8, 16, QLatin1Char('0'));
        out.normalized = QString::fromStdString(sql);
        return out;
    }
    PgQueryNormalizeResult norm = pg_query_normalize(sql.c_str());
    out.normalized = !norm.error && norm.normalized_query ? QString::fromUtf8(norm.normalized_query)
                                                          : QString::fromStdString(sql);
    pg_query_free_normalize_result(norm);
    return out;
}

std::string normalizeStatement(const std::string& sql)
{
    PgQueryNormalizeResult norm = pg_query_normalize(sql.c_str());
    std::string out =
        !norm.error && norm.normalized_query ? std::string(norm.normalized_query) : sql;
    pg_query_free_normalize_result(norm);
    return out;
}

QJsonObject CaptureStats::toJson() const
{
    QJsonArray list;
    for (const StatementStats& s : byFingerprint) {
        QJsonObject o{{QStringLiteral("fingerprint"), s.fingerprint},
                      {QStringLiteral("query"), s.query},
                      {QStringLiteral("calls"), s.calls},
                      {QStringLiteral("total_ms"), s.totalMs},
                      {QStringLiteral("mean_ms"), s.meanMs},
                      {QStringLiteral("p95_ms"), s.p95Ms},
                      {QStringLiteral("rows"), s.rows},
                      {QStringLiteral("errors"), s.errors}};
        if (s.mirrored > 0)
            o.insert(QStringLiteral("shadow"),
                     QJsonObject{{QStringLiteral("calls"), s.mirrored},
                                 {QStringLiteral("mean_ms"), s.shadowMeanMs},
                                 {QStringLiteral("p95_ms"), s.shadowP95Ms},
                                 {QStringLiteral("errors"), s.shadowErrors}});
        list.append(o);
    }
    QJsonObject totals{{QStringLiteral("statements"), statements},
                       {QStringLiteral("errors"), errors},
                       {QStringLiteral("dropped"), dropped},
                       {QStringLiteral("damaged"), damaged}};
    // Only captures of a mirroring proxy carry shadow figures; others keep the original shape.
    if (mirrored > 0)
        totals.insert(QStringLiteral("mirrored"), mirrored);
    return QJsonObject{{QStringLiteral("totals"), totals}, {QStringLiteral("statements"), list}};
}

Result<CaptureStats> computeCaptureStats(const QString& dir)
{
    struct Acc
    {
        StatementStats stats;
        std::vector<double> durations;
        std::vector<double> shadowDurations;
    };
    CaptureStats out;
    // Texts repeat (pgbench sends a few statements millions of times): parse each once.
    std::unordered_map<std::string, int> byText;
    QHash<QString, int> byFingerprint;
    std::vector<Acc> accs;
    CaptureReader reader(dir);
    auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind == CaptureRecord::Kind::Dropped) {
            out.dropped += qint64(r.droppedCount);
            return;
        }
        auto it = byText.find(r.statement);
        if (it == byText.end()) {
            const Fingerprint fp = fingerprintStatement(r.statement);
            auto f = byFingerprint.find(fp.fingerprint);
            int index;
            if (f == byFingerprint.end()) {
                index = int(accs.size());
                Acc acc;
                acc.stats.fingerprint = fp.fingerprint;
                acc.stats.query = fp.normalized;
                accs.push_back(std::move(acc));
                byFingerprint.insert(fp.fingerprint, index);
            } else {
                index = *f;
            }
            it = byText.emplace(r.statement, index).first;
        }
        Acc& acc = accs[std::size_t(it->second)];
        const double ms = double(r.durationUs) / 1000.0;
        ++acc.stats.calls;
        acc.stats.totalMs += ms;
        acc.durations.push_back(ms);
        if (r.rows > 0)
            acc.stats.rows += r.rows;
        ++out.statements;
        if (!r.sqlState.empty()) {
            ++acc.stats.errors;
            ++out.errors;
        }
        if (r.shadow) {
            ++out.mirrored;
            ++acc.stats.mirrored;
            acc.shadowDurations.push_back(double(r.shadow->durationUs) / 1000.0);
            acc.stats.shadowErrors += !r.shadow->sqlState.empty();
        }
    });
    if (!st)
        return st.error();
    out.damaged = reader.damaged();
    out.issues = reader.issues();
    for (Acc& acc : accs) {
        StatementStats& s = acc.stats;
        s.meanMs = s.calls ? s.totalMs / double(s.calls) : 0;
        // Nearest-rank p95.
        const std::size_t rank = std::size_t(std::ceil(0.95 * double(acc.durations.size()))) - 1;
        std::nth_element(acc.durations.begin(), acc.durations.begin() + long(rank),
                         acc.durations.end());
        s.p95Ms = acc.durations[rank];
        if (!acc.shadowDurations.empty()) {
            double sum = 0;
            for (double v : acc.shadowDurations)
                sum += v;
            s.shadowMeanMs = sum / double(acc.shadowDurations.size());
            const std::size_t r =
                std::size_t(std::ceil(0.95 * double(acc.shadowDurations.size()))) - 1;
            std::nth_element(acc.shadowDurations.begin(), acc.shadowDurations.begin() + long(r),
                             acc.shadowDurations.end());
            s.shadowP95Ms = acc.shadowDurations[r];
        }
        out.byFingerprint.append(s);
    }
    sortByTotalTime(out.byFingerprint);
    return out;
}

} // namespace doppel
