// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl replay`: plays a capture against a target and reports what it measured.
#include "CommandLine.h"

#include "replay/Replayer.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSaveFile>

#include <csignal>

namespace doppel::cli {

namespace {

const char* const ReplayUsage =
    "usage: doppelctl replay --capture DIR --target CONNINFO [--speed S] [--sessions all|N]\n"
    "         [--from T --to T] [--report FILE.json]\n"
    "  S: 1 real time, 10 ten times faster, 0 as fast as possible; T: ISO-8601 or epoch seconds\n";

// ISO-8601 (with or without zone; UTC when none) or epoch seconds, as µs since the epoch.
Result<std::int64_t> parseTime(const QString& option, const QString& text)
{
    bool numeric = false;
    const double seconds = text.toDouble(&numeric);
    if (numeric)
        return std::int64_t(seconds * 1e6);
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime) // no zone given: captures are in UTC
        t.setTimeSpec(Qt::UTC);
    if (!t.isValid())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--%1 takes an ISO-8601 time or epoch seconds, not '%2'")
                             .arg(option, text));
    return t.toMSecsSinceEpoch() * 1000;
}

Result<ReplayOptions> optionsFrom(const Arguments& a)
{
    ReplayOptions options;
    if (a.has(QStringLiteral("speed"))) {
        bool ok = false;
        options.speed = a.value(QStringLiteral("speed")).toDouble(&ok);
        if (!ok)
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("--speed takes a number, not '%1'")
                                 .arg(a.value(QStringLiteral("speed"))));
    }
    const QString sessions = a.value(QStringLiteral("sessions"), QStringLiteral("all"));
    if (sessions != QLatin1String("all")) {
        bool ok = false;
        options.sessions = sessions.toInt(&ok);
        if (!ok)
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("--sessions takes 'all' or a number, not '%1'").arg(sessions));
    }
    for (const QString& name : {QStringLiteral("from"), QStringLiteral("to")}) {
        if (!a.has(name))
            continue;
        auto t = parseTime(name, a.value(name));
        if (!t)
            return t.error();
        (name == QLatin1String("from") ? options.fromUs : options.toUs) = *t;
    }
    return options;
}

void printReport(Context& ctx, const ReplayReport& r)
{
    ctx.out << QStringLiteral("%1 statements in %2 s over %3 sessions, %4 errors; schedule lag "
                              "p50 %5 ms, p99 %6 ms, max %7 ms\n")
                   .arg(r.statements)
                   .arg(r.wallSeconds, 0, 'f', 2)
                   .arg(r.sessions)
                   .arg(r.errors)
                   .arg(r.lagP50Ms, 0, 'f', 3)
                   .arg(r.lagP99Ms, 0, 'f', 3)
                   .arg(r.lagMaxMs, 0, 'f', 3);
    ctx.out << "calls\terrors\trows\tp50_ms\tp95_ms\tp99_ms\tquery\n";
    for (const auto& s : r.byFingerprint)
        ctx.out << s.calls << "\t" << s.errors << "\t" << s.rows << "\t"
                << QString::number(s.p50Ms, 'f', 3) << "\t" << QString::number(s.p95Ms, 'f', 3)
                << "\t" << QString::number(s.p99Ms, 'f', 3) << "\t"
                << s.query.simplified().left(100) << "\n";
}

CancelToken* s_interrupt = nullptr;

} // namespace

int runReplay(Context& ctx, const QStringList& args)
{
    auto a =
        Arguments::parse(args,
                         {QStringLiteral("capture"), QStringLiteral("target"),
                          QStringLiteral("speed"), QStringLiteral("sessions"),
                          QStringLiteral("from"), QStringLiteral("to"), QStringLiteral("report")},
                         {QStringLiteral("quiet")});
    if (!a || !a->has(QStringLiteral("capture")) || !a->has(QStringLiteral("target"))) {
        ctx.err << "doppelctl replay: "
                << (a ? QStringLiteral("--capture and --target are required") : a.error().message)
                << "\n"
                << ReplayUsage;
        return Usage;
    }
    auto options = optionsFrom(*a);
    if (!options) {
        ctx.err << "doppelctl replay: " << options.error().message << "\n";
        return Usage;
    }
    auto plan = ReplayPlan::fromCapture(a->value(QStringLiteral("capture")), *options);
    if (!plan) {
        ctx.err << "doppelctl replay: " << plan.error().message << "\n";
        return Failure;
    }
    for (const QString& w : plan->warnings)
        ctx.err << "doppelctl replay: warning: " << w << "\n";
    const bool quiet = a->has(QStringLiteral("quiet"));
    if (!quiet)
        ctx.err << "replaying " << plan->statementCount << " statements of "
                << plan->sessions.size() << " sessions (recorded span "
                << QString::number(double(plan->spanUs) / 1e6, 'f', 1) << " s) at speed "
                << options->speed << "\n";
    ctx.err.flush();

    // Ctrl-C ends the replay and still writes the report of what ran.
    CancelToken cancel;
    s_interrupt = &cancel;
    auto previous = std::signal(SIGINT, [](int) {
        if (s_interrupt)
            s_interrupt->cancel();
    });
    replay::ReplayTarget target{a->value(QStringLiteral("target")), QString()};
    ReplayReport report = replay::runReplay(
        *plan, target, options->speed, cancel, [&](const replay::ReplayProgress& p) {
            if (quiet)
                return;
            ctx.err << QStringLiteral("\r%1/%2 statements, %3/s, %4 errors, lag %5 ms   ")
                           .arg(p.done)
                           .arg(p.total)
                           .arg(p.statementsPerSecond, 0, 'f', 0)
                           .arg(p.errors)
                           .arg(p.lagMs, 0, 'f', 1);
            ctx.err.flush();
        });
    std::signal(SIGINT, previous);
    s_interrupt = nullptr;
    if (!quiet)
        ctx.err << "\n";

    if (a->has(QStringLiteral("report"))) {
        QSaveFile file(a->value(QStringLiteral("report")));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented)) < 0 ||
            !file.commit()) {
            ctx.err << "doppelctl replay: cannot write " << file.fileName() << ": "
                    << file.errorString() << "\n";
            return Failure;
        }
    }
    printReport(ctx, report);
    if (!report.targetLost.isEmpty()) {
        ctx.err << "doppelctl replay: " << report.targetLost << " (the report covers what ran)\n";
        return Failure;
    }
    if (report.cancelled) {
        ctx.err << "doppelctl replay: interrupted (the report covers what ran)\n";
        return Failure;
    }
    return Success;
}

} // namespace doppel::cli
