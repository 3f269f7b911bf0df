// SPDX-License-Identifier: GPL-3.0-or-later
// Result checking of mirrored reads on a shadow fed by logical replication (doppelctl shadow
// setup on the lab): reads that follow writes are compared only once the shadow applied them,
// and then their result hashes match; a row changed on the shadow only is reported as result
// divergence by doppelctl diff; a shadow whose subscription is stopped makes reads
// unsynchronized, left out of the comparison instead of raising false divergence.
#include "CtlRunner.h"
#include "TestProxySupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace doppel;
using namespace doppel::test;

namespace {

const QString kDatabase = QStringLiteral("resultcheck");
const QString kSlot = QStringLiteral("doppel_rc");

QString clusterConninfo(int port, const QString& database)
{
    return QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=%2 passfile=%3/pgpass")
        .arg(port)
        .arg(database, sharedLab().dir);
}
QString prodDb()
{
    return clusterConninfo(sharedLab().production.port, kDatabase);
}
QString shadowDb()
{
    return clusterConninfo(sharedLab().shadow.port, kDatabase);
}

bool exec(const QString& conninfo, const QString& sql, QString* value = nullptr)
{
    PGconn* c = PQconnectdb(conninfo.toUtf8().constData());
    bool ok = false;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQexec(c, sql.toUtf8().constData());
        ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            qWarning("%s: %s", qPrintable(sql), PQresultErrorMessage(r));
        if (value && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
            *value = QString::fromUtf8(PQgetvalue(r, 0, 0));
        PQclear(r);
    } else {
        qWarning("%s", PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

QString scalar(const QString& conninfo, const QString& sql)
{
    QString v;
    exec(conninfo, sql, &v);
    return v;
}

QStringList shadowArgs(const QString& action)
{
    return {QStringLiteral("shadow"),   action,     QStringLiteral("--prod"), prodDb(),
            QStringLiteral("--shadow"), shadowDb(), QStringLiteral("--name"), kSlot};
}

struct Checked
{
    int reads = 0; // reads sampled for result checking
    int synchronized = 0;
    int unsynchronized = 0;
    int matching = 0; // synchronized and equal hashes
    int diverging = 0;
};

Checked checkedReads(const QString& capture, const char* prefix);

void report(const char* what, const Checked& c)
{
    qInfo("%s: %d checked reads, %d synchronized (%d matching, %d diverging), %d unsynchronized",
          what, c.reads, c.synchronized, c.matching, c.diverging, c.unsynchronized);
}

Checked checkedReads(const QString& capture, const char* prefix)
{
    Checked c;
    for (const CaptureRecord& r : readCapture(capture)) {
        if (r.statement.rfind(prefix, 0) != 0 || !r.resultHash)
            continue;
        ++c.reads;
        if (!r.shadow || !r.shadow->resultHash || !r.shadow->synchronized)
            continue;
        if (*r.shadow->synchronized) {
            ++c.synchronized;
            (*r.resultHash == *r.shadow->resultHash ? c.matching : c.diverging) += 1;
        } else {
            ++c.unsynchronized;
        }
    }
    return c;
}

// doppelctl diff of a capture, JSON report; the exit code in `rc`.
QJsonObject diffReport(const QString& capture, const QString& dir, int* rc)
{
    const QString report = dir + QStringLiteral("/diff.json");
    QString out, err;
    *rc = runCtl({QStringLiteral("diff"), QStringLiteral("--capture"), capture,
                  QStringLiteral("--report"), report},
                 &out, &err);
    QFile f(report);
    if (!f.open(QIODevice::ReadOnly))
        qWarning("no report: %s %s", qPrintable(out), qPrintable(err));
    return QJsonDocument::fromJson(f.readAll()).object();
}

QJsonObject statementLike(const QJsonObject& report, const QString& start)
{
    for (const auto& v : report.value(QStringLiteral("statements")).toArray())
        if (v.toObject().value(QStringLiteral("query")).toString().startsWith(start))
            return v.toObject();
    return {};
}

} // namespace

class TestMirrorResults : public QObject
{
    Q_OBJECT

    // A proxy mirroring every read to the shadow, checking every result, watching the slot.
    bool startProxy(ProxyProcess& proxy, const QString& capture)
    {
        const QString shadowForProxy =
            QStringLiteral("host=127.0.0.1 port=%1 user=doppel passfile=%2/pgpass")
                .arg(sharedLab().shadow.port)
                .arg(sharedLab().dir);
        return proxy.start({QStringLiteral("--admin-user"), QStringLiteral("doppel"),
                            QStringLiteral("--capture-dir"), capture, QStringLiteral("--shadow"),
                            shadowForProxy, QStringLiteral("--mirror-rate"), QStringLiteral("1"),
                            QStringLiteral("--check-results"), QStringLiteral("1"),
                            QStringLiteral("--shadow-slot"), kSlot},
                           QStringLiteral("user=doppel dbname=%1 passfile=%2/pgpass")
                               .arg(kDatabase, sharedLab().dir));
    }

    // A psql session through the proxy running `script`.
    void runThroughProxy(const ProxyProcess& proxy, const QString& script)
    {
        const auto run = psql(QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=doppel")
                                  .arg(proxy.port())
                                  .arg(kDatabase),
                              {}, script.toUtf8());
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        runCtl(shadowArgs(QStringLiteral("teardown")));
        for (int port : {sharedLab().production.port, sharedLab().shadow.port}) {
            const QString admin = clusterConninfo(port, QStringLiteral("postgres"));
            QVERIFY(
                exec(admin, QStringLiteral("DROP DATABASE IF EXISTS resultcheck WITH (FORCE)")));
            QVERIFY(exec(admin, QStringLiteral("CREATE DATABASE resultcheck")));
        }
        // Without autovacuum: its ANALYZE takes a transaction ID, and a write transaction
        // between the two reads of a pair makes the pair unsynchronized.
        QVERIFY(exec(prodDb(), QStringLiteral("CREATE TABLE items (id int PRIMARY KEY, v text) "
                                              "WITH (autovacuum_enabled = off)")));
        QVERIFY(exec(prodDb(), QStringLiteral("INSERT INTO items SELECT g, 'v' || g FROM "
                                              "generate_series(1, 500) g")));
        QString out, err;
        QVERIFY2(runCtl(shadowArgs(QStringLiteral("setup")), &out, &err) == 0,
                 qPrintable(out + err));
        QTRY_COMPARE_WITH_TIMEOUT(scalar(shadowDb(), QStringLiteral("SELECT count(*) FROM items")),
                                  QStringLiteral("500"), 60000);
    }

    void cleanupTestCase()
    {
        runCtl(shadowArgs(QStringLiteral("teardown")));
        for (int port : {sharedLab().production.port, sharedLab().shadow.port})
            exec(clusterConninfo(port, QStringLiteral("postgres")),
                 QStringLiteral("DROP DATABASE IF EXISTS resultcheck WITH (FORCE)"));
    }

    void rowChangedOnTheShadowIsDivergence()
    {
        QVERIFY(exec(shadowDb(), QStringLiteral("UPDATE items SET v = 'planted' WHERE id = 400")));
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(startProxy(proxy, capture), qPrintable(proxy.log()));
        QString script;
        // The lab's background workload writes elsewhere on production, which leaves some pairs
        // unsynchronized: enough reads, spaced out, that several are compared.
        for (int i = 0; i < 20; ++i)
            script += QStringLiteral("SELECT id, v FROM items WHERE id BETWEEN 390 AND 410;\n"
                                     "SELECT id, v FROM items WHERE id < 20 ORDER BY id DESC;\n"
                                     "SELECT pg_sleep(0.02);\n");
        runThroughProxy(proxy, script);
        QCOMPARE(proxy.stop(), 0);
        const Checked planted = checkedReads(capture, "SELECT id, v FROM items WHERE id BETWEEN");
        report("planted", planted);
        QCOMPARE(planted.reads, 20);
        QVERIFY(planted.diverging >= 1);
        QCOMPARE(planted.matching, 0);
        const Checked clean = checkedReads(capture, "SELECT id, v FROM items WHERE id <");
        report("clean", clean);
        QCOMPARE(clean.diverging, 0);
        QVERIFY(clean.matching >= 1);

        int rc = -1;
        const QJsonObject report = diffReport(capture, tmp.path(), &rc);
        QCOMPARE(rc, 1);
        const QJsonArray alerts = report.value(QStringLiteral("alerts")).toArray();
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts[0].toObject().value(QStringLiteral("rule")).toString(),
                 QStringLiteral("result_divergence"));
        QVERIFY(alerts[0]
                    .toObject()
                    .value(QStringLiteral("query"))
                    .toString()
                    .contains(QLatin1String("BETWEEN")));
        QVERIFY(exec(shadowDb(), QStringLiteral("UPDATE items SET v = 'v400' WHERE id = 400")));
    }

    // Each read follows a write of the rows it reads, with a pause either side: the shadow must
    // have applied the write before its read (else results would differ by lag alone) and no
    // later write may reach it first (else by being ahead).
    void pacedReadsAfterWritesMatch()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(startProxy(proxy, capture), qPrintable(proxy.log()));
        QString script;
        for (int k = 1; k <= 40; ++k)
            script += QStringLiteral("UPDATE items SET v = v || 'x' WHERE id = %1;\n"
                                     "SELECT pg_sleep(0.1);\n"
                                     "SELECT id, v FROM items WHERE id BETWEEN %2 AND %3;\n"
                                     "SELECT pg_sleep(0.1);\n")
                          .arg(k * 5)
                          .arg(k * 5 - 10)
                          .arg(k * 5 + 10);
        runThroughProxy(proxy, script);
        QCOMPARE(proxy.stop(), 0);
        const Checked c = checkedReads(capture, "SELECT id, v FROM items");
        report("paced", c);
        QCOMPARE(c.reads, 40);
        QVERIFY2(c.synchronized >= 24, qPrintable(QString::number(c.synchronized)));
        QCOMPARE(c.diverging, 0);
        QCOMPARE(c.matching, c.synchronized);
        // Writes are neither checked nor mirrored: only reads carry result hashes.
        for (const CaptureRecord& r : readCapture(capture))
            if (r.statement.rfind("UPDATE", 0) == 0)
                QVERIFY(!r.resultHash && !r.shadow);

        int rc = -1;
        const QJsonObject report = diffReport(capture, tmp.path(), &rc);
        QCOMPARE(rc, 0);
        QCOMPARE(report.value(QStringLiteral("alerts")).toArray().size(), 0);
        const QJsonObject select = statementLike(report, QStringLiteral("SELECT id, v FROM items"));
        QCOMPARE(select.value(QStringLiteral("divergent_results")).toInt(), 0);
    }

    // Reads racing the writes that change them: whatever the timing, a read the two sides could
    // have seen differently is unsynchronized, never a divergence.
    void racingWritesRaiseNoFalseDivergence()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(startProxy(proxy, capture), qPrintable(proxy.log()));
        QString script;
        for (int k = 1; k <= 60; ++k)
            script += QStringLiteral("UPDATE items SET v = v || 'r' WHERE id BETWEEN 100 AND 110;\n"
                                     "SELECT id, v FROM items WHERE id BETWEEN 95 AND 115;\n");
        runThroughProxy(proxy, script);
        QCOMPARE(proxy.stop(), 0);
        const Checked c = checkedReads(capture, "SELECT id, v FROM items");
        report("racing", c);
        QCOMPARE(c.reads, 60);
        QCOMPARE(c.diverging, 0);
        QCOMPARE(c.synchronized + c.unsynchronized, 60);
        int rc = -1;
        const QJsonObject report = diffReport(capture, tmp.path(), &rc);
        QCOMPARE(rc, 0);
    }

    void lagIsUnsynchronizedNotDivergence()
    {
        QVERIFY(exec(shadowDb(), QStringLiteral("ALTER SUBSCRIPTION %1 DISABLE").arg(kSlot)));
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("cap"));
        ProxyProcess proxy;
        QVERIFY2(startProxy(proxy, capture), qPrintable(proxy.log()));
        runThroughProxy(proxy, QStringLiteral("UPDATE items SET v = 'moved' WHERE id = 300;\n"
                                              "SELECT id, v FROM items WHERE id = 300;\n"
                                              "SELECT id, v FROM items WHERE id = 300;\n"));
        QCOMPARE(proxy.stop(), 0);
        QVERIFY(exec(shadowDb(), QStringLiteral("ALTER SUBSCRIPTION %1 ENABLE").arg(kSlot)));
        const Checked c = checkedReads(capture, "SELECT id, v FROM items WHERE id = 300");
        QCOMPARE(c.reads, 2);
        QCOMPARE(c.unsynchronized, 2);
        QCOMPARE(c.synchronized, 0);

        int rc = -1;
        const QJsonObject report = diffReport(capture, tmp.path(), &rc);
        QCOMPARE(rc, 0);
        const QJsonObject select =
            statementLike(report, QStringLiteral("SELECT id, v FROM items WHERE id ="));
        QCOMPARE(select.value(QStringLiteral("unsynchronized")).toInt(), 2);
        QCOMPARE(select.value(QStringLiteral("divergent_results")).toInt(), 0);
        // Once re-enabled, the shadow catches up.
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(shadowDb(), QStringLiteral("SELECT v FROM items WHERE id = 300")),
            QStringLiteral("moved"), 30000);
    }
};

QTEST_GUILESS_MAIN(TestMirrorResults)
#include "TestMirrorResults.moc"
