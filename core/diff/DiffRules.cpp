// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffRules.h"

#include <QRegularExpression>

namespace doppel {

Result<DiffRule> DiffRule::parse(const QString& text)
{
    DiffRule rule;
    rule.m_text = text.trimmed();
    const int colon = int(rule.m_text.indexOf(QLatin1Char(':')));
    if (colon <= 0)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("alert rule '%1' needs a name: NAME: CONDITION and ...").arg(text));
    rule.m_name = rule.m_text.left(colon).trimmed();
    static const QRegularExpression condition(QStringLiteral(
        "^\\s*([a-z_0-9]+)\\s*(?:(>=|<=|==|!=|>|<)\\s*(-?[0-9.]+(?:e-?[0-9]+)?))?\\s*$"));
    const QStringList parts = rule.m_text.mid(colon + 1).split(
        QRegularExpression(QStringLiteral("\\band\\b")), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("alert rule '%1' has no condition").arg(text));
    for (const QString& part : parts) {
        const auto m = condition.match(part);
        if (!m.hasMatch())
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("alert rule '%1': cannot read condition '%2' (FIELD OP NUMBER)")
                    .arg(rule.m_name, part.trimmed()));
        Condition c{m.captured(1), m.captured(2).isEmpty() ? QStringLiteral(">") : m.captured(2),
                    m.captured(3).isEmpty() ? 0.0 : m.captured(3).toDouble()};
        if (!StatementDiff().field(c.field))
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("alert rule '%1': unknown field '%2'").arg(rule.m_name, c.field));
        rule.m_conditions.push_back(c);
    }
    return rule;
}

bool DiffRule::matches(const StatementDiff& diff) const
{
    for (const Condition& c : m_conditions) {
        const double v = diff.field(c.field).value_or(0);
        const bool ok = c.op == QLatin1String(">")    ? v > c.value
                        : c.op == QLatin1String(">=") ? v >= c.value
                        : c.op == QLatin1String("<")  ? v < c.value
                        : c.op == QLatin1String("<=") ? v <= c.value
                        : c.op == QLatin1String("==") ? v == c.value
                                                      : v != c.value;
        if (!ok)
            return false;
    }
    return true;
}

std::vector<DiffRule> defaultDiffRules()
{
    std::vector<DiffRule> rules;
    for (const char* text :
         {"latency_regression: ratio_p95 > 1.2 and p_value < 0.01 and calls >= 100 and significant",
          "result_divergence: divergent_results > 0", "new_error_class: new_error_classes > 0"})
        rules.push_back(*DiffRule::parse(QLatin1String(text)));
    return rules;
}

std::vector<DiffAlert> evaluateRules(const std::vector<DiffRule>& rules,
                                     const std::vector<StatementDiff>& diffs)
{
    std::vector<DiffAlert> out;
    for (const StatementDiff& d : diffs)
        for (const DiffRule& r : rules)
            if (r.matches(d))
                out.push_back(
                    DiffAlert{r.name(), d.fingerprint, d.query,
                              QStringLiteral("%1 (p95 %2 ms on production, %3 ms on the "
                                             "shadow, ratio %4, p %5, %6 divergent results)")
                                  .arg(r.text())
                                  .arg(d.prod.p95Ms, 0, 'f', 3)
                                  .arg(d.shadow.p95Ms, 0, 'f', 3)
                                  .arg(d.ratioP95, 0, 'f', 2)
                                  .arg(d.pValue, 0, 'g', 3)
                                  .arg(d.divergentResults)});
    return out;
}

} // namespace doppel
