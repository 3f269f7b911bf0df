// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl forecast-service run-once`: one headless re-fit round of the forecast service, and
// `doppelctl thresholds add|list|remove`: the thresholds that round checks.
#include "CommandLine.h"

#include "forecast/ForecastAlerts.h"
#include "forecast/ForecastRound.h"
#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThreadPool>

#include <cmath>

namespace doppel::cli {

namespace {

const char* const kServiceUsage =
    "usage: doppelctl forecast-service run-once [--host NAME] [--horizons 1h,1d,1w] "
    "[--no-limits] [--json]\n";
const char* const kThresholdUsage =
    "usage: doppelctl thresholds add --metric NAME --value X --horizon 1h|1d|1w|DURATION\n"
    "                                [--probability 0.8|80%] [--host NAME] [--below]\n"
    "  --below: the value is a floor (free disk, cache hit ratio), crossed by going under it\n"
    "       doppelctl thresholds list [--json] | doppelctl thresholds remove ID\n";

QJsonValue optionalTime(const std::optional<qint64>& ms)
{
    return ms ? QJsonValue(forecast::formatTime(*ms)) : QJsonValue(QJsonValue::Null);
}

QJsonObject limitJson(const LimitForecast& l)
{
    return {{QStringLiteral("host"), l.host},
            {QStringLiteral("limit"), l.name},
            {QStringLiteral("metric"), l.metric},
            {QStringLiteral("limitValue"), l.limitValue},
            {QStringLiteral("horizon"), forecast::horizonName(l.horizonMs)},
            {QStringLiteral("breachProbability"), l.probability},
            {QStringLiteral("expectedBreach"), optionalTime(l.expectedMs)},
            {QStringLiteral("breachLower80"), optionalTime(l.lowerMs)},
            {QStringLiteral("breachUpper80"), optionalTime(l.upperMs)},
            {QStringLiteral("detail"), l.detail}};
}

int runOnce(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args, {QStringLiteral("host"), QStringLiteral("horizons")},
                              {QStringLiteral("no-limits"), QStringLiteral("json")});
    if (!a || !a->positional.isEmpty()) {
        ctx.err << "doppelctl forecast-service: "
                << (a ? QStringLiteral("unexpected argument ") + a->positional.first()
                      : a.error().message)
                << "\n"
                << kServiceUsage;
        return Usage;
    }
    forecast::RoundOptions options;
    options.host = a->value(QStringLiteral("host"));
    options.limits = !a->has(QStringLiteral("no-limits"));
    if (a->has(QStringLiteral("horizons"))) {
        options.horizons.clear();
        for (const QString& part : a->value(QStringLiteral("horizons")).split(QLatin1Char(','))) {
            auto h = forecast::parseHorizon(part);
            if (!h) {
                ctx.err << "doppelctl forecast-service: " << h.error().message << "\n";
                return Usage;
            }
            options.horizons.push_back(*h);
        }
    }
    QThreadPool pool;
    const forecast::RoundResult r = forecast::runForecastRound(ctx.repoPath, options, pool);
    if (a->has(QStringLiteral("json"))) {
        QJsonArray events, limits, errors;
        for (const Event& e : r.events)
            events.append(QJsonObject{{QStringLiteral("host"), e.host},
                                      {QStringLiteral("severity"), severityName(e.severity)},
                                      {QStringLiteral("message"), e.message}});
        for (const LimitForecast& l : r.limits)
            limits.append(limitJson(l));
        for (const QString& e : r.errors)
            errors.append(e);
        ctx.out << QJsonDocument(
                       QJsonObject{{QStringLiteral("fitted"), r.fitted},
                                   {QStringLiteral("failed"), r.failed},
                                   {QStringLiteral("thresholdsChecked"), r.thresholdsChecked},
                                   {QStringLiteral("events"), events},
                                   {QStringLiteral("limits"), limits},
                                   {QStringLiteral("errors"), errors}})
                       .toJson(QJsonDocument::Indented);
    } else {
        ctx.out << "fitted " << r.fitted << " forecast(s), " << r.failed << " failed, "
                << r.thresholdsChecked << " threshold check(s)\n";
        for (const LimitForecast& l : r.limits) {
            ctx.out << "limit " << l.host << " " << l.name << ": P(breach within "
                    << forecast::horizonName(l.horizonMs)
                    << ") = " << QString::number(l.probability, 'f', 3);
            if (l.expectedMs)
                ctx.out << ", expected " << forecast::formatTime(*l.expectedMs) << " (80 % "
                        << forecast::formatTime(*l.lowerMs) << " to "
                        << forecast::formatTime(*l.upperMs) << ")";
            ctx.out << "\n";
        }
        for (const Event& e : r.events)
            ctx.out << "event " << e.host << ": " << e.message << "\n";
        for (const QString& e : r.errors)
            ctx.err << "error: " << e << "\n";
    }
    // Failed fits (too-short series) are normal; a round that could not run at all is not.
    return r.fitted == 0 && !r.errors.isEmpty() ? Failure : Success;
}

Result<double> parseProbability(const QString& text)
{
    QString t = text.trimmed();
    const bool percent = t.endsWith(QLatin1Char('%'));
    if (percent)
        t.chop(1);
    bool ok = false;
    double p = t.toDouble(&ok);
    if (ok && (percent || p > 1))
        p /= 100;
    if (!ok || !(p > 0 && p <= 1))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--probability takes 0 < p <= 1 or a percentage such as "
                                        "80%, not '%1'")
                             .arg(text));
    return p;
}

int addThreshold(Context& ctx, const Arguments& a)
{
    if (!a.has(QStringLiteral("metric")) || !a.has(QStringLiteral("value")) ||
        !a.has(QStringLiteral("horizon"))) {
        ctx.err << kThresholdUsage;
        return Usage;
    }
    ForecastThreshold t;
    t.metric = a.value(QStringLiteral("metric"));
    t.host = a.value(QStringLiteral("host"));
    if (!findMetric(t.metric)) {
        ctx.err << "doppelctl thresholds: unknown metric '" << t.metric
                << "' (see `doppelctl metrics --list`)\n";
        return Usage;
    }
    bool ok = false;
    t.value = a.value(QStringLiteral("value")).toDouble(&ok);
    if (!ok || !std::isfinite(t.value)) {
        ctx.err << "doppelctl thresholds: --value takes a number, not '"
                << a.value(QStringLiteral("value")) << "'\n";
        return Usage;
    }
    auto horizon = forecast::parseHorizon(a.value(QStringLiteral("horizon")));
    auto probability = parseProbability(a.value(QStringLiteral("probability"), "0.8"));
    if (!horizon || !probability) {
        ctx.err << "doppelctl thresholds: "
                << (!horizon ? horizon.error() : probability.error()).message << "\n";
        return Usage;
    }
    t.horizonMs = *horizon;
    t.probability = *probability;
    t.below = a.has(QStringLiteral("below"));
    auto repo = Repository::open(ctx.repoPath);
    if (!repo) {
        ctx.err << "doppelctl thresholds: " << repo.error().message << "\n";
        return Failure;
    }
    auto id = (*repo)->addThreshold(t);
    if (!id) {
        ctx.err << "doppelctl thresholds: " << id.error().message << "\n";
        return Failure;
    }
    ctx.out << "threshold " << *id << ": " << t.metric << (t.below ? " < " : " > ") << t.value
            << " within " << forecast::horizonName(t.horizonMs)
            << " with >= " << t.probability * 100 << " % probability"
            << (t.host.isEmpty() ? QString() : " on " + t.host) << "\n";
    return Success;
}

} // namespace

int runForecastService(Context& ctx, const QStringList& args)
{
    if (args.isEmpty() || args.first() != QLatin1String("run-once")) {
        ctx.err << kServiceUsage;
        return Usage;
    }
    return runOnce(ctx, args.mid(1));
}

int runThresholds(Context& ctx, const QStringList& args)
{
    const QString sub = args.value(0);
    auto a = Arguments::parse(args.mid(1),
                              {QStringLiteral("metric"), QStringLiteral("value"),
                               QStringLiteral("horizon"), QStringLiteral("probability"),
                               QStringLiteral("host")},
                              {QStringLiteral("json"), QStringLiteral("below")});
    if (!a) {
        ctx.err << "doppelctl thresholds: " << a.error().message << "\n" << kThresholdUsage;
        return Usage;
    }
    if (sub == QLatin1String("add"))
        return addThreshold(ctx, *a);
    if (sub != QLatin1String("list") && sub != QLatin1String("remove")) {
        ctx.err << kThresholdUsage;
        return Usage;
    }
    auto repo = Repository::open(ctx.repoPath);
    if (!repo) {
        ctx.err << "doppelctl thresholds: " << repo.error().message << "\n";
        return Failure;
    }
    if (sub == QLatin1String("remove")) {
        bool ok = false;
        const qint64 id = a->positional.value(0).toLongLong(&ok);
        if (!ok || a->positional.size() != 1) {
            ctx.err << kThresholdUsage;
            return Usage;
        }
        if (auto st = (*repo)->removeThreshold(id); !st) {
            ctx.err << "doppelctl thresholds: " << st.error().message << "\n";
            return Failure;
        }
        ctx.out << "removed threshold " << id << "\n";
        return Success;
    }
    auto list = (*repo)->thresholds();
    if (!list) {
        ctx.err << "doppelctl thresholds: " << list.error().message << "\n";
        return Failure;
    }
    if (a->has(QStringLiteral("json"))) {
        QJsonArray rows;
        for (const ForecastThreshold& t : *list) {
            // ISO-8601 UTC; null for a threshold added before the repository kept the time.
            const QJsonValue created =
                t.createdMs > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(t.createdMs, Qt::UTC)
                                                 .toString(Qt::ISODate))
                                : QJsonValue();
            rows.append(QJsonObject{{QStringLiteral("id"), t.id},
                                    {QStringLiteral("host"), t.host},
                                    {QStringLiteral("metric"), t.metric},
                                    {QStringLiteral("value"), t.value},
                                    {QStringLiteral("horizonSeconds"), double(t.horizonMs) / 1000},
                                    {QStringLiteral("probability"), t.probability},
                                    {QStringLiteral("below"), t.below},
                                    {QStringLiteral("created"), created}});
        }
        ctx.out << QJsonDocument(rows).toJson(QJsonDocument::Indented);
        return Success;
    }
    for (const ForecastThreshold& t : *list)
        ctx.out << t.id << "\t" << (t.host.isEmpty() ? QStringLiteral("*") : t.host) << "\t"
                << t.metric << (t.below ? " < " : " > ") << t.value << " within "
                << forecast::horizonName(t.horizonMs) << " with >= " << t.probability * 100
                << " %\n";
    return Success;
}

} // namespace doppel::cli
