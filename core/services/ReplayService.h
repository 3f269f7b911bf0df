// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "replay/ReplayPlan.h"
#include "replay/ReplayReport.h"

#include <functional>

namespace doppel {

// Live figures of a replay under way.
struct ReplayProgressInfo
{
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::int64_t errors = 0;
    double statementsPerSecond = 0;
    double lagMs = 0;
};

// Replays a capture against a target (connectors/replay implements it over libpq). Blocking:
// call from a worker, never the GUI thread; `progress` is called on the calling thread a few
// times a second. Stateless, so any number of replays may run on different threads.
class ReplayService
{
public:
    virtual ~ReplayService() = default;
    virtual Result<ReplayReport>
    replay(const QString& captureDir, const ReplayOptions& options, const QString& targetConninfo,
           const QString& targetPassword, const CancelToken& cancel,
           const std::function<void(const ReplayProgressInfo&)>& progress) = 0;
};

} // namespace doppel
