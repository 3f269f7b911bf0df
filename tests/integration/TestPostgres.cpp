// SPDX-License-Identifier: GPL-3.0-or-later
// libpq against the lab's real PostgreSQL: connection conventions (.pgpass, PGPASSFILE, sslmode,
// URIs), stats, clear errors (wrong password, refused, silent server), timeouts and cancel, and
// quoting through libpq's escaping functions.
#include "LabFixture.h"
#include "postgres/PgConnection.h"
#include "postgres/ServerInfo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace doppel;
using namespace doppel::pg;
using namespace std::chrono_literals;

namespace {

QString labPassword()
{
    QFile f(test::sharedLab().dir + QStringLiteral("/pgpass"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readLine().trimmed()).section(QLatin1Char(':'), 4);
}

QString bareConninfo(const QString& extra = {})
{
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel %2")
        .arg(test::sharedLab().production.port)
        .arg(extra);
}

std::unique_ptr<PgConnection> connectOrFail(const QString& conninfo, const QString& password = {})
{
    PgConnection::Options options;
    options.conninfo = conninfo;
    options.password = password;
    options.timeout = 10s;
    auto conn = PgConnection::connect(options);
    if (!conn)
        qWarning("%s", qPrintable(conn.error().toString()));
    return conn ? std::move(*conn) : nullptr;
}

} // namespace

class TestPostgres : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::sharedLab().production.pid > 0); }

    void connectsAndReadsSettings()
    {
        auto conn = connectOrFail(test::sharedLab().production.conninfo);
        QVERIFY(conn);
        auto info = readServerInfo(*conn);
        QVERIFY(info.ok());
        QVERIFY2(info->serverVersion.startsWith(QLatin1String("15.")),
                 qPrintable(info->serverVersion));
        QCOMPARE(info->serverVersionNum / 10000, 15);
        QCOMPARE(info->walLevel, QStringLiteral("logical"));
        QCOMPARE(info->maxReplicationSlots, 10);
        QCOMPARE(info->maxWalSenders, 10);
        QCOMPARE(info->sharedBuffers, QStringLiteral("128MB"));
    }

    void readsStatsViews()
    {
        auto conn = connectOrFail(test::sharedLab().production.conninfo);
        QVERIFY(conn);
        auto stats = readDatabaseStats(*conn);
        QVERIFY(stats.ok());
        bool sawPgbench = false;
        for (size_t i = 0; i < stats->rows.size(); ++i)
            if (stats->value(i, 0) == QLatin1String("pgbench"))
                sawPgbench = stats->number(i, 2) > 0; // xact_commit
        QVERIFY(sawPgbench);
        auto activity = readActivity(*conn);
        QVERIFY(activity.ok());
        QVERIFY(activity->rows.size() >= 1);
        auto sizes = readDatabaseSizes(*conn);
        QVERIFY(sizes.ok());
        for (size_t i = 0; i < sizes->rows.size(); ++i)
            if (sizes->value(i, 0) == QLatin1String("pgbench"))
                QVERIFY(sizes->number(i, 1) > 1e6);
    }

    void passwordSources_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("passfile in conninfo") << "passfile";
        QTest::newRow("PGPASSFILE") << "PGPASSFILE";
        QTest::newRow("~/.pgpass") << "home";
        QTest::newRow("password from the keychain") << "explicit";
        QTest::newRow("URI") << "uri";
    }

    void passwordSources()
    {
        QFETCH(QString, how);
        QTemporaryDir home;
        const QByteArray oldHome = qgetenv("HOME");
        QString conninfo = bareConninfo();
        QString password;
        const QString pgpass = test::sharedLab().dir + QStringLiteral("/pgpass");
        if (how == QLatin1String("passfile")) {
            conninfo = test::sharedLab().production.conninfo;
        } else if (how == QLatin1String("PGPASSFILE")) {
            qputenv("PGPASSFILE", QFile::encodeName(pgpass));
        } else if (how == QLatin1String("home")) {
            QVERIFY(QFile::copy(pgpass, home.filePath(QStringLiteral(".pgpass"))));
            QFile::setPermissions(home.filePath(QStringLiteral(".pgpass")),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            qputenv("HOME", QFile::encodeName(home.path()));
        } else if (how == QLatin1String("explicit")) {
            password = labPassword();
        } else {
            conninfo = QStringLiteral("postgresql://doppel@127.0.0.1:%1/pgbench?passfile=%2")
                           .arg(test::sharedLab().production.port)
                           .arg(QString::fromUtf8(QUrl::toPercentEncoding(pgpass)));
        }
        auto conn = connectOrFail(conninfo, password);
        qunsetenv("PGPASSFILE");
        qputenv("HOME", oldHome);
        QVERIFY(conn);
        QCOMPARE(conn->exec(QStringLiteral("SELECT current_user"))->value(0, 0),
                 QStringLiteral("doppel"));
    }

    void wrongPasswordIsAnAuthError()
    {
        PgConnection::Options options;
        options.conninfo = bareConninfo(QStringLiteral("passfile=/nonexistent"));
        options.password = QStringLiteral("wrong-password");
        auto conn = PgConnection::connect(options);
        QVERIFY(!conn.ok());
        QCOMPARE(conn.error().code, ErrorCode::Auth);
        QVERIFY2(conn.error().message.contains(QLatin1String("password authentication failed")),
                 qPrintable(conn.error().message));
    }

    void sslmodeIsHonoured()
    {
        // The lab serves without TLS: require must fail clearly, disable must work.
        PgConnection::Options options;
        options.conninfo =
            test::sharedLab().production.conninfo + QStringLiteral(" sslmode=require");
        auto required = PgConnection::connect(options);
        QVERIFY(!required.ok());
        QVERIFY2(required.error().message.contains(QLatin1String("SSL")),
                 qPrintable(required.error().message));
        QVERIFY(connectOrFail(test::sharedLab().production.conninfo +
                              QStringLiteral(" sslmode=disable")));
    }

    void silentServerTimesOut()
    {
        test::SilentListener silent;
        PgConnection::Options options;
        options.conninfo =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=x user=x").arg(silent.port());
        options.timeout = 1500ms;
        QElapsedTimer timer;
        timer.start();
        auto conn = PgConnection::connect(options);
        const qint64 elapsed = timer.elapsed();
        QVERIFY(!conn.ok());
        QCOMPARE(conn.error().code, ErrorCode::Timeout);
        QVERIFY2(elapsed >= 1400 && elapsed < 2500, qPrintable(QString::number(elapsed)));
    }

    void refusedPortIsRefused()
    {
        PgConnection::Options options;
        options.conninfo =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=x user=x").arg(test::refusedPort());
        auto conn = PgConnection::connect(options);
        QVERIFY(!conn.ok());
        QCOMPARE(conn.error().code, ErrorCode::Refused);
    }

    void queryTimeoutCancelsOnServerAndKeepsConnection()
    {
        auto conn = connectOrFail(test::sharedLab().production.conninfo);
        QVERIFY(conn);
        QElapsedTimer timer;
        timer.start();
        auto slow = conn->exec(QStringLiteral("SELECT pg_sleep(30)"), {}, 500ms);
        QVERIFY(!slow.ok());
        QCOMPARE(slow.error().code, ErrorCode::Timeout);
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
        // Cancelled on the server, so the same connection answers the next query.
        auto next = conn->exec(QStringLiteral("SELECT 41 + 1"));
        QVERIFY(next.ok());
        QCOMPARE(next->value(0, 0), QStringLiteral("42"));
    }

    void cancelFromAnotherThread()
    {
        auto conn = connectOrFail(test::sharedLab().production.conninfo);
        QVERIFY(conn);
        CancelToken token;
        std::thread canceller([token] {
            std::this_thread::sleep_for(300ms);
            token.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        auto slow = conn->exec(QStringLiteral("SELECT pg_sleep(30)"), {}, 20s, token);
        canceller.join();
        QVERIFY(!slow.ok());
        QCOMPARE(slow.error().code, ErrorCode::Cancelled);
        QVERIFY(timer.elapsed() < 3000);
        auto next = conn->exec(QStringLiteral("SELECT 1"));
        QVERIFY2(next.ok(), qPrintable(next.ok() ? QString() : next.error().toString()));
    }

    void sqlErrorsCarrySqlstate()
    {
        auto conn = connectOrFail(test::sharedLab().production.conninfo);
        auto r = conn->exec(QStringLiteral("SELECT * FROM no_such_table"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Query);
        QCOMPARE(r.error().detail, QStringLiteral("42P01"));
        QVERIFY(r.error().message.contains(QLatin1String("no_such_table")));
    }

    void quotingGoesThroughLibpq()
    {
        auto conn = connectOrFail(test::sharedLab().shadow.conninfo);
        QVERIFY(conn);
        const QString name = QStringLiteral("odd \"name\"; DROP TABLE x; --");
        const QString text = QStringLiteral("it's a \\ test");
        auto ident = conn->quoteIdentifier(name);
        auto literal = conn->quoteLiteral(text);
        QVERIFY(ident.ok() && literal.ok());
        QVERIFY(conn->exec(QStringLiteral("CREATE TEMP TABLE %1 (v text)").arg(*ident)).ok());
        QVERIFY(
            conn->exec(QStringLiteral("INSERT INTO %1 VALUES (%2)").arg(*ident, *literal)).ok());
        auto back = conn->exec(QStringLiteral("SELECT v FROM %1").arg(*ident));
        QVERIFY(back.ok());
        QCOMPARE(back->value(0, 0), text);
        // Parameters travel separately from the SQL text.
        auto param = conn->exec(QStringLiteral("SELECT $1::text || $2::text"), {text, name});
        QCOMPARE(param->value(0, 0), text + name);
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "TestPostgres.moc"
