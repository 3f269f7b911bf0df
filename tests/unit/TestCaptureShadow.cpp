// SPDX-License-Identifier: GPL-3.0-or-later
// Capture format version 2: statement records carry the shadow's result when mirrored; version 1
// payloads and segments are still read. And the read-only test that decides what is mirrored.
#include "workload/CaptureReader.h"
#include "workload/CaptureSegment.h"
#include "workload/StatementKind.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace doppel;

namespace {

template <typename T> void put(std::string& out, T v)
{
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

void putString(std::string& out, const std::string& s)
{
    put<std::uint32_t>(out, std::uint32_t(s.size()));
    out.append(s);
}

// A statement record laid out by hand as format version 1 wrote it.
std::string versionOnePayload()
{
    std::string out;
    put<std::uint8_t>(out, 1); // Statement
    put<std::int64_t>(out, 1'700'000'000'000'000);
    put<std::uint64_t>(out, 42);
    for (const char* s : {"alice", "app", "psql", "127.0.0.1:5555"})
        putString(out, s);
    put<std::uint8_t>(out, 1); // Extended
    putString(out, "SELECT $1::int");
    putString(out, "S_1");
    put<std::uint32_t>(out, 1);
    put<std::uint32_t>(out, 23);
    put<std::int16_t>(out, 0);
    put<std::uint8_t>(out, 1);
    putString(out, "7");
    put<std::int64_t>(out, 250);
    put<std::int64_t>(out, 1);
    putString(out, "");
    put<char>(out, 'I');
    return out;
}

CaptureRecord expectedVersionOne()
{
    CaptureRecord r;
    r.timestampUs = 1'700'000'000'000'000;
    r.sessionId = 42;
    r.user = "alice";
    r.database = "app";
    r.applicationName = "psql";
    r.clientAddress = "127.0.0.1:5555";
    r.protocol = CaptureRecord::Protocol::Extended;
    r.statement = "SELECT $1::int";
    r.statementName = "S_1";
    r.parameters = {CaptureParameter{23, 0, std::string("7")}};
    r.durationUs = 250;
    r.rows = 1;
    r.transactionStatus = 'I';
    return r;
}

// A segment file with the given header version holding `payloads`.
bool writeSegment(const QString& dir, std::uint32_t version,
                  const std::vector<std::string>& payloads)
{
    std::string bytes = capture::segmentHeader(1'700'000'000'000'000, 1);
    std::memcpy(bytes.data() + 8, &version, sizeof(version));
    for (const auto& p : payloads)
        capture::appendFrame(bytes, p);
    QFile f(dir + QLatin1Char('/') + capture::segmentFileName(1));
    return f.open(QIODevice::WriteOnly) &&
           f.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}

} // namespace

class TestCaptureShadow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionOneRecordIsRead()
    {
        const auto r = CaptureRecord::deserialize(versionOnePayload());
        QVERIFY(r.has_value());
        QVERIFY(*r == expectedVersionOne());
        QVERIFY(!r->shadow);
        // Without a shadow result a record is written exactly as version 1 did.
        std::string again;
        r->serialize(again);
        QCOMPARE(again, versionOnePayload());
    }

    void shadowResultRoundTrips_data()
    {
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<QString>("sqlState");
        QTest::newRow("success") << qint64(1) << QString();
        QTest::newRow("no row count") << qint64(-1) << QString();
        QTest::newRow("shadow error") << qint64(-1) << QStringLiteral("42P01");
    }
    void shadowResultRoundTrips()
    {
        QFETCH(qint64, rows);
        QFETCH(QString, sqlState);
        CaptureRecord r = expectedVersionOne();
        r.shadow = ShadowResult{1234, rows, sqlState.toStdString(), {}, {}};
        std::string bytes;
        r.serialize(bytes);
        QVERIFY(bytes.size() > versionOnePayload().size());
        const auto back = CaptureRecord::deserialize(bytes);
        QVERIFY(back.has_value());
        QVERIFY(*back == r);
        QCOMPARE(back->shadow->durationUs, qint64(1234));
        QVERIFY(!CaptureRecord::deserialize(std::string_view(bytes).substr(0, bytes.size() - 1)));
        std::string unknownSection = versionOnePayload();
        put<std::uint8_t>(unknownSection, 9);
        QVERIFY(!CaptureRecord::deserialize(unknownSection));
    }

    void segmentsOfBothVersionsAreRead_data()
    {
        QTest::addColumn<uint>("version");
        QTest::addColumn<bool>("readable");
        QTest::newRow("version 1") << 1u << true;
        QTest::newRow("version 2") << 2u << true;
        QTest::newRow("version 3") << 3u << true;
        QTest::newRow("version 4") << 4u << false;
    }
    void segmentsOfBothVersionsAreRead()
    {
        QFETCH(uint, version);
        QFETCH(bool, readable);
        QTemporaryDir tmp;
        CaptureRecord mirrored = expectedVersionOne();
        mirrored.shadow = ShadowResult{99, 1, {}, {}, {}};
        std::vector<std::string> payloads = {versionOnePayload()};
        if (version >= 2) {
            payloads.emplace_back();
            mirrored.serialize(payloads.back());
        }
        CaptureRecord checked = mirrored;
        checked.resultHash = 42;
        checked.shadow->resultHash = 43;
        checked.shadow->synchronized = true;
        if (version >= 3) {
            payloads.emplace_back();
            checked.serialize(payloads.back());
        }
        QVERIFY(writeSegment(tmp.path(), version, payloads));
        CaptureReader reader(tmp.path());
        QList<CaptureRecord> records;
        QVERIFY(reader.read([&](const CaptureRecord& r) { records.append(r); }));
        if (!readable) {
            QCOMPARE(records.size(), 0);
            QCOMPARE(reader.damaged(), qint64(1));
            QVERIFY(reader.issues().first().message.contains(QStringLiteral("version 4")));
            return;
        }
        QVERIFY(reader.issues().isEmpty());
        QCOMPARE(records.size(), int(payloads.size()));
        QVERIFY(records[0] == expectedVersionOne());
        if (version >= 2)
            QVERIFY(records[1] == mirrored);
        if (version >= 3)
            QVERIFY(records[2] == checked);
    }

    // Format 3: production's result hash, the shadow's, and whether the shadow had caught up,
    // each optional; a record without them stays byte-identical to format 2.
    void resultChecksRoundTrip_data()
    {
        QTest::addColumn<bool>("prodHash");
        QTest::addColumn<bool>("shadowHash");
        QTest::addColumn<int>("sync"); // -1 unknown, 0 unsynchronized, 1 synchronized
        QTest::newRow("both hashes, synchronized") << true << true << 1;
        QTest::newRow("both hashes, lagging") << true << true << 0;
        QTest::newRow("both hashes, not watched") << true << true << -1;
        QTest::newRow("shadow failed: production's hash only") << true << false << 1;
        QTest::newRow("sync only") << false << false << 0;
    }
    void resultChecksRoundTrip()
    {
        QFETCH(bool, prodHash);
        QFETCH(bool, shadowHash);
        QFETCH(int, sync);
        CaptureRecord r = expectedVersionOne();
        r.shadow = ShadowResult{10, 3, {}, {}, {}};
        std::string withoutChecks;
        r.serialize(withoutChecks);
        if (prodHash)
            r.resultHash = 0xfedcba9876543210ull;
        if (shadowHash)
            r.shadow->resultHash = 0x0123456789abcdefull;
        if (sync >= 0)
            r.shadow->synchronized = sync == 1;
        std::string bytes;
        r.serialize(bytes);
        QVERIFY(bytes.size() > withoutChecks.size());
        const auto back = CaptureRecord::deserialize(bytes);
        QVERIFY(back.has_value());
        QVERIFY(*back == r);
        QVERIFY(!CaptureRecord::deserialize(std::string_view(bytes).substr(0, bytes.size() - 1)));
        // The check section before the shadow section is malformed, not silently misread.
        std::string swapped = versionOnePayload();
        put<std::uint8_t>(swapped, 2);
        put<std::uint8_t>(swapped, 0);
        put<std::uint8_t>(swapped, 1);
        QVERIFY(!CaptureRecord::deserialize(swapped));
    }

    void readOnlyStatements_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("pgbench -S")
            << "SELECT abalance FROM pgbench_accounts WHERE aid = $1;" << true;
        QTest::newRow("join and aggregate")
            << "SELECT a.bid, count(*) FROM pgbench_accounts a JOIN pgbench_branches b USING "
               "(bid) GROUP BY 1"
            << true;
        QTest::newRow("read-only CTE") << "WITH t AS (SELECT 1 AS x) SELECT x FROM t" << true;
        QTest::newRow("several selects") << "SELECT 1; SELECT now()" << true;
        QTest::newRow("update") << "UPDATE pgbench_accounts SET abalance = 1 WHERE aid = 1"
                                << false;
        QTest::newRow("insert") << "INSERT INTO t VALUES (1)" << false;
        QTest::newRow("select then delete") << "SELECT 1; DELETE FROM t" << false;
        QTest::newRow("for update") << "SELECT * FROM t WHERE id = 1 FOR UPDATE" << false;
        QTest::newRow("for share") << "SELECT * FROM t FOR SHARE SKIP LOCKED" << false;
        QTest::newRow("data-modifying CTE")
            << "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d" << false;
        QTest::newRow("select into") << "SELECT * INTO copy_of_t FROM t" << false;
        QTest::newRow("nextval") << "SELECT nextval('s')" << false;
        QTest::newRow("qualified setval") << "SELECT pg_catalog.setval('s', 5)" << false;
        QTest::newRow("advisory lock") << "SELECT pg_advisory_lock(1)" << false;
        QTest::newRow("nested writer")
            << "SELECT * FROM t WHERE id = (SELECT nextval('s'))" << false;
        QTest::newRow("begin") << "BEGIN" << false;
        QTest::newRow("set") << "SET search_path = x" << false;
        QTest::newRow("explain analyze") << "EXPLAIN ANALYZE DELETE FROM t" << false;
        QTest::newRow("does not parse") << "SELEC 1" << false;
        QTest::newRow("empty") << "" << false;
    }
    void readOnlyStatements()
    {
        QFETCH(QString, sql);
        QFETCH(bool, readOnly);
        QCOMPARE(isReadOnlyStatement(sql.toStdString()), readOnly);
    }
};

QTEST_GUILESS_MAIN(TestCaptureShadow)
#include "TestCaptureShadow.moc"
