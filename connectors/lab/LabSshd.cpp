// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabSshd.h"

#include "LabProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

#include <signal.h>

namespace doppel::lab {

static Result<QString> sshdPath()
{
    for (const QString& candidate :
         {QStringLiteral("/usr/sbin/sshd"), QStandardPaths::findExecutable(QStringLiteral("sshd"))})
        if (!candidate.isEmpty() && QFileInfo::exists(candidate))
            return candidate; // sshd insists on being started by its absolute path
    return makeError(ErrorCode::Unavailable,
                     QStringLiteral("sshd not found: install the openssh-server package"));
}

static Result<QByteArray> readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, QStringLiteral("Cannot read %1").arg(path));
    return f.readAll();
}

Result<LabState::Ssh> startSshd(const QString& sshDir, int port)
{
    auto sshd = sshdPath();
    if (!sshd)
        return sshd.error();
    QDir().mkpath(sshDir);
    QFile::setPermissions(sshDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString hostKey = sshDir + QStringLiteral("/ssh_host_ed25519_key");
    const QString userKey = sshDir + QStringLiteral("/id_ed25519");
    for (const auto& [key, comment] : {std::pair{hostKey, QStringLiteral("doppel-lab-host")},
                                       std::pair{userKey, QStringLiteral("doppel-lab-user")}}) {
        QFile::remove(key);
        QFile::remove(key + QStringLiteral(".pub"));
        auto r = run(QStringLiteral("ssh-keygen"),
                     {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                      QStringLiteral("-N"), QString(), QStringLiteral("-C"), comment,
                      QStringLiteral("-f"), key});
        if (!r)
            return r.error();
    }
    auto userPub = readFile(userKey + QStringLiteral(".pub"));
    auto hostPub = readFile(hostKey + QStringLiteral(".pub"));
    if (!userPub || !hostPub)
        return makeError(ErrorCode::Io,
                         QStringLiteral("ssh-keygen wrote no public key in %1").arg(sshDir));
    if (auto st = writePrivateFile(sshDir + QStringLiteral("/authorized_keys"), *userPub); !st)
        return st.error();
    // "[127.0.0.1]:port type key" - the form OpenSSH and libssh2 use for ports other than 22.
    const QList<QByteArray> hostFields = hostPub->trimmed().split(' ');
    const QByteArray knownHostsLine = QStringLiteral("[127.0.0.1]:%1 ").arg(port).toUtf8() +
                                      hostFields.value(0) + ' ' + hostFields.value(1) + '\n';
    const QString knownHosts = sshDir + QStringLiteral("/known_hosts");
    if (auto st = writePrivateFile(knownHosts, knownHostsLine); !st)
        return st.error();

    const QString pidFile = sshDir + QStringLiteral("/sshd.pid");
    QFile::remove(pidFile);
    // StrictModes off: the lab may live under /tmp, whose sticky world-writable bit OpenSSH
    // would otherwise refuse. Only the lab key logs in, only on loopback.
    const QByteArray config = QStringLiteral("Port %1\n"
                                             "ListenAddress 127.0.0.1\n"
                                             "HostKey %2\n"
                                             "AuthorizedKeysFile %3/authorized_keys\n"
                                             "PidFile %4\n"
                                             "StrictModes no\n"
                                             "UsePAM no\n"
                                             "PasswordAuthentication yes\n"
                                             "KbdInteractiveAuthentication no\n"
                                             "PubkeyAuthentication yes\n"
                                             "PermitRootLogin prohibit-password\n"
                                             "AllowTcpForwarding yes\n"
                                             "Subsystem sftp internal-sftp\n"
                                             "LogLevel INFO\n")
                                  .arg(port)
                                  .arg(hostKey, sshDir, pidFile)
                                  .toUtf8();
    const QString configFile = sshDir + QStringLiteral("/sshd_config");
    if (auto st = writePrivateFile(configFile, config); !st)
        return st.error();
    if (runningAsRoot())
        QDir().mkpath(QStringLiteral("/run/sshd")); // privilege separation folder sshd requires

    auto started = run(*sshd, {QStringLiteral("-f"), configFile, QStringLiteral("-E"),
                               sshDir + QStringLiteral("/sshd.log")});
    if (!started)
        return started.error();

    QElapsedTimer timer;
    timer.start();
    LabState::Ssh ssh;
    while (timer.elapsed() < 15000) {
        QFile f(pidFile);
        if (f.open(QIODevice::ReadOnly))
            ssh.pid = f.readAll().trimmed().toLongLong();
        if (ssh.pid > 0 && portAcceptsConnections(port))
            break;
        QThread::msleep(50);
    }
    if (ssh.pid <= 0 || !portAcceptsConnections(port)) {
        auto log = readFile(sshDir + QStringLiteral("/sshd.log"));
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("sshd did not start on 127.0.0.1:%1: %2")
                             .arg(port)
                             .arg(QString::fromUtf8(log.valueOr({}).right(1000))));
    }
    ssh.host = QStringLiteral("127.0.0.1");
    ssh.port = port;
    ssh.user = currentUserName();
    ssh.key = userKey;
    ssh.knownHosts = knownHosts;
    return ssh;
}

Status stopSshd(const LabState::Ssh& ssh)
{
    // Each open SSH session is a child sshd that outlives its listener: stop them all.
    if (!stopProcessTree(ssh.pid, SIGTERM, 10000))
        return makeError(ErrorCode::Unknown,
                         QStringLiteral("sshd (pid %1) did not stop").arg(ssh.pid));
    return Ok{};
}

} // namespace doppel::lab
