// SPDX-License-Identifier: GPL-3.0-or-later
// The PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java) through doppel-proxy in front of
// the lab's production: tests/integration/jdbc/ProxyJdbcClient.java, compiled here with javac,
// logs in with SCRAM and md5, runs plain statements, PreparedStatements past the driver's
// prepareThreshold (named server-side statements, binary parameters and results), batches, a
// rolled-back transaction, a ResultSet fetched 10 rows at a time (PortalSuspended), CopyManager
// both ways, notifications and two cancels. The capture must hold each statement as often as
// the application ran it, a chunked fetch being one statement.
#include "CtlRunner.h"
#include "TestProxySupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace doppel;
using namespace doppel::test;

namespace {

const QString kApp = QStringLiteral("proxytest-jdbc");
const QString kMd5Role = QStringLiteral("proxy_jdbc_md5");
const QString kMd5Password = QStringLiteral("pw-jdbc-md5");

QString jdbcJar()
{
    const QByteArray env = qgetenv("DOPPEL_JDBC_JAR");
    return env.isEmpty() ? QStringLiteral("/usr/share/java/postgresql.jar")
                         : QString::fromLocal8Bit(env);
}

// Runs one statement on production as the lab's superuser-ish role; false with a warning.
bool directExec(const QString& sql)
{
    PGconn* c = PQconnectdb(productionConninfo().toUtf8().constData());
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult* r = PQexec(c, sql.toUtf8().constData());
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            qWarning("%s: %s", qPrintable(sql), PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return ok;
}

// A role whose password is stored as md5 and a pg_hba line (before the lab's catch-all SCRAM
// line) that makes the server ask for md5.
bool createMd5Role()
{
    if (!directExec(QStringLiteral("SET password_encryption = 'md5'; DROP ROLE IF EXISTS %1; "
                                   "CREATE ROLE %1 LOGIN PASSWORD '%2'")
                        .arg(kMd5Role, kMd5Password)))
        return false;
    QFile f(directScalar(QStringLiteral("SHOW hba_file")));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray content = f.readAll();
    f.close();
    const QByteArray line = QStringLiteral("host all %1 127.0.0.1/32 md5\n").arg(kMd5Role).toUtf8();
    if (!content.contains(line)) {
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write(line + content); // the first matching line wins
        f.close();
    }
    return directScalar(QStringLiteral("SELECT pg_reload_conf()")) == QStringLiteral("t");
}

QList<CaptureRecord> byText(const QList<CaptureRecord>& records, const std::string& text)
{
    QList<CaptureRecord> out;
    for (const CaptureRecord& r : records)
        if (r.statement == text && r.applicationName == kApp.toStdString())
            out.append(r);
    return out;
}

} // namespace

class TestProxyJdbc : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    ProxyProcess m_proxy;
    QString m_capture;
    QString m_classes;
    ClientRun m_run;

private Q_SLOTS:
    void initTestCase()
    {
        const QString javac = QStandardPaths::findExecutable(QStringLiteral("javac"));
        const QString java = QStandardPaths::findExecutable(QStringLiteral("java"));
        if (javac.isEmpty() || java.isEmpty())
            QSKIP("no javac/java: install default-jdk-headless (scripts/install-deps.sh)");
        if (!QFileInfo::exists(jdbcJar()))
            QSKIP("no PostgreSQL JDBC driver: install libpostgresql-jdbc-java "
                  "(scripts/install-deps.sh)");
        QVERIFY(sharedLab().production.pid > 0);

        m_classes = m_tmp.filePath(QStringLiteral("classes"));
        QElapsedTimer compile;
        compile.start();
        const ClientRun built =
            runClient(javac, {QStringLiteral("-cp"), jdbcJar(), QStringLiteral("-d"), m_classes,
                              QStringLiteral(DOPPEL_JDBC_CLIENT_SOURCE)});
        QVERIFY2(built.exitCode == 0, qPrintable(built.out + built.err));
        qInfo("javac took %lld ms", compile.elapsed());

        QVERIFY(createMd5Role());
        m_capture = m_tmp.filePath(QStringLiteral("capture"));
        QVERIFY2(m_proxy.start({QStringLiteral("--capture-dir"), m_capture,
                                QStringLiteral("--fsync"), QStringLiteral("none")}),
                 qPrintable(m_proxy.log()));
    }

    void cleanupTestCase()
    {
        m_proxy.stop();
        directExec(QStringLiteral("DROP ROLE IF EXISTS %1").arg(kMd5Role));
    }

    void jdbcClientThroughTheProxy()
    {
        QElapsedTimer t;
        t.start();
        m_run = runClient(QStandardPaths::findExecutable(QStringLiteral("java")),
                          {QStringLiteral("-cp"), jdbcJar() + QLatin1Char(':') + m_classes,
                           QStringLiteral("ProxyJdbcClient"), QStringLiteral("127.0.0.1"),
                           QString::number(m_proxy.port()), QStringLiteral("pgbench"),
                           QStringLiteral("doppel"), labPassword(), kMd5Role, kMd5Password});
        qInfo("the JDBC client took %lld ms", t.elapsed());
        QVERIFY2(m_run.exitCode == 0, qPrintable(m_run.out + m_run.err + m_proxy.log()));
        for (const char* step : {"login", "simple", "prepared", "batch", "transaction", "fetch",
                                 "copy", "notify", "cancel", "md5", "done"})
            QVERIFY2(
                m_run.out.contains(QStringLiteral("ok %1").arg(QLatin1String(step))),
                qPrintable(
                    QStringLiteral("step %1 missing:\n%2").arg(QLatin1String(step), m_run.out)));
        QVERIFY(m_run.out.contains(QStringLiteral("ok prepared inserted=10 read=10")));
        QVERIFY(m_run.out.contains(QStringLiteral("ok fetch rows=95")));
        QVERIFY(m_run.out.contains(QStringLiteral("ok copy in=20000 out=500")));
        QVERIFY(m_run.out.contains(QStringLiteral("ok notify job-7,job-8")));
        QVERIFY(m_proxy.running());
    }

    // After the proxy drained: every statement as often as the application ran it.
    void captureHoldsTheStatements()
    {
        if (m_run.exitCode != 0)
            QSKIP("the JDBC client failed");
        QCOMPARE(m_proxy.stop(), 0);
        CaptureReader reader(m_capture);
        const QList<CaptureRecord> records = readCapture(m_capture, &reader);
        QVERIFY(!records.isEmpty());

        const auto inserts = byText(records, "INSERT INTO jdbc_items VALUES ($1, $2, $3, $4)");
        QCOMPARE(inserts.size(), 10);
        int named = 0;
        for (const CaptureRecord& r : inserts) {
            QCOMPARE(r.protocol, CaptureRecord::Protocol::Extended);
            QVERIFY(r.sqlState.empty());
            QCOMPARE(r.rows, std::int64_t(1));
            QCOMPARE(r.user, std::string("doppel"));
            QCOMPARE(r.parameters.size(), std::size_t(4));
            if (!r.statementName.empty())
                ++named;
        }
        // prepareThreshold 5: the fifth execution on runs a named server-side statement.
        QVERIFY2(named >= 5, qPrintable(QString::number(named)));
        // JDBC binds int4 and bytea in binary, text as varchar, a timestamp untyped as text.
        QCOMPARE(inserts[0].parameters[0].typeOid, 23u);
        QCOMPARE(inserts[0].parameters[0].format, std::int16_t(1));
        QCOMPARE(inserts[0].parameters[0].value,
                 std::optional<std::string>(std::string("\0\0\0\x01", 4)));
        QCOMPARE(inserts[0].parameters[1].typeOid, 1043u);
        QCOMPARE(inserts[0].parameters[1].value, std::optional<std::string>("item-1"));
        QCOMPARE(inserts[0].parameters[2].typeOid, 0u);
        QCOMPARE(inserts[2].parameters[1].value, std::optional<std::string>()); // NULL
        QCOMPARE(inserts[0].parameters[3].typeOid, 17u);                        // bytea
        QCOMPARE(inserts[0].parameters[3].format, std::int16_t(1));             // binary
        QCOMPARE(inserts[0].parameters[3].value,
                 std::optional<std::string>(std::string("\x01\x00\xff", 3)));
        QVERIFY(inserts[0].parameters[2].value->find("2024-01-01 12:30:15") != std::string::npos);

        QCOMPARE(byText(records, "SELECT id, name, at, data FROM jdbc_items WHERE id = $1").size(),
                 10);
        const auto batch = byText(records, "INSERT INTO jdbc_batch VALUES ($1, $2)");
        QCOMPARE(batch.size(), 100);
        for (const CaptureRecord& r : batch)
            QVERIFY(r.sqlState.empty() && r.rows == 1);
        QCOMPARE(byText(records, "DELETE FROM jdbc_batch WHERE id = 2").size(), 1);

        const auto divide = byText(records, "SELECT 1/0");
        QCOMPARE(divide.size(), 1);
        QCOMPARE(divide[0].sqlState, std::string("22012"));
        const auto simple = byText(records, "SELECT 'simple-' || 7");
        QCOMPARE(simple.size(), 1);
        QCOMPARE(simple[0].protocol, CaptureRecord::Protocol::Simple);

        const auto rolledBack =
            byText(records, "INSERT INTO jdbc_items VALUES (1000, 'rolled back', now(), NULL)");
        QCOMPARE(rolledBack.size(), 1);
        QCOMPARE(rolledBack[0].transactionStatus, 'T');
        QCOMPARE(byText(records, "ROLLBACK").size(), 1);
        QVERIFY(byText(records, "COMMIT").size() >= 2);

        // A ResultSet fetched 10 rows at a time is one statement of 95 rows, not ten.
        const auto chunked =
            byText(records, "SELECT g, repeat('x', g) FROM generate_series(1, 95) g");
        QCOMPARE(chunked.size(), 1);
        QCOMPARE(chunked[0].rows, std::int64_t(95));
        QVERIFY(chunked[0].sqlState.empty());
        QCOMPARE(chunked[0].transactionStatus, 'T');
        QCOMPARE(byText(records, "SELECT 50").size(), 1);
        // Closed after 15 rows: the two chunks of 10 that were sent.
        const auto closedEarly = byText(records, "SELECT g FROM generate_series(1, 1000) g");
        QCOMPARE(closedEarly.size(), 1);
        QCOMPARE(closedEarly[0].rows, std::int64_t(20));
        QVERIFY(closedEarly[0].sqlState.empty());

        const auto copyIn = byText(records, "COPY jdbc_copy FROM STDIN (FORMAT csv)");
        QCOMPARE(copyIn.size(), 1);
        QCOMPARE(copyIn[0].rows, std::int64_t(20000));
        const auto copyOut =
            byText(records, "COPY (SELECT id, label FROM jdbc_copy WHERE id <= 500 "
                            "ORDER BY id) TO STDOUT (FORMAT csv)");
        QCOMPARE(copyOut.size(), 1);
        QCOMPARE(copyOut[0].rows, std::int64_t(500));

        QCOMPARE(byText(records, "LISTEN jdbc_jobs").size(), 1);
        QCOMPARE(byText(records, "NOTIFY jdbc_jobs, 'job-7'").size(), 1);
        QCOMPARE(byText(records, "SELECT pg_notify($1, $2)").size(), 1);

        for (const char* sleep : {"SELECT pg_sleep(30)", "SELECT pg_sleep(31)"}) {
            const auto cancelled = byText(records, sleep);
            QCOMPARE(cancelled.size(), 1);
            QCOMPARE(cancelled[0].sqlState, std::string("57014"));
        }

        int md5 = 0;
        for (const CaptureRecord& r : records)
            if (r.user == kMd5Role.toStdString() && r.statement == "SELECT current_user")
                ++md5;
        QCOMPARE(md5, 1);

        // The same counts through `doppelctl capture stats --json`, as scripts read them.
        QString out, err;
        QCOMPARE(runCtl({QStringLiteral("capture"), QStringLiteral("stats"), m_capture,
                         QStringLiteral("--json")},
                        &out, &err),
                 0);
        const QJsonObject stats = QJsonDocument::fromJson(out.toUtf8()).object();
        QCOMPARE(stats.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("damaged"))
                     .toInteger(),
                 0);
        const auto statsOf = [&stats](const QString& needle) {
            for (const QJsonValue& v : stats.value(QStringLiteral("statements")).toArray())
                if (v.toObject().value(QStringLiteral("query")).toString().contains(needle))
                    return v.toObject();
            return QJsonObject();
        };
        QCOMPARE(statsOf(QStringLiteral("INSERT INTO jdbc_batch"))
                     .value(QStringLiteral("calls"))
                     .toInteger(),
                 100);
        const QJsonObject fetch = statsOf(QStringLiteral("repeat("));
        QCOMPARE(fetch.value(QStringLiteral("calls")).toInteger(), 1);
        QCOMPARE(fetch.value(QStringLiteral("rows")).toInteger(), 95);
        QCOMPARE(statsOf(QStringLiteral("pg_sleep")).value(QStringLiteral("errors")).toInteger(),
                 2);
    }
};

QTEST_GUILESS_MAIN(TestProxyJdbc)
#include "TestProxyJdbc.moc"
