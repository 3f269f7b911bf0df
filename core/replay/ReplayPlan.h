// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "workload/CaptureRecord.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace doppel {

// Which part of a capture to replay, and how fast.
struct ReplayOptions
{
    double speed = 1.0;                 // 1 real time, 10 ten times faster, 0 as fast as possible
    std::optional<int> sessions;        // the first N sessions by start; all when unset
    std::optional<std::int64_t> fromUs; // statements that started at or after (µs since epoch)
    std::optional<std::int64_t> toUs;   // ... and before
};

// A statement of the plan: what to run, when (µs after the replay starts) and its fingerprint
// (an index into ReplayPlan::fingerprints).
struct PlannedStatement
{
    CaptureRecord record;
    std::int64_t offsetUs = 0;
    int fingerprint = 0;
};

struct PlannedSession
{
    std::uint64_t id = 0;
    std::vector<PlannedStatement> statements; // recorded order
    std::int64_t startUs() const { return statements.empty() ? 0 : statements.front().offsetUs; }
};

// What a replay will do: one entry per captured session, statements in recorded order with
// their start scaled by the speed, and the fingerprints of all statements (computed once per
// distinct text, since parsing is the expensive part). Plain data; built on any thread.
struct ReplayPlan
{
    std::vector<PlannedSession> sessions; // by start
    QStringList fingerprints;
    QStringList normalized;  // the normalized text of each fingerprint
    std::int64_t spanUs = 0; // recorded span of the replayed statements, unscaled
    std::int64_t statementCount = 0;
    QStringList warnings; // damaged records skipped, dropped records noted

    // Reads the capture in `dir` and builds the plan. Fails on an unreadable capture, a bad
    // speed or window, or a capture with no statement in the window.
    static Result<ReplayPlan> fromCapture(const QString& dir, const ReplayOptions& options);
    static Result<ReplayPlan> fromRecords(std::vector<CaptureRecord> records,
                                          const ReplayOptions& options);
};

} // namespace doppel
