// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DiffEngine.h"
#include "PlanShape.h"
#include "common/CancelToken.h"

namespace doppel {

class PlanService;

// The statements whose plans are worth a look: significant regressions first, worst p95 ratio
// first, then the others by total time on the shadow (on production when the shadow ran none
// of them); at most `top`.
std::vector<const StatementDiff*> statementsForPlans(const std::vector<StatementDiff>& statements,
                                                     int top);

// Where to ask for a plan: a conninfo and its password (empty: .pgpass or trust).
struct PlanTarget
{
    QString conninfo;
    QString password;
};

// EXPLAINs `sample` on both sides through `service` and compares the shapes. A side that
// cannot explain it (a statement EXPLAIN does not take, a missing table) leaves the comparison
// without differences and the reason in PlanComparison::error. Blocking: a worker thread.
PlanComparison comparePlans(PlanService& service, const PlanTarget& prod, const PlanTarget& shadow,
                            const SampleStatement& sample, const CancelToken& cancel = {});

} // namespace doppel
