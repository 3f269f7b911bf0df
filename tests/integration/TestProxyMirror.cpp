// SPDX-License-Identifier: GPL-3.0-or-later
// Mirroring through doppel-proxy to the lab's shadow: read-only statements reach the shadow and
// its results land in the capture next to production's; writes are not mirrored unless
// --mirror-writes; a shadow whose mirror backends are stopped (SIGSTOP) or terminated changes
// nothing for clients; --critical-fingerprint reads get through a stalled shadow's full queue
// by evicting other reads; SHOW MIRROR, SET mirror_rate and the Prometheus counters. Works in
// its own database, mirrortest, on both clusters.
#include "CtlRunner.h"
#include "TestProxySupport.h"
#include "workload/CaptureStats.h"

#include <QRegularExpression>

#include <QTemporaryDir>
#include <functional>

using namespace doppel;
using namespace doppel::test;

namespace {

const QString kDatabase = QStringLiteral("mirrortest");

QString clusterConninfo(int port, const QString& database)
{
    return QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=%2 passfile=%3/pgpass")
        .arg(port)
        .arg(database, sharedLab().dir);
}

QString shadowDb()
{
    return clusterConninfo(sharedLab().shadow.port, kDatabase);
}
// What the proxy gets: no dbname, so each mirror connection uses its client's database.
QString shadowForProxy()
{
    return QStringLiteral("host=127.0.0.1 port=%1 user=doppel passfile=%2/pgpass")
        .arg(sharedLab().shadow.port)
        .arg(sharedLab().dir);
}

// All rows of a query, first column, against any conninfo; empty on error (with a warning).
QStringList column(const QString& conninfo, const QString& sql)
{
    PGconn* c = PQconnectdb(conninfo.toUtf8().constData());
    QStringList out;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQexec(c, sql.toUtf8().constData());
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            for (int i = 0; i < PQntuples(r); ++i)
                out << QString::fromUtf8(PQgetvalue(r, i, 0));
        else if (PQresultStatus(r) != PGRES_COMMAND_OK)
            qWarning("%s: %s", qPrintable(sql), PQresultErrorMessage(r));
        PQclear(r);
    } else {
        qWarning("%s", PQerrorMessage(c));
    }
    PQfinish(c);
    return out;
}

QString scalar(const QString& conninfo, const QString& sql)
{
    const QStringList values = column(conninfo, sql);
    return values.isEmpty() ? QString() : values.first();
}

// The shadow backends serving the proxy's mirror connections.
QList<qint64> mirrorBackends()
{
    QList<qint64> pids;
    for (const QString& pid :
         column(shadowDb(), QStringLiteral("SELECT pid FROM pg_stat_activity WHERE "
                                           "application_name LIKE 'doppel-mirror-%'")))
        pids << pid.toLongLong();
    return pids;
}

// Stops processes and always lets them go again, even when a check fails half-way.
class StoppedProcesses
{
public:
    ~StoppedProcesses() { resume(); }
    void stop(const QList<qint64>& pids)
    {
        for (qint64 pid : pids)
            if (::kill(pid_t(pid), SIGSTOP) == 0)
                m_pids << pid;
    }
    void resume()
    {
        for (qint64 pid : std::as_const(m_pids))
            ::kill(pid_t(pid), SIGCONT);
        m_pids.clear();
    }
    int count() const { return int(m_pids.size()); }

private:
    QList<qint64> m_pids;
};

QString adminConninfo(int port)
{
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=doppel user=doppel").arg(port);
}

// SHOW STATS as name -> value.
QMap<QString, qint64> adminStats(int port)
{
    QMap<QString, qint64> out;
    const auto r = psql(adminConninfo(port), {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
    for (const QString& line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        out.insert(line.section(QLatin1Char('|'), 0, 0),
                   line.section(QLatin1Char('|'), 1).toLongLong());
    return out;
}

// SHOW MIRROR's only session as "state|queue_depth"; empty when there is not exactly one.
QString mirrorState(int port)
{
    const auto r = psql(adminConninfo(port), {QStringLiteral("-c"), QStringLiteral("SHOW MIRROR")});
    const QStringList rows = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (rows.size() != 1)
        return {};
    const QStringList columns = rows.first().split(QLatin1Char('|'));
    return columns.value(3) + QLatin1Char('|') + columns.value(4);
}

// The Prometheus endpoint's page.
QByteArray fetchMetrics(int port)
{
    QTcpSocket http;
    http.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    if (!http.waitForConnected(5000))
        return {};
    http.write("GET /metrics HTTP/1.0\r\n\r\n");
    QByteArray body;
    while (http.waitForReadyRead(3000))
        body += http.readAll();
    return body;
}

// psql on `conninfo` that reads statements from its stdin as they are written.
void startInteractivePsql(QProcess& client, const QString& conninfo)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSWORD"), labPassword());
    client.setProcessEnvironment(env);
    client.start(QStringLiteral("psql"),
                 {QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-v"),
                  QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), conninfo});
}

QStringList pgbenchArgs(int port, const QStringList& extra)
{
    return QStringList{QStringLiteral("-n"),    QStringLiteral("-h"),  QStringLiteral("127.0.0.1"),
                       QStringLiteral("-p"),    QString::number(port), QStringLiteral("-U"),
                       QStringLiteral("doppel")} +
           extra + QStringList{kDatabase};
}

void verifyNoFailures(const ClientRun& run)
{
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const auto failed =
        QRegularExpression(QStringLiteral("number of failed transactions: (\\d+)")).match(run.out);
    QVERIFY2(failed.hasMatch(), qPrintable(run.out));
    QCOMPARE(failed.captured(1), QStringLiteral("0"));
}

bool isBenchSelect(const CaptureRecord& r)
{
    return r.statement.rfind("SELECT abalance FROM pgbench_accounts", 0) == 0;
}

} // namespace

class TestProxyMirror : public QObject
{
    Q_OBJECT

    QStringList mirrorArgs(const QString& capture, const QStringList& extra = {}) const
    {
        return QStringList{QStringLiteral("--admin-user"),  QStringLiteral("doppel"),
                           QStringLiteral("--capture-dir"), capture,
                           QStringLiteral("--shadow"),      shadowForProxy(),
                           QStringLiteral("--mirror-rate"), QStringLiteral("1")} +
               extra;
    }

    // pgbench -S for `seconds` in the background while `during` acts on the mirror backends.
    void selectOnlyUnderTrouble(const std::function<void(StoppedProcesses&)>& during)
    {
        QTemporaryDir tmp;
        ProxyProcess proxy;
        QVERIFY2(proxy.start(mirrorArgs(tmp.filePath(QStringLiteral("cap")),
                                        {QStringLiteral("--mirror-queue"), QStringLiteral("50")})),
                 qPrintable(proxy.log()));
        QProcess bench;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), labPassword());
        bench.setProcessEnvironment(env);
        bench.start(QStringLiteral("pgbench"),
                    pgbenchArgs(proxy.port(),
                                {QStringLiteral("-S"), QStringLiteral("-c"), QStringLiteral("4"),
                                 QStringLiteral("-j"), QStringLiteral("2"), QStringLiteral("-T"),
                                 QStringLiteral("8")}));
        QVERIFY(bench.waitForStarted(5000));
        StoppedProcesses stopped;
        QTRY_VERIFY_WITH_TIMEOUT(mirrorBackends().size() >= 4, 5000);
        during(stopped);
        QVERIFY(bench.waitForFinished(60000));
        ClientRun run;
        run.exitCode = bench.exitCode();
        run.out = QString::fromUtf8(bench.readAllStandardOutput());
        run.err = QString::fromUtf8(bench.readAllStandardError());
        verifyNoFailures(run);
        const auto stats = adminStats(proxy.port());
        stopped.resume();
        QVERIFY(stats.value(QStringLiteral("mirror_statements")) > 0);
        m_lastStats = stats;
        QCOMPARE(proxy.stop(), 0);
        // Every statement pgbench ran is in the capture, mirrored or not.
        const auto tps =
            QRegularExpression(QStringLiteral("actually processed: (\\d+)")).match(run.out);
        QVERIFY(tps.hasMatch());
        qint64 selects = 0;
        for (const CaptureRecord& r : readCapture(tmp.filePath(QStringLiteral("cap"))))
            selects += isBenchSelect(r) ? 1 : 0;
        QCOMPARE(selects, tps.captured(1).toLongLong());
    }

    QMap<QString, qint64> m_lastStats;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(sharedLab().production.pid > 0 && sharedLab().shadow.pid > 0);
        for (int port : {sharedLab().production.port, sharedLab().shadow.port}) {
            const QString admin = clusterConninfo(port, QStringLiteral("postgres"));
            column(admin, QStringLiteral("DROP DATABASE IF EXISTS mirrortest WITH (FORCE)"));
            column(admin, QStringLiteral("CREATE DATABASE mirrortest"));
            QProcess init;
            init.start(QStringLiteral("pgbench"),
                       {QStringLiteral("-i"), QStringLiteral("-s"), QStringLiteral("1"),
                        QStringLiteral("-q"), clusterConninfo(port, kDatabase)});
            QVERIFY(init.waitForFinished(120000));
            QVERIFY2(init.exitCode() == 0, init.readAllStandardError().constData());
            column(clusterConninfo(port, kDatabase),
                   QStringLiteral("CREATE TABLE mirror_writes (id int, note text)"));
        }
    }

    void cleanupTestCase()
    {
        for (int port : {sharedLab().production.port, sharedLab().shadow.port})
            column(clusterConninfo(port, QStringLiteral("postgres")),
                   QStringLiteral("DROP DATABASE IF EXISTS mirrortest WITH (FORCE)"));
    }

    void readOnlyStatementsReachTheShadow_data()
    {
        QTest::addColumn<QString>("mode");
        for (const char* mode : {"simple", "extended", "prepared"})
            QTest::newRow(mode) << QString::fromLatin1(mode);
    }
    void readOnlyStatementsReachTheShadow()
    {
        QFETCH(QString, mode);
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start(mirrorArgs(capture)), qPrintable(proxy.log()));
        const QString scansBefore = scalar(
            shadowDb(), QStringLiteral("SELECT idx_scan FROM pg_stat_user_tables WHERE relname = "
                                       "'pgbench_accounts'"));
        const auto run = runClient(
            QStringLiteral("pgbench"),
            pgbenchArgs(proxy.port(),
                        {QStringLiteral("-S"), QStringLiteral("-c"), QStringLiteral("2"),
                         QStringLiteral("-t"), QStringLiteral("100"), QStringLiteral("-M"), mode}));
        verifyNoFailures(run);
        QCOMPARE(proxy.stop(), 0); // waits for the mirror queues, then closes the capture
        QVERIFY2(proxy.log().contains(QStringLiteral("mirror: ")), qPrintable(proxy.log()));
        int mirrored = 0;
        for (const CaptureRecord& r : readCapture(capture)) {
            if (!isBenchSelect(r))
                continue;
            QVERIFY2(r.shadow.has_value(), r.statement.c_str());
            QVERIFY2(r.shadow->sqlState.empty(), r.shadow->sqlState.c_str());
            QCOMPARE(r.shadow->rows, r.rows);
            QCOMPARE(r.shadow->rows, qint64(1));
            QVERIFY(r.shadow->durationUs > 0);
            ++mirrored;
        }
        QCOMPARE(mirrored, 200);
        // The shadow itself saw them: its index scans grew once the mirror backends exited.
        QTRY_VERIFY_WITH_TIMEOUT(
            scalar(shadowDb(), QStringLiteral("SELECT idx_scan FROM pg_stat_user_tables WHERE "
                                              "relname = 'pgbench_accounts'"))
                    .toLongLong() >= scansBefore.toLongLong() + 200,
            10000);
    }

    void writesAreNotMirroredByDefault()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        const QString historyBefore =
            scalar(shadowDb(), QStringLiteral("SELECT count(*) FROM pgbench_history"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start(mirrorArgs(capture)), qPrintable(proxy.log()));
        verifyNoFailures(
            runClient(QStringLiteral("pgbench"),
                      pgbenchArgs(proxy.port(), {QStringLiteral("-c"), QStringLiteral("2"),
                                                 QStringLiteral("-t"), QStringLiteral("50")})));
        QCOMPARE(proxy.stop(), 0);
        int reads = 0, writes = 0;
        for (const CaptureRecord& r : readCapture(capture)) {
            const bool select = isBenchSelect(r);
            if (select) {
                QVERIFY(r.shadow.has_value());
                QCOMPARE(r.shadow->rows, qint64(1));
                ++reads;
            } else if (r.statement.rfind("UPDATE", 0) == 0 || r.statement.rfind("INSERT", 0) == 0 ||
                       r.statement.rfind("BEGIN", 0) == 0 || r.statement.rfind("END", 0) == 0) {
                // Writes and transaction control stay on production; pgbench's own set-up
                // query (a read) may be mirrored.
                QVERIFY2(!r.shadow.has_value(), r.statement.c_str());
                writes += r.statement[0] == 'U' || r.statement[0] == 'I';
            }
        }
        QCOMPARE(reads, 100);
        QCOMPARE(writes, 400);
        QCOMPARE(scalar(shadowDb(), QStringLiteral("SELECT count(*) FROM pgbench_history")),
                 historyBefore);
    }

    void mirrorWritesSendsEverything()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start(mirrorArgs(capture, {QStringLiteral("--mirror-writes")})),
                 qPrintable(proxy.log()));
        const auto r = psql(proxy.conninfo().replace(QStringLiteral("dbname=pgbench"),
                                                     QStringLiteral("dbname=mirrortest")),
                            {QStringLiteral("-c"),
                             QStringLiteral("BEGIN; INSERT INTO mirror_writes VALUES (7, "
                                            "'mirrored'); COMMIT;"),
                             QStringLiteral("-c"),
                             QStringLiteral("INSERT INTO mirror_writes VALUES (8, 'too')")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(proxy.stop(), 0);
        QCOMPARE(scalar(shadowDb(), QStringLiteral("SELECT string_agg(note, ',' ORDER BY id) "
                                                   "FROM mirror_writes WHERE id IN (7, 8)")),
                 QStringLiteral("mirrored,too"));
        // Nothing left open on the shadow.
        QCOMPARE(scalar(shadowDb(), QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                                   "application_name LIKE 'doppel-mirror-%' AND "
                                                   "state LIKE 'idle in transaction%'")),
                 QStringLiteral("0"));
    }

    void stoppedShadowChangesNothingForClients()
    {
        selectOnlyUnderTrouble([](StoppedProcesses& stopped) {
            stopped.stop(mirrorBackends());
            QVERIFY(stopped.count() >= 4);
        });
        // The stalled backends filled the queues: whole transactions were dropped.
        QVERIFY(m_lastStats.value(QStringLiteral("mirror_dropped_transactions")) > 0);
    }

    void killedShadowChangesNothingForClients()
    {
        selectOnlyUnderTrouble([](StoppedProcesses&) {
            for (int round = 0; round < 3; ++round) {
                column(shadowDb(),
                       QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE application_name LIKE 'doppel-mirror-%'"));
                QTest::qWait(1000);
            }
        });
        QVERIFY(m_lastStats.value(QStringLiteral("mirror_shadow_errors")) > 0);
    }

    void adminConsoleAndMetrics()
    {
        QTemporaryDir tmp;
        ProxyProcess proxy;
        const int metricsPort = freePort();
        QVERIFY2(proxy.start(mirrorArgs(tmp.filePath(QStringLiteral("cap")),
                                        {QStringLiteral("--metrics-listen"),
                                         QStringLiteral("127.0.0.1:%1").arg(metricsPort)})),
                 qPrintable(proxy.log()));
        const QString conn = proxy.conninfo().replace(QStringLiteral("dbname=pgbench"),
                                                      QStringLiteral("dbname=mirrortest")) +
                             QStringLiteral(" application_name=mirror-admin-test");
        // A client that stays while SHOW MIRROR looks at it.
        QProcess client;
        startInteractivePsql(client, conn);
        QVERIFY(client.waitForStarted(5000));
        client.write("SELECT count(*) FROM pgbench_branches;\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            adminStats(proxy.port()).value(QStringLiteral("mirror_statements")) >= 1, 10000);
        const auto show = psql(adminConninfo(proxy.port()),
                               {QStringLiteral("-c"), QStringLiteral("SHOW MIRROR")});
        QVERIFY2(show.exitCode == 0, qPrintable(show.err));
        QVERIFY2(
            show.out.contains(QRegularExpression(
                QStringLiteral("^\\d+\\|doppel\\|mirrortest\\|(idle|running)\\|0\\|1\\|0\\|0$"),
                QRegularExpression::MultilineOption)),
            qPrintable(show.out));
        client.write("\\q\n");
        client.closeWriteChannel();
        QVERIFY(client.waitForFinished(10000));

        const auto set = psql(adminConninfo(proxy.port()),
                              {QStringLiteral("-c"), QStringLiteral("SET mirror_rate = 0.2")});
        QVERIFY2(set.exitCode == 0, qPrintable(set.err));
        const auto bad = psql(adminConninfo(proxy.port()),
                              {QStringLiteral("-c"), QStringLiteral("SET mirror_rate = 3")});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("mirror_rate takes a number from 0 to 1")),
                 qPrintable(bad.err));
        const auto stats =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        QVERIFY2(stats.out.contains(QStringLiteral("mirror_rate|0.2")), qPrintable(stats.out));

        const QByteArray body = fetchMetrics(metricsPort);
        QVERIFY2(body.contains("\ndoppel_proxy_mirror_statements_total 1\n"), body.constData());
        QVERIFY(body.contains("\ndoppel_proxy_mirror_rate 0.2"));
        QVERIFY(body.contains("doppel_proxy_mirror_dropped_transactions_total 0"));
        QVERIFY(body.contains("doppel_proxy_mirror_queue_depth 0"));
        QCOMPARE(proxy.stop(), 0);
    }

    void criticalReadsGetThroughAStalledShadow()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        const auto criticalRead = [](int aid) {
            return QStringLiteral("SELECT abalance FROM pgbench_accounts WHERE aid = %1").arg(aid);
        };
        const auto otherRead = [](int aid) {
            return QStringLiteral("SELECT count(*) FROM pgbench_accounts WHERE aid <= %1").arg(aid);
        };
        const QString fingerprint = fingerprintStatement(criticalRead(1).toStdString()).fingerprint;
        const int metricsPort = freePort();
        constexpr int kQueue = 8;
        ProxyProcess proxy;
        QVERIFY2(proxy.start(
                     mirrorArgs(capture, {QStringLiteral("--mirror-queue"), QString::number(kQueue),
                                          QStringLiteral("--critical-fingerprint"),
                                          fingerprint.toUpper(), QStringLiteral("--metrics-listen"),
                                          QStringLiteral("127.0.0.1:%1").arg(metricsPort)})),
                 qPrintable(proxy.log()));

        // One client session, so one mirror queue; psql reads its statements from stdin.
        QProcess client;
        startInteractivePsql(client, proxy.conninfo().replace(QStringLiteral("dbname=pgbench"),
                                                              QStringLiteral("dbname=mirrortest")));
        QVERIFY(client.waitForStarted(5000));
        QHash<QString, bool> expectMirrored; // statement -> whether the shadow ran it
        const auto send = [&](const QString& sql, bool mirrored) {
            expectMirrored.insert(sql, mirrored);
            client.write((sql + QStringLiteral(";\n")).toUtf8());
        };
        send(otherRead(100), true);
        QTRY_VERIFY_WITH_TIMEOUT(
            adminStats(proxy.port()).value(QStringLiteral("mirror_statements")) == 1, 10000);

        QTRY_COMPARE_WITH_TIMEOUT(mirrorBackends().size(), qsizetype(1), 10000);
        StoppedProcesses stopped;
        stopped.stop(mirrorBackends());
        QCOMPARE(stopped.count(), 1);
        // The mirror thread takes this one and waits on the stopped backend...
        send(otherRead(99), true);
        QTRY_COMPARE_WITH_TIMEOUT(mirrorState(proxy.port()), QStringLiteral("running|0"), 10000);
        // ... while the queue fills with other reads: the oldest kQueue - 3 of them give their
        // places to the critical reads below, the newest 3 stay.
        for (int i = 1; i <= kQueue; ++i)
            send(otherRead(i), i > kQueue - 3);
        QTRY_COMPARE_WITH_TIMEOUT(mirrorState(proxy.port()),
                                  QStringLiteral("running|%1").arg(kQueue), 10000);
        // Full: each critical read evicts the oldest other read; other reads are dropped.
        int others = kQueue;
        for (int c = 1; c <= kQueue - 3; ++c) {
            send(criticalRead(c), true);
            for (int k = 0; k < 2; ++k)
                send(otherRead(++others), false);
        }
        client.write("\\q\n");
        client.closeWriteChannel();
        QVERIFY(client.waitForFinished(20000));
        // The client got every answer without waiting on the shadow.
        const QByteArray clientErrors = client.readAllStandardError();
        QVERIFY2(client.exitCode() == 0 && clientErrors.isEmpty(), clientErrors.constData());
        QCOMPARE(client.readAllStandardOutput().count('\n'), qsizetype(expectMirrored.size()));

        const qint64 critical = kQueue - 3;
        QTRY_COMPARE_WITH_TIMEOUT(
            adminStats(proxy.port()).value(QStringLiteral("mirror_critical_kept")), critical,
            10000);
        const auto stats = adminStats(proxy.port());
        QCOMPARE(stats.value(QStringLiteral("mirror_evicted_transactions")), critical);
        QCOMPARE(stats.value(QStringLiteral("mirror_dropped_transactions")),
                 critical + 2 * critical);
        const QByteArray body = fetchMetrics(metricsPort);
        QVERIFY2(body.contains(QStringLiteral("\ndoppel_proxy_mirror_critical_kept_total %1\n")
                                   .arg(critical)
                                   .toUtf8()),
                 body.constData());
        QVERIFY2(
            body.contains(QStringLiteral("\ndoppel_proxy_mirror_evicted_transactions_total %1\n")
                              .arg(critical)
                              .toUtf8()),
            body.constData());

        stopped.resume();
        QCOMPARE(proxy.stop(), 0); // waits for the mirror queue, then closes the capture
        int seen = 0, mirroredCritical = 0;
        for (const CaptureRecord& r : readCapture(capture)) {
            QString sql = QString::fromStdString(r.statement);
            if (sql.endsWith(QLatin1Char(';')))
                sql.chop(1); // psql sends the terminating semicolon
            if (!expectMirrored.contains(sql))
                continue; // psql's own set-up statements
            ++seen;
            QVERIFY2(r.shadow.has_value() == expectMirrored.value(sql), qPrintable(sql));
            if (r.shadow) {
                QVERIFY2(r.shadow->sqlState.empty(), r.shadow->sqlState.c_str());
                QCOMPARE(r.shadow->rows, qint64(1));
                mirroredCritical += sql.startsWith(QStringLiteral("SELECT abalance")) ? 1 : 0;
            }
        }
        QCOMPARE(seen, int(expectMirrored.size())); // every statement is captured
        QCOMPARE(mirroredCritical, int(critical));

        // The fingerprint given on the command line is the one doppelctl prints.
        QString json;
        QCOMPARE(runCtl({QStringLiteral("capture"), QStringLiteral("stats"), capture,
                         QStringLiteral("--json")},
                        &json),
                 0);
        QVERIFY2(json.contains(QStringLiteral("\"%1\"").arg(fingerprint)), qPrintable(json));
    }
};

QTEST_GUILESS_MAIN(TestProxyMirror)
#include "TestProxyMirror.moc"
