// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/Duration.h"
#include "metrics/MetricCatalog.h"

#include <QtTest>

using namespace doppel;

class TestDuration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("bare seconds") << "60" << qint64(60000);
        QTest::newRow("milliseconds") << "250ms" << qint64(250);
        QTest::newRow("seconds") << "5s" << qint64(5000);
        QTest::newRow("minutes") << "10m" << qint64(600000);
        QTest::newRow("hours") << "1h" << qint64(3600000);
        QTest::newRow("days") << "1d" << qint64(86400000);
        QTest::newRow("fraction") << "1.5s" << qint64(1500);
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        auto d = parseDuration(text);
        QVERIFY(d.ok());
        QCOMPARE(qint64(d->count()), ms);
    }
    void rejectsGarbage()
    {
        for (const char* bad : {"", "s", "-5s", "5 parsecs", "1h30"}) {
            auto d = parseDuration(QString::fromLatin1(bad));
            QVERIFY2(!d.ok(), bad);
            QVERIFY(d.error().message.contains(QLatin1String("not a duration")));
        }
    }
    void catalogNamesAreTheDocumentedOnes()
    {
        // Scripts depend on these names (issue #2); removing or renaming one breaks them.
        const QStringList expected = {"cpu_percent",
                                      "load1",
                                      "mem_used_bytes",
                                      "mem_available_bytes",
                                      "disk_read_bytes_per_s",
                                      "disk_write_bytes_per_s",
                                      "net_rx_bytes_per_s",
                                      "net_tx_bytes_per_s",
                                      "pg_tps",
                                      "pg_connections_active",
                                      "pg_connections_total",
                                      "pg_db_size_bytes",
                                      "pg_cache_hit_ratio",
                                      "pg_replication_lag_bytes",
                                      "pg_replication_lag_seconds",
                                      "pg_max_connections",
                                      "pg_xid_age",
                                      "pg_wal_retained_bytes",
                                      "disk_free_bytes",
                                      "workload.statements_per_s",
                                      "workload.active_sessions",
                                      "workload.read_ratio"};
        for (const auto& name : expected)
            QVERIFY2(findMetric(name).has_value(), qPrintable(name));
        QCOMPARE(metricNames().size(), expected.size());
    }
};

QTEST_GUILESS_MAIN(TestDuration)
#include "TestDuration.moc"
