// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl capture stats`: statements differing only in literals share a fingerprint, the
// figures per fingerprint (calls, total/mean/p95, rows, errors) and the totals (dropped, damaged)
// come out right, and the JSON has exactly the names scripts depend on.
#include "CaptureFixture.h"
#include "workload/CaptureSegment.h"
#include "workload/CaptureStats.h"
#include "workload/CaptureWriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

CaptureRecord statement(const std::string& sql, std::int64_t us, std::int64_t rows,
                        const std::string& sqlState = {})
{
    return test::capturedStatement(1, 1'700'000'000'000'000, us, sql, rows, sqlState);
}

} // namespace

class TestCaptureStats : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = m_tmp.filePath(QStringLiteral("cap"));
        std::vector<CaptureRecord> records;
        // 20 calls of one statement with different literals: 1..20 ms.
        for (int i = 1; i <= 20; ++i)
            records.push_back(
                statement("SELECT * FROM t WHERE id = " + std::to_string(i) + (i % 2 ? "" : "  "),
                          i * 1000, 1));
        records.push_back(statement("UPDATE t SET x = 1", 500, 3));
        records.push_back(statement("UPDATE t SET x = 2", 700, 0, "40001"));
        records.push_back(statement("this is not sql", 100, -1, "42601"));
        QVERIFY(test::writeCapture(m_dir, std::move(records)));
        // A record the disk could not take and a damaged one in a second segment.
        std::string seg = capture::segmentHeader(0, 99);
        std::string payload;
        CaptureRecord dropped;
        dropped.kind = CaptureRecord::Kind::Dropped;
        dropped.droppedCount = 7;
        dropped.serialize(payload);
        capture::appendFrame(seg, payload);
        payload.clear();
        statement("SELECT 1", 10, 1).serialize(payload);
        std::string bad;
        capture::appendFrame(bad, payload);
        bad[12] ^= 0x40;
        seg += bad;
        payload.clear();
        statement("SELECT 2", 10, 1).serialize(payload);
        capture::appendFrame(seg, payload);
        QFile f(QDir(m_dir).filePath(capture::segmentFileName(99)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(seg.data(), qint64(seg.size()));
    }

    void fingerprints_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("literals") << "SELECT * FROM t WHERE id = 1"
                                  << "SELECT * FROM t WHERE id = 2" << true;
        QTest::newRow("whitespace") << "SELECT  1"
                                    << "select 1" << true;
        QTest::newRow("parameter vs literal") << "SELECT * FROM t WHERE id = $1"
                                              << "SELECT * FROM t WHERE id = 5" << true;
        QTest::newRow("other table") << "SELECT * FROM t"
                                     << "SELECT * FROM u" << false;
        QTest::newRow("unparsed") << "not sql at all"
                                  << "not sql at all!" << false;
    }
    void fingerprints()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        const auto fa = fingerprintStatement(a.toStdString());
        const auto fb = fingerprintStatement(b.toStdString());
        QCOMPARE(fa.fingerprint == fb.fingerprint, same);
    }

    void aggregates()
    {
        auto stats = computeCaptureStats(m_dir);
        QVERIFY(stats.ok());
        QCOMPARE(stats->statements, qint64(24)); // 23 + SELECT 2 after the damaged record
        QCOMPARE(stats->errors, qint64(2));
        QCOMPARE(stats->dropped, qint64(7));
        QCOMPARE(stats->damaged, qint64(1));
        const StatementStats& top = stats->byFingerprint.first();
        QCOMPARE(top.query, QStringLiteral("SELECT * FROM t WHERE id = $1"));
        QCOMPARE(top.calls, qint64(20));
        QCOMPARE(top.totalMs, 210.0);
        QCOMPARE(top.meanMs, 10.5);
        QCOMPARE(top.p95Ms, 19.0); // nearest rank: the 19th of 20
        QCOMPARE(top.rows, qint64(20));
        bool update = false;
        for (const StatementStats& s : stats->byFingerprint) {
            if (s.query == QStringLiteral("UPDATE t SET x = $1")) {
                update = true;
                QCOMPARE(s.calls, qint64(2));
                QCOMPARE(s.errors, qint64(1));
                QCOMPARE(s.rows, qint64(3));
            }
        }
        QVERIFY(update);
    }

    // The names scripts depend on (the command itself is run in TestProxyPgbench).
    void jsonShape()
    {
        auto stats = computeCaptureStats(m_dir);
        QVERIFY(stats.ok());
        QCOMPARE(stats->issues.size(), 1);
        QCOMPARE(stats->issues.first().segment, QStringLiteral("capture-00000099.dcap"));
        QVERIFY(!stats->issues.first().tornTail);
        const QJsonObject json = stats->toJson();
        const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
        QCOMPARE(QStringList(totals.keys()),
                 (QStringList{"damaged", "dropped", "errors", "statements"}));
        QCOMPARE(totals.value(QStringLiteral("statements")).toInt(), 24);
        QCOMPARE(totals.value(QStringLiteral("dropped")).toInt(), 7);
        QCOMPARE(totals.value(QStringLiteral("damaged")).toInt(), 1);
        const QJsonArray list = json.value(QStringLiteral("statements")).toArray();
        QCOMPARE(QStringList(list.first().toObject().keys()),
                 (QStringList{"calls", "errors", "fingerprint", "mean_ms", "p95_ms", "query",
                              "rows", "total_ms"}));
        QCOMPARE(list.first().toObject().value(QStringLiteral("p95_ms")).toDouble(), 19.0);
        QVERIFY(!computeCaptureStats(m_tmp.filePath(QStringLiteral("none"))).ok());
    }

    // A mirroring proxy's capture: the shadow's timings next to production's.
    void shadowFiguresWhenMirrored()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("mirrored"));
        std::vector<CaptureRecord> records;
        for (int i = 1; i <= 20; ++i) {
            CaptureRecord r = statement("SELECT v FROM t WHERE k = " + std::to_string(i), 1000, 1);
            if (i <= 10)
                r.shadow = ShadowResult{i * 2000, 1, i == 10 ? "57014" : "", {}, {}};
            records.push_back(std::move(r));
        }
        QVERIFY(test::writeCapture(dir, std::move(records)));
        auto stats = computeCaptureStats(dir);
        QVERIFY(stats.ok());
        QCOMPARE(stats->mirrored, qint64(10));
        const QJsonObject json = stats->toJson();
        QCOMPARE(json.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("mirrored"))
                     .toInt(),
                 10);
        const QJsonObject shadow = json.value(QStringLiteral("statements"))
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(QStringLiteral("shadow"))
                                       .toObject();
        QCOMPARE(shadow.value(QStringLiteral("calls")).toInt(), 10);
        QCOMPARE(shadow.value(QStringLiteral("mean_ms")).toDouble(), 11.0); // 2, 4, ... 20 ms
        QCOMPARE(shadow.value(QStringLiteral("p95_ms")).toDouble(), 20.0);
        QCOMPARE(shadow.value(QStringLiteral("errors")).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCaptureStats)
#include "TestCaptureStats.moc"
