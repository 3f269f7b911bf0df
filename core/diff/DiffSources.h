// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DiffReport.h"
#include "PlanShape.h"
#include "common/CancelToken.h"
#include "common/Result.h"

#include <QHash>

#include <functional>

namespace doppel {

// What a differential analysis is fed: production's timings from a capture, the shadow's from
// the same records (mirrored by doppel-proxy) or from a replay report of the shadow, one sample
// statement per fingerprint for plan comparison, and how many mirrored pairs could not have
// their results compared. Shared by `doppelctl diff` and the console's Differential view.
// Plain data; built on any thread, then handed over whole.
struct DiffInput
{
    DiffEngine engine;
    QString source; // what was read, for the report's reader
    std::int64_t statements = 0;
    std::int64_t mirrored = 0;       // statements with a shadow result (none with a replay)
    std::int64_t syncUnknown = 0;    // mirrored pairs whose WAL position the proxy did not watch
    std::int64_t unsynchronized = 0; // mirrored pairs the shadow had not caught up with
    QHash<QString, SampleStatement> samples; // by fingerprint

    const SampleStatement* sample(const QString& fingerprint) const;
    // What the result comparison had to leave out, said plainly ("WAL positions not watched",
    // "N pairs unsynchronized, left out of result comparison"); empty when nothing was.
    QStringList notes() const;
    // Compares every fingerprint and evaluates `rules` (the defaults when empty): the report
    // without plans.
    DiffReport report(std::vector<DiffRule> rules, const DiffEngine::Options& options) const;
};

// Reads the capture directory and, when `replayReport` is not empty, the replay report of the
// shadow (then the capture's mirrored results are ignored). Blocking file I/O; any thread.
// Stops with ErrorCode::Cancelled once `cancel` is set; `progress` gets the number of
// statements read so far now and then, on the calling thread.
Result<DiffInput> readDiffInput(const QString& captureDir, const QString& replayReport = {},
                                const CancelToken& cancel = {},
                                const std::function<void(std::int64_t)>& progress = {});

} // namespace doppel
