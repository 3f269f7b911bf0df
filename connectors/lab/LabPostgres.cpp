// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabPostgres.h"

#include "LabProcess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <signal.h>
#include <unistd.h>

namespace doppel::lab {

Result<QString> postgresBinDir()
{
    const QString env = QString::fromLocal8Bit(qgetenv("DOPPEL_PG_BINDIR"));
    for (const QString& dir : {env, QStringLiteral("/usr/lib/postgresql/15/bin")})
        if (!dir.isEmpty() && QFileInfo::exists(dir + QStringLiteral("/initdb")))
            return dir;
    const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    if (!initdb.isEmpty())
        return QFileInfo(initdb).absolutePath();
    return makeError(ErrorCode::Unavailable,
                     QStringLiteral("PostgreSQL 15 server binaries not found (looked in "
                                    "$DOPPEL_PG_BINDIR, /usr/lib/postgresql/15/bin and PATH); "
                                    "install the postgresql-15 package"));
}

static Status chownToPostgres(const QString& path)
{
    if (!runningAsRoot())
        return Ok{};
    auto r = run(QStringLiteral("chown"),
                 {QStringLiteral("-R"), QStringLiteral("postgres:postgres"), path});
    if (!r)
        return r.error();
    return Ok{};
}

qint64 postmasterPid(const QString& dataDir)
{
    QFile file(dataDir + QStringLiteral("/postmaster.pid"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readLine().trimmed().toLongLong();
}

Result<LabState::Cluster> createCluster(const QString& dataDir, int port, const QString& password)
{
    auto bin = postgresBinDir();
    if (!bin)
        return bin.error();
    const QString root = QFileInfo(dataDir).absolutePath();
    const QString socketDir = root + QStringLiteral("/sock-") + QString::number(port);
    QDir().mkpath(socketDir);
    QFile::setPermissions(socketDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString pwfile = root + QStringLiteral("/pwfile-") + QString::number(port);
    if (auto st = writePrivateFile(pwfile, password.toUtf8()); !st)
        return st.error();
    if (auto st = chownToPostgres(socketDir); !st)
        return st.error();
    if (auto st = chownToPostgres(pwfile); !st)
        return st.error();

    RunOptions asPg;
    asPg.asPostgres = true;
    asPg.workingDir = QStringLiteral("/");
    auto init = run(*bin + QStringLiteral("/initdb"),
                    {QStringLiteral("-D"), dataDir, QStringLiteral("-U"), QStringLiteral("doppel"),
                     QStringLiteral("--pwfile=") + pwfile, QStringLiteral("--auth-local=trust"),
                     QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("-E"),
                     QStringLiteral("UTF8"), QStringLiteral("--locale=C.UTF-8"),
                     QStringLiteral("--no-sync")},
                    asPg);
    QFile::remove(pwfile);
    if (!init)
        return init.error();

    // Loopback only; the socket folder is private to the cluster's owner, which is why local
    // trust is safe; scram for every TCP client.
    const QByteArray conf =
        QStringLiteral("\n# Doppel lab\n"
                       "listen_addresses = '127.0.0.1'\n"
                       "port = %1\n"
                       "unix_socket_directories = '%2'\n"
                       "unix_socket_permissions = 0700\n"
                       "wal_level = logical\n"
                       "max_replication_slots = 10\n"
                       "max_wal_senders = 10\n"
                       "max_connections = 100\n"
                       "shared_buffers = 128MB\n"
                       "shared_preload_libraries = 'pg_stat_statements'\n"
                       "log_line_prefix = '%m [%p] %q%c %u@%d '\n" // arg() leaves %m alone
                       // Logs a DBA imports (csvlog and stderr, in
                       // <data>/log); what is logged is set per database.
                       "logging_collector = on\n"
                       "log_destination = 'stderr,csvlog'\n"
                       "log_directory = 'log'\n"
                       "log_timezone = 'UTC'\n")
            .arg(port)
            .arg(socketDir)
            .toUtf8();
    // As root the data folder belongs to postgres; appending through runuser keeps ownership.
    RunOptions append = asPg;
    auto appended =
        run(QStringLiteral("sh"),
            {QStringLiteral("-c"),
             QStringLiteral("cat >> \"$1\" <<'EOF'\n%1EOF").arg(QString::fromUtf8(conf)),
             QStringLiteral("sh"), dataDir + QStringLiteral("/postgresql.conf")},
            append);
    if (!appended)
        return appended.error();

    auto started = run(*bin + QStringLiteral("/pg_ctl"),
                       {QStringLiteral("-D"), dataDir, QStringLiteral("-l"),
                        dataDir + QStringLiteral("/server.log"), QStringLiteral("-w"),
                        QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
                       asPg);
    if (!started)
        return started.error();

    LabState::Cluster cluster;
    cluster.port = port;
    cluster.dataDir = dataDir;
    cluster.pid = postmasterPid(dataDir);
    if (cluster.pid <= 0)
        return makeError(
            ErrorCode::Unknown,
            QStringLiteral("PostgreSQL in %1 started but wrote no postmaster.pid").arg(dataDir));
    return cluster;
}

Status stopCluster(const LabState::Cluster& cluster)
{
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended, a checkpoint is written.
    if (!stopProcess(cluster.pid, SIGINT, 60000))
        return makeError(ErrorCode::Unknown,
                         QStringLiteral("PostgreSQL (pid %1) did not stop").arg(cluster.pid));
    return Ok{};
}

} // namespace doppel::lab
