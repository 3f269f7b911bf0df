// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl diff`: production against the shadow, per statement fingerprint, from a capture
// with mirrored shadow results or from a replay report of the shadow.
#include "CommandLine.h"

#include "diff/DiffReport.h"
#include "workload/CaptureReader.h"
#include "workload/CaptureStats.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <unordered_map>

namespace doppel::cli {

namespace {

const char* const DiffUsage =
    "usage: doppelctl diff --capture DIR [--replay FILE.json] --report "
    "FILE.html|FILE.md|FILE.json\n"
    "         [--rule 'NAME: FIELD OP NUMBER and ...']... [--alpha 0.01]\n"
    "  Without --replay the capture's mirrored shadow results are compared; with it, the\n"
    "  capture's production timings against the replay of that window on the shadow.\n"
    "  Exit status 1 when an alert rule matched.\n";

// Production from the capture; the shadow too when the statements were mirrored.
Result<QString> readCapture(const QString& dir, bool withShadow, DiffEngine& engine)
{
    std::unordered_map<std::string, int> byText; // fingerprinting is the costly part: once per text
    std::int64_t statements = 0, mirrored = 0;
    CaptureReader reader(dir);
    auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind != CaptureRecord::Kind::Statement)
            return;
        auto it = byText.find(r.statement);
        if (it == byText.end()) {
            const Fingerprint f = fingerprintStatement(r.statement);
            it = byText.emplace(r.statement, engine.fingerprint(f.fingerprint, f.normalized)).first;
        }
        ++statements;
        engine.addProduction(it->second, double(r.durationUs) / 1000.0, r.sqlState);
        if (withShadow && r.shadow) {
            ++mirrored;
            engine.addShadow(it->second, double(r.shadow->durationUs) / 1000.0, r.shadow->sqlState);
            engine.addPairCheck(it->second, true, r.rows, r.shadow->rows, std::nullopt);
        }
    });
    if (!st)
        return st.error();
    if (statements == 0)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("the capture %1 holds no statement").arg(dir));
    if (withShadow && mirrored == 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("the capture %1 has no mirrored statement: run doppel-proxy with "
                           "--shadow and --mirror-rate, or give a replay report with --replay")
                .arg(dir));
    return withShadow
               ? QStringLiteral("capture %1: %2 statements, %3 mirrored to the shadow")
                     .arg(dir)
                     .arg(statements)
                     .arg(mirrored)
               : QStringLiteral("capture %1: %2 statements on production").arg(dir).arg(statements);
}

Result<QString> readReplay(const QString& path, DiffEngine& engine)
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
        const int fp = engine.fingerprint(s.value(QStringLiteral("fingerprint")).toString(),
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
            engine.addShadow(fp, l.toDouble(),
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
    return QStringLiteral("replay report %1: %2 latency samples from the shadow")
        .arg(path)
        .arg(samples);
}

} // namespace

int runDiff(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args,
                              {QStringLiteral("capture"), QStringLiteral("replay"),
                               QStringLiteral("report"), QStringLiteral("rule"),
                               QStringLiteral("alpha")},
                              {});
    if (!a || !a->has(QStringLiteral("capture")) || !a->has(QStringLiteral("report"))) {
        ctx.err << "doppelctl diff: "
                << (a ? QStringLiteral("--capture and --report are required") : a.error().message)
                << "\n"
                << DiffUsage;
        return Usage;
    }
    std::vector<DiffRule> rules;
    for (const QString& text : a->values(QStringLiteral("rule"))) {
        auto rule = DiffRule::parse(text);
        if (!rule) {
            ctx.err << "doppelctl diff: " << rule.error().message << "\n";
            return Usage;
        }
        rules.push_back(*rule);
    }
    if (rules.empty())
        rules = defaultDiffRules();
    DiffEngine::Options options;
    if (a->has(QStringLiteral("alpha"))) {
        bool ok = false;
        options.alpha = a->value(QStringLiteral("alpha")).toDouble(&ok);
        if (!ok || options.alpha <= 0 || options.alpha >= 1) {
            ctx.err << "doppelctl diff: --alpha takes a probability between 0 and 1\n";
            return Usage;
        }
    }

    DiffEngine engine;
    const bool replay = a->has(QStringLiteral("replay"));
    auto capture = readCapture(a->value(QStringLiteral("capture")), !replay, engine);
    if (!capture) {
        ctx.err << "doppelctl diff: " << capture.error().message << "\n";
        return Failure;
    }
    QString source = *capture;
    if (replay) {
        auto shadow = readReplay(a->value(QStringLiteral("replay")), engine);
        if (!shadow) {
            ctx.err << "doppelctl diff: " << shadow.error().message << "\n";
            return Failure;
        }
        source += QStringLiteral("; ") + *shadow;
    }
    DiffReport report;
    report.source = source;
    report.statements = engine.compare(options);
    report.alerts = evaluateRules(rules, report.statements);
    for (const DiffRule& r : rules)
        report.rules << r.text();
    if (auto st = report.save(a->value(QStringLiteral("report"))); !st) {
        ctx.err << "doppelctl diff: " << st.error().message << "\n";
        return Failure;
    }
    ctx.out << report.verdict() << "\n";
    for (const DiffAlert& alert : report.alerts)
        ctx.out << "  " << alert.rule << ": " << alert.query.simplified().left(100) << "\n";
    ctx.out << "report written to " << a->value(QStringLiteral("report")) << "\n";
    return report.alerts.empty() ? Success : Failure;
}

} // namespace doppel::cli
