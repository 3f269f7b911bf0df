// SPDX-License-Identifier: GPL-3.0-or-later
#include "Lab.h"

#include "LabPostgres.h"
#include "LabProcess.h"
#include "LabSshd.h"
#include "postgres/Conninfo.h"
#include "postgres/PgConnection.h"
#include "store/Repository.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <signal.h>

namespace doppel {

using namespace lab;

Lab::Lab(QString dir) : m_dir(QDir(dir).absolutePath())
{}

QString Lab::defaultDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("doppel/lab"));
}

static QString stateFile(const QString& dir)
{
    return dir + QStringLiteral("/lab.json");
}

static Result<LabState> readState(const QString& dir)
{
    QFile file(stateFile(dir));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("No lab in %1 (run `doppelctl lab up --dir %1`)").arg(dir));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 is damaged: %2").arg(file.fileName(), parseError.errorString()));
    return LabState::fromJson(doc.object());
}

static Status writeState(const LabState& state)
{
    return writePrivateFile(stateFile(state.dir), QJsonDocument(state.toJson()).toJson());
}

Result<LabState> Lab::status() const
{
    auto state = readState(m_dir);
    if (!state)
        return state;
    // The postmaster may have restarted under another pid; postmaster.pid is the truth.
    for (auto* cluster : {&state->production, &state->shadow}) {
        const qint64 pid = postmasterPid(cluster->dataDir);
        cluster->pid = processAlive(pid) ? pid : 0;
    }
    if (!processAlive(state->ssh.pid))
        state->ssh.pid = 0;
    state->workload.running = processAlive(state->workload.pid);
    return state;
}

bool Lab::isRunning() const
{
    auto state = status();
    return state && (state->production.pid > 0 || state->shadow.pid > 0 || state->ssh.pid > 0 ||
                     state->workload.running);
}

// As root the clusters belong to postgres, which must be able to reach them: a lab under
// /root is not reachable, so the clusters then live in a folder of their own under /var/tmp.
static QString clusterRoot(const QString& dir)
{
    const QString inside = dir + QStringLiteral("/clusters");
    if (!runningAsRoot())
        return inside;
    QDir().mkpath(inside);
    RunOptions asPg;
    asPg.asPostgres = true;
    if (run(QStringLiteral("chown"), {QStringLiteral("postgres:postgres"), inside}) &&
        run(QStringLiteral("test"), {QStringLiteral("-w"), inside}, asPg))
        return inside;
    const QByteArray hash =
        QCryptographicHash::hash(dir.toUtf8(), QCryptographicHash::Sha1).toHex().left(10);
    return QStringLiteral("/var/tmp/doppel-lab-") + QString::fromLatin1(hash);
}

static QString doppelctlPath()
{
    const QString fromEnv = QString::fromLocal8Bit(qgetenv("DOPPEL_BIN_DIR"));
    for (const QString& dir : {fromEnv, QCoreApplication::applicationDirPath()}) {
        const QString candidate = dir + QStringLiteral("/doppelctl");
        if (!dir.isEmpty() && QFileInfo(candidate).isExecutable())
            return candidate;
    }
    return QStandardPaths::findExecutable(QStringLiteral("doppelctl"));
}

static QString randomPassword()
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString out;
    for (int i = 0; i < 24; ++i)
        out += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof alphabet - 1))]);
    return out;
}

static Status preparePgbench(const LabState& state, int scale)
{
    auto bin = postgresBinDir();
    if (!bin)
        return bin.error();
    for (const auto* cluster : {&state.production, &state.shadow}) {
        pg::PgConnection::Options options;
        options.conninfo =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=postgres user=doppel").arg(cluster->port);
        options.password = state.password;
        auto conn = pg::PgConnection::connect(options);
        if (!conn)
            return conn.error();
        if (auto r = (*conn)->exec(QStringLiteral("CREATE DATABASE pgbench")); !r)
            return r.error();
    }
    RunOptions options;
    options.env.insert(QStringLiteral("PGPASSFILE"), state.dir + QStringLiteral("/pgpass"));
    options.timeoutMs = 30 * 60 * 1000;
    auto init = run(*bin + QStringLiteral("/pgbench"),
                    {QStringLiteral("-i"), QStringLiteral("-q"), QStringLiteral("-s"),
                     QString::number(scale), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("-p"), QString::number(state.production.port),
                     QStringLiteral("-U"), QStringLiteral("doppel"), QStringLiteral("pgbench")},
                    options);
    if (!init)
        return init.error();
    pg::PgConnection::Options options2;
    options2.conninfo = state.production.conninfo;
    auto conn = pg::PgConnection::connect(options2);
    if (!conn)
        return conn.error();
    if (auto r = (*conn)->exec(QStringLiteral("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));
        !r)
        return r.error();
    return Ok{};
}

SshEndpoint Lab::sshEndpoint(const LabState& state)
{
    SshEndpoint ssh;
    ssh.host = state.ssh.host;
    ssh.port = state.ssh.port;
    ssh.user = state.ssh.user;
    ssh.auth = SshAuth::Key;
    ssh.keyFile = state.ssh.key;
    ssh.knownHostsFile = state.ssh.knownHosts;
    return ssh;
}

Status Lab::registerHosts(const LabState& state, Repository& repo)
{
    const SshEndpoint ssh = sshEndpoint(state);
    for (const auto& [name, role, cluster] :
         {std::tuple{QStringLiteral("lab-production"), HostRole::Production, state.production},
          std::tuple{QStringLiteral("lab-shadow"), HostRole::Shadow, state.shadow}}) {
        Host host;
        host.name = name;
        host.role = role;
        host.conninfo = cluster.conninfo;
        host.ssh = ssh;
        auto existing = repo.host(name);
        if (existing) {
            host.id = existing->id;
            if (auto st = repo.updateHost(host); !st)
                return st;
        } else if (auto id = repo.addHost(host); !id) {
            return id.error();
        }
    }
    return repo.appendEvent(Event{0, 0, Severity::Info, QStringLiteral("lab"), QString(),
                                  QStringLiteral("Lab started in %1").arg(state.dir)});
}

Result<LabState> Lab::up(const Options& options, Repository* repo, const Progress& progress)
{
    auto say = [&](const QString& step) {
        if (progress)
            progress(step);
    };
    if (isRunning())
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("A lab is already running in %1; nothing was changed (stop it "
                           "with `doppelctl lab down --dir %1`)")
                .arg(m_dir));
    if (options.scale < 1)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("--scale must be 1 or more"));
    if (!QDir().mkpath(m_dir))
        return makeError(ErrorCode::Io, QStringLiteral("Cannot create %1").arg(m_dir));
    QFile::setPermissions(m_dir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    LabState state;
    state.dir = m_dir;
    state.password = randomPassword();
    const QString root = clusterRoot(m_dir);
    // A stopped lab is rebuilt from scratch: fresh clusters, keys and ports.
    QDir(root).removeRecursively();
    QDir().mkpath(root);
    if (runningAsRoot()) {
        if (auto r = run(QStringLiteral("chown"), {QStringLiteral("postgres:postgres"), root}); !r)
            return r.error();
    }

    // Anything started before a failure is stopped again, so a failed `up` leaves nothing. The
    // state is saved after each start so that `down` knows every pid even after a crash here.
    auto fail = [&](Error error) -> Result<LabState> {
        if (auto st = writeState(state); st) {
            if (auto stopped = down(); !stopped)
                error.message += QStringLiteral(" (and stopping what had started failed: %1)")
                                     .arg(stopped.error().message);
        }
        return error;
    };
    auto prodPort = freeLoopbackPort();
    auto shadowPort = freeLoopbackPort();
    auto sshPort = freeLoopbackPort();
    if (!prodPort || !shadowPort || !sshPort)
        return makeError(ErrorCode::Io, QStringLiteral("No free ports on 127.0.0.1"));
    if (*shadowPort == *prodPort || *sshPort == *prodPort || *sshPort == *shadowPort)
        return makeError(ErrorCode::Io, QStringLiteral("Port allocation collided; try again"));

    const QString pgpass = QStringLiteral("127.0.0.1:%1:*:doppel:%3\n127.0.0.1:%2:*:doppel:%3\n")
                               .arg(*prodPort)
                               .arg(*shadowPort)
                               .arg(state.password);
    if (auto st = writePrivateFile(m_dir + QStringLiteral("/pgpass"), pgpass.toUtf8()); !st)
        return st.error();
    auto conninfo = [&](int port) {
        return QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel passfile=%2")
            .arg(port)
            .arg(pg::Conninfo::quoteValue(m_dir + QStringLiteral("/pgpass")));
    };

    say(QStringLiteral("Creating the production cluster on port %1").arg(*prodPort));
    auto prod = createCluster(root + QStringLiteral("/production"), *prodPort, state.password);
    if (!prod)
        return fail(prod.error());
    state.production = *prod;
    state.production.conninfo = conninfo(*prodPort);
    if (auto st = writeState(state); !st)
        return fail(st.error());

    say(QStringLiteral("Creating the shadow cluster on port %1").arg(*shadowPort));
    auto shadow = createCluster(root + QStringLiteral("/shadow"), *shadowPort, state.password);
    if (!shadow)
        return fail(shadow.error());
    state.shadow = *shadow;
    state.shadow.conninfo = conninfo(*shadowPort);
    if (auto st = writeState(state); !st)
        return fail(st.error());

    say(QStringLiteral("Starting sshd on port %1").arg(*sshPort));
    auto ssh = startSshd(m_dir + QStringLiteral("/ssh"), *sshPort);
    if (!ssh)
        return fail(ssh.error());
    state.ssh = *ssh;
    if (auto st = writeState(state); !st)
        return fail(st.error());

    say(QStringLiteral("Loading pgbench at scale %1").arg(options.scale));
    if (auto st = preparePgbench(state, options.scale); !st)
        return fail(st.error());

    if (options.workload) {
        say(QStringLiteral("Starting the background workload (one day every %1 s)")
                .arg(options.dayLengthSeconds));
        const QString ctl = doppelctlPath();
        if (ctl.isEmpty())
            return fail(makeError(ErrorCode::Unavailable,
                                  QStringLiteral("doppelctl not found for the lab workload")));
        qint64 pid = 0;
        // Its own log and no inherited pipes: whoever ran `lab up` (a terminal, ctest) must not
        // wait on a daemon's output.
        QProcess workload;
        workload.setProgram(ctl);
        workload.setArguments({QStringLiteral("lab"), QStringLiteral("workload"),
                               QStringLiteral("--dir"), m_dir, QStringLiteral("--day"),
                               QString::number(options.dayLengthSeconds)});
        workload.setWorkingDirectory(m_dir);
        workload.setStandardInputFile(QProcess::nullDevice());
        workload.setStandardOutputFile(m_dir + QStringLiteral("/workload.log"), QIODevice::Append);
        workload.setStandardErrorFile(m_dir + QStringLiteral("/workload.log"), QIODevice::Append);
        if (!workload.startDetached(&pid))
            return fail(
                makeError(ErrorCode::Unavailable, QStringLiteral("Cannot start the lab workload")));
        state.workload.pid = pid;
        state.workload.running = true;
    }
    if (auto st = writeState(state); !st)
        return fail(st.error());
    if (repo) {
        if (auto st = registerHosts(state, *repo); !st)
            return fail(st.error());
    }
    say(QStringLiteral("Lab ready in %1").arg(m_dir));
    return state;
}

Status Lab::down(const Progress& progress)
{
    auto state = status();
    if (!state)
        return state.error();
    auto say = [&](const QString& step) {
        if (progress)
            progress(step);
    };
    QStringList failures;
    if (state->workload.pid > 0) {
        say(QStringLiteral("Stopping the workload (pid %1)").arg(state->workload.pid));
        // The workload leads its own process group: its pgbench goes with it.
        if (!stopProcess(state->workload.pid, SIGTERM, 15000, true))
            failures << QStringLiteral("workload pid %1").arg(state->workload.pid);
    }
    if (state->ssh.pid > 0) {
        say(QStringLiteral("Stopping sshd (pid %1)").arg(state->ssh.pid));
        if (auto st = stopSshd(state->ssh); !st)
            failures << st.error().message;
    }
    for (const auto* cluster : {&state->production, &state->shadow}) {
        if (cluster->pid <= 0)
            continue;
        say(QStringLiteral("Stopping PostgreSQL on port %1 (pid %2)")
                .arg(cluster->port)
                .arg(cluster->pid));
        if (auto st = stopCluster(*cluster); !st)
            failures << st.error().message;
    }
    state->production.pid = state->shadow.pid = state->ssh.pid = 0;
    state->workload.running = false;
    state->workload.pid = 0;
    if (auto st = writeState(*state); !st)
        failures << st.error().message;
    if (!failures.isEmpty())
        return makeError(
            ErrorCode::Unknown,
            QStringLiteral("Could not stop: %1").arg(failures.join(QStringLiteral(", "))));
    say(QStringLiteral("Lab stopped"));
    return Ok{};
}

} // namespace doppel
