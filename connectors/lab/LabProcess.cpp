// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMultiHash>
#include <QProcess>
#include <QSaveFile>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace doppel::lab {

bool runningAsRoot()
{
    return geteuid() == 0;
}

QString currentUserName()
{
    if (const passwd* pw = getpwuid(geteuid()))
        return QString::fromLocal8Bit(pw->pw_name);
    return QString::fromLocal8Bit(qgetenv("USER"));
}

Result<QByteArray> run(const QString& program, const QStringList& args, const RunOptions& options)
{
    QProcess process;
    process.setProcessEnvironment(options.env);
    if (!options.workingDir.isEmpty())
        process.setWorkingDirectory(options.workingDir);
    process.setProcessChannelMode(QProcess::MergedChannels);
    QString exe = program;
    QStringList argv = args;
    if (options.asPostgres && runningAsRoot()) {
        argv = QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                           program} +
               args;
        exe = QStringLiteral("runuser");
    }
    process.start(exe, argv);
    if (!process.waitForStarted(10000))
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("Cannot start %1: %2").arg(exe, process.errorString()));
    process.closeWriteChannel();
    if (!process.waitForFinished(options.timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return makeError(ErrorCode::Timeout, QStringLiteral("%1 did not finish within %2 s")
                                                 .arg(program)
                                                 .arg(options.timeoutMs / 1000));
    }
    const QByteArray output = process.readAll();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return makeError(ErrorCode::Unknown,
                         QStringLiteral("%1 %2 failed (exit %3): %4")
                             .arg(program, args.join(QLatin1Char(' ')))
                             .arg(process.exitCode())
                             .arg(QString::fromLocal8Bit(output.right(2000)).trimmed()));
    return output;
}

Result<int> freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return makeError(ErrorCode::Io, QStringLiteral("socket() failed"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    if (port <= 0)
        return makeError(ErrorCode::Io, QStringLiteral("No free port on 127.0.0.1"));
    return port;
}

bool portAcceptsConnections(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(quint16(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

bool processAlive(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return errno == EPERM && pid > 0;
    // A zombie nobody reaps (no init in a container) still answers kill(0): read its state.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const int paren = line.lastIndexOf(')');
    return !(paren > 0 && line.size() > paren + 2 && line.at(paren + 2) == 'Z');
}

bool stopProcess(qint64 pid, int signal, int timeoutMs, bool wholeGroup)
{
    if (!processAlive(pid))
        return true;
    ::kill(wholeGroup ? -pid_t(pid) : pid_t(pid), signal);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!processAlive(pid))
            return true;
        QThread::msleep(50);
    }
    ::kill(wholeGroup ? -pid_t(pid) : pid_t(pid), SIGKILL);
    for (int i = 0; i < 100 && processAlive(pid); ++i)
        QThread::msleep(50);
    return !processAlive(pid);
}

static QList<qint64> descendants(qint64 root)
{
    QMultiHash<qint64, qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        const int paren = line.lastIndexOf(')');
        const QList<QByteArray> rest = line.mid(paren + 2).split(' ');
        if (rest.size() > 1)
            children.insert(rest[1].toLongLong(), pid);
    }
    QList<qint64> out;
    QList<qint64> queue{root};
    while (!queue.isEmpty()) {
        const qint64 pid = queue.takeFirst();
        for (qint64 child : children.values(pid)) {
            out.append(child);
            queue.append(child);
        }
    }
    return out;
}

bool stopProcessTree(qint64 pid, int signal, int timeoutMs)
{
    const QList<qint64> tree = descendants(pid);
    bool ok = stopProcess(pid, signal, timeoutMs);
    for (qint64 child : tree)
        ok = stopProcess(child, SIGTERM, 5000) && ok;
    return ok;
}

Status writePrivateFile(const QString& path, const QByteArray& content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Io,
                         QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(content);
    if (!file.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return Ok{};
}

} // namespace doppel::lab
