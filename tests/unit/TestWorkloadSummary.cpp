// SPDX-License-Identifier: GPL-3.0-or-later
// The workload summary of a capture written with CaptureWriter: windows aligned on the window
// length with statements/s, active sessions, mean concurrency (durations split across window
// edges), read ratio and errors; empty windows kept; totals, per-fingerprint figures and the
// feature mix; a capture without statements or directory refused.
#include "CaptureFixture.h"
#include "workload/CaptureWriter.h"
#include "workload/WorkloadSummary.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace doppel;

namespace {

// Aligned on a minute, so the windows below start at Base.
constexpr std::int64_t Base = 1'700'000'040'000'000;
constexpr std::int64_t Second = 1'000'000;

CaptureRecord statement(std::uint64_t session, std::int64_t at, std::int64_t duration,
                        const std::string& sql, std::int64_t rows = 1,
                        const std::string& sqlState = {})
{
    return test::capturedStatement(session, Base + at, duration, sql, rows, sqlState);
}

} // namespace

class TestWorkloadSummary : public QObject
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
        // Window 0: two sessions, a read, a write, a failed read, and a BEGIN that runs 0.5 s
        // into window 1.
        records.push_back(statement(1, 0, 1 * Second, "SELECT * FROM t WHERE id = 1"));
        records.push_back(statement(1, 10 * Second, 2 * Second, "UPDATE t SET x = 2 WHERE id = 1"));
        records.push_back(
            statement(2, 30 * Second, 1 * Second, "SELECT * FROM t WHERE id = 5", 0, "57014"));
        records.push_back(statement(2, 59 * Second + Second / 2, 1 * Second, "BEGIN", -1));
        // Window 1: one aggregate read from a third session.
        records.push_back(statement(3, 70 * Second, 3 * Second, "SELECT count(*) FROM t"));
        // Window 2: nothing. Window 3: an insert ending the capture at 204 s.
        records.push_back(statement(1, 200 * Second, 4 * Second, "INSERT INTO t VALUES (1)"));
        QVERIFY(test::writeCapture(m_dir, std::move(records)));
    }

    void windows()
    {
        auto s = summarizeWorkload(m_dir, 60000);
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        QCOMPARE(s->windows.size(), 4);
        const qint64 baseMs = Base / 1000;
        const WorkloadWindow& w0 = s->windows[0];
        QCOMPARE(w0.startMs, baseMs);
        QCOMPARE(w0.endMs, baseMs + 60000);
        QCOMPARE(w0.statements, 4);
        QCOMPARE(w0.statementsPerS, 4.0 / 60.0);
        QCOMPARE(w0.activeSessions, 2);
        QCOMPARE(w0.meanConcurrency, 4.5 / 60.0); // 1 + 2 + 1 + the BEGIN's first half second
        QCOMPARE(w0.reads, 2);
        QCOMPARE(w0.writes, 1);
        QCOMPARE(w0.readRatio, 2.0 / 3.0);
        QCOMPARE(w0.errors, 1);

        const WorkloadWindow& w1 = s->windows[1];
        QCOMPARE(w1.statements, 1);
        QCOMPARE(w1.activeSessions, 2); // session 2's BEGIN still runs
        QCOMPARE(w1.meanConcurrency, 3.5 / 60.0);
        QCOMPARE(w1.readRatio, 1.0);
        QCOMPARE(w1.errors, 0);

        const WorkloadWindow& w2 = s->windows[2];
        QCOMPARE(w2.startMs, baseMs + 120000);
        QCOMPARE(w2.statements, 0);
        QCOMPARE(w2.activeSessions, 0);
        QCOMPARE(w2.meanConcurrency, 0.0);
        QVERIFY(std::isnan(w2.readRatio));

        // The last window ends with the capture: its rates are over 24 s.
        const WorkloadWindow& w3 = s->windows[3];
        QCOMPARE(w3.startMs, baseMs + 180000);
        QCOMPARE(w3.endMs, baseMs + 204000);
        QCOMPARE(w3.statementsPerS, 1.0 / 24.0);
        QCOMPARE(w3.meanConcurrency, 4.0 / 24.0);
        QCOMPARE(w3.readRatio, 0.0);

        // Another window length regroups the same statements.
        auto half = summarizeWorkload(m_dir, 30000);
        QVERIFY(half.ok());
        QCOMPARE(half->windows.size(), 7);
        qint64 total = 0;
        for (const WorkloadWindow& w : half->windows)
            total += w.statements;
        QCOMPARE(total, 6);
    }

    void totalsAndFingerprints()
    {
        auto s = summarizeWorkload(m_dir, 60000);
        QVERIFY(s.ok());
        QCOMPARE(s->statements, 6);
        QCOMPARE(s->errors, 1);
        QCOMPARE(s->sessions, 3);
        QCOMPARE(s->reads, 3);
        QCOMPARE(s->writes, 2);
        QCOMPARE(s->readRatio, 0.6);
        QCOMPARE(s->statementsPerS, 6.0 / 204.0);
        QCOMPARE(s->meanConcurrency, 12.0 / 204.0);
        QCOMPARE(s->firstMs, Base / 1000);
        QCOMPARE(s->lastMs, Base / 1000 + 204000);

        // Five statements; the two point reads share a fingerprint. Largest total time first.
        QCOMPARE(s->byFingerprint.size(), 5);
        QCOMPARE(s->byFingerprint[0].kind, StatementKind::Insert);
        QCOMPARE(s->byFingerprint[0].totalMs, 4000.0);
        QCOMPARE(s->byFingerprint[1].kind, StatementKind::Select);
        QCOMPARE(s->byFingerprint[1].features.aggregates, 1);
        const auto point = std::find_if(
            s->byFingerprint.cbegin(), s->byFingerprint.cend(),
            [](const FingerprintSummary& f) { return f.query.contains(QLatin1String("id = $1")); });
        QVERIFY(point != s->byFingerprint.cend());
        QCOMPARE(point->calls, 2);
        QCOMPARE(point->totalMs, 2000.0);
        QCOMPARE(point->meanMs, 1000.0);
        QCOMPARE(point->rows, 1);
        QCOMPARE(point->errors, 1);
        QVERIFY(point->readOnly);

        QCOMPARE(s->mix.statements, 6);
        QCOMPARE(s->mix.kinds.value(StatementKind::Select), 3);
        QCOMPARE(s->mix.kinds.value(StatementKind::Update), 1);
        QCOMPARE(s->mix.kinds.value(StatementKind::Insert), 1);
        QCOMPARE(s->mix.kinds.value(StatementKind::Transaction), 1);
        QCOMPARE(s->mix.withAggregates, 1);
        QCOMPARE(s->mix.withJoins, 0);
        QCOMPARE(s->mix.meanTables, 5.0 / 6.0); // every statement but BEGIN names t

        const QJsonObject top = s->summaryJson(2);
        QCOMPARE(top.value(QLatin1String("top")).toArray().size(), 2);
        QVERIFY(top.value(QLatin1String("windows"))
                    .toArray()[2]
                    .toObject()
                    .value(QLatin1String("read_ratio"))
                    .isNull());
    }

    void refusesWhatIsNoWorkload()
    {
        auto missing = summarizeWorkload(m_tmp.filePath(QStringLiteral("nowhere")), 60000);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);

        CaptureWriterOptions o;
        o.dir = m_tmp.filePath(QStringLiteral("empty"));
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        (*w)->close();
        auto empty = summarizeWorkload(o.dir, 60000);
        QVERIFY(!empty.ok());
        QVERIFY2(empty.error().message.contains(QLatin1String("No statement")),
                 qPrintable(empty.error().message));

        QVERIFY(!summarizeWorkload(m_dir, 0).ok());
    }
};

QTEST_GUILESS_MAIN(TestWorkloadSummary)
#include "TestWorkloadSummary.moc"
