// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorCaptureService.h"

#include "postgres/Conninfo.h"
#include "ssh/SshHostOptions.h"
#include "ssh/SshSession.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QThread>

#include <libpq-fe.h>

namespace doppel::capture {

namespace {

using namespace std::chrono_literals;

constexpr auto StartTimeout = 15s;
constexpr auto ExecTimeout = 15s;

QString quoted(const QString& s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QString pidFile(const QString& dir)
{
    return dir + QStringLiteral("/doppel-proxy.pid");
}

QString logFile(const QString& dir)
{
    return dir + QStringLiteral("/doppel-proxy.log");
}

// True (prints "yes") while the pid is a live doppel-proxy; a zombie or a reused pid is not.
QString aliveCheck(qint64 pid)
{
    return QStringLiteral("if kill -0 %1 2>/dev/null && grep -q doppel-proxy /proc/%1/cmdline "
                          "2>/dev/null; then echo yes; else echo no; fi")
        .arg(pid);
}

// The proxy's last complaint in its log, without the timestamp prefix.
QString lastLogLine(const QString& log)
{
    const QStringList lines = log.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return QStringLiteral("it exited without a word");
    const QString last = lines.last();
    const int at = last.indexOf(QLatin1String("doppel-proxy: "));
    return (at >= 0 ? last.mid(at + 14) : last).trimmed();
}

Result<QString> passwordless(const QString& conninfo, const char* what)
{
    auto stripped = pg::Conninfo::withoutPassword(conninfo);
    if (!stripped)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("the %1 conninfo is not valid: %2")
                             .arg(QLatin1String(what), stripped.error().message));
    return stripped;
}

// Whether production answers at all, from this machine (the proxy would otherwise start and
// fail every client later).
Status checkUpstream(const QString& conninfo)
{
    const QByteArray ci = (conninfo + QStringLiteral(" connect_timeout=5")).toUtf8();
    switch (PQping(ci.constData())) {
    case PQPING_OK:
    case PQPING_REJECT: // it answers, but says no (e.g. starting up): the proxy can still relay
        return Ok{};
    case PQPING_NO_RESPONSE:
        return makeError(ErrorCode::Refused,
                         QStringLiteral("production does not answer at %1 (connection refused "
                                        "or unreachable)")
                             .arg(conninfo));
    case PQPING_NO_ATTEMPT:
        break;
    }
    return makeError(ErrorCode::InvalidInput,
                     QStringLiteral("the production conninfo is not valid: %1").arg(conninfo));
}

Result<QByteArray> httpGetLocal(int port, const CancelToken& cancel)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    if (!socket.waitForConnected(2000))
        return makeError(socket.error() == QAbstractSocket::ConnectionRefusedError
                             ? ErrorCode::Refused
                             : ErrorCode::Timeout,
                         QStringLiteral("the proxy's metrics endpoint 127.0.0.1:%1 does not "
                                        "answer: %2")
                             .arg(port)
                             .arg(socket.errorString()));
    socket.write("GET /metrics HTTP/1.0\r\n\r\n");
    QByteArray body;
    const QDeadlineTimer deadline(3s);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        socket.waitForReadyRead(200);
        body += socket.readAll();
    }
    body += socket.readAll();
    return body;
}

} // namespace

ProxyCounters parsePrometheusText(const QByteArray& text)
{
    ProxyCounters c;
    for (const QByteArray& raw : text.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (!line.startsWith("doppel_proxy_"))
            continue;
        const int space = line.lastIndexOf(' ');
        bool ok = false;
        const double v = line.mid(space + 1).toDouble(&ok);
        QByteArray name = line.left(space);
        if (const int brace = name.indexOf('{'); brace >= 0)
            name.truncate(brace);
        if (space > 0 && ok)
            c.values.insert(QString::fromLatin1(name), v);
    }
    return c;
}

ConnectorCaptureService::ConnectorCaptureService(SecretStore& secrets) : m_secrets(secrets)
{}

ConnectorCaptureService::~ConnectorCaptureService() = default;

Result<ConnectorCaptureService::ExecOut>
ConnectorCaptureService::shell(const std::optional<Host>& host, const QString& script,
                               const CancelToken& cancel)
{
    if (cancel.isCancelled())
        return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
    if (!host) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
        if (!p.waitForFinished(int(std::chrono::milliseconds(ExecTimeout).count()))) {
            p.kill();
            p.waitForFinished(1000);
            return makeError(ErrorCode::Timeout, QStringLiteral("a local shell did not finish"));
        }
        return ExecOut{QString::fromUtf8(p.readAll()), p.exitCode()};
    }
    // Take the host's session out of the map so the slow exec runs without the lock.
    std::unique_ptr<ssh::SshClient> client;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_ssh.find(host->name); it != m_ssh.end() && it->second)
            client = std::move(it->second);
    }
    if (!client)
        client =
            std::make_unique<ssh::SshClient>(ssh::optionsForHost(*host, m_secrets, ExecTimeout));
    auto r = client->exec(script, cancel);
    {
        std::lock_guard lock(m_mutex);
        m_ssh[host->name] = std::move(client);
    }
    if (!r)
        return r.error();
    return ExecOut{QString::fromUtf8(r->out + r->err), r->exitCode};
}

Result<QString> ConnectorCaptureService::resolveBinary(const ProxyLaunch& launch,
                                                       const CancelToken& cancel)
{
    if (launch.runOn) {
        auto found = shell(
            launch.runOn, QStringLiteral("command -v %1").arg(quoted(launch.remoteBinary)), cancel);
        if (!found)
            return found.error();
        if (found->exitCode != 0 || found->out.trimmed().isEmpty())
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("doppel-proxy is not installed on %1 (looked for %2 "
                                            "in the login PATH)")
                                 .arg(launch.runOn->name, launch.remoteBinary));
        return found->out.trimmed();
    }
    const QByteArray env = qgetenv("DOPPEL_BIN_DIR");
    const QString dir =
        env.isEmpty() ? QCoreApplication::applicationDirPath() : QString::fromLocal8Bit(env);
    const QString binary = dir + QStringLiteral("/doppel-proxy");
    if (!QFileInfo(binary).isExecutable())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("doppel-proxy binary missing: %1 is not an executable "
                                        "(install it next to the console or set DOPPEL_BIN_DIR)")
                             .arg(binary));
    return binary;
}

Result<ProxyHandle> ConnectorCaptureService::start(const ProxyLaunch& launch,
                                                   const CancelToken& cancel)
{
    if (launch.captureDir.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("choose a capture directory"));
    if (launch.listenPort < 1 || launch.listenPort > 65535)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("the listen port must be 1 to 65535, not %1").arg(launch.listenPort));
    auto upstream = passwordless(launch.upstreamConninfo, "production");
    if (!upstream)
        return upstream.error();
    QString shadow;
    if (!launch.shadowConninfo.isEmpty()) {
        auto s = passwordless(launch.shadowConninfo, "shadow");
        if (!s)
            return s.error();
        shadow = *s;
    }
    auto binary = resolveBinary(launch, cancel);
    if (!binary)
        return binary.error();
    if (!launch.runOn)
        if (auto st = checkUpstream(*upstream); !st)
            return st.error();

    const QString dir = launch.captureDir.trimmed();
    QStringList args{QStringLiteral("--listen"),
                     QStringLiteral("%1:%2").arg(launch.listenHost).arg(launch.listenPort),
                     QStringLiteral("--upstream"),
                     *upstream,
                     QStringLiteral("--capture-dir"),
                     dir,
                     QStringLiteral("--metrics-listen"),
                     QStringLiteral("127.0.0.1:0")};
    if (!shadow.isEmpty())
        args << QStringLiteral("--shadow") << shadow << QStringLiteral("--mirror-rate")
             << QString::number(launch.mirrorRate);
    for (const QString& user : launch.adminUsers)
        args << QStringLiteral("--admin-user") << user;
    QString command = quoted(*binary);
    for (const QString& a : args)
        command += QLatin1Char(' ') + quoted(a);

    // One proxy per capture directory: a live pid file refuses a second start.
    const QString script =
        QStringLiteral("mkdir -p %1 && cd %1 || exit 3\n"
                       "if [ -f doppel-proxy.pid ]; then p=$(cat doppel-proxy.pid); "
                       "if kill -0 \"$p\" 2>/dev/null && grep -q doppel-proxy /proc/\"$p\"/cmdline "
                       "2>/dev/null; then echo \"$p\"; exit 4; fi; fi\n"
                       "nohup %2 > doppel-proxy.log 2>&1 < /dev/null &\n"
                       "echo $! > doppel-proxy.pid\n"
                       "echo $!\n")
            .arg(quoted(dir), command);
    auto started = shell(launch.runOn, script, cancel);
    if (!started)
        return started.error();
    if (started->exitCode == 3)
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the capture directory %1: %2")
                                            .arg(dir, started->out.trimmed()));
    if (started->exitCode == 4)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("a doppel-proxy (pid %1) already captures into %2")
                             .arg(started->out.trimmed(), dir));
    bool ok = false;
    ProxyHandle handle;
    handle.pid = started->out.trimmed().toLongLong(&ok);
    if (started->exitCode != 0 || !ok || handle.pid <= 0)
        return makeError(
            ErrorCode::Unknown,
            QStringLiteral("could not start doppel-proxy: %1").arg(started->out.trimmed()));
    handle.listenAddress = QStringLiteral("%1:%2").arg(launch.listenHost).arg(launch.listenPort);
    handle.captureDir = dir;
    handle.runOn = launch.runOn;
    return waitListening(std::move(handle), cancel);
}

// Best effort: a stale pid file only makes the next start check /proc once more.
void ConnectorCaptureService::forgetPid(const ProxyHandle& handle, const CancelToken& cancel)
{
    [[maybe_unused]] const auto removed = shell(
        handle.runOn, QStringLiteral("rm -f %1").arg(quoted(pidFile(handle.captureDir))), cancel);
}

// Reads the proxy's log until it says where it listens, or it exits with its reason.
Result<ProxyHandle> ConnectorCaptureService::waitListening(ProxyHandle handle,
                                                           const CancelToken& cancel)
{
    static const QRegularExpression metricsOn(QStringLiteral("metrics on [^,\\s]*:(\\d+)"));
    const QString script =
        aliveCheck(handle.pid) +
        QStringLiteral("; cat %1 2>/dev/null").arg(quoted(logFile(handle.captureDir)));
    const QDeadlineTimer deadline(StartTimeout);
    while (!deadline.hasExpired()) {
        auto r = shell(handle.runOn, script, cancel);
        if (!r)
            return r.error();
        const bool alive = r->out.startsWith(QLatin1String("yes"));
        const QString log = r->out.mid(r->out.indexOf(QLatin1Char('\n')) + 1);
        if (alive && log.contains(QLatin1String("listening on"))) {
            const auto m = metricsOn.match(log);
            handle.metricsPort = m.hasMatch() ? m.captured(1).toInt() : 0;
            if (handle.metricsPort > 0)
                return handle;
        }
        if (!alive) {
            forgetPid(handle, cancel);
            const QString reason = lastLogLine(log);
            return makeError(reason.contains(QLatin1String("in use")) ? ErrorCode::Refused
                                                                      : ErrorCode::Unknown,
                             QStringLiteral("doppel-proxy exited at start: %1").arg(reason));
        }
        QThread::msleep(100);
    }
    return makeError(ErrorCode::Timeout,
                     QStringLiteral("doppel-proxy (pid %1) did not report listening within %2 s; "
                                    "see %3")
                         .arg(handle.pid)
                         .arg(std::chrono::seconds(StartTimeout).count())
                         .arg(logFile(handle.captureDir)));
}

Result<bool> ConnectorCaptureService::isRunning(const ProxyHandle& handle,
                                                const CancelToken& cancel)
{
    auto r = shell(handle.runOn, aliveCheck(handle.pid), cancel);
    if (!r)
        return r.error();
    return r->out.startsWith(QLatin1String("yes"));
}

Status ConnectorCaptureService::stop(const ProxyHandle& handle, std::chrono::milliseconds drain,
                                     const CancelToken& cancel)
{
    auto signalled = shell(handle.runOn,
                           QStringLiteral("grep -q doppel-proxy /proc/%1/cmdline 2>/dev/null && "
                                          "kill -TERM %1")
                               .arg(handle.pid),
                           cancel);
    if (!signalled)
        return signalled.error();
    const QDeadlineTimer deadline(drain);
    for (;;) {
        auto running = isRunning(handle, cancel);
        if (!running)
            return running.error();
        if (!*running)
            break;
        if (deadline.hasExpired())
            return makeError(ErrorCode::Timeout,
                             QStringLiteral("doppel-proxy (pid %1) still drains its sessions "
                                            "after %2 s")
                                 .arg(handle.pid)
                                 .arg(double(drain.count()) / 1000.0));
        QThread::msleep(200);
    }
    forgetPid(handle, cancel);
    return Ok{};
}

Result<ProxyCounters> ConnectorCaptureService::poll(const ProxyHandle& handle,
                                                    const CancelToken& cancel)
{
    if (!handle.runOn) {
        auto body = httpGetLocal(handle.metricsPort, cancel);
        if (!body)
            return body.error();
        return parsePrometheusText(*body);
    }
    // No port forwarding needed: the host's bash talks to the loopback endpoint.
    auto r = shell(handle.runOn,
                   QStringLiteral("bash -c %1")
                       .arg(quoted(QStringLiteral("exec 3<>/dev/tcp/127.0.0.1/%1 && printf "
                                                  "'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && "
                                                  "cat <&3")
                                       .arg(handle.metricsPort))),
                   cancel);
    if (!r)
        return r.error();
    if (r->exitCode != 0)
        return makeError(ErrorCode::Refused,
                         QStringLiteral("the proxy's metrics endpoint on %1 does not answer: %2")
                             .arg(handle.where(), r->out.trimmed()));
    return parsePrometheusText(r->out.toUtf8());
}

} // namespace doppel::capture
