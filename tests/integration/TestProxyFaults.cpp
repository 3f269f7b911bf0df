// SPDX-License-Identifier: GPL-3.0-or-later
// Bad input and bad luck around doppel-proxy: random bytes on the listen port, malformed or
// over-size messages, unknown message types, a client killed in the middle of COPY, an upstream
// that refuses, options that are not supported yet, SIGHUP reload and SIGTERM drain. One
// session's trouble never reaches another.
#include "TestProxySupport.h"
#include "pgwire/PgWireBackend.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>

using namespace doppel;
using namespace doppel::test;
using namespace doppel::pgwire;

namespace {

// Sends `bytes` on a fresh connection and collects what comes back until the proxy closes it.
QByteArray exchange(int port, const QByteArray& bytes, bool* closed)
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    if (!s.waitForConnected(5000))
        return {};
    s.write(bytes);
    s.waitForBytesWritten(5000);
    QByteArray got;
    QElapsedTimer t;
    t.start();
    while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 10000) {
        s.waitForReadyRead(200);
        got += s.readAll();
    }
    got += s.readAll();
    *closed = s.state() != QAbstractSocket::ConnectedState;
    return got;
}

QList<Frame> frames(const QByteArray& bytes)
{
    FrameDecoder d;
    d.feed(bytes);
    QList<Frame> out;
    while (true) {
        auto f = d.next();
        if (!f || !*f)
            return out;
        out.append(**f);
    }
}

QByteArray startupPacket(const QByteArray& user = "doppel")
{
    StartupMessage m;
    m.parameters = {{"user", user}, {"database", "pgbench"}};
    return m.encode();
}

bool stillServes(const ProxyProcess& proxy)
{
    auto r = psql(proxy.conninfo(), {QStringLiteral("-c"), QStringLiteral("SELECT 6 * 7")});
    return r.exitCode == 0 && r.out.trimmed() == QStringLiteral("42");
}

} // namespace

class TestProxyFaults : public QObject
{
    Q_OBJECT

private:
    ProxyProcess m_proxy;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(sharedLab().production.pid > 0);
        QVERIFY2(m_proxy.start({QStringLiteral("--max-message-size"), QStringLiteral("65536")}),
                 qPrintable(m_proxy.log()));
    }
    void cleanupTestCase() { QCOMPARE(m_proxy.stop(), 0); }

    void randomBytes()
    {
        QRandomGenerator rng(20261123);
        for (int i = 0; i < 20; ++i) {
            QByteArray junk(int(rng.bounded(1, 4096)), Qt::Uninitialized);
            for (char& c : junk)
                c = char(rng.bounded(256));
            bool closed = false;
            exchange(m_proxy.port(), junk, &closed);
            QVERIFY2(closed, "the proxy kept a garbage connection open");
        }
        QVERIFY(m_proxy.running());
        QVERIFY(stillServes(m_proxy));
    }

    void badMessages_data()
    {
        QTest::addColumn<QByteArray>("after");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown type")
            << QByteArray("z\x00\x00\x00\x04", 5) << "invalid frontend message type 122";
        QTest::newRow("length below 4")
            << QByteArray("Q\x00\x00\x00\x01", 5) << "malformed message length 1";
        QTest::newRow("over the size limit")
            << QByteArray("Q\x00\x10\x00\x00", 5) << "over the limit of 65536 bytes";
    }
    // After a valid StartupMessage the bad message must end the session with ErrorResponse.
    void badMessages()
    {
        QFETCH(QByteArray, after);
        QFETCH(QString, expected);
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_proxy.port()));
        QVERIFY(s.waitForConnected(5000));
        s.write(startupPacket());
        QVERIFY(s.waitForReadyRead(5000)); // the upstream's authentication request
        s.write(after);
        QByteArray got = s.readAll();
        QElapsedTimer t;
        t.start();
        while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 10000) {
            s.waitForReadyRead(200);
            got += s.readAll();
        }
        QVERIFY(s.state() != QAbstractSocket::ConnectedState);
        bool sawError = false;
        for (const Frame& f : frames(got)) {
            if (f.type != 'E')
                continue;
            auto e = ErrorResponse::decode(f);
            QVERIFY(e.ok());
            QCOMPARE(e->sqlState(), QByteArray("08P01"));
            QVERIFY2(QString::fromUtf8(e->message()).contains(expected), e->message().constData());
            sawError = true;
        }
        QVERIFY(sawError);
        QVERIFY(stillServes(m_proxy));
    }

    void badStartupPacket()
    {
        bool closed = false;
        const QByteArray got = exchange(m_proxy.port(), QByteArray("\x00\x00\x00\x03", 4), &closed);
        QVERIFY(closed);
        QVERIFY2(got.contains("invalid startup packet length"), got.constData());
        // Protocol 2 is refused with a message naming it.
        const QByteArray v2 = BodyWriter().int32(0x00020000).int8(0).startupFrame();
        const QByteArray got2 = exchange(m_proxy.port(), v2, &closed);
        QVERIFY2(got2.contains("unsupported frontend protocol 2.0"), got2.constData());
    }

    // A query over --max-message-size from psql fails alone; a parallel session is untouched.
    void oversizeQueryFromPsql()
    {
        PGconn* other = PQconnectdb(
            m_proxy.conninfo(QStringLiteral("password=") + labPassword()).toUtf8().constData());
        QCOMPARE(PQstatus(other), CONNECTION_OK);
        const QByteArray big = "SELECT '" + QByteArray(70000, 'x') + "'";
        auto r = psql(m_proxy.conninfo(), {QStringLiteral("-c"), QString::fromLatin1(big)});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("over the limit")), qPrintable(r.err));
        PGresult* res = PQexec(other, "SELECT 1");
        QCOMPARE(PQresultStatus(res), PGRES_TUPLES_OK);
        PQclear(res);
        PQfinish(other);
    }

    void startupWithSslAndGssRequests()
    {
        // GSSENCRequest and SSLRequest both get 'N', then the startup goes on.
        const QByteArray bytes = GssEncRequest{}.encode();
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_proxy.port()));
        QVERIFY(s.waitForConnected(5000));
        s.write(bytes);
        QVERIFY(s.waitForReadyRead(5000));
        QCOMPARE(s.readAll(), QByteArray("N"));
        s.write(SslRequest{}.encode());
        QVERIFY(s.waitForReadyRead(5000));
        QCOMPARE(s.readAll(), QByteArray("N"));
        s.write(startupPacket());
        QVERIFY(s.waitForReadyRead(5000));
        const QList<Frame> got = frames(s.readAll());
        QVERIFY(!got.isEmpty());
        QCOMPARE(got.first().type, 'R'); // the upstream asks for SCRAM
    }

    void clientKilledMidCopy()
    {
        directScalar(QStringLiteral("DROP TABLE IF EXISTS proxy_copy_kill"));
        directScalar(QStringLiteral("CREATE TABLE proxy_copy_kill (id int)"));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), labPassword());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-d"),
                 m_proxy.conninfo(QStringLiteral("application_name=proxytest-copykill")),
                 QStringLiteral("-c"), QStringLiteral("COPY proxy_copy_kill FROM STDIN")});
        QVERIFY(p.waitForStarted());
        QByteArray rows;
        for (int i = 0; i < 2000; ++i)
            rows += QByteArray::number(i) + "\n";
        p.write(rows);
        QTRY_VERIFY_WITH_TIMEOUT(
            directScalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                        "application_name = 'proxytest-copykill' AND query LIKE "
                                        "'COPY%'")) == QStringLiteral("1"),
            10000);
        p.kill(); // SIGKILL: no CopyDone, no Terminate
        p.waitForFinished(5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            directScalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                        "application_name = 'proxytest-copykill'")) ==
                QStringLiteral("0"),
            10000);
        QCOMPARE(directScalar(QStringLiteral("SELECT count(*) FROM proxy_copy_kill")),
                 QStringLiteral("0"));
        QVERIFY(stillServes(m_proxy));
        directScalar(QStringLiteral("DROP TABLE proxy_copy_kill"));
    }

    void unsupportedAndInvalidOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        const QString up = QStringLiteral("host=127.0.0.1 port=1");
        QTest::newRow("bad shadow")
            << QStringList{"--listen", "127.0.0.1:0", "--upstream", up, "--shadow", "host"}
            << "invalid --shadow conninfo";
        QTest::newRow("rate without shadow")
            << QStringList{"--listen", "127.0.0.1:0", "--upstream", up, "--mirror-rate", "0.5"}
            << "--mirror-rate needs --shadow";
        QTest::newRow("bad mirror-by")
            << QStringList{"--listen", "127.0.0.1:0", "--upstream", up, "--mirror-by", "table"}
            << "--mirror-by takes session or statement";
        QTest::newRow("bad metrics address")
            << QStringList{"--listen", "127.0.0.1:0", "--upstream", up, "--metrics-listen", "9100"}
            << "--metrics-listen takes HOST:PORT";
        QTest::newRow("upstream TLS over a Unix socket")
            << QStringList{"--listen", "127.0.0.1:0", "--upstream",
                           "host=/tmp port=5432 sslmode=require"}
            << "cannot be used with a Unix-domain socket";
        QTest::newRow("no upstream")
            << QStringList{"--listen", "127.0.0.1:0"} << "--upstream CONNINFO is required";
        QTest::newRow("bad listen")
            << QStringList{"--listen", "nowhere", "--upstream", up} << "--listen takes HOST:PORT";
        QTest::newRow("bad rate") << QStringList{"--listen", "127.0.0.1:0",   "--upstream",
                                                 up,         "--mirror-rate", "2"}
                                  << "--mirror-rate takes a number from 0 to 1";
        QTest::newRow("unknown option")
            << QStringList{"--listen", "127.0.0.1:0", "--frobnicate", "1"}
            << "unknown option --frobnicate";
        QTest::newRow("missing config")
            << QStringList{"--config", "/nonexistent/proxy.ini"} << "cannot read config file";
    }
    void unsupportedAndInvalidOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        auto r = runClient(binDir() + QStringLiteral("/doppel-proxy"), args, {}, 10000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    // An upstream that refuses gives the client a clear FATAL; SIGHUP then points the proxy at
    // the real upstream without a restart.
    void configFileAndReload()
    {
        QTemporaryDir tmp;
        const QString ini = tmp.filePath(QStringLiteral("proxy.ini"));
        const int port = freePort();
        auto writeIni = [&](int upstreamPort) {
            QFile f(ini);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QStringLiteral("[proxy]\nlisten = 127.0.0.1:%1\nupstream = \"host=127.0.0.1 "
                                   "port=%2\"\ndrain-timeout = 2\n")
                        .arg(port)
                        .arg(upstreamPort)
                        .toUtf8());
        };
        writeIni(refusedPort());
        QProcess proxy;
        proxy.setProcessChannelMode(QProcess::MergedChannels);
        proxy.start(binDir() + QStringLiteral("/doppel-proxy"), {QStringLiteral("--config"), ini});
        QVERIFY(proxy.waitForStarted());
        const QString through =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel").arg(port);
        ClientRun refused;
        QTRY_VERIFY_WITH_TIMEOUT(
            (refused = psql(through, {QStringLiteral("-c"), QStringLiteral("SELECT 1")}))
                .err.contains(QStringLiteral("could not connect to upstream")),
            10000);
        writeIni(sharedLab().production.port);
        ::kill(pid_t(proxy.processId()), SIGHUP);
        QTRY_VERIFY_WITH_TIMEOUT(
            psql(through, {QStringLiteral("-c"), QStringLiteral("SELECT 1")}).exitCode == 0, 10000);

        // SIGTERM lets a running statement finish, then closes idle sessions after the drain
        // timeout and exits 0.
        PGconn* c = PQconnectdb(
            (through + QStringLiteral(" password=") + labPassword()).toUtf8().constData());
        QCOMPARE(PQstatus(c), CONNECTION_OK);
        QVERIFY(PQsendQuery(c, "SELECT pg_sleep(1), 'finished'"));
        QTest::qWait(200);
        ::kill(pid_t(proxy.processId()), SIGTERM);
        PGresult* r = PQgetResult(c);
        QCOMPARE(PQresultStatus(r), PGRES_TUPLES_OK);
        QCOMPARE(QByteArray(PQgetvalue(r, 0, 1)), QByteArray("finished"));
        PQclear(r);
        while ((r = PQgetResult(c)))
            PQclear(r);
        QVERIFY(proxy.waitForFinished(10000));
        QCOMPARE(proxy.exitCode(), 0);
        const QString log = QString::fromUtf8(proxy.readAll());
        QVERIFY2(log.contains(QStringLiteral("SIGHUP: reloaded")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("drain timeout: closing 1 sessions")),
                 qPrintable(log));
        PGresult* after = PQexec(c, "SELECT 1");
        QVERIFY(PQresultStatus(after) != PGRES_TUPLES_OK);
        PQclear(after);
        PQfinish(c);
    }
};

QTEST_GUILESS_MAIN(TestProxyFaults)
#include "TestProxyFaults.moc"
