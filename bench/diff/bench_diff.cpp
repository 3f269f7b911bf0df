// SPDX-License-Identifier: GPL-3.0-or-later
// The differential engine on N statement pairs (default 10 million) over 200 fingerprints,
// against the floor any such comparison pays: sorting the same 2N latencies once (the peer,
// measured in the same run). Usage: bench_diff [PAIRS]
// With --write-capture DIR [PAIRS] it writes a capture of that many mirrored statements instead
// (production and shadow timings, result hashes), for timing `doppelctl diff` end to end with
// bench/diff/run_capture_diff.sh.
#include "diff/DiffRules.h"
#include "workload/CaptureWriter.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace doppel;

namespace {

int writeCapture(const QString& dir, long pairs)
{
    CaptureWriterOptions options;
    options.dir = dir;
    options.fsync = FsyncPolicy::None;
    options.maxSegmentBytes = 256ll << 20;
    auto writer = CaptureWriter::open(options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", qPrintable(writer.error().message));
        return 1;
    }
    constexpr int Fingerprints = 200;
    std::vector<std::string> texts;
    for (int f = 0; f < Fingerprints; ++f)
        texts.push_back("SELECT c" + std::to_string(f) + " FROM t" + std::to_string(f % 17) +
                        " WHERE id = $1");
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(std::log(500.0), 0.4); // µs
    std::uniform_int_distribution<int> pick(0, Fingerprints - 1);
    std::vector<CaptureRecord> batch;
    const std::int64_t start = 1'790'000'000'000'000;
    for (long i = 0; i < pairs; ++i) {
        CaptureRecord r;
        r.timestampUs = start + i * 100;
        r.sessionId = std::uint64_t(i % 64);
        r.user = "app";
        r.database = "shop";
        r.protocol = CaptureRecord::Protocol::Extended;
        r.statement = texts[std::size_t(pick(rng))];
        r.parameters.push_back({23, 0, std::to_string(i % 100000)});
        r.durationUs = std::int64_t(latency(rng));
        r.rows = 1;
        r.resultHash = std::uint64_t(i % 1000);
        ShadowResult shadow{std::int64_t(latency(rng)), 1, {}, std::uint64_t(i % 1000), true};
        r.shadow = shadow;
        batch.push_back(std::move(r));
        if (batch.size() == 10000) {
            // The writer drops what does not fit its queue: wait for it before each batch.
            (*writer)->flush();
            (*writer)->submitBatch(batch);
        }
    }
    (*writer)->flush();
    (*writer)->submitBatch(batch);
    (*writer)->close();
    std::printf("wrote %llu records (%llu dropped) to %s\n",
                (unsigned long long)(*writer)->written(), (unsigned long long)(*writer)->dropped(),
                qPrintable(dir));
    return (*writer)->dropped() == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char* argv[])
{
    if (argc > 2 && std::string(argv[1]) == "--write-capture")
        return writeCapture(QString::fromLocal8Bit(argv[2]),
                            argc > 3 ? std::atol(argv[3]) : 10'000'000);
    const long pairs = argc > 1 ? std::atol(argv[1]) : 10'000'000;
    constexpr int Fingerprints = 200;
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(std::log(0.5), 0.4);
    std::uniform_int_distribution<int> pick(0, Fingerprints - 1);

    QElapsedTimer timer;
    timer.start();
    DiffEngine engine;
    std::vector<int> ids;
    for (int f = 0; f < Fingerprints; ++f)
        ids.push_back(
            engine.fingerprint(QStringLiteral("fp%1").arg(f), QStringLiteral("SELECT %1").arg(f)));
    std::vector<double> all;
    all.reserve(size_t(pairs) * 2);
    for (long i = 0; i < pairs; ++i) {
        const int fp = ids[size_t(pick(rng))];
        const double p = latency(rng), s = latency(rng);
        engine.addProduction(fp, p);
        engine.addShadow(fp, s);
        engine.addPairCheck(fp, true, 1, 1, true);
        all.push_back(p);
        all.push_back(s);
    }
    const double feedS = double(timer.restart()) / 1000.0;
    const auto diffs = engine.compare();
    const auto alerts = evaluateRules(defaultDiffRules(), diffs);
    const double compareS = double(timer.restart()) / 1000.0;
    std::sort(all.begin(), all.end());
    const double sortS = double(timer.elapsed()) / 1000.0;
    std::printf("pairs=%ld fingerprints=%d alerts=%zu\n", pairs, Fingerprints, alerts.size());
    std::printf("doppel diff: feed %.2f s + compare %.2f s = %.2f s\n", feedS, compareS,
                feedS + compareS);
    std::printf("peer, std::sort of the %ld latencies: %.2f s\n", pairs * 2, sortS);
    std::printf("ratio compare/sort: %.2f; goal < 30 s: %s\n", compareS / sortS,
                feedS + compareS < 30 ? "met" : "NOT met");
    return 0;
}
