// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "shadow/ShadowTypes.h"

#include <functional>
#include <vector>

namespace doppel {

// Sets up, watches, verifies and removes a shadow fed by logical replication (connectors/shadow
// implements it over libpq, pg_dump and psql). Every call opens its own connections and blocks
// up to the spec's timeout per step: call from a worker thread, never the GUI thread. Any number
// of calls may run at once on different threads. `progress` is called on the calling thread.
class ShadowService
{
public:
    using Progress = std::function<void(const QString& step)>;
    virtual ~ShadowService() = default;

    virtual Result<std::vector<ShadowCheck>> check(const ShadowSpec& spec) = 0;
    // Refused, changing nothing, when a check fails; rolls back what it created on failure.
    virtual Result<QStringList> setup(const ShadowSpec& spec, const Progress& progress) = 0;
    virtual Result<ShadowStatus> status(const ShadowSpec& spec) = 0;
    // Stops between chunks when `cancel` is set (ErrorCode::Cancelled).
    virtual Result<std::vector<TableVerification>>
    verify(const ShadowSpec& spec, const Progress& progress, const CancelToken& cancel) = 0;
    virtual Result<std::vector<SequenceSync>> syncSequences(const ShadowSpec& spec,
                                                            qint64 margin) = 0;
    // Idempotent; also cleans up after an interrupted setup.
    virtual Result<QStringList> teardown(const ShadowSpec& spec, const Progress& progress) = 0;
};

} // namespace doppel
