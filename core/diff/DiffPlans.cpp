// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffPlans.h"

#include "services/PlanService.h"

#include <algorithm>

namespace doppel {

std::vector<const StatementDiff*> statementsForPlans(const std::vector<StatementDiff>& statements,
                                                     int top)
{
    std::vector<const StatementDiff*> out;
    for (const StatementDiff& d : statements)
        out.push_back(&d);
    auto regression = [](const StatementDiff* d) { return d->significant && d->ratioP95 > 1; };
    auto total = [](const StatementDiff* d) {
        return d->shadow.calls > 0 ? d->shadow.totalMs : d->prod.totalMs;
    };
    std::stable_sort(out.begin(), out.end(), [&](const StatementDiff* a, const StatementDiff* b) {
        if (regression(a) != regression(b))
            return regression(a);
        if (regression(a))
            return a->ratioP95 > b->ratioP95;
        return total(a) > total(b);
    });
    if (top >= 0 && out.size() > size_t(top))
        out.resize(size_t(top));
    return out;
}

PlanComparison comparePlans(PlanService& service, const PlanTarget& prod, const PlanTarget& shadow,
                            const SampleStatement& sample, const CancelToken& cancel)
{
    const auto prodPlan = service.explain(prod.conninfo, prod.password, sample, cancel);
    const auto shadowPlan = prodPlan
                                ? service.explain(shadow.conninfo, shadow.password, sample, cancel)
                                : Result<QJsonObject>(prodPlan.error());
    PlanComparison c;
    if (!prodPlan)
        c.error = QStringLiteral("production: ") + prodPlan.error().message;
    else if (!shadowPlan)
        c.error = QStringLiteral("shadow: ") + shadowPlan.error().message;
    else
        c = comparePlanShapes(PlanShape::fromExplain(prodPlan.value()),
                              PlanShape::fromExplain(shadowPlan.value()));
    c.fingerprint = sample.fingerprint;
    c.query = sample.query;
    return c;
}

} // namespace doppel
