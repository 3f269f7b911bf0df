// SPDX-License-Identifier: GPL-3.0-or-later
// libpq's conventions as DBAs know them: key=value strings, URIs, quoting, password stripping,
// and service= resolved from pg_service.conf by libpq itself. Connections only go to loopback
// ports that refuse, so no server is needed.
#include "LabFixture.h"
#include "postgres/Conninfo.h"
#include "postgres/PgConnection.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;
using namespace doppel::pg;

class TestConninfo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("key=value") << "host=db1 port=5433 dbname=app"
                                   << "port"
                                   << "5433";
        QTest::newRow("quoted value with space") << "host=db1 application_name='my app'"
                                                 << "application_name"
                                                 << "my app";
        QTest::newRow("escaped quote") << R"(host=db1 password='it\'s')"
                                       << "password"
                                       << "it's";
        QTest::newRow("uri") << "postgresql://alice@db1:5433/app?sslmode=require"
                             << "sslmode"
                             << "require";
        QTest::newRow("uri user") << "postgresql://alice@db1:5433/app"
                                  << "user"
                                  << "alice";
        QTest::newRow("uri percent-encoded") << "postgres://db1/my%20db"
                                             << "dbname"
                                             << "my db";
        QTest::newRow("service") << "service=prod dbname=other"
                                 << "service"
                                 << "prod";
    }

    void parse()
    {
        QFETCH(QString, conninfo);
        QFETCH(QString, key);
        QFETCH(QString, value);
        auto parsed = Conninfo::parse(conninfo);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QString found;
        for (const auto& kv : *parsed)
            if (kv.first == key)
                found = kv.second;
        QCOMPARE(found, value);
    }

    void invalidStringsNameTheProblem_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("unknown keyword") << "hots=db1"
                                         << "hots";
        QTest::newRow("missing equals") << "host"
                                        << "host";
        QTest::newRow("bad uri") << "postgresql://db1:notaport/x?bogus=1"
                                 << "bogus";
    }

    void invalidStringsNameTheProblem()
    {
        QFETCH(QString, conninfo);
        QFETCH(QString, fragment);
        auto parsed = Conninfo::parse(conninfo);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::InvalidInput);
        QVERIFY2(parsed.error().message.contains(fragment), qPrintable(parsed.error().message));
    }

    void passwordIsStripped_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::newRow("key=value") << "host=db1 user=bob password=s3cr'et dbname=app";
        QTest::newRow("uri") << "postgresql://bob:s3cr%27et@db1/app";
    }

    void passwordIsStripped()
    {
        QFETCH(QString, conninfo);
        QString password;
        auto stripped = Conninfo::withoutPassword(conninfo, &password);
        QVERIFY(stripped.ok());
        QCOMPARE(password, QStringLiteral("s3cr'et"));
        QVERIFY(!stripped->contains(QLatin1String("s3cr")));
        // What is left is still a valid conninfo for the same server.
        auto reparsed = Conninfo::parse(*stripped);
        QVERIFY(reparsed.ok());
        QVERIFY(reparsed->contains({QStringLiteral("host"), QStringLiteral("db1")}));
        QVERIFY(reparsed->contains({QStringLiteral("user"), QStringLiteral("bob")}));
    }

    void describeUsesEnvironmentDefaults()
    {
        qputenv("PGPORT", "6543");
        const QString text = Conninfo::describe(QStringLiteral("host=db9 dbname=sales user=carol"));
        qunsetenv("PGPORT");
        QCOMPARE(text, QStringLiteral("carol@db9:6543/sales"));
    }

    void serviceFileIsReadByLibpq()
    {
        QTemporaryDir dir;
        const int port = test::refusedPort();
        QFile file(dir.filePath(QStringLiteral("pg_service.conf")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("[lab]\nhost=127.0.0.1\nport=%1\ndbname=pgbench\nuser=doppel\n")
                       .arg(port)
                       .toUtf8());
        file.close();
        qputenv("PGSERVICEFILE", QFile::encodeName(file.fileName()));

        PgConnection::Options options;
        options.conninfo = QStringLiteral("service=lab");
        options.timeout = std::chrono::milliseconds(3000);
        auto conn = PgConnection::connect(options);
        QVERIFY(!conn.ok());
        // The refusal names the port that only the service file knew.
        QCOMPARE(conn.error().code, ErrorCode::Refused);
        QVERIFY2(conn.error().message.contains(QString::number(port)),
                 qPrintable(conn.error().message));

        options.conninfo = QStringLiteral("service=nosuch");
        auto missing = PgConnection::connect(options);
        qunsetenv("PGSERVICEFILE");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::InvalidInput);
        QVERIFY2(missing.error().message.contains(QLatin1String("nosuch")),
                 qPrintable(missing.error().message));
    }

    void classifyConnectErrors_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("code");
        QTest::newRow("auth") << "FATAL:  password authentication failed for user \"x\""
                              << int(ErrorCode::Auth);
        QTest::newRow("no password") << "fe_sendauth: no password supplied" << int(ErrorCode::Auth);
        QTest::newRow("refused")
            << "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"
            << int(ErrorCode::Refused);
        QTest::newRow("timeout") << "timeout expired" << int(ErrorCode::Timeout);
    }

    void classifyConnectErrors()
    {
        QFETCH(QString, message);
        QFETCH(int, code);
        QCOMPARE(int(classifyConnectError(message)), code);
    }
};

QTEST_GUILESS_MAIN(TestConninfo)
#include "TestConninfo.moc"
