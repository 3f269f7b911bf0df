// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl diff`: production against the shadow, per statement fingerprint, from a capture
// with mirrored shadow results or from a replay report of the shadow.
#include "CommandLine.h"

#include "ConnectorServices.h"
#include "diff/DiffPlans.h"
#include "diff/DiffSources.h"

namespace doppel::cli {

namespace {

const char* const DiffUsage =
    "usage: doppelctl diff --capture DIR [--replay FILE.json] --report "
    "FILE.html|FILE.md|FILE.json\n"
    "         [--rule 'NAME: FIELD OP NUMBER and ...']... [--alpha 0.01]\n"
    "         [--plans --prod CONNINFO --shadow CONNINFO [--plans-top 10]]\n"
    "  Without --replay the capture's mirrored shadow results are compared; with it, the\n"
    "  capture's production timings against the replay of that window on the shadow.\n"
    "  --plans compares EXPLAIN (FORMAT JSON) plans (never ANALYZE) of one captured call of the\n"
    "  top statements (regressions first, then by total time on the shadow) on both servers,\n"
    "  in the database each was captured in.\n"
    "  Exit status 1 when an alert rule matched.\n";

// Compares the plans of the top statements on both sides into the report.
void addPlans(const DiffInput& input, const PlanTarget& prod, const PlanTarget& shadow, int top,
              DiffReport& report)
{
    const std::unique_ptr<PlanService> service = createPlanService();
    for (const StatementDiff* d : statementsForPlans(report.statements, top))
        if (const SampleStatement* sample = input.sample(d->fingerprint))
            report.plans.push_back(comparePlans(*service, prod, shadow, *sample));
}

} // namespace

int runDiff(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args,
                              {QStringLiteral("capture"), QStringLiteral("replay"),
                               QStringLiteral("report"), QStringLiteral("rule"),
                               QStringLiteral("alpha"), QStringLiteral("prod"),
                               QStringLiteral("shadow"), QStringLiteral("plans-top")},
                              {QStringLiteral("plans")});
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
    DiffEngine::Options options;
    if (a->has(QStringLiteral("alpha"))) {
        bool ok = false;
        options.alpha = a->value(QStringLiteral("alpha")).toDouble(&ok);
        if (!ok || options.alpha <= 0 || options.alpha >= 1) {
            ctx.err << "doppelctl diff: --alpha takes a probability between 0 and 1\n";
            return Usage;
        }
    }

    const bool plans = a->has(QStringLiteral("plans"));
    int plansTop = 10;
    if (plans) {
        bool ok = true;
        if (a->has(QStringLiteral("plans-top")))
            plansTop = a->value(QStringLiteral("plans-top")).toInt(&ok);
        if (!a->has(QStringLiteral("prod")) || !a->has(QStringLiteral("shadow")) || !ok ||
            plansTop < 1) {
            ctx.err << "doppelctl diff: --plans needs --prod and --shadow conninfos and a "
                       "positive --plans-top\n";
            return Usage;
        }
    }

    auto input =
        readDiffInput(a->value(QStringLiteral("capture")), a->value(QStringLiteral("replay")));
    if (!input) {
        ctx.err << "doppelctl diff: " << input.error().message << "\n";
        return Failure;
    }
    DiffReport report = input->report(rules, options);
    if (plans)
        addPlans(*input, {a->value(QStringLiteral("prod")), {}},
                 {a->value(QStringLiteral("shadow")), {}}, plansTop, report);
    if (auto st = report.save(a->value(QStringLiteral("report"))); !st) {
        ctx.err << "doppelctl diff: " << st.error().message << "\n";
        return Failure;
    }
    ctx.out << report.verdict() << "\n";
    for (const QString& note : report.notes)
        ctx.out << "  note: " << note << "\n";
    for (const PlanComparison& p : report.plans)
        if (!p.sameShape)
            ctx.out << "  plan " << (p.error.isEmpty() ? QStringLiteral("differs") : p.error)
                    << ": " << p.query.simplified().left(100) << "\n";
    for (const DiffAlert& alert : report.alerts)
        ctx.out << "  " << alert.rule << ": " << alert.query.simplified().left(100) << "\n";
    ctx.out << "report written to " << a->value(QStringLiteral("report")) << "\n";
    return report.alerts.empty() ? Success : Failure;
}

} // namespace doppel::cli
