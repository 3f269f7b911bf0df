// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workload/CaptureWriter.h"

#include <QString>

#include <cmath>
#include <random>
#include <vector>

namespace doppel::test {

// A statement mirrored to the shadow as doppel-proxy records it: production's and the shadow's
// duration, rows and, when given, result hashes and whether the shadow had caught up.
inline CaptureRecord mirroredCall(const std::string& text, double prodMs, double shadowMs,
                                  std::optional<bool> synchronized = std::nullopt,
                                  std::optional<std::uint64_t> prodHash = std::nullopt,
                                  std::optional<std::uint64_t> shadowHash = std::nullopt)
{
    static std::uint64_t session = 0;
    CaptureRecord r;
    r.timestampUs = 1'700'000'000'000'000 + std::int64_t(++session) * 1000;
    r.sessionId = 1 + session % 4;
    r.user = "app";
    r.database = "appdb";
    r.statement = text;
    r.durationUs = std::int64_t(prodMs * 1000);
    r.rows = 1;
    r.resultHash = prodHash;
    ShadowResult s;
    s.durationUs = std::int64_t(shadowMs * 1000);
    s.rows = 1;
    s.resultHash = shadowHash;
    s.synchronized = synchronized;
    r.shadow = s;
    return r;
}

// One statement as doppel-proxy records it, for captures the tests write: `atUs` is its wall-clock
// start in microseconds since the epoch.
inline CaptureRecord capturedStatement(std::uint64_t session, std::int64_t atUs,
                                       std::int64_t durationUs, const std::string& sql,
                                       std::int64_t rows = 1, const std::string& sqlState = {})
{
    CaptureRecord r;
    r.timestampUs = atUs;
    r.sessionId = session;
    r.user = "u";
    r.database = "d";
    r.statement = sql;
    r.durationUs = durationUs;
    r.rows = rows;
    r.sqlState = sqlState;
    return r;
}

// Latencies like a database's: log-normal around `medianMs`, reproducible by seed.
inline std::vector<double> lognormalMs(size_t n, double medianMs, std::uint64_t seed,
                                       double sigma = 0.3)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> dist(std::log(medianMs), sigma);
    std::vector<double> out(n);
    for (double& v : out)
        v = dist(rng);
    return out;
}

// Writes `records` as a capture in `dir` with the real writer; false when it could not.
inline bool writeCapture(const QString& dir, std::vector<CaptureRecord> records)
{
    CaptureWriterOptions options;
    options.dir = dir;
    options.fsync = FsyncPolicy::None;
    auto writer = CaptureWriter::open(options);
    if (!writer)
        return false;
    size_t queued = 0;
    for (CaptureRecord& r : records) {
        if (!(*writer)->submit(std::move(r)))
            return false;
        if (++queued % 10000 == 0)
            (*writer)->flush(); // the queue is bounded: a full one drops
    }
    (*writer)->close();
    return (*writer)->lastError().isEmpty();
}

} // namespace doppel::test
