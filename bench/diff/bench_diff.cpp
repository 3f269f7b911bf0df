// SPDX-License-Identifier: GPL-3.0-or-later
// The differential engine on N statement pairs (default 10 million) over 200 fingerprints,
// against the floor any such comparison pays: sorting the same 2N latencies once (the peer,
// measured in the same run). Usage: bench_diff [PAIRS]
#include "diff/DiffRules.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace doppel;

int main(int argc, char* argv[])
{
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
