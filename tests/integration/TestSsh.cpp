// SPDX-License-Identifier: GPL-3.0-or-later
// SshSession against the lab's real sshd: exec, SFTP, every authentication method, host key
// refusals and network failures. Loopback only.
#include "SshTestSupport.h"
#include "ssh/KnownHosts.h"
#include "ssh/SshSession.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;
using namespace doppel::ssh;
using namespace doppel::test;

Q_DECLARE_METATYPE(doppel::ErrorCode)

class TestSsh : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void execGivesOutputErrorAndExitCode();
    void execReadsLargeStdoutAndStderr();
    void sftpRead_data();
    void sftpRead();
    void keepaliveAndClient();
    void cancelledBeforeConnecting();
    void wrongKeyIsAuth();
    void wrongPasswordIsAuth();
    void unknownHostKeyThenTrusted();
    void changedHostKeyIsRefused();
    void silentPeerTimesOut();
    void refusedPortIsRefused();
    void agentAuthentication();
    void agentWithoutSocketIsAuth();

private:
    QTemporaryDir m_dir;
};

void TestSsh::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const LabState& lab = test::sharedLab();
    QVERIFY2(lab.ssh.port > 0 && lab.production.port > 0, "the lab has no sshd or PostgreSQL");
}

void TestSsh::execGivesOutputErrorAndExitCode()
{
    auto session = SshSession::connect(labOptions());
    QVERIFY2(session.ok(), why(session));
    QCOMPARE((*session)->hostKeyType(), QStringLiteral("ssh-ed25519"));
    QCOMPARE((*session)->hostKeyFingerprint(), labFingerprint());
    auto r = (*session)->exec(QStringLiteral("echo hi; echo err >&2; exit 3"));
    QVERIFY2(r.ok(), why(r));
    QCOMPARE(r->out, QByteArray("hi\n"));
    QCOMPARE(r->err, QByteArray("err\n"));
    QCOMPARE(r->exitCode, 3);
    // The session stays usable for the next command.
    auto again = (*session)->exec(QStringLiteral("true"));
    QVERIFY2(again.ok(), why(again));
    QCOMPARE(again->exitCode, 0);
}

void TestSsh::execReadsLargeStdoutAndStderr()
{
    // Both streams well beyond libssh2's channel window: reading one while the other fills
    // must not deadlock.
    auto session = SshSession::connect(labOptions());
    QVERIFY2(session.ok(), why(session));
    auto r = (*session)->exec(QStringLiteral(
        "head -c 3000000 /dev/zero | tr '\\0' e >&2; head -c 3000001 /dev/zero | tr '\\0' o"));
    QVERIFY2(r.ok(), why(r));
    QCOMPARE(r->err.size(), 3000000);
    QCOMPARE(r->out.size(), 3000001);
    QCOMPARE(r->out.count('o'), 3000001);
    QCOMPARE(r->exitCode, 0);
}

void TestSsh::sftpRead_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<ErrorCode>("expected"); // Unknown: the read succeeds
    QTest::newRow("/proc/loadavg is read")
        << "/proc/loadavg" << qint64(1 << 20) << ErrorCode::Unknown;
    QTest::newRow("a missing file is NotFound")
        << "/nonexistent/doppel-test" << qint64(1 << 20) << ErrorCode::NotFound;
    QTest::newRow("a file over the limit is refused")
        << "/proc/self/status" << qint64(16) << ErrorCode::InvalidInput;
}

void TestSsh::sftpRead()
{
    QFETCH(QString, path);
    QFETCH(qint64, maxBytes);
    QFETCH(ErrorCode, expected);
    auto session = SshSession::connect(labOptions());
    QVERIFY2(session.ok(), why(session));
    auto content = (*session)->readFile(path, maxBytes);
    if (expected == ErrorCode::Unknown) {
        QVERIFY2(content.ok(), why(content));
        // "0.12 0.34 0.56 1/234 5678"
        QCOMPARE(content->trimmed().split(' ').size(), 5);
        return;
    }
    QVERIFY(!content.ok());
    QCOMPARE(content.error().code, expected);
    QVERIFY2(content.error().message.contains(path), why(content));
    // A failed read leaves SFTP working.
    auto next = (*session)->readFile(QStringLiteral("/proc/loadavg"));
    QVERIFY2(next.ok() && !next->isEmpty(), why(next));
}

void TestSsh::keepaliveAndClient()
{
    auto session = SshSession::connect(labOptions());
    QVERIFY2(session.ok(), why(session));
    QVERIFY((*session)->isAlive());
    Status alive = (*session)->keepalive();
    QVERIFY2(alive.ok(), why(alive));

    SshClient client(labOptions());
    auto r = client.exec(QStringLiteral("echo one"));
    QVERIFY2(r.ok(), why(r));
    QCOMPARE(r->out, QByteArray("one\n"));
    auto file = client.readFile(QStringLiteral("/proc/loadavg"));
    QVERIFY2(file.ok(), why(file));
}

void TestSsh::cancelledBeforeConnecting()
{
    CancelToken cancel;
    cancel.cancel();
    auto session = SshSession::connect(labOptions(), cancel);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Cancelled);
}

void TestSsh::wrongKeyIsAuth()
{
    const QString key = m_dir.filePath(QStringLiteral("stranger"));
    runTool(QStringLiteral("ssh-keygen"),
            {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
             QStringLiteral("-N"), QString(), QStringLiteral("-f"), key});
    SshOptions o = labOptions();
    o.endpoint.keyFile = key;
    auto session = SshSession::connect(o);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Auth);
    QVERIFY2(session.error().message.contains(key), why(session));
    QVERIFY2(session.error().detail.contains(QStringLiteral("libssh2 error")), why(session));
}

void TestSsh::wrongPasswordIsAuth()
{
    SshOptions o = labOptions();
    o.endpoint.auth = SshAuth::Password;
    o.password = QStringLiteral("certainly-not-the-password");
    auto session = SshSession::connect(o);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Auth);
    QVERIFY2(session.error().message.contains(o.endpoint.user + QLatin1Char('@')), why(session));
}

void TestSsh::unknownHostKeyThenTrusted()
{
    const QString file = m_dir.filePath(QStringLiteral("empty_known_hosts"));
    QFile empty(file);
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    SshOptions o = labOptions();
    o.endpoint.knownHostsFile = file;
    auto session = SshSession::connect(o);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::HostKeyUnknown);
    const QString fingerprint = labFingerprint();
    QVERIFY2(session.error().message.contains(fingerprint), why(session));
    QVERIFY2(session.error().message.contains(QStringLiteral("ssh-ed25519")), why(session));
    QVERIFY2(session.error().message.contains(file), why(session));

    // The UI's way out: fetch the key, show it, the user accepts, it is added.
    auto pending = fetchHostKey(o.endpoint, o.timeout);
    QVERIFY2(pending.ok(), why(pending));
    QCOMPARE(pending->fingerprint, fingerprint);
    QCOMPARE(KnownHosts::fingerprint(pending->keyBlob), fingerprint);
    QCOMPARE(pending->keyType, QStringLiteral("ssh-ed25519"));
    Status added = KnownHosts::add(file, *pending);
    QVERIFY2(added.ok(), why(added));
    auto trusted = SshSession::connect(o);
    QVERIFY2(trusted.ok(), why(trusted));
}

void TestSsh::changedHostKeyIsRefused()
{
    const QString other = m_dir.filePath(QStringLiteral("impostor"));
    runTool(QStringLiteral("ssh-keygen"),
            {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
             QStringLiteral("-N"), QString(), QStringLiteral("-f"), other});
    QFile pub(other + QStringLiteral(".pub"));
    QVERIFY(pub.open(QIODevice::ReadOnly));
    const QList<QByteArray> fields = pub.readAll().trimmed().split(' ');
    QVERIFY(fields.size() >= 2);
    const QByteArray typeAndKey = fields[0] + ' ' + fields[1];
    const int port = test::sharedLab().ssh.port;
    const QString file = m_dir.filePath(QStringLiteral("changed_known_hosts"));
    QFile hosts(file);
    QVERIFY(hosts.open(QIODevice::WriteOnly));
    hosts.write(QStringLiteral("[127.0.0.1]:%1 ").arg(port).toUtf8() + typeAndKey + '\n');
    hosts.close();

    SshOptions o = labOptions();
    o.endpoint.knownHostsFile = file;
    auto session = SshSession::connect(o);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::HostKeyChanged);
    const QString& message = session.error().message;
    QVERIFY2(message.contains(QStringLiteral("CHANGED")), why(session));
    QVERIFY2(message.contains(QStringLiteral("ssh-keygen -R '[127.0.0.1]:%1'").arg(port)),
             why(session));
    QVERIFY2(message.contains(labFingerprint()), why(session));
}

void TestSsh::silentPeerTimesOut()
{
    test::SilentListener silent;
    SshOptions o = labOptions();
    o.endpoint.port = silent.port();
    o.timeout = std::chrono::milliseconds(1500);
    QElapsedTimer timer;
    timer.start();
    auto session = SshSession::connect(o);
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Timeout);
    QVERIFY2(elapsed >= 1400 && elapsed < 2500, qPrintable(QString::number(elapsed)));
    QVERIFY2(session.error().message.contains(QStringLiteral("no answer within 1.5 s")),
             why(session));
}

void TestSsh::refusedPortIsRefused()
{
    SshOptions o = labOptions();
    o.endpoint.port = test::refusedPort();
    auto session = SshSession::connect(o);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Refused);
    QVERIFY2(session.error().message.contains(QString::number(o.endpoint.port)), why(session));
}

void TestSsh::agentAuthentication()
{
    const QString socketPath = m_dir.filePath(QStringLiteral("agent.sock"));
    QProcess agent;
    agent.start(QStringLiteral("ssh-agent"),
                {QStringLiteral("-D"), QStringLiteral("-a"), socketPath});
    QVERIFY(agent.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketPath), 5000);
    const QByteArray saved = qgetenv("SSH_AUTH_SOCK");
    qputenv("SSH_AUTH_SOCK", QFile::encodeName(socketPath));
    QProcess add;
    add.start(QStringLiteral("ssh-add"), {test::sharedLab().ssh.key});
    const bool added = add.waitForFinished(10000) && add.exitCode() == 0;

    SshOptions o = labOptions();
    o.endpoint.auth = SshAuth::Agent;
    o.endpoint.keyFile.clear();
    auto session = SshSession::connect(o);
    Result<ExecResult> r = makeError(ErrorCode::Unknown, QStringLiteral("not run"));
    if (session.ok())
        r = (*session)->exec(QStringLiteral("echo agent"));

    agent.kill(); // by its own pid
    agent.waitForFinished(5000);
    if (saved.isEmpty())
        qunsetenv("SSH_AUTH_SOCK");
    else
        qputenv("SSH_AUTH_SOCK", saved);
    QVERIFY2(added, add.readAllStandardError().constData());
    QVERIFY2(session.ok(), why(session));
    QVERIFY2(r.ok(), why(r));
    QCOMPARE(r->out, QByteArray("agent\n"));
}

void TestSsh::agentWithoutSocketIsAuth()
{
    const QByteArray saved = qgetenv("SSH_AUTH_SOCK");
    qunsetenv("SSH_AUTH_SOCK");
    SshOptions o = labOptions();
    o.endpoint.auth = SshAuth::Agent;
    auto session = SshSession::connect(o);
    if (!saved.isEmpty())
        qputenv("SSH_AUTH_SOCK", saved);
    QVERIFY(!session.ok());
    QCOMPARE(session.error().code, ErrorCode::Auth);
    QVERIFY2(session.error().message.contains(QStringLiteral("SSH_AUTH_SOCK is not set")),
             why(session));
}

QTEST_GUILESS_MAIN(TestSsh)
#include "TestSsh.moc"
