// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DiffRules.h"
#include "PlanShape.h"

#include <QJsonObject>
#include <QString>

namespace doppel {

// A differential report a change board can read without having run it: the verdict, the alerts,
// the regressions and improvements, every statement compared, and (HTML) the distributions of
// the worst statements. JSON keeps the names scripts rely on: a top-level "alerts" array (each
// with "rule", "fingerprint", "query") and a "statements" array; "notes" and, when plans were
// compared, "plans" come after. Plain data; any thread.
struct DiffReport
{
    QString source; // what was compared, for the reader
    std::vector<StatementDiff> statements;
    std::vector<DiffAlert> alerts;
    QStringList rules;
    QStringList notes;                 // what the comparison had to leave out (DiffInput::notes)
    std::vector<PlanComparison> plans; // when plans were compared: "plans" in JSON

    QString verdict() const; // "no regression found" or a count of alerts
    QJsonObject toJson() const;
    QString toMarkdown() const;
    QString toHtml() const;
    // Writes by the file's extension (.json, .md, .html), atomically.
    Status save(const QString& path) const;
};

} // namespace doppel
