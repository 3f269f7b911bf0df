// SPDX-License-Identifier: GPL-3.0-or-later
#include "Replayer.h"

#include "ReplaySession.h"

#include <QElapsedTimer>

#include <algorithm>
#include <thread>

namespace doppel::replay {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

ReplayReport runReplay(const ReplayPlan& plan, const ReplayTarget& target, double speed,
                       const CancelToken& cancel,
                       const std::function<void(const ReplayProgress&)>& progress)
{
    ReplayShared shared;
    shared.total = plan.statementCount;
    shared.cancel = cancel;
    shared.measureLag = speed > 0;
    std::vector<std::unique_ptr<ReplaySession>> sessions;
    std::vector<std::thread> threads;
    // Sessions are opened shortly before their first statement, as they were recorded, so
    // the target sees the recorded concurrency of connections too.
    constexpr auto ConnectLead = 100ms;
    const Clock::time_point start = Clock::now() + ConnectLead;
    QElapsedTimer wall;
    wall.start();
    auto report = [&] {
        if (!progress)
            return;
        ReplayProgress p;
        p.done = shared.done.load();
        p.total = shared.total;
        p.errors = shared.errors.load();
        p.elapsedSeconds = double(wall.elapsed()) / 1000.0;
        p.statementsPerSecond = p.elapsedSeconds > 0 ? double(p.done) / p.elapsedSeconds : 0;
        p.lagMs = double(shared.maxLagUs.load()) / 1000.0;
        progress(p);
    };
    Clock::time_point nextReport = Clock::now();
    for (const PlannedSession& planned : plan.sessions) {
        const auto launchAt = start + std::chrono::microseconds(planned.startUs()) - ConnectLead;
        while (Clock::now() < launchAt && !shared.stopping()) {
            std::this_thread::sleep_until(std::min(launchAt, Clock::now() + 200ms));
            if (Clock::now() >= nextReport) {
                report();
                nextReport = Clock::now() + 200ms;
            }
        }
        if (shared.stopping())
            break;
        sessions.push_back(std::make_unique<ReplaySession>(planned, target, start, shared));
        threads.emplace_back([session = sessions.back().get()] { session->run(); });
    }
    // Wait for the sessions, reporting progress and relaying a cancel to the server.
    bool cancelRelayed = false;
    while (shared.finished.load() < int(threads.size())) {
        std::this_thread::sleep_for(20ms);
        if (shared.stopping() && !cancelRelayed) {
            for (auto& s : sessions)
                s->cancelRunning();
            cancelRelayed = true;
        }
        if (Clock::now() >= nextReport) {
            report();
            nextReport = Clock::now() + 200ms;
        }
    }
    for (std::thread& t : threads)
        t.join();
    report();

    std::vector<ReplayMeasurement> all;
    all.reserve(size_t(shared.done.load()));
    for (auto& s : sessions)
        all.insert(all.end(), s->measurements().begin(), s->measurements().end());
    ReplayReport out = ReplayReport::build(all, plan.fingerprints, plan.normalized);
    out.wallSeconds = double(wall.elapsed()) / 1000.0;
    out.sessions = int(sessions.size());
    out.speed = speed;
    out.targetLost = shared.lostReason();
    out.cancelled = cancel.isCancelled();
    out.warnings = plan.warnings;
    return out;
}

} // namespace doppel::replay
