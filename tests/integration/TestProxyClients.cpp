// SPDX-License-Identifier: GPL-3.0-or-later
// Real clients through doppel-proxy in front of the lab's production: psql (queries, \copy both
// ways, a cancelled pg_sleep), libpq's cancel, psycopg2, LISTEN/NOTIFY across two sessions, and
// users authenticating with SCRAM-SHA-256, md5 and cleartext password. Every statement must be
// in the capture with its metadata.
#include "TestProxySupport.h"

#include <QElapsedTimer>
#include <QTemporaryDir>

using namespace doppel;
using namespace doppel::test;

namespace {

const CaptureRecord* findStatement(const QList<CaptureRecord>& records, const std::string& text)
{
    for (const CaptureRecord& r : records)
        if (r.statement == text)
            return &r;
    return nullptr;
}

// Adds a pg_hba line for one role before the lab's catch-all scram line and reloads.
void allowRole(const QString& role, const QString& method)
{
    const QString hba = directScalar(QStringLiteral("SHOW hba_file"));
    QFile f(hba);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(hba));
    QByteArray content = f.readAll();
    f.close();
    const QByteArray line =
        QStringLiteral("host all %1 127.0.0.1/32 %2\n").arg(role, method).toUtf8();
    if (!content.contains(line)) {
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(line + content); // first match wins
        f.close();
    }
    QCOMPARE(directScalar(QStringLiteral("SELECT pg_reload_conf()")), QStringLiteral("t"));
    QTest::qWait(300);
}

} // namespace

class TestProxyClients : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    ProxyProcess m_proxy;
    QString m_capture;
    int m_metricsPort = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(sharedLab().production.pid > 0);
        m_capture = m_tmp.filePath(QStringLiteral("capture"));
        m_metricsPort = freePort();
        QVERIFY2(
            m_proxy.start({QStringLiteral("--capture-dir"), m_capture, QStringLiteral("--fsync"),
                           QStringLiteral("none"), QStringLiteral("--metrics-listen"),
                           QStringLiteral("127.0.0.1:%1").arg(m_metricsPort)}),
            qPrintable(m_proxy.log()));
    }

    void cleanupTestCase() { QCOMPARE(m_proxy.stop(), 0); }

    void psqlQueriesAreCaptured()
    {
        auto r = psql(m_proxy.conninfo(QStringLiteral("application_name=proxytest-psql")),
                      {QStringLiteral("-c"), QStringLiteral("SELECT 40 + 2"), QStringLiteral("-c"),
                       QStringLiteral("SELECT count(*) FROM pgbench_branches")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.split(QLatin1Char('\n')).first(), QStringLiteral("42"));
        auto bad = psql(m_proxy.conninfo(QStringLiteral("application_name=proxytest-psql")),
                        {QStringLiteral("-c"), QStringLiteral("SELECT 1/0")});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("division by zero")), qPrintable(bad.err));
        auto tx = psql(m_proxy.conninfo(QStringLiteral("application_name=proxytest-psql")), {},
                       "BEGIN;\nSELECT 7;\nCOMMIT;\n");
        QCOMPARE(tx.exitCode, 0);

        QTest::qWait(1500); // the writer's batch interval
        const auto records = readCapture(m_capture);
        const CaptureRecord* sum = findStatement(records, "SELECT 40 + 2");
        QVERIFY(sum);
        QCOMPARE(sum->user, std::string("doppel"));
        QCOMPARE(sum->database, std::string("pgbench"));
        QCOMPARE(sum->applicationName, std::string("proxytest-psql"));
        QVERIFY(
            QString::fromStdString(sum->clientAddress).startsWith(QStringLiteral("127.0.0.1:")));
        QCOMPARE(sum->rows, std::int64_t(1));
        QVERIFY(sum->sqlState.empty());
        QCOMPARE(sum->transactionStatus, 'I');
        QVERIFY(sum->durationUs > 0);
        QVERIFY(sum->timestampUs > QDateTime::currentMSecsSinceEpoch() * 1000 - 600'000'000ll);
        const CaptureRecord* div = findStatement(records, "SELECT 1/0");
        QVERIFY(div);
        QCOMPARE(div->sqlState, std::string("22012"));
        const CaptureRecord* inTx = findStatement(records, "SELECT 7;");
        QVERIFY(inTx);
        QCOMPARE(inTx->transactionStatus, 'T');
    }

    void copyBothWays()
    {
        const QString out = m_tmp.filePath(QStringLiteral("accounts.csv"));
        auto r = psql(m_proxy.conninfo(),
                      {QStringLiteral("-c"),
                       QStringLiteral("\\copy (SELECT aid, abalance FROM pgbench_accounts WHERE "
                                      "aid <= 5000) TO '%1' CSV")
                           .arg(out)});
        QCOMPARE(r.exitCode, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 5000);
        auto in = psql(m_proxy.conninfo(), {},
                       QStringLiteral("CREATE TEMP TABLE copied (aid int, abalance int);\n"
                                      "\\copy copied FROM '%1' CSV\n"
                                      "SELECT count(*), sum(aid) FROM copied;\n")
                           .arg(out)
                           .toUtf8());
        QCOMPARE(in.exitCode, 0);
        QVERIFY2(in.out.contains(QStringLiteral("5000|12502500")), qPrintable(in.out + in.err));
    }

    // libpq's PQcancel through the proxy: the proxy's key must reach the right backend.
    void cancelRequestReachesTheBackend()
    {
        PGconn* c = PQconnectdb(
            m_proxy.conninfo(QStringLiteral("password=") + labPassword()).toUtf8().constData());
        QCOMPARE(PQstatus(c), CONNECTION_OK);
        const int proxyPid = PQbackendPID(c);
        QVERIFY(PQsendQuery(c, "SELECT pg_sleep(60)"));
        QTest::qWait(300);
        QElapsedTimer t;
        t.start();
        PGcancel* cancel = PQgetCancel(c);
        char err[256] = {};
        QVERIFY(PQcancel(cancel, err, sizeof(err)));
        PQfreeCancel(cancel);
        PGresult* res = PQgetResult(c);
        QCOMPARE(PQresultStatus(res), PGRES_FATAL_ERROR);
        QCOMPARE(QByteArray(PQresultErrorField(res, PG_DIAG_SQLSTATE)), QByteArray("57014"));
        PQclear(res);
        while ((res = PQgetResult(c)))
            PQclear(res);
        QVERIFY(t.elapsed() < 10000);
        // The key the client saw is the proxy's own, not the upstream backend's pid.
        PGresult* pid = PQexec(c, "SELECT pg_backend_pid()");
        QVERIFY(QByteArray(PQgetvalue(pid, 0, 0)).toInt() != proxyPid || proxyPid == 0);
        PQclear(pid);
        PQfinish(c);
    }

    // psql's own cancel (SIGINT) of a pg_sleep, and a pg_cancel_backend from another session.
    void psqlSleepIsCancelled()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), labPassword());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-d"),
                 m_proxy.conninfo(QStringLiteral("application_name=proxytest-sleep")),
                 QStringLiteral("-c"), QStringLiteral("SELECT pg_sleep(60)")});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(
            directScalar(
                QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                               "application_name = 'proxytest-sleep' AND state = 'active'")) ==
                QStringLiteral("1"),
            10000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(10000));
        QVERIFY(QString::fromUtf8(p.readAllStandardError())
                    .contains(QStringLiteral("canceling statement due to user request")));

        p.start(QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-d"),
                 m_proxy.conninfo(QStringLiteral("application_name=proxytest-sleep2")),
                 QStringLiteral("-c"), QStringLiteral("SELECT pg_sleep(60)")});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(
            directScalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                        "application_name = 'proxytest-sleep2' AND state = "
                                        "'active'")) == QStringLiteral("1"),
            10000);
        QCOMPARE(directScalar(QStringLiteral("SELECT count(pg_cancel_backend(pid)) FROM "
                                             "pg_stat_activity WHERE application_name = "
                                             "'proxytest-sleep2'")),
                 QStringLiteral("1"));
        QVERIFY(p.waitForFinished(10000));
        QVERIFY(p.exitCode() != 0);
    }

    void psycopg2WithParameters()
    {
        const QString script = QStringLiteral(
            "import sys, psycopg2\n"
            "conn = psycopg2.connect(sys.argv[1], application_name='proxytest-psycopg')\n"
            "cur = conn.cursor()\n"
            "cur.execute(\"SELECT %s::int + %s::int, %s::text\", (40, 2, \"it's\"))\n"
            "print(cur.fetchone())\n"
            "cur.execute(\"CREATE TEMP TABLE t (id int, name text)\")\n"
            "cur.executemany(\"INSERT INTO t VALUES (%s, %s)\", [(i, 'n%d' % i) for i in "
            "range(50)])\n"
            "cur.execute(\"SELECT count(*) FROM t\")\n"
            "print(cur.fetchone()[0])\n"
            "conn.commit()\n"
            "try:\n"
            "    cur.execute(\"SELECT * FROM no_such_table\")\n"
            "except psycopg2.errors.UndefinedTable as e:\n"
            "    print(\"undefined\", e.pgcode)\n"
            "    conn.rollback()\n"
            "cur.execute(\"SHOW application_name\")\n"
            "print(cur.fetchone()[0])\n"
            "conn.close()\n"
            "\n");
        auto r = runClient(QStringLiteral("/usr/bin/python3"),
                           {QStringLiteral("-c"), script,
                            m_proxy.conninfo(QStringLiteral("password=") + labPassword())});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("(42, \"it's\")")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("\n50\n")));
        QVERIFY(r.out.contains(QStringLiteral("undefined 42P01")));
        QVERIFY(r.out.contains(QStringLiteral("proxytest-psycopg")));
        QTest::qWait(1500);
        int inserts = 0;
        for (const CaptureRecord& rec : readCapture(m_capture))
            if (rec.applicationName == "proxytest-psycopg" &&
                rec.statement.rfind("INSERT INTO t VALUES", 0) == 0)
                ++inserts;
        QCOMPARE(inserts, 50);
    }

    void listenNotify()
    {
        const QString script =
            QStringLiteral("import sys, select, psycopg2\n"
                           "conn = psycopg2.connect(sys.argv[1])\n"
                           "conn.autocommit = True\n"
                           "conn.cursor().execute(\"LISTEN proxy_jobs\")\n"
                           "print(\"listening\", flush=True)\n"
                           "if select.select([conn], [], [], 20) == ([], [], []):\n"
                           "    sys.exit(\"no notification\")\n"
                           "conn.poll()\n"
                           "n = conn.notifies.pop(0)\n"
                           "print(n.channel, n.payload)\n"
                           "\n");
        QProcess listener;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), labPassword());
        listener.setProcessEnvironment(env);
        listener.start(QStringLiteral("/usr/bin/python3"),
                       {QStringLiteral("-c"), script, m_proxy.conninfo()});
        QVERIFY(listener.waitForStarted());
        QVERIFY(listener.waitForReadyRead(10000));
        QVERIFY(listener.readLine().startsWith("listening"));
        auto n = psql(m_proxy.conninfo(),
                      {QStringLiteral("-c"), QStringLiteral("NOTIFY proxy_jobs, 'job-42'")});
        QCOMPARE(n.exitCode, 0);
        QVERIFY(listener.waitForFinished(20000));
        QCOMPARE(listener.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(listener.readAllStandardOutput()).trimmed(),
                 QStringLiteral("proxy_jobs job-42"));
    }

    void authenticationMethods_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("encryption");
        QTest::addColumn<QString>("hba");
        QTest::newRow("scram-sha-256") << "proxy_scram"
                                       << "scram-sha-256"
                                       << "";
        QTest::newRow("md5") << "proxy_md5"
                             << "md5"
                             << "md5";
        QTest::newRow("cleartext password") << "proxy_clear"
                                            << "scram-sha-256"
                                            << "password";
    }
    void authenticationMethods()
    {
        QFETCH(QString, role);
        QFETCH(QString, encryption);
        QFETCH(QString, hba);
        const QString password = QStringLiteral("pw-") + role;
        PGconn* c = PQconnectdb(productionConninfo().toUtf8().constData());
        QCOMPARE(PQstatus(c), CONNECTION_OK);
        PQclear(PQexec(
            c, qPrintable(QStringLiteral("SET password_encryption = '%1'").arg(encryption))));
        PQclear(PQexec(c, qPrintable(QStringLiteral("DROP ROLE IF EXISTS %1").arg(role))));
        char* lit =
            PQescapeLiteral(c, password.toUtf8().constData(), size_t(password.toUtf8().size()));
        PGresult* created = PQexec(c, qPrintable(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD %2")
                                                     .arg(role, QString::fromUtf8(lit))));
        PQfreemem(lit);
        QCOMPARE(PQresultStatus(created), PGRES_COMMAND_OK);
        PQclear(created);
        PQfinish(c);
        if (!hba.isEmpty())
            allowRole(role, hba);
        const QString through = QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=%2")
                                    .arg(m_proxy.port())
                                    .arg(role);
        auto ok = runClient(QStringLiteral("psql"),
                            {QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-d"),
                             through, QStringLiteral("-c"), QStringLiteral("SELECT current_user")},
                            {}, 30000, password);
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        QCOMPARE(ok.out.trimmed(), role);
        auto wrong = runClient(QStringLiteral("psql"),
                               {QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-d"),
                                through, QStringLiteral("-c"), QStringLiteral("SELECT 1")},
                               {}, 30000, QStringLiteral("wrong"));
        QVERIFY(wrong.exitCode != 0);
        QVERIFY2(wrong.err.contains(QStringLiteral("password authentication failed")),
                 qPrintable(wrong.err));
    }

    // Declared last, so it runs last: the counters reflect the sessions above.
    void zPrometheusMetrics()
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_metricsPort));
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /metrics HTTP/1.0\r\n\r\n");
        QByteArray got;
        while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(2000))
            got += s.readAll();
        got += s.readAll();
        QVERIFY2(got.startsWith("HTTP/1.0 200 OK"), got.constData());
        QVERIFY(got.contains("Content-Type: text/plain; version=0.0.4"));
        auto value = [&](const QByteArray& name) {
            for (const QByteArray& line : got.split('\n'))
                if (line.startsWith(name + ' '))
                    return line.mid(name.size() + 1).toDouble();
            return -1.0;
        };
        QVERIFY(value("doppel_proxy_sessions_total") >= 10);
        QVERIFY(value("doppel_proxy_statements_captured_total") >= 50);
        QVERIFY(value("doppel_proxy_cancels_forwarded_total") >= 1);
        QCOMPARE(value("doppel_proxy_capture_dropped_total"), 0.0);
        QVERIFY(value("doppel_proxy_bytes_to_client_total") > 0);
    }
};

QTEST_GUILESS_MAIN(TestProxyClients)
#include "TestProxyClients.moc"
