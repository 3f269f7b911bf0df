// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "replay/ReplayPlan.h"
#include "replay/ReplayReport.h"

#include <functional>

namespace doppel::replay {

// Live figures while a replay runs, for a progress bar.
struct ReplayProgress
{
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::int64_t errors = 0;
    double statementsPerSecond = 0;
    double lagMs = 0; // the largest schedule lag seen so far
    double elapsedSeconds = 0;
};

struct ReplayTarget
{
    QString conninfo;
    QString password; // from the SecretStore; empty: .pgpass / PGPASSFILE / trust
};

// Plays a plan against a target: each captured session on its own connection and thread,
// statements in recorded order at their planned time (prepared statements re-prepared and run
// with their recorded parameters, text or binary), measuring latency, rows, SQLSTATE and the
// schedule lag. Errors on the target are counted and never stop the replay; a target that goes
// away ends it with `targetLost` set and a report of what ran. Blocking: call from a worker or
// the CLI; `progress` is called on the calling thread about five times a second.
ReplayReport runReplay(const ReplayPlan& plan, const ReplayTarget& target, double speed,
                       const CancelToken& cancel = {},
                       const std::function<void(const ReplayProgress&)>& progress = {});

} // namespace doppel::replay
