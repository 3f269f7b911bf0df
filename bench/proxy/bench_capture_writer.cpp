// SPDX-License-Identifier: GPL-3.0-or-later
// Capture writer throughput: pgbench-like records (an extended-protocol SELECT with one bound
// parameter) pushed in batches as the proxy's workers do, written by the writer thread to a
// segment file. Prints records/s written and how many were dropped.
//
// usage: bench_capture_writer [RECORDS] [DIR]
#include "workload/CaptureReader.h"
#include "workload/CaptureWriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>
#include <thread>

using namespace doppel;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const long long total = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
    QTemporaryDir tmp;
    const QString dir = argc > 2 ? QString::fromLocal8Bit(argv[2]) : tmp.filePath("capture");
    for (const FsyncPolicy policy : {FsyncPolicy::None, FsyncPolicy::Interval}) {
        CaptureWriterOptions o;
        o.dir = dir + (policy == FsyncPolicy::None ? "-none" : "-interval");
        o.fsync = policy;
        o.queueCapacity = 1 << 20;
        auto writer = CaptureWriter::open(o);
        if (!writer) {
            std::fprintf(stderr, "%s\n", qPrintable(writer.error().message));
            return 1;
        }
        CaptureRecord proto;
        proto.sessionId = 42;
        proto.user = "doppel";
        proto.database = "pgbench";
        proto.applicationName = "pgbench";
        proto.clientAddress = "127.0.0.1:51234";
        proto.protocol = CaptureRecord::Protocol::Extended;
        proto.statement = "SELECT abalance FROM pgbench_accounts WHERE aid = $1;";
        proto.statementName = "P_1";
        proto.durationUs = 85;
        proto.rows = 1;
        proto.transactionStatus = 'I';
        std::vector<CaptureRecord> batch;
        QElapsedTimer t;
        t.start();
        for (long long i = 0; i < total; ++i) {
            CaptureRecord r = proto;
            r.timestampUs = 1'700'000'000'000'000 + i;
            r.parameters = {CaptureParameter{23, 0, std::to_string(i % 100000 + 1)}};
            batch.push_back(std::move(r));
            if (batch.size() == 256)
                (*writer)->submitBatch(batch);
        }
        (*writer)->submitBatch(batch);
        (*writer)->close();
        const double secs = double(t.nsecsElapsed()) / 1e9;
        std::printf("fsync=%s: %llu records written in %.2f s = %.0f records/s, %llu dropped\n",
                    policy == FsyncPolicy::None ? "none" : "interval",
                    (unsigned long long)(*writer)->written(), secs,
                    double((*writer)->written()) / secs, (unsigned long long)(*writer)->dropped());
        CaptureReader reader(o.dir);
        long long read = 0;
        QElapsedTimer rt;
        rt.start();
        if (auto st = reader.read([&](const CaptureRecord&) { ++read; }); !st)
            return 1;
        std::printf("  read back %lld records in %.2f s, %lld damaged\n", read,
                    double(rt.nsecsElapsed()) / 1e9, reader.damaged());
    }
    return 0;
}
