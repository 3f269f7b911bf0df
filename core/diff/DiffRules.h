// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DiffEngine.h"
#include "common/Result.h"

#include <vector>

namespace doppel {

// An alert rule: "NAME: CONDITION and CONDITION ...", each condition "FIELD OP NUMBER" (OP one of
// > >= < <= == !=) or a bare FIELD meaning FIELD > 0. Fields are StatementDiff::field() names:
// calls, shadow_calls, ratio_p50, ratio_p95, ratio_p99, p_value, significant,
// divergent_results, rows_differ, new_error_classes, shadow_errors, unsynchronized.
// Example: "latency_regression: ratio_p95 > 1.2 and p_value < 0.01 and calls >= 100".
class DiffRule
{
public:
    static Result<DiffRule> parse(const QString& text);
    QString name() const { return m_name; }
    QString text() const { return m_text; }
    bool matches(const StatementDiff& diff) const;

private:
    struct Condition
    {
        QString field;
        QString op;
        double value = 0;
    };
    QString m_name;
    QString m_text;
    std::vector<Condition> m_conditions;
};

// The rules used when none are given: a significant p95 regression of 20 % with at least 100
// calls, any result divergence, an error class that only the shadow raises.
std::vector<DiffRule> defaultDiffRules();

std::vector<DiffAlert> evaluateRules(const std::vector<DiffRule>& rules,
                                     const std::vector<StatementDiff>& diffs);

} // namespace doppel
