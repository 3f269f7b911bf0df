// SPDX-License-Identifier: GPL-3.0-or-later
// The statement model with its cache over a realistic stream, against the peer measured in the
// same run: libpg_query's pg_query_fingerprint on every statement, uncached (what a tool without
// a cache pays). The stream is N statements (default 1,000,000): pgbench's TPC-B transaction
// with fresh literals in every statement, mixed with a few hundred distinct application
// statements, also with varying literals. Before timing, the cached fingerprints of a sample are
// checked against the peer's. Usage: bench_fingerprint [N] [DISTINCT]
#include "workload/StatementModel.h"

#include <QElapsedTimer>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <pg_query.h>

using namespace doppel;

namespace {

std::vector<std::string> makeStream(long n, int distinct)
{
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> aid(1, 10'000'000), tid(1, 100), bid(1, 10),
        delta(-5000, 5000), app(0, distinct - 1), percent(0, 99);
    const char* tables[] = {"orders", "customers", "invoices", "shipments", "products"};
    const char* columns[] = {"id", "status", "created_at", "owner_id", "region", "total"};
    std::vector<std::string> out;
    out.reserve(std::size_t(n));
    int step = 0;
    while (long(out.size()) < n) {
        if (percent(rng) < 80) { // one statement of pgbench's TPC-B script, in order
            const std::string a = std::to_string(aid(rng)), t = std::to_string(tid(rng)),
                              b = std::to_string(bid(rng)), d = std::to_string(delta(rng));
            switch (step++ % 7) {
            case 0:
                out.push_back("BEGIN;");
                break;
            case 1:
                out.push_back("UPDATE pgbench_accounts SET abalance = abalance + " + d +
                              " WHERE aid = " + a + ";");
                break;
            case 2:
                out.push_back("SELECT abalance FROM pgbench_accounts WHERE aid = " + a + ";");
                break;
            case 3:
                out.push_back("UPDATE pgbench_tellers SET tbalance = tbalance + " + d +
                              " WHERE tid = " + t + ";");
                break;
            case 4:
                out.push_back("UPDATE pgbench_branches SET bbalance = bbalance + " + d +
                              " WHERE bid = " + b + ";");
                break;
            case 5:
                out.push_back("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" +
                              t + ", " + b + ", " + a + ", " + d + ", CURRENT_TIMESTAMP);");
                break;
            default:
                out.push_back("END;");
            }
        } else { // one of `distinct` application statements, literals varying
            const int k = app(rng);
            const std::string table = std::string(tables[k % 5]) + "_" + std::to_string(k / 5);
            const std::string column = columns[k % 6];
            out.push_back("SELECT o.id, o." + column + ", c.name FROM " + table +
                          " o JOIN customers c ON c.id = o.owner_id WHERE o." + column + " = '" +
                          std::to_string(aid(rng)) + "' AND o.total > " +
                          std::to_string(delta(rng)) + ".5 ORDER BY o.created_at DESC LIMIT " +
                          std::to_string(1 + k % 50));
        }
    }
    return out;
}

} // namespace

int main(int argc, char* argv[])
{
    const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
    const int distinct = argc > 2 ? std::atoi(argv[2]) : 300;
    const std::vector<std::string> stream = makeStream(n, distinct);

    // Correctness first: on a sample, the model's cached fingerprint is libpg_query's.
    StatementModel check;
    long mismatches = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(stream.size(), 20'000); ++i) {
        PgQueryFingerprintResult fp = pg_query_fingerprint(stream[i].c_str());
        const QString peer = fp.error ? QString() : QString::fromLatin1(fp.fingerprint_str);
        pg_query_free_fingerprint_result(fp);
        mismatches += check.analyze(stream[i])->fingerprint != peer;
    }

    QElapsedTimer timer;
    timer.start();
    StatementModel model;
    std::size_t sink = 0;
    for (const std::string& sql : stream)
        sink += std::size_t(model.analyze(sql)->features.depth);
    const double modelS = double(timer.nsecsElapsed()) / 1e9;

    timer.restart();
    for (const std::string& sql : stream) {
        PgQueryFingerprintResult fp = pg_query_fingerprint(sql.c_str());
        sink += fp.fingerprint & 1;
        pg_query_free_fingerprint_result(fp);
    }
    const double peerS = double(timer.nsecsElapsed()) / 1e9;

    // What one cache miss costs: the full uncached analysis (fingerprint, normalize, parse).
    const std::size_t sample = std::min<std::size_t>(stream.size(), 20'000);
    timer.restart();
    for (std::size_t i = 0; i < sample; ++i)
        sink += std::size_t(analyzeStatement(stream[i]).features.depth);
    const double uncachedS = double(timer.nsecsElapsed()) / 1e9;

    const double modelRate = double(stream.size()) / modelS;
    const double peerRate = double(stream.size()) / peerS;
    std::printf("statements=%zu distinct_app_statements=%d cache hits=%llu misses=%llu "
                "(checksum %zu)\n",
                stream.size(), distinct, static_cast<unsigned long long>(model.hits()),
                static_cast<unsigned long long>(model.misses()), sink);
    std::printf("sample check: %ld fingerprint mismatches against pg_query_fingerprint\n",
                mismatches);
    std::printf("model with cache:             %.3f s  %12.0f statements/s\n", modelS, modelRate);
    std::printf("peer pg_query_fingerprint:    %.3f s  %12.0f statements/s\n", peerS, peerRate);
    std::printf("model uncached (%zu sample): %.3f s  %12.0f statements/s\n", sample, uncachedS,
                double(sample) / uncachedS);
    std::printf("ratio model/peer: %.1f; goal >= 200,000 statements/s: %s\n", modelRate / peerRate,
                modelRate >= 200'000 ? "met" : "NOT met");
    return mismatches == 0 ? 0 : 1;
}
