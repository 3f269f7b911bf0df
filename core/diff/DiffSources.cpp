// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffSources.h"

#include "workload/CaptureReader.h"
#include "workload/CaptureStats.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <unordered_map>

namespace doppel {

namespace {

constexpr std::int64_t ProgressEvery = 20000;

SampleStatement sampleOf(const CaptureRecord& r, const QString& fingerprint, const QString& query)
{
    SampleStatement s;
    s.fingerprint = fingerprint;
    s.query = query;
    s.text = r.statement;
    s.database = QString::fromStdString(r.database);
    s.protocol = r.protocol;
    s.parameters = r.parameters;
    return s;
}

// Production from the capture; the shadow too when the statements were mirrored.
Status readCapture(const QString& dir, bool withShadow, DiffInput& in, const CancelToken& cancel,
                   const std::function<void(std::int64_t)>& progress)
{
    struct Seen
    {
        int fp = 0;
        QString fingerprint;
    };
    std::unordered_map<std::string, Seen> byText; // fingerprinting is costly: once per text
    std::vector<bool> sampleSucceeded;            // by engine index
    CaptureReader reader(dir);
    auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind != CaptureRecord::Kind::Statement || cancel.isCancelled())
            return;
        auto it = byText.find(r.statement);
        if (it == byText.end()) {
            const Fingerprint f = fingerprintStatement(r.statement);
            it = byText
                     .emplace(r.statement, Seen{in.engine.fingerprint(f.fingerprint, f.normalized),
                                                f.fingerprint})
                     .first;
            if (size_t(it->second.fp) >= sampleSucceeded.size()) {
                sampleSucceeded.resize(size_t(it->second.fp) + 1, false);
                in.samples.insert(f.fingerprint, sampleOf(r, f.fingerprint, f.normalized));
                sampleSucceeded[size_t(it->second.fp)] = r.sqlState.empty();
            }
        }
        const int fp = it->second.fp;
        // The plan of a call that failed may be no plan at all: prefer one that succeeded.
        if (!sampleSucceeded[size_t(fp)] && r.sqlState.empty()) {
            SampleStatement& s = in.samples[it->second.fingerprint];
            s = sampleOf(r, s.fingerprint, s.query);
            sampleSucceeded[size_t(fp)] = true;
        }
        ++in.statements;
        in.engine.addProduction(fp, double(r.durationUs) / 1000.0, r.sqlState);
        if (withShadow && r.shadow) {
            ++in.mirrored;
            in.syncUnknown += !r.shadow->synchronized.has_value();
            in.unsynchronized += !r.shadow->synchronized.value_or(true);
            in.engine.addShadow(fp, double(r.shadow->durationUs) / 1000.0, r.shadow->sqlState);
            in.engine.addPairCheck(fp, r.shadow->synchronized.value_or(true), r.rows,
                                   r.shadow->rows,
                                   (r.resultHash && r.shadow->resultHash)
                                       ? std::optional<bool>(*r.resultHash == *r.shadow->resultHash)
                                       : std::nullopt);
        }
        if (progress && in.statements % ProgressEvery == 0)
            progress(in.statements);
    });
    if (!st)
        return st.error();
    if (cancel.isCancelled())
        return makeError(ErrorCode::Cancelled,
                         QStringLiteral("reading the capture %1 was cancelled").arg(dir));
    if (in.statements == 0)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("the capture %1 holds no statement").arg(dir));
    if (withShadow && in.mirrored == 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("the capture %1 has no mirrored statement: run doppel-proxy with "
                           "--shadow and --mirror-rate, or give a replay report with --replay")
                .arg(dir));
    in.source =
        withShadow
            ? QStringLiteral("capture %1: %2 statements, %3 mirrored to the shadow")
                  .arg(dir)
                  .arg(in.statements)
                  .arg(in.mirrored)
            : QStringLiteral("capture %1: %2 statements on production").arg(dir).arg(in.statements);
    if (reader.damaged() > 0)
        in.source += QStringLiteral(" (%1 damaged records skipped)").arg(reader.damaged());
    return Ok{};
}

Status readReplay(const QString& path, DiffInput& in)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("cannot read %1").arg(path));
    QJsonParseError error;
    const QJsonObject report = QJsonDocument::fromJson(file.readAll(), &error).object();
    if (error.error != QJsonParseError::NoError || !report.contains(QStringLiteral("statements")))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1 is not a replay report of doppelctl replay").arg(path));
    std::int64_t samples = 0;
    for (const auto& v : report.value(QStringLiteral("statements")).toArray()) {
        const QJsonObject s = v.toObject();
        const int fp = in.engine.fingerprint(s.value(QStringLiteral("fingerprint")).toString(),
                                             s.value(QStringLiteral("query")).toString());
        const QJsonArray latencies = s.value(QStringLiteral("samples_ms")).toArray();
        const QJsonObject errors = s.value(QStringLiteral("error_counts")).toObject();
        // The errors are attached to the first samples: which ones failed is not in the report.
        std::int64_t pendingErrors = 0;
        QStringList states;
        for (auto it = errors.constBegin(); it != errors.constEnd(); ++it)
            for (int i = 0; i < it.value().toInt(); ++i)
                states << it.key();
        for (const auto& l : latencies) {
            in.engine.addShadow(fp, l.toDouble(),
                                pendingErrors < states.size()
                                    ? states[qsizetype(pendingErrors)].toStdString()
                                    : std::string());
            ++pendingErrors;
            ++samples;
        }
    }
    if (samples == 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 carries no latency samples (made by an older doppelctl?)")
                .arg(path));
    in.source += QStringLiteral("; replay report %1: %2 latency samples from the shadow")
                     .arg(path)
                     .arg(samples);
    return Ok{};
}

} // namespace

const SampleStatement* DiffInput::sample(const QString& fingerprint) const
{
    auto it = samples.constFind(fingerprint);
    return it == samples.constEnd() ? nullptr : &*it;
}

QStringList DiffInput::notes() const
{
    QStringList out;
    if (mirrored > 0 && syncUnknown == mirrored)
        out << QStringLiteral("WAL positions not watched: the proxy did not record whether the "
                              "shadow had caught up with production, so every mirrored pair "
                              "was compared as if it had");
    else if (syncUnknown > 0)
        out << QStringLiteral("WAL positions not watched for %1 of %2 mirrored pairs")
                   .arg(syncUnknown)
                   .arg(mirrored);
    if (unsynchronized > 0)
        out << QStringLiteral("%1 pairs unsynchronized, left out of result comparison: the "
                              "shadow had not yet applied production's WAL position")
                   .arg(unsynchronized);
    return out;
}

DiffReport DiffInput::report(std::vector<DiffRule> rules, const DiffEngine::Options& options) const
{
    if (rules.empty())
        rules = defaultDiffRules();
    DiffReport r;
    r.source = source;
    r.notes = notes();
    r.statements = engine.compare(options);
    r.alerts = evaluateRules(rules, r.statements);
    for (const DiffRule& rule : rules)
        r.rules << rule.text();
    return r;
}

Result<DiffInput> readDiffInput(const QString& captureDir, const QString& replayReport,
                                const CancelToken& cancel,
                                const std::function<void(std::int64_t)>& progress)
{
    DiffInput in;
    const bool replay = !replayReport.isEmpty();
    if (auto st = readCapture(captureDir, !replay, in, cancel, progress); !st)
        return st.error();
    if (replay)
        if (auto st = readReplay(replayReport, in); !st)
            return st.error();
    return in;
}

} // namespace doppel
