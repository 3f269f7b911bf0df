// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/PlanService.h"

namespace doppel::plans {

// PlanService over libpq: one short-lived connection per call, a read-only session with a
// statement timeout, and the sample's parameters bound through PQsendQueryParams.
class ConnectorPlanService : public PlanService
{
public:
    Result<QJsonObject> explain(const QString& conninfo, const QString& password,
                                const SampleStatement& sample, const CancelToken& cancel) override;
};

} // namespace doppel::plans
