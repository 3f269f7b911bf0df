// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorReplayService.h"

#include "Replayer.h"

namespace doppel::replay {

Result<ReplayReport>
ConnectorReplayService::replay(const QString& captureDir, const ReplayOptions& options,
                               const QString& targetConninfo, const QString& targetPassword,
                               const CancelToken& cancel,
                               const std::function<void(const ReplayProgressInfo&)>& progress)
{
    auto plan = ReplayPlan::fromCapture(captureDir, options);
    if (!plan)
        return plan.error();
    return runReplay(*plan, ReplayTarget{targetConninfo, targetPassword}, options.speed, cancel,
                     [&](const ReplayProgress& p) {
                         if (progress)
                             progress(ReplayProgressInfo{p.done, p.total, p.errors,
                                                         p.statementsPerSecond, p.lagMs});
                     });
}

} // namespace doppel::replay
