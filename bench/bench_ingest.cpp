// SPDX-License-Identifier: GPL-3.0-or-later
// Bulk ingest of metric samples into the repository, against the peer that sets the bar:
// the same rows inserted by plain SQLite with one prepared statement in one transaction into
// a minimal table (no foreign keys, no metric dictionary). Both measured in this run.
// Usage: bench_ingest [SAMPLES] [BATCH]
#include "store/Repository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <cstdio>

using namespace doppel;

static const char* const Metrics[] = {"cpu_percent",           "load1",
                                      "mem_used_bytes",        "pg_tps",
                                      "pg_connections_active", "pg_db_size_bytes",
                                      "net_rx_bytes_per_s",    "disk_free_bytes"};

static double doppelIngest(const QString& path, int total, int batch)
{
    auto repo = Repository::open(path);
    if (!repo) {
        std::fprintf(stderr, "%s\n", qPrintable(repo.error().toString()));
        std::exit(1);
    }
    Host host;
    host.name = QStringLiteral("bench");
    host.conninfo = QStringLiteral("host=127.0.0.1");
    const qint64 hostId = *(*repo)->addHost(host);
    QElapsedTimer timer;
    timer.start();
    const qint64 t0 = 1'700'000'000'000;
    for (int done = 0; done < total; done += batch) {
        MetricSamples samples;
        samples.reserve(batch);
        for (int i = done; i < std::min(total, done + batch); ++i)
            samples.append(
                MetricSample{QString::fromLatin1(Metrics[i % 8]), t0 + (i / 8) * 1000, double(i)});
        if (auto st = (*repo)->appendSamples(hostId, samples); !st) {
            std::fprintf(stderr, "%s\n", qPrintable(st.error().toString()));
            std::exit(1);
        }
    }
    return total / (timer.nsecsElapsed() / 1e9);
}

static double plainSqlite(const QString& path, int total, int batch)
{
    sqlite3* db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE s (h INT, m "
                 "INT, ts INT, v REAL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO s VALUES (?,?,?,?)", -1, &stmt, nullptr);
    QElapsedTimer timer;
    timer.start();
    const qint64 t0 = 1'700'000'000'000;
    for (int done = 0; done < total; done += batch) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (int i = done; i < std::min(total, done + batch); ++i) {
            sqlite3_reset(stmt);
            sqlite3_bind_int64(stmt, 1, 1);
            sqlite3_bind_int64(stmt, 2, i % 8);
            sqlite3_bind_int64(stmt, 3, t0 + (i / 8) * 1000);
            sqlite3_bind_double(stmt, 4, double(i));
            sqlite3_step(stmt);
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double rate = total / (timer.nsecsElapsed() / 1e9);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rate;
}

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const int total = argc > 1 ? std::atoi(argv[1]) : 2'000'000;
    const int batch = argc > 2 ? std::atoi(argv[2]) : 10'000;
    QTemporaryDir dir;
    const double doppel = doppelIngest(dir.filePath(QStringLiteral("doppel.sqlite")), total, batch);
    const double plain = plainSqlite(dir.filePath(QStringLiteral("plain.sqlite")), total, batch);
    std::printf("samples=%d batch=%d\n", total, batch);
    std::printf("doppel Repository::appendSamples: %.0f samples/s\n", doppel);
    std::printf("plain SQLite insert (peer):        %.0f samples/s\n", plain);
    std::printf("ratio doppel/peer: %.2f\n", doppel / plain);
    std::printf("goal >= 200000 samples/s: %s\n", doppel >= 200000 ? "met" : "NOT met");
    return doppel >= 200000 ? 0 : 1;
}
