// SPDX-License-Identifier: GPL-3.0-or-later
// The admin console on the virtual database `doppel`: admins log in through the upstream like
// any client (so a wrong password fails there), others are refused; SHOW STATS and
// SHOW SESSIONS answer from the live proxy; unsupported commands say so; SHUTDOWN stops it.
#include "TestProxySupport.h"

using namespace doppel;
using namespace doppel::test;

namespace {

QString adminConninfo(int port, const QString& user = QStringLiteral("doppel"))
{
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=doppel user=%2").arg(port).arg(user);
}

QMap<QString, qint64> statsOf(const QString& out)
{
    QMap<QString, qint64> m;
    for (const QString& line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        m.insert(line.section(QLatin1Char('|'), 0, 0),
                 line.section(QLatin1Char('|'), 1).toLongLong());
    return m;
}

} // namespace

class TestProxyAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sharedLab().production.pid > 0); }

    void consoleCommands()
    {
        ProxyProcess proxy;
        QVERIFY2(proxy.start({QStringLiteral("--admin-user"), QStringLiteral("doppel")},
                             QStringLiteral("dbname=pgbench")),
                 qPrintable(proxy.log()));
        PGconn* app =
            PQconnectdb(proxy
                            .conninfo(QStringLiteral("application_name=admin-test-app password=") +
                                      labPassword())
                            .toUtf8()
                            .constData());
        QCOMPARE(PQstatus(app), CONNECTION_OK);
        PQclear(PQexec(app, "SELECT 1"));

        auto stats =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        QVERIFY2(stats.exitCode == 0, qPrintable(stats.err));
        const auto s = statsOf(stats.out);
        QVERIFY(s.value(QStringLiteral("sessions_total")) >= 2);
        QCOMPARE(s.value(QStringLiteral("sessions_active")), qint64(2));
        QVERIFY(s.value(QStringLiteral("bytes_to_client")) > 0);

        auto sessions = psql(adminConninfo(proxy.port()),
                             {QStringLiteral("-c"), QStringLiteral("show sessions;")});
        QCOMPARE(sessions.exitCode, 0);
        QVERIFY2(sessions.out.contains(QStringLiteral("|doppel|pgbench|admin-test-app|127.0.0.1:")),
                 qPrintable(sessions.out));
        QVERIFY(sessions.out.contains(QStringLiteral("|doppel|doppel|psql|")));

        for (const char* cmd : {"SHOW MIRROR", "SET mirror_rate = 0.2"}) {
            auto r =
                psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QString::fromLatin1(cmd)});
            QVERIFY(r.exitCode != 0);
            QVERIFY2(r.err.contains(QStringLiteral("mirroring is off")), qPrintable(r.err));
        }
        auto unknown = psql(adminConninfo(proxy.port()),
                            {QStringLiteral("-c"), QStringLiteral("DROP TABLE x")});
        QVERIFY(unknown.exitCode != 0);
        QVERIFY(unknown.err.contains(QStringLiteral("unknown admin command")));

        // The regular session is untouched by all of this.
        PGresult* r = PQexec(app, "SELECT 2");
        QCOMPARE(PQresultStatus(r), PGRES_TUPLES_OK);
        PQclear(r);
        PQfinish(app);

        auto bye =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("SHUTDOWN")});
        QCOMPARE(bye.exitCode, 0);
        QVERIFY(proxy.process().waitForFinished(20000));
        QCOMPARE(proxy.process().exitCode(), 0);
    }

    // PAUSE under pgbench load: returns once every transaction is done, nothing runs while
    // paused, and after RESUME pgbench finishes without a failed transaction.
    void pauseResumeUnderLoad()
    {
        ProxyProcess proxy;
        QVERIFY(proxy.start({QStringLiteral("--admin-user"), QStringLiteral("doppel")},
                            QStringLiteral("dbname=pgbench")));
        QProcess bench;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), labPassword());
        env.insert(QStringLiteral("PGAPPNAME"), QStringLiteral("proxy-pause-bench"));
        bench.setProcessEnvironment(env); // told apart from the lab's own pgbench workload
        bench.setProcessChannelMode(QProcess::MergedChannels);
        bench.start(QStringLiteral("pgbench"),
                    {QStringLiteral("-n"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("-p"), QString::number(proxy.port()), QStringLiteral("-U"),
                     QStringLiteral("doppel"), QStringLiteral("-c"), QStringLiteral("4"),
                     QStringLiteral("-j"), QStringLiteral("2"), QStringLiteral("-T"),
                     QStringLiteral("8"), QStringLiteral("-M"), QStringLiteral("prepared"),
                     QStringLiteral("pgbench")});
        QVERIFY(bench.waitForStarted());
        QTest::qWait(2000);
        auto pause =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("PAUSE")});
        QVERIFY2(pause.exitCode == 0, qPrintable(pause.err));
        QVERIFY2(!pause.err.contains(QStringLiteral("timed out")), qPrintable(pause.err));
        auto stats =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        const auto s = statsOf(stats.out);
        QCOMPARE(s.value(QStringLiteral("paused")), qint64(1));
        QCOMPARE(s.value(QStringLiteral("busy_sessions")), qint64(0));
        const QString activity =
            QStringLiteral("SELECT count(*) FILTER (WHERE state <> 'idle') || ' ' || "
                           "max(state_change) FROM pg_stat_activity WHERE application_name = "
                           "'proxy-pause-bench'");
        const QString before = directScalar(activity);
        QVERIFY2(before.startsWith(QStringLiteral("0 ")), qPrintable(before));
        QTest::qWait(1000);
        QCOMPARE(directScalar(activity), before); // not one statement ran while paused
        auto resume =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("RESUME")});
        QCOMPARE(resume.exitCode, 0);
        QVERIFY(bench.waitForFinished(60000));
        const QString out = QString::fromUtf8(bench.readAll());
        QVERIFY2(bench.exitCode() == 0, qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("number of failed transactions: 0 ")),
                 qPrintable(out));
        QCOMPARE(proxy.stop(), 0);
    }

    void onlyAdminsGetIn()
    {
        ProxyProcess proxy;
        // No --admin-user: the upstream conninfo's user is the admin.
        QVERIFY(proxy.start({}, QStringLiteral("user=doppel dbname=pgbench")));
        auto ok =
            psql(adminConninfo(proxy.port()), {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        auto other = psql(adminConninfo(proxy.port(), QStringLiteral("mallory")),
                          {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        QVERIFY(other.exitCode != 0);
        QVERIFY2(other.err.contains(QStringLiteral("is not an admin of doppel-proxy")),
                 qPrintable(other.err));
        auto wrong =
            runClient(QStringLiteral("psql"),
                      {QStringLiteral("-X"), QStringLiteral("-d"), adminConninfo(proxy.port()),
                       QStringLiteral("-c"), QStringLiteral("SHOW STATS")},
                      {}, 30000, QStringLiteral("not-the-password"));
        QVERIFY(wrong.exitCode != 0);
        QVERIFY2(wrong.err.contains(QStringLiteral("password authentication failed")),
                 qPrintable(wrong.err));
        QCOMPARE(proxy.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestProxyAdmin)
#include "TestProxyAdmin.moc"
