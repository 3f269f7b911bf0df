// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl forecast`: forecast a CSV series or a host's metric from the repository, with
// prediction intervals and, given a threshold, the risk of crossing it within the horizon.
#include "CommandLine.h"

#include "common/Duration.h"
#include "forecast/Forecaster.h"
#include "forecast/Series.h"
#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cmath>

namespace doppel::cli {

namespace {

using forecast::ForecastReport;
using forecast::Series;

const char* const kUsage =
    "usage: doppelctl forecast (--input FILE.csv | --host NAME --metric NAME) --horizon "
    "N|DURATION\n"
    "         [--season auto|none|P[,P2]] [--model auto|ets|arima|mstl|theta|naive|snaive]\n"
    "         [--level 80,95] [--threshold X [--below]] [--output FILE.csv] [--json FILE.json]\n"
    "         [--robust] [--paths N] [--seed N]\n"
    "  --below: the threshold is a floor; the risk is of falling under it\n";

QString isoTimestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// A count of steps, or a duration converted with the series step ("1d" of 5-minute data = 288).
Result<int> parseSteps(const QString& text, qint64 stepMs, const QString& what)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (ok) {
        if (n < 1)
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("%1 must be at least 1").arg(what));
        return n;
    }
    auto d = parseDuration(text);
    if (!d)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 '%2' is neither a number of steps nor a duration").arg(what, text));
    if (stepMs <= 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1 '%2' is a duration, but the series has no timestamps "
                                        "to convert it: give a number of steps")
                             .arg(what, text));
    const auto steps = qint64(std::llround(double(d->count()) / double(stepMs)));
    if (steps < 1 || steps > 10'000'000)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1 '%2' is %3 steps of %4")
                             .arg(what, text)
                             .arg(steps)
                             .arg(formatDuration(std::chrono::milliseconds(stepMs))));
    return int(steps);
}

QString levelName(double level)
{
    return QString::number(level, 'g', 6);
}

Status writeAtomically(const QString& path, const QByteArray& data)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    f.write(data);
    if (!f.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    return Ok{};
}

QByteArray forecastCsv(const ForecastReport& r, const Series& s)
{
    QByteArray out = "step,timestamp,mean";
    for (const auto& b : r.bands)
        out += ",lo" + levelName(b.level).toUtf8() + ",hi" + levelName(b.level).toUtf8();
    out += '\n';
    const long n = long(s.values.size());
    for (size_t i = 0; i < r.mean.size(); ++i) {
        out += QByteArray::number(qlonglong(i + 1)) + ',';
        if (s.stepMs > 0)
            out += isoTimestamp(s.timestampAt(n - 1 + long(i) + 1)).toUtf8();
        out += ',' + QByteArray::number(r.mean[i], 'g', 12);
        for (const auto& b : r.bands)
            out += ',' + QByteArray::number(b.lower[i], 'g', 12) + ',' +
                   QByteArray::number(b.upper[i], 'g', 12);
        out += '\n';
    }
    return out;
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonObject forecastJson(const ForecastReport& r, const Series& s, const QString& source)
{
    QJsonArray seasons, levels, rows, notes;
    for (int p : r.seasons)
        seasons.append(p);
    for (const auto& b : r.bands)
        levels.append(b.level);
    for (const auto& t : s.notes + r.notes)
        notes.append(t);
    const long n = long(s.values.size());
    for (size_t i = 0; i < r.mean.size(); ++i) {
        QJsonObject row{{QStringLiteral("step"), qint64(i + 1)},
                        {QStringLiteral("mean"), number(r.mean[i])}};
        if (s.stepMs > 0)
            row[QStringLiteral("timestamp")] = isoTimestamp(s.timestampAt(n + long(i)));
        for (const auto& b : r.bands) {
            row[QStringLiteral("lo") + levelName(b.level)] = number(b.lower[i]);
            row[QStringLiteral("hi") + levelName(b.level)] = number(b.upper[i]);
        }
        rows.append(row);
    }
    QJsonObject o{{QStringLiteral("source"), source},
                  {QStringLiteral("model"), r.model},
                  {QStringLiteral("family"), r.family},
                  {QStringLiteral("parameters"), r.parameters},
                  {QStringLiteral("aicc"), number(r.aicc)},
                  {QStringLiteral("seasons"), seasons},
                  {QStringLiteral("seasonReason"), r.seasonReason},
                  {QStringLiteral("reason"), r.reason},
                  {QStringLiteral("intervalMethod"), r.intervalMethod},
                  {QStringLiteral("levels"), levels},
                  {QStringLiteral("horizon"), qint64(r.mean.size())},
                  {QStringLiteral("points"), qint64(s.values.size())},
                  {QStringLiteral("gapsFilled"), s.gapsFilled},
                  {QStringLiteral("notes"), notes},
                  {QStringLiteral("forecast"), rows}};
    if (s.stepMs > 0) {
        o[QStringLiteral("stepSeconds")] = double(s.stepMs) / 1000;
        o[QStringLiteral("lastObservation")] = isoTimestamp(s.timestampAt(n - 1));
    }
    if (!r.candidates.isEmpty())
        o[QStringLiteral("candidates")] = r.candidates;
    if (r.breach) {
        const auto& b = *r.breach;
        o[QStringLiteral("threshold")] = b.threshold;
        o[QStringLiteral("thresholdBelow")] = b.below;
        o[QStringLiteral("breachProbability")] = b.probability;
        o[QStringLiteral("breachPaths")] = b.paths;
        o[QStringLiteral("alreadyAbove")] = b.alreadyAbove;
        if (b.expectedStep) {
            QJsonObject t{{QStringLiteral("steps"), *b.expectedStep},
                          {QStringLiteral("medianSteps"), *b.medianStep},
                          {QStringLiteral("lowerSteps"), *b.lowerStep},
                          {QStringLiteral("upperSteps"), *b.upperStep},
                          {QStringLiteral("intervalLevel"), 80},
                          {QStringLiteral("conditionalOnBreach"), true}};
            if (s.stepMs > 0) {
                const double step = double(s.stepMs);
                const qint64 last = s.timestampAt(n - 1);
                t[QStringLiteral("seconds")] = *b.expectedStep * step / 1000;
                t[QStringLiteral("timestamp")] =
                    isoTimestamp(last + qint64(*b.expectedStep * step));
                t[QStringLiteral("lowerTimestamp")] =
                    isoTimestamp(last + qint64(*b.lowerStep * step));
                t[QStringLiteral("upperTimestamp")] =
                    isoTimestamp(last + qint64(*b.upperStep * step));
            }
            o[QStringLiteral("expectedTimeToBreach")] = t;
        } else {
            o[QStringLiteral("expectedTimeToBreach")] = QJsonValue(QJsonValue::Null);
        }
    }
    return o;
}

void printSummary(QTextStream& out, const ForecastReport& r, const Series& s)
{
    out << "model: " << r.model << "\n";
    out << "reason: " << r.reason << "\n";
    QStringList seasons;
    for (int p : r.seasons)
        seasons << QString::number(p);
    out << "seasons: "
        << (seasons.isEmpty() ? QStringLiteral("none") : seasons.join(QLatin1Char(','))) << " ("
        << r.seasonReason << ")\n";
    if (std::isfinite(r.aicc))
        out << "AICc: " << QString::number(r.aicc, 'f', 2) << "\n";
    out << "intervals: " << r.intervalMethod << "\n";
    for (const auto& n : s.notes + r.notes)
        out << "note: " << n << "\n";
    if (r.breach) {
        const auto& b = *r.breach;
        out << (b.below ? "P(falls below " : "P(exceeds ") << b.threshold << " within "
            << r.mean.size() << " steps) = " << QString::number(b.probability, 'f', 3) << "\n";
        if (b.expectedStep) {
            out << "expected time to breach: " << QString::number(*b.expectedStep, 'f', 1)
                << " steps (80 % interval " << *b.lowerStep << " to " << *b.upperStep << ")";
            if (s.stepMs > 0)
                out << ", about "
                    << formatDuration(
                           std::chrono::milliseconds(qint64(*b.expectedStep * double(s.stepMs))));
            out << "\n";
        }
    }
}

Result<Series> seriesFromRepository(const QString& repoPath, const QString& hostName,
                                    const QString& metric)
{
    if (!findMetric(metric))
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("unknown metric '%1' (see `doppelctl metrics --list`)").arg(metric));
    auto repo = Repository::open(repoPath);
    if (!repo)
        return repo.error();
    auto host = (*repo)->host(hostName);
    if (!host)
        return host.error();
    auto samples = (*repo)->samples(host->id, metric, 0, QDateTime::currentMSecsSinceEpoch());
    if (!samples)
        return samples.error();
    if (samples->isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no samples of %1 for host %2").arg(metric, hostName));
    return forecast::seriesFromSamples(*samples);
}

} // namespace

int runForecast(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(
        args,
        {QStringLiteral("input"), QStringLiteral("host"), QStringLiteral("metric"),
         QStringLiteral("horizon"), QStringLiteral("season"), QStringLiteral("model"),
         QStringLiteral("level"), QStringLiteral("threshold"), QStringLiteral("output"),
         QStringLiteral("json"), QStringLiteral("paths"), QStringLiteral("seed")},
        {QStringLiteral("robust"), QStringLiteral("below")});
    if (!a) {
        ctx.err << "doppelctl forecast: " << a.error().message << "\n" << kUsage;
        return Usage;
    }
    const bool fromFile = a->has(QStringLiteral("input"));
    const bool fromRepo = a->has(QStringLiteral("host")) || a->has(QStringLiteral("metric"));
    if (fromFile == fromRepo || !a->has(QStringLiteral("horizon")) ||
        (fromRepo && !(a->has(QStringLiteral("host")) && a->has(QStringLiteral("metric"))))) {
        ctx.err << kUsage;
        return Usage;
    }
    forecast::ForecastOptions options;
    options.model = a->value(QStringLiteral("model"), QStringLiteral("auto"));
    static const QStringList models = {QStringLiteral("auto"),  QStringLiteral("ets"),
                                       QStringLiteral("arima"), QStringLiteral("mstl"),
                                       QStringLiteral("theta"), QStringLiteral("naive"),
                                       QStringLiteral("snaive")};
    if (!models.contains(options.model)) {
        ctx.err << "doppelctl forecast: unknown --model '" << options.model << "' ("
                << models.join(QStringLiteral(", ")) << ")\n";
        return Usage;
    }
    if (a->has(QStringLiteral("level"))) {
        options.levels.clear();
        for (const QString& part : a->value(QStringLiteral("level")).split(QLatin1Char(','))) {
            bool ok = false;
            const double l = part.trimmed().toDouble(&ok);
            if (!ok || !(l > 0 && l < 100)) {
                ctx.err << "doppelctl forecast: --level takes percentages between 0 and 100 "
                           "such as 80,95, not '"
                        << part << "'\n";
                return Usage;
            }
            options.levels.push_back(l);
        }
    }
    if (a->has(QStringLiteral("threshold"))) {
        bool ok = false;
        const double t = a->value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || !std::isfinite(t)) {
            ctx.err << "doppelctl forecast: --threshold takes a number, not '"
                    << a->value(QStringLiteral("threshold")) << "'\n";
            return Usage;
        }
        options.threshold = t;
        options.thresholdBelow = a->has(QStringLiteral("below"));
    } else if (a->has(QStringLiteral("below"))) {
        ctx.err << "doppelctl forecast: --below qualifies --threshold X\n";
        return Usage;
    }
    if (a->has(QStringLiteral("paths"))) {
        bool ok = false;
        options.paths = a->value(QStringLiteral("paths")).toInt(&ok);
        if (!ok || options.paths < 100 || options.paths > 1'000'000) {
            ctx.err << "doppelctl forecast: --paths takes a number between 100 and 1000000\n";
            return Usage;
        }
    }
    options.robust = a->has(QStringLiteral("robust"));
    if (a->has(QStringLiteral("seed")))
        options.seed = a->value(QStringLiteral("seed")).toULongLong();

    QString source;
    Result<Series> series = makeError(ErrorCode::Unknown, QString());
    if (fromFile) {
        source = a->value(QStringLiteral("input"));
        series = forecast::readSeriesCsv(source);
    } else {
        source = QStringLiteral("%1/%2").arg(a->value(QStringLiteral("host")),
                                             a->value(QStringLiteral("metric")));
        series = seriesFromRepository(ctx.repoPath, a->value(QStringLiteral("host")),
                                      a->value(QStringLiteral("metric")));
    }
    if (!series) {
        ctx.err << "doppelctl forecast: " << series.error().message << "\n";
        return series.error().code == ErrorCode::InvalidInput ? Usage : Failure;
    }
    auto horizon = parseSteps(a->value(QStringLiteral("horizon")), series->stepMs,
                              QStringLiteral("--horizon"));
    if (!horizon) {
        ctx.err << "doppelctl forecast: " << horizon.error().message << "\n";
        return Usage;
    }
    options.horizon = *horizon;
    const QString season = a->value(QStringLiteral("season"), QStringLiteral("auto"));
    if (season == QLatin1String("auto")) {
        options.detectSeasons = true;
    } else {
        options.detectSeasons = false;
        if (season != QLatin1String("none")) {
            for (const QString& part : season.split(QLatin1Char(','))) {
                auto p = parseSteps(part.trimmed(), series->stepMs, QStringLiteral("--season"));
                if (!p || *p < 2) {
                    ctx.err << "doppelctl forecast: --season takes auto, none or periods of at "
                               "least 2 steps such as 24 or 288,2016 (or 1d,1w), not '"
                            << part << "'\n";
                    return Usage;
                }
                options.seasons.push_back(*p);
            }
        }
    }
    auto report = forecast::forecastSeries(series->values, series->stepMs, options);
    if (!report) {
        ctx.err << "doppelctl forecast: " << report.error().message << "\n";
        return Failure;
    }
    const QByteArray csv = forecastCsv(*report, *series);
    const bool csvToStdout = !a->has(QStringLiteral("output"));
    if (!csvToStdout) {
        if (auto st = writeAtomically(a->value(QStringLiteral("output")), csv); !st) {
            ctx.err << "doppelctl forecast: " << st.error().message << "\n";
            return Failure;
        }
    }
    if (a->has(QStringLiteral("json"))) {
        const QByteArray json =
            QJsonDocument(forecastJson(*report, *series, source)).toJson(QJsonDocument::Indented);
        if (auto st = writeAtomically(a->value(QStringLiteral("json")), json); !st) {
            ctx.err << "doppelctl forecast: " << st.error().message << "\n";
            return Failure;
        }
    }
    // The CSV owns stdout when no --output is given; the summary then goes to stderr.
    if (csvToStdout) {
        ctx.out << QString::fromUtf8(csv);
        printSummary(ctx.err, *report, *series);
    } else {
        printSummary(ctx.out, *report, *series);
    }
    return Success;
}

} // namespace doppel::cli
