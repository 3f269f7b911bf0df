// SPDX-License-Identifier: GPL-3.0-or-later
// TLS through doppel-proxy on the lab: clients verify the proxy's certificate (verify-full),
// psql and pgbench run their traffic over it, --tls-require turns plain text away, and a key
// anyone can read is refused at start. Upstream, the lab's production gets a certificate of
// the same test CA for a while: the proxy connects per the upstream conninfo's sslmode, checks
// the server's certificate, and SCRAM still works end to end (the channel-binding variant the
// client cannot use through a proxy is not offered). Certificates come from the openssl tool.
#include "TestProxySupport.h"

#include <QTemporaryDir>

#include <sys/stat.h>

using namespace doppel;
using namespace doppel::test;

namespace {

bool openssl(const QStringList& args, const QString& dir)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning("openssl %s: %s", qPrintable(args.join(' ')), p.readAll().constData());
        return false;
    }
    return true;
}

// A CA and a server certificate for localhost / 127.0.0.1 signed by it, in `dir`.
bool makeCertificates(const QString& dir, const QString& prefix)
{
    QFile ext(dir + QStringLiteral("/ext.cnf"));
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    ext.close();
    const QString ca = prefix + QStringLiteral("ca");
    const QString server = prefix + QStringLiteral("server");
    return openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out",
                    ca + ".crt", "-days", "2", "-subj", "/CN=Doppel test CA " + prefix},
                   dir) &&
           openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", server + ".key", "-out",
                    server + ".csr", "-subj", "/CN=localhost"},
                   dir) &&
           openssl({"x509", "-req", "-in", server + ".csr", "-CA", ca + ".crt", "-CAkey",
                    ca + ".key", "-CAcreateserial", "-out", server + ".crt", "-days", "2",
                    "-extfile", "ext.cnf"},
                   dir) &&
           ::chmod(QFile::encodeName(dir + "/" + server + ".key").constData(), 0600) == 0;
}

// libpq straight to the proxy: whether TLS is in use, and the first value of `sql`.
struct Probe
{
    bool ok = false;
    bool tls = false;
    QString value;
    QString error;
};

Probe probe(const QString& conninfo, const QString& sql)
{
    Probe out;
    PGconn* c = PQconnectdb(conninfo.toUtf8().constData());
    if (PQstatus(c) != CONNECTION_OK) {
        out.error = QString::fromUtf8(PQerrorMessage(c));
        PQfinish(c);
        return out;
    }
    out.tls = PQsslInUse(c) == 1;
    PGresult* r = PQexec(c, sql.toUtf8().constData());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
        out.ok = true;
        out.value = QString::fromUtf8(PQgetvalue(r, 0, 0));
    } else {
        out.error = QString::fromUtf8(PQresultErrorMessage(r));
    }
    PQclear(r);
    PQfinish(c);
    return out;
}

} // namespace

class TestProxyTls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_dir;
    bool m_serverTls = false;

    QString file(const QString& name) const { return m_dir + QLatin1Char('/') + name; }
    QStringList tlsArgs() const
    {
        return {QStringLiteral("--tls-cert"), file(QStringLiteral("server.crt")),
                QStringLiteral("--tls-key"), file(QStringLiteral("server.key"))};
    }
    QString verifyFull() const
    {
        return QStringLiteral("password=%1 sslmode=verify-full sslrootcert=%2")
            .arg(labPassword(), file(QStringLiteral("ca.crt")));
    }

    // Gives lab production a certificate of the test CA and turns ssl on (a reload suffices).
    void enableServerTls()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("server"));
        QVERIFY(QDir().mkpath(dir));
        for (const QString& name : {QStringLiteral("server.crt"), QStringLiteral("server.key")})
            QVERIFY(QFile::copy(file(name), dir + QLatin1Char('/') + name));
        if (::geteuid() == 0) { // the clusters run as postgres, which must own its key
            QProcess chown;
            chown.start(QStringLiteral("chown"),
                        {QStringLiteral("-R"), QStringLiteral("postgres:postgres"), dir});
            QVERIFY(chown.waitForFinished(10000) && chown.exitCode() == 0);
            QVERIFY(::chmod(QFile::encodeName(m_tmp.path()).constData(), 0755) == 0);
        }
        directScalar(QStringLiteral("ALTER SYSTEM SET ssl_cert_file = '%1/server.crt'").arg(dir));
        directScalar(QStringLiteral("ALTER SYSTEM SET ssl_key_file = '%1/server.key'").arg(dir));
        directScalar(QStringLiteral("ALTER SYSTEM SET ssl = on"));
        QCOMPARE(directScalar(QStringLiteral("SELECT pg_reload_conf()")), QStringLiteral("t"));
        m_serverTls = true;
        for (int i = 0; i < 50 && directScalar(QStringLiteral("SHOW ssl")) != "on"; ++i)
            QTest::qWait(100);
        QCOMPARE(directScalar(QStringLiteral("SHOW ssl")), QStringLiteral("on"));
    }

    void disableServerTls()
    {
        if (!m_serverTls)
            return;
        for (const char* setting : {"ssl", "ssl_cert_file", "ssl_key_file"})
            directScalar(QStringLiteral("ALTER SYSTEM RESET %1").arg(QLatin1String(setting)));
        directScalar(QStringLiteral("SELECT pg_reload_conf()"));
        m_serverTls = false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(sharedLab().production.pid > 0);
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl tool is missing (Debian package openssl)");
        m_dir = m_tmp.filePath(QStringLiteral("certs"));
        QVERIFY(QDir().mkpath(m_dir));
        QVERIFY(makeCertificates(m_dir, QString()));
        QVERIFY(makeCertificates(m_dir, QStringLiteral("other-")));
    }

    void cleanupTestCase() { disableServerTls(); }

    void clientsVerifyTheProxyAndRunOverTls()
    {
        ProxyProcess proxy;
        const QString capture = m_tmp.filePath(QStringLiteral("capture-tls"));
        QVERIFY2(proxy.start(tlsArgs() + QStringList{QStringLiteral("--capture-dir"), capture},
                             QStringLiteral("user=doppel dbname=pgbench")),
                 qPrintable(proxy.log()));

        const Probe p = probe(proxy.conninfo(verifyFull()), QStringLiteral("SELECT 41 + 1"));
        QVERIFY2(p.ok, qPrintable(p.error));
        QVERIFY(p.tls);
        QCOMPARE(p.value, QStringLiteral("42"));

        // The wrong CA: the client refuses the proxy's certificate.
        const Probe wrong =
            probe(proxy.conninfo(QStringLiteral("password=%1 sslmode=verify-full "
                                                "sslrootcert=%2")
                                     .arg(labPassword(), file(QStringLiteral("other-ca.crt")))),
                  QStringLiteral("SELECT 1"));
        QVERIFY(!wrong.ok);
        QVERIFY2(wrong.error.contains(QLatin1String("certificate verify failed")),
                 qPrintable(wrong.error));

        // Plain text is still accepted without --tls-require.
        const Probe plain =
            probe(proxy.conninfo(QStringLiteral("password=%1 sslmode=disable").arg(labPassword())),
                  QStringLiteral("SELECT 'plain'"));
        QVERIFY2(plain.ok && !plain.tls, qPrintable(plain.error));

        // Bulk both ways: \copy out and back in, larger than any TLS record or buffer.
        const QString rows = m_tmp.filePath(QStringLiteral("accounts.txt"));
        auto out = psql(proxy.conninfo(verifyFull()),
                        {QStringLiteral("-c"),
                         QStringLiteral("\\copy (SELECT * FROM pgbench_accounts WHERE aid <= "
                                        "50000) TO '%1'")
                             .arg(rows)});
        QVERIFY2(out.exitCode == 0, qPrintable(out.err));
        QCOMPARE(out.out.trimmed(), QStringLiteral("COPY 50000"));
        auto in = psql(proxy.conninfo(verifyFull()),
                       {QStringLiteral("-c"),
                        QStringLiteral("CREATE TEMP TABLE t (LIKE pgbench_accounts)"),
                        QStringLiteral("-c"), QStringLiteral("\\copy t FROM '%1'").arg(rows),
                        QStringLiteral("-c"),
                        QStringLiteral("SELECT count(*), sum(abalance) "
                                       "FROM t")});
        QVERIFY2(in.exitCode == 0, qPrintable(in.err));
        QVERIFY2(in.out.contains(QLatin1String("COPY 50000\n50000|")), qPrintable(in.out));

        // A cancel reaches the upstream backend of a TLS session.
        PGconn* c = PQconnectdb(proxy.conninfo(verifyFull()).toUtf8().constData());
        QCOMPARE(PQstatus(c), CONNECTION_OK);
        QVERIFY(PQsendQuery(c, "SELECT pg_sleep(30)"));
        QTest::qWait(300);
        PGcancel* cancel = PQgetCancel(c);
        char err[256];
        QVERIFY(PQcancel(cancel, err, sizeof err));
        PQfreeCancel(cancel);
        QString state;
        while (PGresult* r = PQgetResult(c)) {
            if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE))
                state = QString::fromLatin1(s);
            PQclear(r);
        }
        PQfinish(c);
        QCOMPARE(state, QStringLiteral("57014"));

        // pgbench in extended mode over TLS: no failure, every statement captured.
        auto bench =
            runClient(QStringLiteral("pgbench"),
                      {QStringLiteral("-n"), QStringLiteral("-S"), QStringLiteral("-M"),
                       QStringLiteral("extended"), QStringLiteral("-c"), QStringLiteral("4"),
                       QStringLiteral("-j"), QStringLiteral("2"), QStringLiteral("-t"),
                       QStringLiteral("300"), proxy.conninfo(verifyFull())});
        QVERIFY2(bench.exitCode == 0, qPrintable(bench.err + bench.out));
        QVERIFY2(bench.out.contains(QLatin1String("number of failed transactions: 0")),
                 qPrintable(bench.out));
        QCOMPARE(proxy.stop(), 0);
        int selects = 0;
        for (const CaptureRecord& r : readCapture(capture))
            if (r.statement.rfind("SELECT abalance FROM pgbench_accounts", 0) == 0)
                ++selects;
        QCOMPARE(selects, 4 * 300);
    }

    void requireTurnsPlainTextAway()
    {
        ProxyProcess proxy;
        QVERIFY2(proxy.start(tlsArgs() + QStringList{QStringLiteral("--tls-require"),
                                                     QStringLiteral("--admin-user"),
                                                     QStringLiteral("doppel")},
                             QStringLiteral("user=doppel dbname=pgbench")),
                 qPrintable(proxy.log()));
        const Probe plain =
            probe(proxy.conninfo(QStringLiteral("password=%1 sslmode=disable").arg(labPassword())),
                  QStringLiteral("SELECT 1"));
        QVERIFY(!plain.ok);
        QVERIFY2(plain.error.contains(QLatin1String("accepts only TLS")), qPrintable(plain.error));
        const Probe tls = probe(proxy.conninfo(verifyFull()), QStringLiteral("SELECT 1"));
        QVERIFY2(tls.ok && tls.tls, qPrintable(tls.error));

        // A handshake of garbage ends that connection only, and is counted.
        QTcpSocket raw;
        raw.connectToHost(QStringLiteral("127.0.0.1"), quint16(proxy.port()));
        QVERIFY(raw.waitForConnected(3000));
        raw.write(QByteArray::fromHex("0000000804d2162f")); // SSLRequest
        QVERIFY(raw.waitForReadyRead(3000));
        QCOMPARE(raw.read(1), QByteArray("S"));
        raw.write(QByteArray(512, '\x17'));
        QVERIFY(raw.waitForDisconnected(5000) || raw.state() == QAbstractSocket::UnconnectedState);

        // The admin console over TLS sees both TLS sessions and the failed handshake.
        const QString admin = QStringLiteral("host=127.0.0.1 port=%1 dbname=doppel user=doppel %2")
                                  .arg(proxy.port())
                                  .arg(verifyFull());
        auto stats = psql(admin, {QStringLiteral("-c"), QStringLiteral("SHOW STATS")});
        QVERIFY2(stats.exitCode == 0, qPrintable(stats.err));
        QVERIFY2(stats.out.contains(QLatin1String("tls_handshake_failures|1")),
                 qPrintable(stats.out));
        QVERIFY2(stats.out.contains(QLatin1String("tls_sessions|3")), qPrintable(stats.out));
    }

    void badSettingsAreNamed()
    {
        const QString loose = file(QStringLiteral("loose.key"));
        QVERIFY(QFile::copy(file(QStringLiteral("server.key")), loose));
        QVERIFY(::chmod(QFile::encodeName(loose).constData(), 0644) == 0);
        struct Case
        {
            QStringList args;
            QString upstreamExtra;
            QString message;
        };
        const QList<Case> cases = {
            {{QStringLiteral("--tls-cert"), file(QStringLiteral("server.crt")),
              QStringLiteral("--tls-key"), loose},
             QString(),
             QStringLiteral("group or world access")},
            {{QStringLiteral("--tls-cert"), file(QStringLiteral("server.crt"))},
             QString(),
             QStringLiteral("--tls-cert and --tls-key go together")},
            {{QStringLiteral("--tls-cert"), file(QStringLiteral("server.crt")),
              QStringLiteral("--tls-key"), file(QStringLiteral("other-server.key"))},
             QString(),
             QStringLiteral("cannot load TLS key")},
            {{QStringLiteral("--tls-require")}, QString(), QStringLiteral("--tls-require needs")},
            {{},
             QStringLiteral("sslmode=verify-full sslrootcert=/nonexistent/root.crt"),
             QStringLiteral("/nonexistent/root.crt")},
            {{}, QStringLiteral("sslmode=sometimes"), QStringLiteral("invalid sslmode")},
        };
        for (const Case& c : cases) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(binDir() + QStringLiteral("/doppel-proxy"),
                    QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                QStringLiteral("--upstream"),
                                QStringLiteral("host=127.0.0.1 port=%1 %2")
                                    .arg(sharedLab().production.port)
                                    .arg(c.upstreamExtra)} +
                        c.args);
            QVERIFY(p.waitForFinished(10000));
            const QString out = QString::fromUtf8(p.readAll());
            QVERIFY2(p.exitCode() != 0, qPrintable(out));
            QVERIFY2(out.contains(c.message), qPrintable(c.message + QStringLiteral(": ") + out));
        }
    }

    void upstreamTlsFollowsSslmode()
    {
        // Production without TLS first: sslmode=require must not fall back to plain text.
        {
            ProxyProcess proxy;
            QVERIFY(proxy.start({}, QStringLiteral("sslmode=require")));
            const Probe p = probe(
                proxy.conninfo(QStringLiteral("password=%1 sslmode=disable").arg(labPassword())),
                QStringLiteral("SELECT 1"));
            QVERIFY(!p.ok);
            QVERIFY2(p.error.contains(QLatin1String("does not support TLS")), qPrintable(p.error));
        }
        enableServerTls();
        const QString sslInUse =
            QStringLiteral("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        {
            // verify-full against the test CA, TLS on both sides, SCRAM through the proxy. The
            // proxy presents the server's own certificate, so channel binding holds end to end.
            ProxyProcess proxy;
            QVERIFY2(proxy.start(tlsArgs(), QStringLiteral("sslmode=verify-full sslrootcert=%1")
                                                .arg(file(QStringLiteral("ca.crt")))),
                     qPrintable(proxy.log()));
            const Probe p = probe(proxy.conninfo(verifyFull()), sslInUse);
            QVERIFY2(p.ok, qPrintable(p.error + proxy.log()));
            QVERIFY(p.tls);
            QCOMPARE(p.value, QStringLiteral("t"));
            const Probe bound =
                probe(proxy.conninfo(verifyFull() + QStringLiteral(" channel_binding=require")),
                      QStringLiteral("SELECT 1"));
            QVERIFY2(bound.ok, qPrintable(bound.error));
            auto bench = runClient(
                QStringLiteral("pgbench"),
                {QStringLiteral("-n"), QStringLiteral("-S"), QStringLiteral("-M"),
                 QStringLiteral("prepared"), QStringLiteral("-c"), QStringLiteral("4"),
                 QStringLiteral("-j"), QStringLiteral("2"), QStringLiteral("-t"),
                 QStringLiteral("200"), proxy.conninfo(QStringLiteral("sslmode=disable"))});
            QVERIFY2(bench.out.contains(QLatin1String("number of failed transactions: 0")),
                     qPrintable(bench.out + bench.err));
        }
        {
            // With a certificate of its own, channel binding cannot hold: the proxy says so,
            // and a client that does without it gets in.
            ProxyProcess proxy;
            QVERIFY(
                proxy.start({QStringLiteral("--tls-cert"), file(QStringLiteral("other-server.crt")),
                             QStringLiteral("--tls-key"), file(QStringLiteral("other-server.key"))},
                            QStringLiteral("sslmode=require")));
            const QString client = QStringLiteral("password=%1 sslmode=require").arg(labPassword());
            const Probe refused = probe(proxy.conninfo(client), QStringLiteral("SELECT 1"));
            QVERIFY(!refused.ok);
            QVERIFY2(refused.error.contains(QLatin1String("channel_binding=disable")),
                     qPrintable(refused.error));
            const Probe p = probe(
                proxy.conninfo(client + QStringLiteral(" channel_binding=disable")), sslInUse);
            QVERIFY2(p.ok && p.tls, qPrintable(p.error));
            QCOMPARE(p.value, QStringLiteral("t"));
        }
        {
            // The default sslmode=prefer takes TLS when the server offers it.
            ProxyProcess proxy;
            QVERIFY(proxy.start());
            const Probe p = probe(
                proxy.conninfo(QStringLiteral("password=%1 sslmode=disable").arg(labPassword())),
                sslInUse);
            QVERIFY2(p.ok, qPrintable(p.error));
            QCOMPARE(p.value, QStringLiteral("t"));
        }
        {
            // A server certificate from another CA is refused, and the client is told why.
            ProxyProcess proxy;
            QVERIFY(proxy.start({}, QStringLiteral("sslmode=verify-ca sslrootcert=%1")
                                        .arg(file(QStringLiteral("other-ca.crt")))));
            const Probe p = probe(
                proxy.conninfo(QStringLiteral("password=%1 sslmode=disable").arg(labPassword())),
                QStringLiteral("SELECT 1"));
            QVERIFY(!p.ok);
            QVERIFY2(p.error.contains(QLatin1String("certificate verify failed")),
                     qPrintable(p.error));
        }
        disableServerTls();
    }
};

QTEST_GUILESS_MAIN(TestProxyTls)
#include "TestProxyTls.moc"
