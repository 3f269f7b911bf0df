// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the TestProxy* integration tests: doppel-proxy as a child process on a free loopback
// port in front of the lab's production, real client programs run through it, and libpq for
// checks made directly against production.

#include "LabFixture.h"
#include "workload/CaptureReader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace doppel::test {

inline QString binDir()
{
    const QByteArray env = qgetenv("DOPPEL_BIN_DIR");
    return env.isEmpty() ? QCoreApplication::applicationDirPath() : QString::fromLocal8Bit(env);
}

inline int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// The lab's password for role doppel, from its passfile (lab.json does not keep it).
inline QString labPassword()
{
    QFile f(sharedLab().dir + QStringLiteral("/pgpass"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readLine().trimmed()).section(QLatin1Char(':'), 4);
}

inline QString productionConninfo()
{
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel password=%2")
        .arg(sharedLab().production.port)
        .arg(labPassword());
}

// A doppel-proxy child process in front of lab production.
class ProxyProcess
{
public:
    ~ProxyProcess() { stop(); }

    // `upstreamExtra` is appended to the upstream conninfo (e.g. "user=doppel dbname=pgbench").
    bool start(const QStringList& extra = {}, const QString& upstreamExtra = {})
    {
        m_port = freePort();
        m_process.setProgram(binDir() + QStringLiteral("/doppel-proxy"));
        m_process.setArguments(QStringList{QStringLiteral("--listen"),
                                           QStringLiteral("127.0.0.1:%1").arg(m_port),
                                           QStringLiteral("--upstream"),
                                           QStringLiteral("host=127.0.0.1 port=%1 %2")
                                               .arg(sharedLab().production.port)
                                               .arg(upstreamExtra)} +
                               extra);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        for (int i = 0; i < 100; ++i) {
            QTcpSocket probe;
            probe.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_port));
            if (probe.waitForConnected(100))
                return true;
            if (m_process.state() != QProcess::Running)
                return false;
            QTest::qWait(50);
        }
        return false;
    }
    // SIGTERM, then wait for the drain; returns the exit code.
    int stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitCode();
        ::kill(pid_t(m_process.processId()), SIGTERM);
        if (!m_process.waitForFinished(40000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
            return -1;
        }
        m_log += QString::fromUtf8(m_process.readAll());
        return m_process.exitCode();
    }
    qint64 pid() const { return m_process.processId(); }
    int port() const { return m_port; }
    bool running() const { return m_process.state() == QProcess::Running; }
    QString log()
    {
        m_log += QString::fromUtf8(m_process.readAll());
        return m_log;
    }
    QString conninfo(const QString& extra = {}) const
    {
        return QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel %2")
            .arg(m_port)
            .arg(extra);
    }

private:
    QProcess m_process;
    int m_port = 0;
    QString m_log;

public:
    QProcess& process() { return m_process; }
};

struct ClientRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs a client program with the lab password in its environment.
inline ClientRun runClient(const QString& program, const QStringList& args,
                           const QByteArray& input = {}, int timeoutMs = 120000,
                           const QString& password = labPassword())
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSWORD"), password);
    env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("10"));
    p.setProcessEnvironment(env);
    p.start(program, args);
    ClientRun r;
    if (!p.waitForStarted(5000)) {
        r.err = program + QStringLiteral(" did not start");
        return r;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = program + QStringLiteral(" timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

inline ClientRun psql(const QString& conninfo, const QStringList& args,
                      const QByteArray& input = {})
{
    return runClient(QStringLiteral("psql"),
                     QStringList{QStringLiteral("-X"), QStringLiteral("-v"),
                                 QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-At"),
                                 QStringLiteral("-d"), conninfo} +
                         args,
                     input);
}

// One statement straight against production (not through the proxy); the first value.
inline QString directScalar(const QString& sql)
{
    PGconn* c = PQconnectdb(productionConninfo().toUtf8().constData());
    QString out;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQexec(c, sql.toUtf8().constData());
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
            out = QString::fromUtf8(PQgetvalue(r, 0, 0));
        else if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
            qWarning("%s: %s", qPrintable(sql), PQresultErrorMessage(r));
        PQclear(r);
    } else {
        qWarning("%s", PQerrorMessage(c));
    }
    PQfinish(c);
    return out;
}

inline QList<CaptureRecord> readCapture(const QString& dir, CaptureReader* keep = nullptr)
{
    QList<CaptureRecord> out;
    CaptureReader reader(dir);
    const auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind == CaptureRecord::Kind::Statement)
            out.append(r);
    });
    if (!st)
        qWarning("%s", qPrintable(st.error().message));
    if (keep)
        *keep = reader;
    return out;
}

} // namespace doppel::test
