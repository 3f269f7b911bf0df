// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl metrics`: a host's samples of one metric as timestamp,value rows.
#include "CommandLine.h"

#include "common/Duration.h"
#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

#include <QDateTime>

namespace doppel::cli {

static QString isoTimestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

int runMetrics(Context& ctx, const QStringList& args)
{
    auto a =
        Arguments::parse(args,
                         {QStringLiteral("host"), QStringLiteral("metric"), QStringLiteral("since"),
                          QStringLiteral("last"), QStringLiteral("until")},
                         {QStringLiteral("csv"), QStringLiteral("list")});
    if (!a) {
        ctx.err << "doppelctl metrics: " << a.error().message << "\n";
        return Usage;
    }
    if (a->has(QStringLiteral("list"))) {
        for (const auto& m : metricCatalog())
            ctx.out << m.name << "\t" << m.unit << "\t" << m.description << "\n";
        return Success;
    }
    if (!a->has(QStringLiteral("host")) || !a->has(QStringLiteral("metric"))) {
        ctx.err
            << "usage: doppelctl metrics --host NAME --metric NAME [--since ISO|--last 1h] --csv\n";
        return Usage;
    }
    const QString metric = a->value(QStringLiteral("metric"));
    if (!findMetric(metric)) {
        ctx.err << "doppelctl metrics: unknown metric '" << metric
                << "' (see `doppelctl metrics --list`)\n";
        return Usage;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 from = 0;
    qint64 to = now;
    if (a->has(QStringLiteral("since")) && a->has(QStringLiteral("last"))) {
        ctx.err << "doppelctl metrics: give --since or --last, not both\n";
        return Usage;
    }
    if (a->has(QStringLiteral("since"))) {
        const QString text = a->value(QStringLiteral("since"));
        const QDateTime since = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!since.isValid()) {
            ctx.err << "doppelctl metrics: --since takes an ISO-8601 time such as "
                       "2026-11-22T10:00:00Z, not '"
                    << text << "'\n";
            return Usage;
        }
        from = since.toMSecsSinceEpoch();
    } else if (a->has(QStringLiteral("last"))) {
        auto last = parseDuration(a->value(QStringLiteral("last")));
        if (!last) {
            ctx.err << "doppelctl metrics: " << last.error().message << "\n";
            return Usage;
        }
        from = now - last->count();
    }
    auto repo = Repository::open(ctx.repoPath);
    if (!repo) {
        ctx.err << "doppelctl: " << repo.error().toString() << "\n";
        return Failure;
    }
    auto host = (*repo)->host(a->value(QStringLiteral("host")));
    if (!host) {
        ctx.err << "doppelctl metrics: " << host.error().message << "\n";
        return Failure;
    }
    auto samples = (*repo)->samples(host->id, metric, from, to);
    if (!samples) {
        ctx.err << "doppelctl metrics: " << samples.error().toString() << "\n";
        return Failure;
    }
    const bool csv = a->has(QStringLiteral("csv"));
    ctx.out << (csv ? "timestamp,value\n" : "timestamp\tvalue\n");
    for (const auto& s : *samples)
        ctx.out << isoTimestamp(s.timestampMs) << (csv ? "," : "\t")
                << QString::number(s.value, 'g', 15) << "\n";
    return Success;
}

} // namespace doppel::cli
