// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl replay` against the shared lab's shadow cluster (databases "replaytest" and
// "replaymissing", so other tests' data is untouched), from a capture written with the capture
// writer: four sessions of TPC-B-like transactions in simple and extended protocol, named and
// unnamed statements, text and binary parameters. Every statement runs without error, rows are
// counted, speed 10 takes about a tenth of the recorded span, two replays give the same rows, a
// target missing a table reports that fingerprint's errors and completes the rest, and a target
// that cannot be reached ends the replay with a clear message and a report.
#include "CtlRunner.h"
#include "LabFixture.h"

#include "postgres/PgConnection.h"
#include "workload/CaptureWriter.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

using namespace doppel;

namespace {

constexpr int Sessions = 4;
constexpr int TransactionsPerSession = 25;
constexpr std::int64_t StepUs = 16000; // 5 statements a transaction: a 2 s recorded span

CaptureRecord simple(std::uint64_t session, std::int64_t ts, const std::string& sql)
{
    CaptureRecord r;
    r.timestampUs = ts;
    r.sessionId = session;
    r.user = "app";
    r.database = "replaytest";
    r.statement = sql;
    return r;
}

CaptureRecord extended(std::uint64_t session, std::int64_t ts, const std::string& sql,
                       const std::string& name, std::vector<CaptureParameter> params)
{
    CaptureRecord r = simple(session, ts, sql);
    r.protocol = CaptureRecord::Protocol::Extended;
    r.statementName = name;
    r.parameters = std::move(params);
    return r;
}

CaptureParameter textInt(int value)
{
    return CaptureParameter{23, 0, std::to_string(value)};
}

CaptureParameter binaryInt(int value)
{
    std::string bytes(4, '\0');
    qToBigEndian<qint32>(value, bytes.data());
    return CaptureParameter{23, 1, bytes};
}

QString pgbenchDatabase(const QString& admin, const QString& db, bool dropHistory)
{
    pg::PgConnection::Options options;
    options.conninfo = admin;
    auto conn = pg::PgConnection::connect(options);
    if (!conn)
        return conn.error().toString();
    if (auto r = (*conn)->exec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(db));
        !r)
        return r.error().toString();
    if (auto r = (*conn)->exec(QStringLiteral("CREATE DATABASE %1").arg(db)); !r)
        return r.error().toString();
    const QString conninfo = admin + QStringLiteral(" dbname=") + db;
    QProcess init;
    init.start(QStringLiteral("pgbench"), {QStringLiteral("-i"), QStringLiteral("-s"),
                                           QStringLiteral("1"), QStringLiteral("-q"), conninfo});
    if (!init.waitForFinished(120000) || init.exitCode() != 0)
        return QString::fromUtf8(init.readAllStandardError());
    if (dropHistory) {
        options.conninfo = conninfo;
        auto target = pg::PgConnection::connect(options);
        if (!target)
            return target.error().toString();
        if (auto r = (*target)->exec(QStringLiteral("DROP TABLE pgbench_history")); !r)
            return r.error().toString();
    }
    return QString();
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_capture;
    QString m_target;
    QString m_missing;

    QJsonObject replay(const QString& target, const QString& speed, int* rc = nullptr,
                       QString* err = nullptr)
    {
        const QString report = m_dir.filePath(QStringLiteral("report-%1.json").arg(qrand()));
        QString e;
        const int code =
            test::runCtl({QStringLiteral("replay"), QStringLiteral("--capture"), m_capture,
                          QStringLiteral("--target"), target, QStringLiteral("--speed"), speed,
                          QStringLiteral("--report"), report, QStringLiteral("--quiet")},
                         nullptr, &e);
        if (rc)
            *rc = code;
        if (err)
            *err = e;
        QFile file(report);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }

    static int qrand()
    {
        static int n = 0;
        return ++n;
    }

    static QJsonObject byQuery(const QJsonObject& report, const QString& fragment)
    {
        for (const auto& s : report.value(QStringLiteral("statements")).toArray())
            if (s.toObject().value(QStringLiteral("query")).toString().contains(fragment))
                return s.toObject();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        const QString error1 =
            pgbenchDatabase(lab.shadow.conninfo, QStringLiteral("replaytest"), false);
        QVERIFY2(error1.isEmpty(), qPrintable(error1));
        const QString error2 =
            pgbenchDatabase(lab.shadow.conninfo, QStringLiteral("replaymissing"), true);
        QVERIFY2(error2.isEmpty(), qPrintable(error2));
        m_target = lab.shadow.conninfo + QStringLiteral(" dbname=replaytest");
        m_missing = lab.shadow.conninfo + QStringLiteral(" dbname=replaymissing");

        m_capture = m_dir.filePath(QStringLiteral("capture"));
        CaptureWriterOptions options;
        options.dir = m_capture;
        auto writer = CaptureWriter::open(options);
        QVERIFY2(writer, qPrintable(writer ? QString() : writer.error().toString()));
        const std::int64_t t0 = QDateTime::currentMSecsSinceEpoch() * 1000;
        for (int s = 0; s < Sessions; ++s) {
            std::int64_t ts = t0 + s * 4000;
            for (int t = 0; t < TransactionsPerSession; ++t) {
                const int aid = 1 + s * 1000 + t;
                (*writer)->submit(simple(s + 1, ts, "BEGIN"));
                (*writer)->submit(extended(s + 1, ts += StepUs,
                                           "UPDATE pgbench_accounts SET abalance = abalance + $1 "
                                           "WHERE aid = $2",
                                           "upd", {textInt(5), textInt(aid)}));
                (*writer)->submit(extended(s + 1, ts += StepUs,
                                           "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
                                           std::string(), {binaryInt(aid)}));
                (*writer)->submit(
                    simple(s + 1, ts += StepUs,
                           "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) "
                           "VALUES (1, 1, " +
                               std::to_string(aid) + ", 5, now())"));
                (*writer)->submit(simple(s + 1, ts += StepUs, "END"));
                ts += StepUs;
            }
        }
        (*writer)->close();
        QCOMPARE((*writer)->dropped(), std::uint64_t(0));
    }

    void everyStatementRunsWithoutError()
    {
        int rc = -1;
        QString err;
        const QJsonObject report = replay(m_target, QStringLiteral("1"), &rc, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        const QJsonObject totals = report.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("statements")).toInt(),
                 Sessions * TransactionsPerSession * 5);
        QCOMPARE(totals.value(QStringLiteral("errors")).toInt(), 0);
        QCOMPARE(byQuery(report, QStringLiteral("SELECT abalance"))
                     .value(QStringLiteral("rows"))
                     .toInt(),
                 Sessions * TransactionsPerSession);
        QCOMPARE(byQuery(report, QStringLiteral("UPDATE pgbench_accounts"))
                     .value(QStringLiteral("rows"))
                     .toInt(),
                 Sessions * TransactionsPerSession);
        // Literals are normalized: 100 INSERTs with different aids are one fingerprint.
        QCOMPARE(byQuery(report, QStringLiteral("INSERT INTO pgbench_history"))
                     .value(QStringLiteral("calls"))
                     .toInt(),
                 Sessions * TransactionsPerSession);
        // Real time: the recorded span is 2 s; the schedule is kept closely.
        const double wall = totals.value(QStringLiteral("wall_s")).toDouble();
        QVERIFY2(wall > 1.9 && wall < 4.0, qPrintable(QString::number(wall)));
        const QJsonObject lag = report.value(QStringLiteral("schedule_lag_ms")).toObject();
        qInfo("speed 1: wall %.3f s, schedule lag p50 %.3f ms, p99 %.3f ms, max %.3f ms", wall,
              lag.value(QStringLiteral("p50")).toDouble(),
              lag.value(QStringLiteral("p99")).toDouble(),
              lag.value(QStringLiteral("max")).toDouble());
        QVERIFY(lag.contains(QStringLiteral("p99")) && lag.contains(QStringLiteral("max")));
        QVERIFY(report.value(QStringLiteral("completed")).toBool());
    }

    void speedTenTakesAboutATenth()
    {
        int rc = -1;
        const QJsonObject report = replay(m_target, QStringLiteral("10"), &rc);
        QCOMPARE(rc, 0);
        const double wall = report.value(QStringLiteral("totals"))
                                .toObject()
                                .value(QStringLiteral("wall_s"))
                                .toDouble();
        QVERIFY2(wall > 0.15 && wall < 1.0, qPrintable(QString::number(wall)));
    }

    void replaysGiveTheSameRows()
    {
        const QJsonObject first = replay(m_target, QStringLiteral("0"));
        const QJsonObject second = replay(m_target, QStringLiteral("0"));
        const QJsonArray a = first.value(QStringLiteral("statements")).toArray();
        const QJsonArray b = second.value(QStringLiteral("statements")).toArray();
        QCOMPARE(a.size(), 5);
        QCOMPARE(b.size(), a.size());
        for (const auto& s : a) {
            const QString fp = s.toObject().value(QStringLiteral("fingerprint")).toString();
            bool found = false;
            for (const auto& t : b)
                if (t.toObject().value(QStringLiteral("fingerprint")).toString() == fp) {
                    found = true;
                    QCOMPARE(t.toObject().value(QStringLiteral("rows")).toInt(),
                             s.toObject().value(QStringLiteral("rows")).toInt());
                }
            QVERIFY(found);
        }
    }

    void missingTableIsReportedAndTheRestCompletes()
    {
        int rc = -1;
        const QJsonObject report = replay(m_missing, QStringLiteral("0"), &rc);
        QCOMPARE(rc, 0);
        const int n = Sessions * TransactionsPerSession;
        QCOMPARE(report.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("statements"))
                     .toInt(),
                 n * 5);
        QCOMPARE(report.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("errors"))
                     .toInt(),
                 n);
        const QJsonObject insert = byQuery(report, QStringLiteral("INSERT INTO pgbench_history"));
        QCOMPARE(insert.value(QStringLiteral("errors")).toInt(), n);
        QCOMPARE(insert.value(QStringLiteral("error_states")).toArray().first().toString(),
                 QStringLiteral("42P01"));
        QCOMPARE(byQuery(report, QStringLiteral("SELECT abalance"))
                     .value(QStringLiteral("errors"))
                     .toInt(),
                 0);
    }

    void unreachableTargetEndsWithAMessageAndAReport()
    {
        int rc = -1;
        QString err;
        const QString nowhere =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=x user=x connect_timeout=2")
                .arg(test::refusedPort());
        const QJsonObject report = replay(nowhere, QStringLiteral("0"), &rc, &err);
        QCOMPARE(rc, 1);
        QVERIFY2(err.contains(QLatin1String("cannot connect to the target")), qPrintable(err));
        QVERIFY(!report.value(QStringLiteral("completed")).toBool(true));
        QVERIFY(report.value(QStringLiteral("target_lost"))
                    .toString()
                    .contains(QLatin1String("refused")));
    }

    void badInputIsNamed()
    {
        QString err;
        QCOMPARE(test::runCtl({QStringLiteral("replay"), QStringLiteral("--capture"), m_capture,
                               QStringLiteral("--target"), m_target, QStringLiteral("--speed"),
                               QStringLiteral("-1")},
                              nullptr, &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("--speed")), qPrintable(err));
        QCOMPARE(test::runCtl({QStringLiteral("replay"), QStringLiteral("--capture"),
                               m_dir.filePath(QStringLiteral("none")), QStringLiteral("--target"),
                               m_target},
                              nullptr, &err),
                 1);
        QVERIFY(!err.isEmpty());
        QCOMPARE(test::runCtl({QStringLiteral("replay"), QStringLiteral("--target"), m_target},
                              nullptr, &err),
                 2);
    }
};

QTEST_GUILESS_MAIN(TestReplay)
#include "TestReplay.moc"
