// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl capture stats DIR [--json]`: what a capture directory holds, per fingerprint.
#include "CommandLine.h"

#include "workload/CaptureStats.h"

#include <QJsonDocument>

namespace doppel::cli {

static int captureStats(Context& ctx, const Arguments& a)
{
    if (a.positional.size() != 2) {
        ctx.err << "usage: doppelctl capture stats DIR [--json]\n";
        return Usage;
    }
    auto stats = computeCaptureStats(a.positional[1]);
    if (!stats) {
        ctx.err << "doppelctl capture stats: " << stats.error().message << "\n";
        return Failure;
    }
    for (const CaptureIssue& issue : stats->issues)
        ctx.err << (issue.tornTail ? "warning: " : "damaged: ") << issue.toString() << "\n";
    if (a.has(QStringLiteral("json"))) {
        ctx.out << QJsonDocument(stats->toJson()).toJson(QJsonDocument::Indented);
        return Success;
    }
    ctx.out << "statements " << stats->statements << ", errors " << stats->errors << ", dropped "
            << stats->dropped << ", damaged " << stats->damaged << "\n\n";
    ctx.out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
                   .arg(QStringLiteral("fingerprint"), -16)
                   .arg(QStringLiteral("calls"), 9)
                   .arg(QStringLiteral("total_ms"), 11)
                   .arg(QStringLiteral("mean_ms"), 9)
                   .arg(QStringLiteral("p95_ms"), 9)
                   .arg(QStringLiteral("rows"), 9)
                   .arg(QStringLiteral("errors"), 7)
                   .arg(QStringLiteral("query"));
    for (const StatementStats& s : stats->byFingerprint) {
        QString query = s.query.simplified();
        if (query.size() > 80)
            query = query.left(77) + QStringLiteral("...");
        ctx.out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
                       .arg(s.fingerprint, -16)
                       .arg(s.calls, 9)
                       .arg(s.totalMs, 11, 'f', 1)
                       .arg(s.meanMs, 9, 'f', 3)
                       .arg(s.p95Ms, 9, 'f', 3)
                       .arg(s.rows, 9)
                       .arg(s.errors, 7)
                       .arg(query);
    }
    if (stats->mirrored > 0) {
        ctx.out << "\nmirrored to the shadow: " << stats->mirrored << " statements\n";
        ctx.out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                       .arg(QStringLiteral("fingerprint"), -16)
                       .arg(QStringLiteral("mirrored"), 9)
                       .arg(QStringLiteral("mean_ms"), 9)
                       .arg(QStringLiteral("p95_ms"), 9)
                       .arg(QStringLiteral("errors"), 7)
                       .arg(QStringLiteral("(shadow)"));
        for (const StatementStats& s : stats->byFingerprint)
            if (s.mirrored > 0)
                ctx.out << QStringLiteral("%1 %2 %3 %4 %5\n")
                               .arg(s.fingerprint, -16)
                               .arg(s.mirrored, 9)
                               .arg(s.shadowMeanMs, 9, 'f', 3)
                               .arg(s.shadowP95Ms, 9, 'f', 3)
                               .arg(s.shadowErrors, 7);
    }
    return Success;
}

int runCapture(Context& ctx, const QStringList& args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("import"))
        return runCaptureImport(ctx, args.mid(1));
    auto a = Arguments::parse(args, {}, {QStringLiteral("json")});
    if (!a) {
        ctx.err << "doppelctl capture: " << a.error().message << "\n";
        return Usage;
    }
    const QString sub = a->positional.value(0);
    if (sub == QLatin1String("stats"))
        return captureStats(ctx, *a);
    ctx.err << "usage: doppelctl capture stats DIR [--json]\n"
               "       doppelctl capture import --log FILE... --format csvlog|stderr "
               "[--log-line-prefix PREFIX] --out DIR\n";
    return Usage;
}

} // namespace doppel::cli
