// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl workload features|summary`: the JSON shapes scripts rely on, --store writing the
// capture, its windows, its fingerprints and the workload.* samples into a temporary repository
// (and replacing them when stored again), and errors that name the problem.
#include "CaptureFixture.h"
#include "CtlRunner.h"
#include "store/Repository.h"
#include "workload/CaptureWriter.h"
#include "workload/WorkloadSummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

constexpr std::int64_t Base = 1'700'000'040'000'000; // on a minute
constexpr std::int64_t Second = 1'000'000;

QJsonObject parseJson(const QString& text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestWorkloadCommand : public QObject
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
        // 90 s of traffic from two sessions: a join read every second in session 1, an update
        // every 3 s in session 2, and a statement that does not parse.
        for (int i = 0; i < 90; ++i) {
            CaptureRecord r;
            r.timestampUs = Base + i * Second;
            r.sessionId = 1;
            r.statement =
                "SELECT a.x FROM a JOIN b ON a.id = b.id WHERE a.id = " + std::to_string(i) +
                " ORDER BY a.x LIMIT 5";
            r.durationUs = 2000;
            r.rows = 5;
            records.push_back(std::move(r));
            if (i % 3 == 0) {
                CaptureRecord u;
                u.timestampUs = Base + i * Second + 500000;
                u.sessionId = 2;
                u.statement = "UPDATE a SET x = x + " + std::to_string(i) + " WHERE id = 1";
                u.durationUs = 10000;
                u.rows = 1;
                records.push_back(std::move(u));
            }
        }
        CaptureRecord bad;
        bad.timestampUs = Base + 45 * Second;
        bad.sessionId = 2;
        bad.statement = "SELEC oops";
        bad.sqlState = "42601";
        records.push_back(std::move(bad));
        QVERIFY(test::writeCapture(m_dir, std::move(records)));
    }

    void featuresJson()
    {
        QString out, err;
        QCOMPARE(test::runCtl({QStringLiteral("workload"), QStringLiteral("features"), m_dir,
                               QStringLiteral("--json")},
                              &out, &err),
                 0);
        const QJsonObject j = parseJson(out);
        QCOMPARE(j.value(QLatin1String("statements")).toInt(), 121);
        const QJsonObject kinds = j.value(QLatin1String("kinds")).toObject();
        QCOMPARE(kinds.value(QLatin1String("select")).toInt(), 90);
        QCOMPARE(kinds.value(QLatin1String("update")).toInt(), 30);
        QCOMPARE(kinds.value(QLatin1String("unparsed")).toInt(), 1);
        const QJsonObject features = j.value(QLatin1String("features")).toObject();
        QCOMPARE(features.value(QLatin1String("with_joins")).toInt(), 90);
        QCOMPARE(features.value(QLatin1String("with_sorts")).toInt(), 90);
        QCOMPARE(features.value(QLatin1String("with_limit")).toInt(), 90);
        const QJsonArray fps = j.value(QLatin1String("fingerprints")).toArray();
        QCOMPARE(fps.size(), 3);
        const QStringList keys = {"fingerprint", "query", "kind",       "read_only", "calls",
                                  "depth",       "joins", "subqueries", "ctes",      "tables",
                                  "aggregates",  "sorts", "windows",    "limit"};
        bool sawJoin = false;
        for (const QJsonValue& v : fps) {
            const QJsonObject f = v.toObject();
            QStringList got = f.keys();
            got.sort();
            QStringList want = keys;
            want.sort();
            QCOMPARE(got, want);
            if (f.value(QLatin1String("kind")).toString() == QLatin1String("select")) {
                sawJoin = true;
                QCOMPARE(f.value(QLatin1String("calls")).toInt(), 90);
                QCOMPARE(f.value(QLatin1String("joins")).toInt(), 1);
                QCOMPARE(f.value(QLatin1String("tables")).toInt(), 2);
                QCOMPARE(f.value(QLatin1String("limit")).toBool(), true);
                QCOMPARE(f.value(QLatin1String("read_only")).toBool(), true);
                QVERIFY(f.value(QLatin1String("depth")).toInt() > 0);
            }
        }
        QVERIFY(sawJoin);
        // The text form has the table.
        QCOMPARE(test::runCtl({QStringLiteral("workload"), QStringLiteral("features"), m_dir}, &out,
                              &err),
                 0);
        QVERIFY2(out.contains(QLatin1String("with joins 90")), qPrintable(out));
    }

    void summaryJson()
    {
        QString out, err;
        QCOMPARE(
            test::runCtl({QStringLiteral("workload"), QStringLiteral("summary"), m_dir,
                          QStringLiteral("--window"), QStringLiteral("30s"),
                          QStringLiteral("--top"), QStringLiteral("1"), QStringLiteral("--json")},
                         &out, &err),
            0);
        const QJsonObject j = parseJson(out);
        QCOMPARE(j.value(QLatin1String("window_s")).toDouble(), 30.0);
        QCOMPARE(j.value(QLatin1String("sessions")).toInt(), 2);
        QCOMPARE(j.value(QLatin1String("errors")).toInt(), 1);
        const QJsonArray windows = j.value(QLatin1String("windows")).toArray();
        QCOMPARE(windows.size(), 3);
        const QJsonObject w0 = windows[0].toObject();
        QCOMPARE(w0.value(QLatin1String("statements")).toInt(), 40);
        QCOMPARE(w0.value(QLatin1String("active_sessions")).toInt(), 2);
        QCOMPARE(w0.value(QLatin1String("statements_per_s")).toDouble(), 40.0 / 30.0);
        QCOMPARE(w0.value(QLatin1String("read_ratio")).toDouble(), 30.0 / 40.0);
        const QJsonArray top = j.value(QLatin1String("top")).toArray();
        QCOMPARE(top.size(), 1);
        // 30 updates of 10 ms outweigh 90 reads of 2 ms.
        QCOMPARE(top[0].toObject().value(QLatin1String("kind")).toString(),
                 QStringLiteral("update"));
        QCOMPARE(top[0].toObject().value(QLatin1String("total_ms")).toDouble(), 300.0);
    }

    void storesIntoTheRepository()
    {
        const QString repoPath = m_tmp.filePath(QStringLiteral("repo.sqlite"));
        {
            auto repo = Repository::open(repoPath);
            QVERIFY(repo.ok());
            Host h;
            h.name = QStringLiteral("db1");
            h.conninfo = QStringLiteral("host=127.0.0.1");
            QVERIFY((*repo)->addHost(h).ok());
        }
        const QStringList args = {QStringLiteral("--repo"),
                                  repoPath,
                                  QStringLiteral("workload"),
                                  QStringLiteral("summary"),
                                  m_dir,
                                  QStringLiteral("--store"),
                                  QStringLiteral("--host"),
                                  QStringLiteral("db1")};
        QString out, err;
        for (int time = 0; time < 2; ++time) // stored again: replaced, not doubled
            QVERIFY2(test::runCtl(args, &out, &err) == 0, qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("2 windows")), qPrintable(err));

        auto repo = Repository::open(repoPath);
        QVERIFY(repo.ok());
        auto captures = (*repo)->workloadCaptures(QStringLiteral("db1"));
        QVERIFY(captures.ok());
        QCOMPARE(captures->size(), std::size_t(1));
        const StoredWorkloadCapture& c = captures->front();
        QCOMPARE(c.capture, m_dir);
        QCOMPARE(c.windowMs, 60000);
        QCOMPARE(c.statements, 121);
        QCOMPARE(c.errors, 1);
        auto windows = (*repo)->workloadWindows(c.id);
        QVERIFY(windows.ok());
        QCOMPARE(windows->size(), 2);
        QCOMPARE(windows->at(0).statements, 81); // 60 reads, 20 updates, the unparsed one
        QCOMPARE(windows->at(0).activeSessions, 2);
        QCOMPARE(windows->at(0).readRatio, 60.0 / 80.0);
        auto fps = (*repo)->workloadFingerprints(c.id);
        QVERIFY(fps.ok());
        QCOMPARE(fps->size(), 3);
        QCOMPARE(fps->at(0).kind, StatementKind::Update);
        QCOMPARE(fps->at(0).calls, 30);
        QCOMPARE(fps->at(1).features.joins, 1);
        QCOMPARE(fps->at(1).features.limit, true);

        // The windows' figures are samples of the host, at the windows' starts.
        auto host = (*repo)->host(QStringLiteral("db1"));
        QVERIFY(host.ok());
        const qint64 from = Base / 1000;
        auto rate = (*repo)->samples(host->id, QStringLiteral("workload.statements_per_s"), 0,
                                     from + 3600000);
        QVERIFY(rate.ok());
        QCOMPARE(rate->size(), 2);
        QCOMPARE(rate->at(0).timestampMs, from);
        QCOMPARE(rate->at(1).timestampMs, from + 60000);
        QCOMPARE(rate->at(0).value, 81.0 / 60.0);
        auto sessions = (*repo)->samples(host->id, QStringLiteral("workload.active_sessions"), 0,
                                         from + 3600000);
        QCOMPARE(sessions->size(), 2);
        QCOMPARE(sessions->at(0).value, 2.0);
        auto ratio =
            (*repo)->samples(host->id, QStringLiteral("workload.read_ratio"), 0, from + 3600000);
        QCOMPARE(ratio->size(), 2);
        QCOMPARE(ratio->at(1).value, 30.0 / 40.0);
        // And `metrics` reads them like any metric.
        QCOMPARE(test::runCtl(
                     {QStringLiteral("--repo"), repoPath, QStringLiteral("metrics"),
                      QStringLiteral("--host"), QStringLiteral("db1"), QStringLiteral("--metric"),
                      QStringLiteral("workload.active_sessions"), QStringLiteral("--since"),
                      QStringLiteral("2023-01-01T00:00:00Z"), QStringLiteral("--csv")},
                     &out, &err),
                 0);
        QCOMPARE(out.count(QLatin1Char('\n')), 3);
    }

    void errorsNameTheProblem_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("rc");
        QTest::addColumn<QString>("message");
        const QString dir = m_tmp.filePath(QStringLiteral("cap"));
        const QString missing = m_tmp.filePath(QStringLiteral("missing"));
        QTest::newRow("missing dir") << QStringList{"workload", "summary", missing} << 1 << missing;
        QTest::newRow("bad window")
            << QStringList{"workload", "summary", dir, "--window", "soon"} << 2 << "--window";
        QTest::newRow("zero window")
            << QStringList{"workload", "summary", dir, "--window", "0s"} << 2 << "--window";
        QTest::newRow("store without host")
            << QStringList{"workload", "summary", dir, "--store"} << 2 << "--host NAME";
        QTest::newRow("window on features")
            << QStringList{"workload", "features", dir, "--window", "5s"} << 2 << "--window";
        QTest::newRow("no dir") << QStringList{"workload", "features"} << 2 << "usage:";
        QTest::newRow("unknown subcommand")
            << QStringList{"workload", "plot", dir} << 2 << "usage:";
        QTest::newRow("unknown host")
            << QStringList{"--repo",   m_tmp.filePath(QStringLiteral("other.sqlite")),
                           "workload", "summary",
                           dir,        "--store",
                           "--host",   "nope"}
            << 1 << "No host named 'nope'";
    }

    void errorsNameTheProblem()
    {
        QFETCH(QStringList, args);
        QFETCH(int, rc);
        QFETCH(QString, message);
        QString out, err;
        QCOMPARE(test::runCtl(args, &out, &err), rc);
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    void emptyCaptureIsNoWorkload()
    {
        CaptureWriterOptions o;
        o.dir = m_tmp.filePath(QStringLiteral("empty"));
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        (*w)->close();
        QString out, err;
        QCOMPARE(test::runCtl({QStringLiteral("workload"), QStringLiteral("features"), o.dir}, &out,
                              &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("No statement")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestWorkloadCommand)
#include "TestWorkloadCommand.moc"
