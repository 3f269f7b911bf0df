// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/ReplayService.h"

namespace doppel::replay {

// ReplayService over ReplayPlan and runReplay. Stateless, so thread-safe.
class ConnectorReplayService : public ReplayService
{
public:
    Result<ReplayReport>
    replay(const QString& captureDir, const ReplayOptions& options, const QString& targetConninfo,
           const QString& targetPassword, const CancelToken& cancel,
           const std::function<void(const ReplayProgressInfo&)>& progress) override;
};

} // namespace doppel::replay
