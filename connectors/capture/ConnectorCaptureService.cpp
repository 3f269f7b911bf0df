// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorCaptureService.h"

#include "postgres/Conninfo.h"
#include "ssh/SshHostOptions.h"
#include "ssh/SshSession.h"
#include "workload/CaptureSegment.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>

#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

namespace doppel::capture {

namespace {

using namespace std::chrono_literals;

constexpr auto StartTimeout = 15s;
constexpr auto ExecTimeout = 15s;
// Copying a remote capture: one SFTP read at most this large, and at most so much per call so
// that a long capture taken over later fills the table step by step, not after minutes.
constexpr qint64 CopyChunk = 8 * 1024 * 1024;
constexpr qint64 CopyPerCall = 64 * 1024 * 1024;
constexpr std::size_t IdleSessionsPerHost = 2;

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

// A shell function: `alive PID` prints "yes" while PID is a live doppel-proxy; a zombie or a
// reused pid is "no". /proc/PID/cmdline reads empty while the process is inside execve (the
// background shell becoming nohup, nohup becoming doppel-proxy), which on a loaded machine
// lasts long enough to be seen: an empty one is read again for up to half a second, or a
// proxy just started would be taken for dead, its pid file removed and the process left
// running unmanaged.
const QString AliveFunction = QStringLiteral(
    "alive() { if kill -0 \"$1\" 2>/dev/null; then for i in 1 2 3 4 5 6 7 8 9 10; do "
    "c=$(tr -d '\\000' < /proc/\"$1\"/cmdline 2>/dev/null); case \"$c\" in "
    "*doppel-proxy*) echo yes; return;; '') sleep 0.05;; *) break;; esac; done; fi; echo no; }\n");

QString aliveCheck(qint64 pid)
{
    return AliveFunction + QStringLiteral("alive %1").arg(pid);
}

// "listening on HOST:PORT, ..." and ", metrics on HOST:PORT" from the proxy's log.
void readLog(const QString& log, ProxyHandle& handle)
{
    static const QRegularExpression listening(QStringLiteral("listening on ([^,\\s]+)"));
    static const QRegularExpression metricsOn(QStringLiteral("metrics on [^,\\s]*:(\\d+)"));
    if (const auto m = listening.match(log); m.hasMatch() && handle.listenAddress.isEmpty())
        handle.listenAddress = m.captured(1);
    if (const auto m = metricsOn.match(log); m.hasMatch())
        handle.metricsPort = m.captured(1).toInt();
}

// A file or folder name standing for `text`: readable, and unique through a short hash.
QString safeName(const QString& text)
{
    QString name = text;
    for (QChar& c : name)
        if (!c.isLetterOrNumber() && c != QLatin1Char('.') && c != QLatin1Char('-'))
            c = QLatin1Char('_');
    const QByteArray hash =
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha1).toHex().left(8);
    return name.right(80) + QLatin1Char('-') + QString::fromLatin1(hash);
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

ConnectorCaptureService::ConnectorCaptureService(SecretStore& secrets, QString copyRoot)
    : m_secrets(secrets), m_copyRoot(std::move(copyRoot))
{
    if (m_copyRoot.isEmpty()) {
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        m_copyRoot =
            cache.isEmpty()
                ? QDir::temp().filePath(QStringLiteral("doppel-remote-captures-%1").arg(getuid()))
                : cache + QStringLiteral("/remote-captures");
    }
}

ConnectorCaptureService::~ConnectorCaptureService() = default;

std::unique_ptr<ssh::SshClient> ConnectorCaptureService::takeClient(const Host& host)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_ssh.find(host.name); it != m_ssh.end() && !it->second.empty()) {
            auto client = std::move(it->second.back());
            it->second.pop_back();
            return client;
        }
    }
    return std::make_unique<ssh::SshClient>(ssh::optionsForHost(host, m_secrets, ExecTimeout));
}

void ConnectorCaptureService::giveBack(const Host& host, std::unique_ptr<ssh::SshClient> client)
{
    std::lock_guard lock(m_mutex);
    auto& idle = m_ssh[host.name];
    if (idle.size() < IdleSessionsPerHost)
        idle.push_back(std::move(client));
}

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
    // A session of the host's, taken out of the map so the slow exec runs without the lock.
    std::unique_ptr<ssh::SshClient> client = takeClient(*host);
    auto r = client->exec(script, cancel);
    giveBack(*host, std::move(client));
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
    if (!launch.tlsCert.isEmpty() || !launch.tlsKey.isEmpty())
        args << QStringLiteral("--tls-cert") << launch.tlsCert << QStringLiteral("--tls-key")
             << launch.tlsKey;
    if (launch.tlsRequire)
        args << QStringLiteral("--tls-require");
    QString command = quoted(*binary);
    for (const QString& a : args)
        command += QLatin1Char(' ') + quoted(a);

    // One proxy per capture directory: a live pid file refuses a second start.
    const QString script =
        AliveFunction +
        QStringLiteral("mkdir -p %1 && cd %1 || exit 3\n"
                       "if [ -f doppel-proxy.pid ]; then p=$(cat doppel-proxy.pid); "
                       "if [ \"$(alive \"$p\")\" = yes ]; then echo \"$p\"; exit 4; fi; fi\n"
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
            readLog(log, handle);
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
                           aliveCheck(handle.pid) +
                               QStringLiteral(" | grep -q yes && kill -TERM %1").arg(handle.pid),
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
    if (handle.metricsPort <= 0)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("doppel-proxy (pid %1) was started without "
                                        "--metrics-listen: no live figures")
                             .arg(handle.pid));
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

Result<std::optional<ProxyHandle>> ConnectorCaptureService::find(const QString& captureDir,
                                                                 const std::optional<Host>& runOn,
                                                                 const CancelToken& cancel)
{
    const QString dir = captureDir.trimmed();
    if (dir.isEmpty())
        return std::optional<ProxyHandle>{};
    // The same test as start()'s refusal of a second proxy: a pid file naming a live
    // doppel-proxy, not a reused pid.
    const QString script =
        AliveFunction +
        QStringLiteral("cd %1 2>/dev/null || exit 0\n"
                       "p=$(cat doppel-proxy.pid 2>/dev/null) || exit 0\n"
                       "case \"$p\" in ''|*[!0-9]*) exit 0;; esac\n"
                       "if [ \"$(alive \"$p\")\" = yes ]; then echo \"running $p\"; "
                       "cat doppel-proxy.log 2>/dev/null; fi\n")
            .arg(quoted(dir));
    auto r = shell(runOn, script, cancel);
    if (!r)
        return r.error();
    if (!r->out.startsWith(QLatin1String("running ")))
        return std::optional<ProxyHandle>{};
    const int eol = r->out.indexOf(QLatin1Char('\n'));
    ProxyHandle handle;
    handle.pid = r->out.mid(8, eol < 0 ? -1 : eol - 8).trimmed().toLongLong();
    handle.captureDir = dir;
    handle.runOn = runOn;
    const QString log = eol < 0 ? QString() : r->out.mid(eol + 1);
    if (!log.contains(QLatin1String("listening on"))) {
        // Just started by someone else: wait for it as start() does.
        auto listening = waitListening(std::move(handle), cancel);
        if (!listening)
            return listening.error();
        return std::optional<ProxyHandle>(*listening);
    }
    readLog(log, handle); // no metrics port: started by hand without --metrics-listen
    return std::optional<ProxyHandle>(std::move(handle));
}

QString ConnectorCaptureService::copyDir(const ProxyHandle& handle) const
{
    return m_copyRoot + QLatin1Char('/') +
           safeName(handle.runOn ? handle.runOn->name : QStringLiteral("local")) +
           QLatin1Char('/') + safeName(handle.captureDir);
}

Result<CaptureSnapshot> ConnectorCaptureService::statements(const ProxyHandle& handle,
                                                            const CancelToken& cancel)
{
    CaptureSnapshot snapshot;
    snapshot.readFrom = handle.captureDir;
    if (handle.runOn) {
        snapshot.readFrom = copyDir(handle);
        auto pending = copyRemoteCapture(handle, snapshot.readFrom, cancel);
        if (!pending)
            return pending.error();
        snapshot.pendingBytes = *pending;
    }
    auto stats = computeCaptureStats(snapshot.readFrom);
    if (!stats)
        return stats.error();
    snapshot.stats = std::move(*stats);
    return snapshot;
}

// Why a copy over SFTP rather than `doppelctl capture stats` run on the host: the copy needs
// nothing on the host beyond sshd (doppelctl may not be installed beside doppel-proxy, or be
// another version), and it costs production only the reading of the bytes appended since the
// last call, where recomputing the statistics there would parse the whole capture again every
// few seconds on the very machine the capture must not slow down. Segments are append-only and
// never renamed (a restarted proxy starts a new one), so the copy of each is brought up to
// date by reading its tail; a segment that shrank or whose header changed (the folder was
// emptied and reused) is copied anew, one gone from the host is removed here. A record cut at
// the end of the newest segment reads as a torn tail until the next call completes it.
Result<qint64> ConnectorCaptureService::copyRemoteCapture(const ProxyHandle& handle,
                                                          const QString& copy,
                                                          const CancelToken& cancel)
{
    if (!QDir().mkpath(copy))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create %1").arg(copy));
    // Statements and their parameters: for this user only, as on the host.
    ::chmod(QFile::encodeName(m_copyRoot).constData(), 0700);
    ::chmod(QFile::encodeName(copy).constData(), 0700);

    const Host& host = *handle.runOn;
    std::unique_ptr<ssh::SshClient> client = takeClient(host);
    struct GiveBack
    {
        ConnectorCaptureService* service;
        const Host& host;
        std::unique_ptr<ssh::SshClient>& client;
        ~GiveBack() { service->giveBack(host, std::move(client)); }
    } giveBack{this, host, client};

    auto listing = client->listDirectory(handle.captureDir, cancel);
    if (!listing)
        return listing.error();
    std::map<qint64, ssh::RemoteFileInfo> segments; // in sequence order
    for (const ssh::RemoteFileInfo& f : *listing)
        if (const qint64 seq = capture::segmentSequence(f.name); seq >= 0 && f.regular)
            segments.emplace(seq, f);
    QDir local(copy);
    for (const QString& name : local.entryList(QDir::Files))
        if (const qint64 seq = capture::segmentSequence(name); seq >= 0 && !segments.count(seq))
            local.remove(name);

    qint64 budget = CopyPerCall;
    qint64 pending = 0;
    for (const auto& [seq, remote] : segments) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        const QString remotePath = handle.captureDir + QLatin1Char('/') + remote.name;
        const QString localPath = local.filePath(remote.name);
        QFile file(localPath);
        qint64 have = file.exists() ? file.size() : 0;
        // -1: the server did not say; read what there is, within the budget.
        const qint64 size = remote.size >= 0 ? remote.size : have + budget;
        if (size < have) {
            file.remove();
            have = 0;
        } else if (have >= qint64(capture::kHeaderSize) && size > have) {
            auto header = client->readRange(remotePath, 0, capture::kHeaderSize, cancel);
            if (!header)
                return header.error();
            if (!file.open(QIODevice::ReadOnly))
                return makeError(
                    ErrorCode::Io,
                    QStringLiteral("cannot read %1: %2").arg(localPath, file.errorString()));
            const bool same = file.read(capture::kHeaderSize) == *header;
            file.close();
            if (!same) {
                file.remove();
                have = 0;
            }
        }
        if (have < size && budget > 0) {
            if (!file.open(QIODevice::WriteOnly | QIODevice::Append,
                           QFileDevice::ReadOwner | QFileDevice::WriteOwner))
                return makeError(
                    ErrorCode::Io,
                    QStringLiteral("cannot write %1: %2").arg(localPath, file.errorString()));
            while (have < size && budget > 0) {
                auto data = client->readRange(remotePath, have,
                                              std::min({CopyChunk, size - have, budget}), cancel);
                if (!data)
                    return data.error();
                if (data->isEmpty())
                    break; // shorter than listed: a segment removed meanwhile
                if (file.write(*data) != data->size())
                    return makeError(
                        ErrorCode::Io,
                        QStringLiteral("cannot write %1: %2").arg(localPath, file.errorString()));
                have += data->size();
                budget -= data->size();
            }
            file.close();
        }
        if (remote.size >= 0)
            pending += std::max<qint64>(0, remote.size - have);
    }
    return pending;
}

} // namespace doppel::capture
