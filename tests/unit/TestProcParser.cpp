// SPDX-License-Identifier: GPL-3.0-or-later
// Host metrics are read from /proc over SSH: the parser on a fixed sample, and on this
// machine's own /proc through the same shell command the collector sends.
#include "metrics/ProcParser.h"

#include <QProcess>
#include <QtTest>

using namespace doppel;

static const char* const Sample = R"(#stat
cpu  100 20 30 400 50 6 7 8 9 10
#loadavg
1.25 0.80 0.50 2/300 12345
#meminfo
MemTotal:        1000 kB
MemFree:          100 kB
MemAvailable:     400 kB
#blocks
loop0
sda
nvme0n1
dm-0
#diskstats
   7       0 loop0 10 0 999 0 10 0 999 0 0 0 0
   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0
   8       1 sda1 90 0 1800 0 40 0 3000 0 0 0 0
 259       0 nvme0n1 10 0 10 0 10 0 20 0 0 0 0
 253       0 dm-0 10 0 555 0 10 0 555 0 0 0 0
#netdev
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9999 10 0 0 0 0 0 0 9999 10 0 0 0 0 0 0
  eth0: 1000 10 0 0 0 0 0 0 2000 10 0 0 0 0 0 0
  eth1: 24 1 0 0 0 0 0 0 76 1 0 0 0 0 0 0
#df
123456789
#end
)";

class TestProcParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesEverySection()
    {
        QString error;
        auto s = parseProcSnapshot(QByteArray(Sample), &error);
        QVERIFY2(s.has_value(), qPrintable(error));
        QCOMPARE(s->cpuTotal,
                 quint64(100 + 20 + 30 + 400 + 50 + 6 + 7 + 8)); // guest fields excluded
        QCOMPARE(s->cpuIdle, quint64(450));
        QCOMPARE(s->load1, 1.25);
        QCOMPARE(s->memTotal, quint64(1000 * 1024));
        QCOMPARE(s->memAvailable, quint64(400 * 1024));
        // Whole disks only: sda and nvme0n1; not the partition, loop or device-mapper views.
        QCOMPARE(s->diskReadBytes, quint64((2000 + 10) * 512));
        QCOMPARE(s->diskWriteBytes, quint64((4000 + 20) * 512));
        QCOMPARE(s->netRxBytes, quint64(1024)); // lo excluded
        QCOMPARE(s->netTxBytes, quint64(2076));
        QCOMPARE(s->diskFreeBytes.value_or(0), quint64(123456789));
    }

    void truncatedOutputIsAnError()
    {
        QString error;
        QByteArray cut(Sample);
        cut.chop(6); // no "#end"
        QVERIFY(!parseProcSnapshot(cut, &error).has_value());
        QVERIFY2(error.contains(QLatin1String("ended early")), qPrintable(error));
    }

    void readsThisMachine()
    {
        QProcess sh;
        sh.start(QStringLiteral("sh"),
                 {QStringLiteral("-c"), procSnapshotCommand(QStringLiteral("/"))});
        QVERIFY(sh.waitForFinished(10000));
        QString error;
        auto s = parseProcSnapshot(sh.readAllStandardOutput(), &error);
        QVERIFY2(s.has_value(), qPrintable(error));
        QVERIFY(s->cpuTotal > 0);
        QVERIFY(s->memTotal > s->memAvailable);
        QVERIFY(s->diskFreeBytes.value_or(0) > 0);
    }
};

QTEST_GUILESS_MAIN(TestProcParser)
#include "TestProcParser.moc"
