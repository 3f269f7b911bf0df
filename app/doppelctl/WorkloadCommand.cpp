// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl workload features|summary DIR`: a capture's statement features and its workload per
// time window, optionally stored in the repository for the forecasting and cost engines.
#include "CommandLine.h"

#include "common/Duration.h"
#include "store/Repository.h"
#include "workload/WorkloadSummary.h"

#include <QDateTime>
#include <QJsonDocument>

#include <cmath>

namespace doppel::cli {

namespace {

constexpr const char* UsageText =
    "usage: doppelctl workload features DIR [--json]\n"
    "       doppelctl workload summary DIR [--window 60s] [--top 10] [--json]\n"
    "                 [--store --host NAME [--repo PATH]]\n";

QString shortQuery(const QString& query)
{
    QString q = query.simplified();
    return q.size() > 80 ? q.left(77) + QStringLiteral("...") : q;
}

QString percent(qint64 part, qint64 whole)
{
    return QStringLiteral("%1 (%2%)")
        .arg(part)
        .arg(whole ? 100.0 * double(part) / double(whole) : 0.0, 0, 'f', 1);
}

QString ratioText(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("-");
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

void printMix(QTextStream& out, const FeatureMix& mix)
{
    out << "statements " << mix.statements << "\nkinds:";
    for (auto it = mix.kinds.cbegin(); it != mix.kinds.cend(); ++it)
        out << " " << statementKindName(it.key()) << " " << percent(it.value(), mix.statements)
            << ";";
    out << "\nwith joins " << percent(mix.withJoins, mix.statements) << ", subqueries or CTEs "
        << percent(mix.withSubqueries, mix.statements) << ", aggregates "
        << percent(mix.withAggregates, mix.statements) << ", ORDER BY "
        << percent(mix.withSorts, mix.statements) << ", window functions "
        << percent(mix.withWindows, mix.statements) << ", LIMIT "
        << percent(mix.withLimit, mix.statements) << "\nmean depth "
        << QString::number(mix.meanDepth, 'f', 1) << ", mean tables "
        << QString::number(mix.meanTables, 'f', 2) << "\n";
}

void printFeatures(QTextStream& out, const WorkloadSummary& s)
{
    printMix(out, s.mix);
    out << "\n"
        << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10 %11 %12 %13  %14\n")
               .arg(QStringLiteral("fingerprint"), -16)
               .arg(QStringLiteral("calls"), 9)
               .arg(QStringLiteral("kind"), -11)
               .arg(QStringLiteral("ro"), 2)
               .arg(QStringLiteral("depth"), 5)
               .arg(QStringLiteral("joins"), 5)
               .arg(QStringLiteral("subq"), 4)
               .arg(QStringLiteral("ctes"), 4)
               .arg(QStringLiteral("tables"), 6)
               .arg(QStringLiteral("aggs"), 4)
               .arg(QStringLiteral("sorts"), 5)
               .arg(QStringLiteral("wins"), 4)
               .arg(QStringLiteral("limit"), 5)
               .arg(QStringLiteral("query"));
    for (const FingerprintSummary& f : s.byFingerprint) {
        const StatementFeatures& x = f.features;
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10 %11 %12 %13  %14\n")
                   .arg(f.fingerprint, -16)
                   .arg(f.calls, 9)
                   .arg(statementKindName(f.kind), -11)
                   .arg(f.readOnly ? QStringLiteral("y") : QStringLiteral("n"), 2)
                   .arg(x.depth, 5)
                   .arg(x.joins, 5)
                   .arg(x.subqueries, 4)
                   .arg(x.ctes, 4)
                   .arg(x.tables, 6)
                   .arg(x.aggregates, 4)
                   .arg(x.sorts, 5)
                   .arg(x.windows, 4)
                   .arg(x.limit ? QStringLiteral("y") : QStringLiteral("n"), 5)
                   .arg(shortQuery(f.query));
    }
}

void printSummary(QTextStream& out, const WorkloadSummary& s, int top)
{
    out << "capture " << s.capture << ": " << s.statements << " statements from "
        << isoTime(s.firstMs) << " to " << isoTime(s.lastMs) << ", " << s.sessions << " sessions, "
        << s.errors << " errors, " << s.dropped << " dropped, " << s.damaged << " damaged\n"
        << QString::number(s.statementsPerS, 'f', 2) << " statements/s, mean concurrency "
        << QString::number(s.meanConcurrency, 'f', 3) << ", read ratio " << ratioText(s.readRatio)
        << "\n\n";
    out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
               .arg(QStringLiteral("window start (UTC)"), -20)
               .arg(QStringLiteral("statements"), 10)
               .arg(QStringLiteral("stmts/s"), 10)
               .arg(QStringLiteral("sessions"), 8)
               .arg(QStringLiteral("concurrency"), 11)
               .arg(QStringLiteral("read_ratio"), 10)
               .arg(QStringLiteral("errors"), 7);
    for (const WorkloadWindow& w : s.windows)
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                   .arg(isoTime(w.startMs), -20)
                   .arg(w.statements, 10)
                   .arg(w.statementsPerS, 10, 'f', 2)
                   .arg(w.activeSessions, 8)
                   .arg(w.meanConcurrency, 11, 'f', 3)
                   .arg(ratioText(w.readRatio), 10)
                   .arg(w.errors, 7);
    out << "\ntop " << std::min<qsizetype>(top, s.byFingerprint.size()) << " by total time\n"
        << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
               .arg(QStringLiteral("fingerprint"), -16)
               .arg(QStringLiteral("calls"), 9)
               .arg(QStringLiteral("total_ms"), 11)
               .arg(QStringLiteral("mean_ms"), 9)
               .arg(QStringLiteral("rows"), 9)
               .arg(QStringLiteral("errors"), 7)
               .arg(QStringLiteral("kind"), -11)
               .arg(QStringLiteral("query"));
    for (const FingerprintSummary& f : s.byFingerprint.mid(0, top))
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
                   .arg(f.fingerprint, -16)
                   .arg(f.calls, 9)
                   .arg(f.totalMs, 11, 'f', 1)
                   .arg(f.meanMs, 9, 'f', 3)
                   .arg(f.rows, 9)
                   .arg(f.errors, 7)
                   .arg(statementKindName(f.kind), -11)
                   .arg(shortQuery(f.query));
}

int store(Context& ctx, const QString& host, const WorkloadSummary& s)
{
    auto repo = Repository::open(ctx.repoPath);
    if (!repo) {
        ctx.err << "doppelctl workload summary: " << repo.error().toString() << "\n";
        return Failure;
    }
    auto id = (*repo)->storeWorkloadSummary(host, s);
    if (!id) {
        ctx.err << "doppelctl workload summary: " << id.error().message << "\n";
        return Failure;
    }
    ctx.err << "stored the workload of " << s.capture << " for host " << host << " in "
            << ctx.repoPath << ": " << s.windows.size() << " windows, " << s.byFingerprint.size()
            << " fingerprints (capture id " << *id << ")\n";
    return Success;
}

} // namespace

int runWorkload(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(
        args, {QStringLiteral("window"), QStringLiteral("top"), QStringLiteral("host")},
        {QStringLiteral("json"), QStringLiteral("store")});
    if (!a) {
        ctx.err << "doppelctl workload: " << a.error().message << "\n" << UsageText;
        return Usage;
    }
    const QString sub = a->positional.value(0);
    const bool summary = sub == QLatin1String("summary");
    if ((!summary && sub != QLatin1String("features")) || a->positional.size() != 2) {
        ctx.err << UsageText;
        return Usage;
    }
    const QString prefix = QStringLiteral("doppelctl workload ") + sub + QStringLiteral(": ");
    if (!summary) {
        for (const char* option : {"window", "top", "host", "store"})
            if (a->has(QLatin1String(option))) {
                ctx.err << prefix << "--" << option << " goes with `workload summary`\n"
                        << UsageText;
                return Usage;
            }
    }
    std::chrono::milliseconds window{60000};
    if (a->has(QStringLiteral("window"))) {
        auto parsed = parseDuration(a->value(QStringLiteral("window")));
        if (!parsed || parsed->count() < 1000) {
            ctx.err << prefix << "--window takes a duration of at least 1s such as 60s or 5m, not '"
                    << a->value(QStringLiteral("window")) << "'\n";
            return Usage;
        }
        window = *parsed;
    }
    bool topOk = true;
    const int top = a->value(QStringLiteral("top"), QStringLiteral("10")).toInt(&topOk);
    if (!topOk || top < 0) {
        ctx.err << prefix << "--top takes a count, not '" << a->value(QStringLiteral("top"))
                << "'\n";
        return Usage;
    }
    const bool storing = a->has(QStringLiteral("store"));
    if (storing != a->has(QStringLiteral("host"))) {
        ctx.err << prefix
                << (storing ? "--store needs --host NAME, the host whose workload this is\n"
                            : "--host goes with --store\n");
        return Usage;
    }

    auto s = summarizeWorkload(a->positional[1], window.count());
    if (!s) {
        ctx.err << prefix << s.error().message << "\n";
        return Failure;
    }
    for (const CaptureIssue& issue : s->issues)
        ctx.err << (issue.tornTail ? "warning: " : "damaged: ") << issue.toString() << "\n";
    const bool json = a->has(QStringLiteral("json"));
    if (!summary) {
        if (json)
            ctx.out << QJsonDocument(s->featuresJson()).toJson(QJsonDocument::Indented);
        else
            printFeatures(ctx.out, *s);
        return Success;
    }
    if (json)
        ctx.out << QJsonDocument(s->summaryJson(top)).toJson(QJsonDocument::Indented);
    else
        printSummary(ctx.out, *s, top);
    return storing ? store(ctx, a->value(QStringLiteral("host")), *s) : Success;
}

} // namespace doppel::cli
