// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl shadow` on the shared lab's two real clusters, in a database of its own
// ("shadowtest") so other tests' pgbench data is untouched: prechecks flag a table without
// primary key, a shadow that already holds rows is refused without change, setup replicates a
// pgbench run and verify finds every table identical, lag returns under a second after the load,
// a planted difference is found, sequences are synced, teardown leaves nothing, and teardown
// cleans up after a setup that died half-way.
#include "CtlRunner.h"
#include "LabFixture.h"

#include "postgres/PgConnection.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

const QString Name = QStringLiteral("doppel_test");

QString inDatabase(const QString& conninfo, const QString& db)
{
    return conninfo + QStringLiteral(" dbname=") + db; // the last keyword wins in libpq
}

std::unique_ptr<pg::PgConnection> connectTo(const QString& conninfo)
{
    pg::PgConnection::Options options;
    options.conninfo = conninfo;
    auto conn = pg::PgConnection::connect(options);
    if (!conn)
        qFatal("%s", qPrintable(conn.error().toString()));
    return std::move(*conn);
}

} // namespace

class TestShadow : public QObject
{
    Q_OBJECT

    QString m_prod;
    QString m_shadow;

    QStringList shadowArgs(const QString& action, const QStringList& extra = {}) const
    {
        return QStringList{QStringLiteral("--repo"), m_repo, QStringLiteral("shadow"),   action,
                           QStringLiteral("--prod"), m_prod, QStringLiteral("--shadow"), m_shadow,
                           QStringLiteral("--name"), Name} +
               extra;
    }

    QJsonObject shadowJson(const QString& action, int* rc = nullptr)
    {
        QString out, err;
        const int code = test::runCtl(shadowArgs(action, {QStringLiteral("--json")}), &out, &err);
        if (rc)
            *rc = code;
        const QJsonObject o = QJsonDocument::fromJson(out.toUtf8()).object();
        if (o.isEmpty())
            qWarning("shadow %s printed no JSON (rc %d): %s", qPrintable(action), code,
                     qPrintable(err));
        return o;
    }

    QString value(const QString& conninfo, const QString& sql)
    {
        auto conn = connectTo(conninfo);
        auto r = conn->exec(sql);
        return r && !r->rows.empty() ? r->value(0, 0) : QStringLiteral("<error>");
    }

    QString m_repo;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        m_repo = m_dir.filePath(QStringLiteral("repo.sqlite"));
        m_prod = inDatabase(lab.production.conninfo, QStringLiteral("shadowtest"));
        m_shadow = inDatabase(lab.shadow.conninfo, QStringLiteral("shadowtest"));
        // A leftover of an earlier run would hold a slot: remove it before the databases go.
        test::runCtl(shadowArgs(QStringLiteral("teardown")));
        for (const QString& admin : {lab.production.conninfo, lab.shadow.conninfo}) {
            auto conn = connectTo(admin);
            QVERIFY(conn->exec(QStringLiteral("DROP DATABASE IF EXISTS shadowtest WITH (FORCE)")));
            QVERIFY(conn->exec(QStringLiteral("CREATE DATABASE shadowtest")));
        }
        QProcess init;
        init.start(QStringLiteral("pgbench"), {QStringLiteral("-i"), QStringLiteral("-s"),
                                               QStringLiteral("1"), QStringLiteral("-q"), m_prod});
        QVERIFY(init.waitForFinished(120000));
        QVERIFY2(init.exitCode() == 0, init.readAllStandardError().constData());
        auto prod = connectTo(m_prod);
        QVERIFY(prod->exec(QStringLiteral("CREATE TABLE nopk (id int, note text)")));
        QVERIFY(prod->exec(QStringLiteral("INSERT INTO nopk VALUES (1, 'a'), (2, 'b')")));
        QVERIFY(prod->exec(QStringLiteral("CREATE SEQUENCE invoice_no")));
        QVERIFY(
            prod->exec(QStringLiteral("SELECT nextval('invoice_no') FROM generate_series(1, 42)")));
    }

    void cleanupTestCase() { test::runCtl(shadowArgs(QStringLiteral("teardown"))); }

    void checkFlagsTableWithoutPrimaryKey()
    {
        int rc = -1;
        const QJsonObject o = shadowJson(QStringLiteral("check"), &rc);
        QCOMPARE(rc, 0);
        QJsonObject identity;
        for (const auto& c : o.value(QStringLiteral("checks")).toArray())
            if (c.toObject().value(QStringLiteral("name")).toString() ==
                QLatin1String("replica_identity"))
                identity = c.toObject();
        QCOMPARE(identity.value(QStringLiteral("verdict")).toString(), QStringLiteral("warn"));
        const QJsonArray objects = identity.value(QStringLiteral("objects")).toArray();
        QVERIFY(objects.contains(QStringLiteral("public.nopk")));
        QVERIFY(objects.contains(QStringLiteral("public.pgbench_history")));
        QVERIFY(!objects.contains(QStringLiteral("public.pgbench_accounts")));
        QVERIFY(identity.value(QStringLiteral("fix"))
                    .toString()
                    .contains(QLatin1String("REPLICA IDENTITY FULL")));
    }

    void setupRefusesShadowHoldingRows()
    {
        auto shadow = connectTo(m_shadow);
        QVERIFY(shadow->exec(QStringLiteral("CREATE TABLE nopk (id int, note text)")));
        QVERIFY(shadow->exec(QStringLiteral("INSERT INTO nopk VALUES (9, 'stale')")));
        QString err;
        QCOMPARE(test::runCtl(shadowArgs(QStringLiteral("check")), nullptr, &err), 1);
        QCOMPARE(test::runCtl(shadowArgs(QStringLiteral("setup")), nullptr, &err), 1);
        QVERIFY2(err.contains(QLatin1String("shadow_tables")), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("nothing was changed")), qPrintable(err));
        QCOMPARE(value(m_prod, QStringLiteral("SELECT count(*) FROM pg_publication")),
                 QStringLiteral("0"));
        QVERIFY(shadow->exec(QStringLiteral("DROP TABLE nopk")));
    }

    void setupReplicatesAndVerifyFindsNoDifference()
    {
        QString out, err;
        QVERIFY2(test::runCtl(shadowArgs(QStringLiteral("setup")), &out, &err) == 0,
                 qPrintable(err));
        QTRY_VERIFY_WITH_TIMEOUT(
            [this] {
                const QJsonArray tables =
                    shadowJson(QStringLiteral("status")).value(QStringLiteral("tables")).toArray();
                if (tables.size() != 5)
                    return false;
                for (const auto& t : tables)
                    if (t.toObject().value(QStringLiteral("state")).toString() !=
                        QLatin1String("ready"))
                        return false;
                return true;
            }(),
            60000);

        // A minute of TPC-B writes on production (DOPPEL_SHADOW_LOAD_SECONDS shortens it by hand).
        const QByteArray seconds = qEnvironmentVariableIsSet("DOPPEL_SHADOW_LOAD_SECONDS")
                                       ? qgetenv("DOPPEL_SHADOW_LOAD_SECONDS")
                                       : QByteArray("60");
        QProcess load;
        load.start(QStringLiteral("pgbench"),
                   {QStringLiteral("-c"), QStringLiteral("4"), QStringLiteral("-j"),
                    QStringLiteral("2"), QStringLiteral("-T"), QString::fromLatin1(seconds),
                    m_prod});
        QVERIFY(load.waitForFinished(seconds.toInt() * 1000 + 60000));
        QVERIFY2(load.exitCode() == 0, load.readAllStandardError().constData());
        const QString report = QString::fromUtf8(load.readAllStandardOutput());
        QVERIFY2(report.contains(QLatin1String("number of failed transactions: 0")),
                 qPrintable(report));

        // Lag returns under a second after the load stops.
        QElapsedTimer sinceLoad;
        sinceLoad.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            [this] {
                const QJsonObject s = shadowJson(QStringLiteral("status"));
                const double lag = s.value(QStringLiteral("lag_seconds")).toDouble(-1);
                return lag >= 0 && lag < 1.0 &&
                       s.value(QStringLiteral("apply_errors")).toInt() == 0;
            }(),
            30000);
        qInfo("lag under 1 s %lld ms after the load stopped", qint64(sinceLoad.elapsed()));

        int rc = -1;
        const QJsonObject verify = shadowJson(QStringLiteral("verify"), &rc);
        QCOMPARE(rc, 0);
        QVERIFY(verify.value(QStringLiteral("identical")).toBool());
        const QJsonArray tables = verify.value(QStringLiteral("tables")).toArray();
        QCOMPARE(tables.size(), 5);
        for (const auto& t : tables) {
            const QJsonObject o = t.toObject();
            QVERIFY2(o.value(QStringLiteral("checksum_match")).toBool(),
                     qPrintable(o.value(QStringLiteral("table")).toString()));
            QCOMPARE(o.value(QStringLiteral("rows_prod")).toDouble(),
                     o.value(QStringLiteral("rows_shadow")).toDouble());
        }
    }

    void verifyFindsPlantedDifference()
    {
        auto shadow = connectTo(m_shadow);
        QVERIFY(shadow->exec(
            QStringLiteral("UPDATE pgbench_tellers SET filler = 'shadow only' WHERE tid = 3")));
        int rc = -1;
        const QJsonObject verify = shadowJson(QStringLiteral("verify"), &rc);
        QCOMPARE(rc, 1);
        QVERIFY(!verify.value(QStringLiteral("identical")).toBool());
        for (const auto& t : verify.value(QStringLiteral("tables")).toArray()) {
            const QJsonObject o = t.toObject();
            const bool tellers = o.value(QStringLiteral("table")).toString() ==
                                 QLatin1String("public.pgbench_tellers");
            QCOMPARE(o.value(QStringLiteral("checksum_match")).toBool(), !tellers);
        }
        QVERIFY(
            shadow->exec(QStringLiteral("UPDATE pgbench_tellers SET filler = NULL WHERE tid = 3")));
    }

    void sequencesAreSyncedWithMargin()
    {
        QString out, err;
        QVERIFY2(test::runCtl(shadowArgs(QStringLiteral("sync-sequences"),
                                         {QStringLiteral("--margin"), QStringLiteral("100")}),
                              &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(out.contains(QLatin1String("public.invoice_no\t42 -> 142")), qPrintable(out));
        QCOMPARE(value(m_shadow, QStringLiteral("SELECT nextval('invoice_no')")),
                 QStringLiteral("143"));
    }

    void teardownLeavesNothing()
    {
        QString out, err;
        QVERIFY2(test::runCtl(shadowArgs(QStringLiteral("teardown")), &out, &err) == 0,
                 qPrintable(err));
        QVERIFY(out.contains(QLatin1String("subscription doppel_test")));
        QCOMPARE(
            value(m_prod,
                  QStringLiteral(
                      "SELECT count(*) FROM pg_replication_slots WHERE "
                      "slot_name LIKE 'doppel\\_test%' OR slot_name LIKE 'pg\\_%\\_sync\\_%'")),
            QStringLiteral("0"));
        QCOMPARE(value(m_prod, QStringLiteral("SELECT count(*) FROM pg_publication")),
                 QStringLiteral("0"));
        QCOMPARE(value(m_shadow, QStringLiteral("SELECT count(*) FROM pg_subscription")),
                 QStringLiteral("0"));
        // Idempotent.
        QCOMPARE(test::runCtl(shadowArgs(QStringLiteral("teardown")), &out, &err), 0);
        QVERIFY(out.contains(QLatin1String("nothing to remove")));
    }

    void teardownCleansUpSetupKilledHalfWay()
    {
        // What a setup killed during CREATE SUBSCRIPTION leaves: publication and slot on
        // production, no subscription on the shadow.
        auto prod = connectTo(m_prod);
        QVERIFY(prod->exec(QStringLiteral("CREATE PUBLICATION doppel_test FOR ALL TABLES")));
        QVERIFY(prod->exec(QStringLiteral(
            "SELECT pg_create_logical_replication_slot('doppel_test', 'pgoutput')")));
        QVERIFY(prod->exec(
            QStringLiteral("INSERT INTO nopk SELECT g, 'wal' FROM generate_series(1, 1000) g")));
        const QJsonObject status = shadowJson(QStringLiteral("status"));
        const QJsonArray slots = status.value(QStringLiteral("slots")).toArray();
        QCOMPARE(slots.size(), 1);
        QCOMPARE(slots.first().toObject().value(QStringLiteral("active")).toBool(), false);
        QVERIFY(slots.first().toObject().value(QStringLiteral("retained_bytes")).toDouble() > 0);

        QString out, err;
        QVERIFY2(test::runCtl(shadowArgs(QStringLiteral("teardown")), &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(out.contains(QLatin1String("replication slot doppel_test")), qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("publication doppel_test")), qPrintable(out));
        QCOMPARE(
            value(m_prod,
                  QStringLiteral(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'doppel_test'")),
            QStringLiteral("0"));
    }

    void badInputIsNamed()
    {
        QString err;
        QCOMPARE(test::runCtl({QStringLiteral("shadow"), QStringLiteral("check"),
                               QStringLiteral("--prod"), m_prod},
                              nullptr, &err),
                 2);
        QVERIFY(err.contains(QLatin1String("--prod and --shadow are required")));
        QCOMPARE(
            test::runCtl(shadowArgs(QStringLiteral("check"),
                                    {QStringLiteral("--tables"), QStringLiteral("no_such_table")}),
                         nullptr, &err),
            1);
        QVERIFY2(err.contains(QLatin1String("no table named no_such_table")), qPrintable(err));
        QCOMPARE(
            test::runCtl(shadowArgs(QStringLiteral("setup"),
                                    {QStringLiteral("--name"), QStringLiteral("Robert'); DROP")}),
                         nullptr, &err),
            1);
        QVERIFY2(err.contains(QLatin1String("invalid shadow name")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestShadow)
#include "TestShadow.moc"
