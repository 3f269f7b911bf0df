// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReplayPlan.h"

#include "workload/CaptureReader.h"
#include "workload/CaptureStats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace doppel {

Result<ReplayPlan> ReplayPlan::fromCapture(const QString& dir, const ReplayOptions& options)
{
    std::vector<CaptureRecord> records;
    std::uint64_t dropped = 0;
    CaptureReader reader(dir);
    auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind == CaptureRecord::Kind::Dropped)
            dropped += r.droppedCount;
        else
            records.push_back(r);
    });
    if (!st)
        return st.error();
    auto plan = fromRecords(std::move(records), options);
    if (!plan)
        return plan;
    for (const CaptureIssue& issue : reader.issues())
        plan->warnings << issue.toString();
    if (dropped > 0)
        plan->warnings << QStringLiteral("the capture lost %1 statement(s) to a full writer queue: "
                                         "their sessions replay without them")
                              .arg(dropped);
    return plan;
}

Result<ReplayPlan> ReplayPlan::fromRecords(std::vector<CaptureRecord> records,
                                           const ReplayOptions& options)
{
    if (!(options.speed >= 0) || !std::isfinite(options.speed))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--speed must be 0 (as fast as possible) or a positive "
                                        "factor, e.g. 1 or 10"));
    if (options.sessions && *options.sessions < 1)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--sessions takes 'all' or a positive number"));
    if (options.fromUs && options.toUs && *options.fromUs >= *options.toUs)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("--from must be before --to"));

    // Sessions in recorded order; a stable sort keeps a session's statements in capture order
    // when two share a timestamp.
    std::stable_sort(records.begin(), records.end(),
                     [](const CaptureRecord& a, const CaptureRecord& b) {
                         return a.timestampUs < b.timestampUs;
                     });
    std::map<std::uint64_t, PlannedSession> bySession;
    std::vector<std::uint64_t> order; // session ids by first statement
    ReplayPlan plan;
    std::unordered_map<std::string, int> textToFingerprint;
    std::unordered_map<std::string, int> fingerprintIndex;
    std::int64_t first = 0, last = 0;
    for (CaptureRecord& r : records) {
        if (r.kind != CaptureRecord::Kind::Statement)
            continue;
        if ((options.fromUs && r.timestampUs < *options.fromUs) ||
            (options.toUs && r.timestampUs >= *options.toUs))
            continue;
        auto [it, isNew] = bySession.try_emplace(r.sessionId);
        if (isNew) {
            if (options.sessions && int(order.size()) >= *options.sessions) {
                bySession.erase(it);
                continue;
            }
            it->second.id = r.sessionId;
            order.push_back(r.sessionId);
        }
        if (plan.statementCount == 0)
            first = r.timestampUs;
        last = std::max(last, r.timestampUs);
        int fp;
        if (auto known = textToFingerprint.find(r.statement); known != textToFingerprint.end()) {
            fp = known->second;
        } else {
            const Fingerprint f = fingerprintStatement(r.statement);
            auto [slot, added] = fingerprintIndex.try_emplace(f.fingerprint.toStdString(),
                                                              int(plan.fingerprints.size()));
            if (added) {
                plan.fingerprints << f.fingerprint;
                plan.normalized << f.normalized;
            }
            fp = slot->second;
            textToFingerprint.emplace(r.statement, fp);
        }
        PlannedStatement s;
        s.fingerprint = fp;
        s.offsetUs = r.timestampUs; // made relative below
        s.record = std::move(r);
        it->second.statements.push_back(std::move(s));
        ++plan.statementCount;
    }
    if (plan.statementCount == 0)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("the capture holds no statement in the chosen window"));
    plan.spanUs = last - first;
    for (std::uint64_t id : order) {
        PlannedSession& session = bySession[id];
        for (PlannedStatement& s : session.statements)
            s.offsetUs =
                options.speed == 0 ? 0 : std::int64_t(double(s.offsetUs - first) / options.speed);
        plan.sessions.push_back(std::move(session));
    }
    return plan;
}

} // namespace doppel
