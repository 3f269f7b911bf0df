// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "diff/PlanShape.h"

#include <QJsonObject>

namespace doppel {

// Asks a server for the plan of a captured statement: EXPLAIN (FORMAT JSON), never ANALYZE, so
// the statement is planned but not run (connectors/plans implements it over libpq). The
// statement is explained in the database it was captured in (`sample.database`, when set, in
// place of the conninfo's dbname), in a read-only session, with its captured parameters bound.
// Blocking: call from a worker, never the GUI thread. Stateless; any thread.
class PlanService
{
public:
    virtual ~PlanService() = default;
    // The first element of EXPLAIN's result, the object that holds "Plan".
    virtual Result<QJsonObject> explain(const QString& conninfo, const QString& password,
                                        const SampleStatement& sample,
                                        const CancelToken& cancel = {}) = 0;
};

} // namespace doppel
