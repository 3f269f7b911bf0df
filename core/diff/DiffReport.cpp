// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffReport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace doppel {

namespace {

QString ms(double v)
{
    return QString::number(v, 'f', v < 10 ? 3 : 1);
}

QString shortQuery(const QString& q, int n = 90)
{
    const QString s = q.simplified();
    return s.size() > n ? s.left(n - 1) + QChar(0x2026) : s;
}

// Statements that changed beyond noise, worst first: regressions (ratio > 1) then improvements.
std::vector<const StatementDiff*> changed(const std::vector<StatementDiff>& all, bool regressions)
{
    std::vector<const StatementDiff*> out;
    for (const StatementDiff& d : all)
        if (d.significant && (d.ratioP95 > 1) == regressions)
            out.push_back(&d);
    std::sort(out.begin(), out.end(),
              [regressions](const StatementDiff* a, const StatementDiff* b) {
                  return regressions ? a->ratioP95 > b->ratioP95 : a->ratioP95 < b->ratioP95;
              });
    return out;
}

QString markdownTable(const std::vector<const StatementDiff*>& rows)
{
    QString t =
        QStringLiteral("| query | calls | p95 production (ms) | p95 shadow (ms) | ratio | p |\n"
                       "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (const StatementDiff* d : rows)
        t += QStringLiteral("| `%1` | %2 | %3 | %4 | %5 | %6 |\n")
                 .arg(shortQuery(d->query).replace(QLatin1Char('|'), QLatin1Char('/')))
                 .arg(d->prod.calls)
                 .arg(ms(d->prod.p95Ms), ms(d->shadow.p95Ms))
                 .arg(d->ratioP95, 0, 'f', 2)
                 .arg(d->pValue, 0, 'g', 2);
    return t;
}

// p50..p99 of both sides on one log-scaled axis: a bar from p50 to p99 with a tick at p95.
QString distributionSvg(const StatementDiff& d)
{
    const double lo = std::max(1e-3, std::min(d.prod.p50Ms, d.shadow.p50Ms) / 1.5);
    const double hi = std::max({d.prod.p99Ms, d.shadow.p99Ms, lo * 2}) * 1.5;
    const double w = 520;
    auto x = [&](double v) {
        return 10 + w * (std::log(std::max(v, lo)) - std::log(lo)) / (std::log(hi) - std::log(lo));
    };
    QString svg = QStringLiteral("<svg width='560' height='70' role='img'>");
    const struct
    {
        const SideLatency* side;
        const char* name;
        const char* color;
        int y;
    } rows[] = {{&d.prod, "production", "#3465a4", 10}, {&d.shadow, "shadow", "#cc0000", 35}};
    for (const auto& r : rows) {
        svg +=
            QStringLiteral("<rect x='%1' y='%2' width='%3' height='14' fill='%4' opacity='0.5'/>")
                .arg(x(r.side->p50Ms))
                .arg(r.y)
                .arg(std::max(1.0, x(r.side->p99Ms) - x(r.side->p50Ms)))
                .arg(QLatin1String(r.color));
        svg +=
            QStringLiteral("<line x1='%1' x2='%1' y1='%2' y2='%3' stroke='%4' stroke-width='3'/>")
                .arg(x(r.side->p95Ms))
                .arg(r.y - 2)
                .arg(r.y + 16)
                .arg(QLatin1String(r.color));
        svg += QStringLiteral(
                   "<text x='%1' y='%2' font-size='11'>%3: p50 %4, p95 %5, p99 %6 ms</text>")
                   .arg(x(r.side->p99Ms) + 6)
                   .arg(r.y + 11)
                   .arg(QLatin1String(r.name), ms(r.side->p50Ms), ms(r.side->p95Ms),
                        ms(r.side->p99Ms));
    }
    return svg + QStringLiteral("</svg>");
}

QString planVerdict(const PlanComparison& p)
{
    if (!p.error.isEmpty())
        return QStringLiteral("not compared: ") + p.error;
    return p.sameShape ? QStringLiteral("same shape (%1)").arg(p.prodHash)
                       : QStringLiteral("different shapes (%1 on production, %2 on the shadow)")
                             .arg(p.prodHash, p.shadowHash);
}

QString markdownPlans(const std::vector<PlanComparison>& plans)
{
    QString md;
    for (const PlanComparison& p : plans) {
        md += QStringLiteral("- `%1`: %2\n").arg(shortQuery(p.query), planVerdict(p));
        for (const PlanDifference& d : p.differences)
            md += QStringLiteral("  - node %1: `%2` on production, `%3` on the shadow\n")
                      .arg(d.path, d.prod, d.shadow);
    }
    return md;
}

QString htmlPlans(const std::vector<PlanComparison>& plans)
{
    QString h = QStringLiteral("<table><tr><th>query</th><th>plans</th><th>node</th>"
                               "<th>production</th><th>shadow</th></tr>");
    for (const PlanComparison& p : plans) {
        const int span = std::max<int>(1, int(p.differences.size()));
        h += QStringLiteral("<tr><td rowspan=%1><code>%2</code></td><td rowspan=%1>%3</td>")
                 .arg(span)
                 .arg(shortQuery(p.query).toHtmlEscaped(), planVerdict(p).toHtmlEscaped());
        if (p.differences.empty())
            h += QStringLiteral("<td></td><td></td><td></td></tr>");
        for (size_t i = 0; i < p.differences.size(); ++i) {
            const PlanDifference& d = p.differences[i];
            h += QStringLiteral("%1<td>%2</td><td>%3</td><td>%4</td></tr>")
                     .arg(i == 0 ? QString() : QStringLiteral("<tr>"), d.path.toHtmlEscaped(),
                          d.prod.toHtmlEscaped(), d.shadow.toHtmlEscaped());
        }
    }
    return h + QStringLiteral("</table>");
}

} // namespace

QString DiffReport::verdict() const
{
    if (alerts.empty())
        return QStringLiteral("No regression found: no alert rule matched.");
    return QStringLiteral("%1 alert(s): the shadow does not behave like production.")
        .arg(alerts.size());
}

QJsonObject DiffReport::toJson() const
{
    QJsonArray alertArray;
    for (const DiffAlert& a : alerts)
        alertArray.append(QJsonObject{{QStringLiteral("rule"), a.rule},
                                      {QStringLiteral("fingerprint"), a.fingerprint},
                                      {QStringLiteral("query"), a.query},
                                      {QStringLiteral("message"), a.message}});
    QJsonArray statementArray;
    for (const StatementDiff& d : statements)
        statementArray.append(d.toJson());
    QJsonObject o{{QStringLiteral("verdict"), verdict()},
                  {QStringLiteral("source"), source},
                  {QStringLiteral("rules"), QJsonArray::fromStringList(rules)},
                  {QStringLiteral("alerts"), alertArray},
                  {QStringLiteral("statements"), statementArray},
                  {QStringLiteral("notes"), QJsonArray::fromStringList(notes)}};
    if (!plans.empty()) {
        QJsonArray planArray;
        for (const PlanComparison& p : plans)
            planArray.append(p.toJson());
        o.insert(QStringLiteral("plans"), planArray);
    }
    return o;
}

QString DiffReport::toMarkdown() const
{
    QString md = QStringLiteral("# Differential report: production against the shadow\n\n");
    md += QStringLiteral("**%1**\n\nCompared: %2. Statements: %3 fingerprints.\n\n")
              .arg(verdict(), source)
              .arg(statements.size());
    for (const QString& note : notes)
        md += QStringLiteral("> Note: %1.\n\n").arg(note);
    md += QStringLiteral("## Alerts\n\n");
    if (alerts.empty())
        md += QStringLiteral("None.\n\n");
    for (const DiffAlert& a : alerts)
        md += QStringLiteral("- **%1** on `%2`: %3\n").arg(a.rule, shortQuery(a.query), a.message);
    md += QStringLiteral("\n## Regressions\n\n") + markdownTable(changed(statements, true));
    md += QStringLiteral("\n## Improvements\n\n") + markdownTable(changed(statements, false));
    std::vector<const StatementDiff*> all;
    for (const StatementDiff& d : statements)
        all.push_back(&d);
    md += QStringLiteral("\n## Every statement\n\n") + markdownTable(all);
    if (!plans.empty())
        md += QStringLiteral("\n## Plans\n\n") + markdownPlans(plans);
    md += QStringLiteral("\nRules: %1. p is Mann-Whitney U, Holm-adjusted over all fingerprints; a "
                         "change also has to exceed the A/A spread of production against itself.\n")
              .arg(rules.join(QStringLiteral("; ")));
    return md;
}

QString DiffReport::toHtml() const
{
    QString h = QStringLiteral(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Doppel differential "
        "report</title><style>body{font-family:sans-serif;margin:2em}table{border-"
        "collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}td.n{text-"
        "align:right}code{font-size:90%}</style></head><body>");
    h += QStringLiteral("<h1>Production against the shadow</h1><p><b>%1</b></p><p>Compared: %2, %3 "
                        "fingerprints.</p>")
             .arg(verdict().toHtmlEscaped(), source.toHtmlEscaped())
             .arg(statements.size());
    for (const QString& note : notes)
        h += QStringLiteral("<p><i>Note: %1.</i></p>").arg(note.toHtmlEscaped());
    h += QStringLiteral("<h2>Alerts</h2><ul>");
    for (const DiffAlert& a : alerts)
        h += QStringLiteral("<li><b>%1</b> on <code>%2</code>: %3</li>")
                 .arg(a.rule.toHtmlEscaped(), shortQuery(a.query).toHtmlEscaped(),
                      a.message.toHtmlEscaped());
    if (alerts.empty())
        h += QStringLiteral("<li>None.</li>");
    h += QStringLiteral("</ul><h2>Worst statements</h2>");
    for (const StatementDiff* d : changed(statements, true)) {
        h += QStringLiteral("<p><code>%1</code> ratio %2</p>")
                 .arg(shortQuery(d->query, 140).toHtmlEscaped())
                 .arg(d->ratioP95, 0, 'f', 2);
        h += distributionSvg(*d);
    }
    h += QStringLiteral(
        "<h2>Every statement</h2><table><tr><th>query</th><th>calls</th><th>p50 prod</th>"
        "<th>p50 shadow</th><th>p95 prod</th><th>p95 shadow</th><th>ratio</th><th>p</th>"
        "<th>significant</th><th>divergent</th></tr>");
    for (const StatementDiff& d : statements)
        h += QStringLiteral(
                 "<tr><td><code>%1</code></td><td class=n>%2</td><td class=n>%3</td><td "
                 "class=n>%4</td><td class=n>%5</td><td class=n>%6</td><td class=n>%7</td><td "
                 "class=n>%8</td><td>%9</td><td class=n>%10</td></tr>")
                 .arg(shortQuery(d.query).toHtmlEscaped())
                 .arg(d.prod.calls)
                 .arg(ms(d.prod.p50Ms), ms(d.shadow.p50Ms), ms(d.prod.p95Ms), ms(d.shadow.p95Ms))
                 .arg(d.ratioP95, 0, 'f', 2)
                 .arg(d.pValue, 0, 'g', 2)
                 .arg(d.significant ? QStringLiteral("yes") : QStringLiteral("no"))
                 .arg(d.divergentResults);
    h += QStringLiteral("</table>");
    if (!plans.empty())
        h += QStringLiteral("<h2>Plans</h2>") + htmlPlans(plans);
    h += QStringLiteral("<p>p: Mann-Whitney U, Holm-adjusted; a change must also exceed the A/A "
                        "spread of production against itself. Rules: %1</p></body></html>")
             .arg(rules.join(QStringLiteral("; ")).toHtmlEscaped());
    return h;
}

Status DiffReport::save(const QString& path) const
{
    QByteArray bytes;
    if (path.endsWith(QLatin1String(".json")))
        bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
    else if (path.endsWith(QLatin1String(".md")))
        bytes = toMarkdown().toUtf8();
    else if (path.endsWith(QLatin1String(".html")) || path.endsWith(QLatin1String(".htm")))
        bytes = toHtml().toUtf8();
    else
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("report %1: the name must end in .json, .md or .html").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return Ok{};
}

} // namespace doppel
