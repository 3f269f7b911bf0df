// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl hosts add|list|remove|test`: the inventory from the command line.
#include "CommandLine.h"

#include "ConnectorServices.h"
#include "store/Repository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace doppel::cli {

static Result<SshEndpoint> parseSsh(const Arguments& a)
{
    static const QRegularExpression re(QStringLiteral("^([^@]+)@([^:]+)(?::(\\d+))?$"));
    const auto m = re.match(a.value(QStringLiteral("ssh")));
    if (!m.hasMatch())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--ssh takes USER@HOST[:PORT], not '%1'")
                             .arg(a.value(QStringLiteral("ssh"))));
    SshEndpoint ssh;
    ssh.user = m.captured(1);
    ssh.host = m.captured(2);
    ssh.port = m.captured(3).isEmpty() ? 22 : m.captured(3).toInt();
    ssh.keyFile = a.value(QStringLiteral("ssh-key"));
    ssh.knownHostsFile = a.value(QStringLiteral("known-hosts"));
    const QString auth =
        a.value(QStringLiteral("ssh-auth"),
                ssh.keyFile.isEmpty() ? QStringLiteral("agent") : QStringLiteral("key"));
    const auto parsed = sshAuthFromName(auth);
    if (!parsed)
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("--ssh-auth takes agent, key or password, not '%1'").arg(auth));
    ssh.auth = *parsed;
    if (ssh.auth == SshAuth::Key && ssh.keyFile.isEmpty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--ssh-auth key needs --ssh-key FILE"));
    return ssh;
}

static int addHost(Context& ctx, Repository& repo, const Arguments& a)
{
    if (a.positional.size() != 1 || !a.has(QStringLiteral("conninfo"))) {
        ctx.err << "usage: doppelctl hosts add NAME --role ROLE --conninfo CONNINFO [--ssh "
                   "USER@HOST[:PORT]] ...\n";
        return Usage;
    }
    Host host;
    host.name = a.positional.first();
    const auto role = roleFromName(a.value(QStringLiteral("role"), QStringLiteral("production")));
    if (!role) {
        ctx.err << "doppelctl: --role takes production, shadow or target\n";
        return Usage;
    }
    host.role = *role;
    auto secrets = createSecretStore();
    auto services = createHostServices(*secrets);
    QString password;
    auto stripped = services->stripPassword(a.value(QStringLiteral("conninfo")), &password);
    if (!stripped) {
        ctx.err << "doppelctl: " << stripped.error().toString() << "\n";
        return Usage;
    }
    host.conninfo = *stripped;
    if (a.has(QStringLiteral("ssh"))) {
        auto ssh = parseSsh(a);
        if (!ssh) {
            ctx.err << "doppelctl: " << ssh.error().message << "\n";
            return Usage;
        }
        host.ssh = *ssh;
    }
    auto id = repo.addHost(host);
    if (!id) {
        ctx.err << "doppelctl: " << id.error().toString() << "\n";
        return Failure;
    }
    if (!password.isEmpty()) {
        // The password never reaches the repository: keychain, or memory for this run only.
        if (!secrets->write(host.pgSecretKey(), password))
            ctx.err << "doppelctl: the keychain refused the password; use .pgpass instead\n";
        else if (!secrets->persistent())
            ctx.err << "doppelctl: " << secrets->statusMessage() << "\n";
    }
    if (auto st = repo.appendEvent(Event{0, 0, Severity::Info, QStringLiteral("inventory"),
                                         host.name, QStringLiteral("Host added")});
        !st)
        ctx.err << "doppelctl: the host was added, but logging it failed: " << st.error().message
                << "\n";
    ctx.out << "added " << host.name << " (" << roleName(host.role) << ")\n";
    return Success;
}

static int listHosts(Context& ctx, Repository& repo, bool json)
{
    auto hosts = repo.hosts();
    if (!hosts) {
        ctx.err << "doppelctl: " << hosts.error().toString() << "\n";
        return Failure;
    }
    if (json) {
        QJsonArray array;
        for (const auto& h : *hosts) {
            QJsonObject o{{QStringLiteral("name"), h.name},
                          {QStringLiteral("role"), roleName(h.role)},
                          {QStringLiteral("conninfo"), h.conninfo}};
            if (h.ssh)
                o.insert(QStringLiteral("ssh"),
                         QJsonObject{{QStringLiteral("host"), h.ssh->host},
                                     {QStringLiteral("port"), h.ssh->port},
                                     {QStringLiteral("user"), h.ssh->user},
                                     {QStringLiteral("auth"), sshAuthName(h.ssh->auth)},
                                     {QStringLiteral("key"), h.ssh->keyFile},
                                     {QStringLiteral("known_hosts"), h.ssh->knownHostsFile}});
            array.append(o);
        }
        ctx.out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return Success;
    }
    for (const auto& h : *hosts) {
        ctx.out << h.name << "\t" << roleName(h.role) << "\t" << h.conninfo;
        if (h.ssh)
            ctx.out << "\tssh " << h.ssh->user << "@" << h.ssh->host << ":" << h.ssh->port;
        ctx.out << "\n";
    }
    return Success;
}

static int testHost(Context& ctx, Repository& repo, const Arguments& a)
{
    if (a.positional.size() != 1) {
        ctx.err << "usage: doppelctl hosts test NAME [--accept-new-host-key] [--timeout 10s]\n";
        return Usage;
    }
    auto host = repo.host(a.positional.first());
    if (!host) {
        ctx.err << "doppelctl: " << host.error().message << "\n";
        return Failure;
    }
    auto secrets = createSecretStore();
    auto services = createHostServices(*secrets);
    const std::chrono::milliseconds timeout(10000);
    int rc = Success;
    auto pg = services->testPostgres(*host, timeout, {});
    if (pg)
        ctx.out << "postgres: ok, PostgreSQL " << pg->serverVersion
                << ", wal_level=" << pg->walLevel << ", max_connections=" << pg->maxConnections
                << "\n";
    else {
        ctx.out << "postgres: " << errorCodeName(pg.error().code) << ": " << pg.error().toString()
                << "\n";
        rc = Failure;
    }
    if (host->ssh) {
        auto ssh = services->testSsh(*host, timeout, {});
        if (!ssh && ssh.error().code == ErrorCode::HostKeyUnknown &&
            a.has(QStringLiteral("accept-new-host-key"))) {
            auto key = services->fetchHostKey(*host->ssh, timeout);
            if (key && services->trustHostKey(*host->ssh, *key)) {
                ctx.out << "ssh: trusted " << key->keyType << " " << key->fingerprint << "\n";
                ssh = services->testSsh(*host, timeout, {});
            }
        }
        if (ssh)
            ctx.out << "ssh: ok, " << ssh->hostKeyType << " " << ssh->hostKeyFingerprint << ", "
                    << ssh->remoteUname << "\n";
        else {
            ctx.out << "ssh: " << errorCodeName(ssh.error().code) << ": " << ssh.error().toString()
                    << "\n";
            if (ssh.error().code == ErrorCode::HostKeyUnknown)
                ctx.out
                    << "     check the fingerprint, then run again with --accept-new-host-key\n";
            rc = Failure;
        }
    }
    return rc;
}

int runHosts(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args,
                              {QStringLiteral("role"), QStringLiteral("conninfo"),
                               QStringLiteral("ssh"), QStringLiteral("ssh-auth"),
                               QStringLiteral("ssh-key"), QStringLiteral("known-hosts")},
                              {QStringLiteral("json"), QStringLiteral("accept-new-host-key")});
    if (!a || a->positional.isEmpty()) {
        ctx.err << "doppelctl hosts: "
                << (a ? QStringLiteral("add, list, remove or test?") : a.error().message) << "\n";
        return Usage;
    }
    const QString verb = a->positional.takeFirst();
    auto repo = Repository::open(ctx.repoPath);
    if (!repo) {
        ctx.err << "doppelctl: " << repo.error().toString() << "\n";
        return Failure;
    }
    if (verb == QLatin1String("add"))
        return addHost(ctx, **repo, *a);
    if (verb == QLatin1String("list"))
        return listHosts(ctx, **repo, a->has(QStringLiteral("json")));
    if (verb == QLatin1String("test"))
        return testHost(ctx, **repo, *a);
    if (verb == QLatin1String("remove")) {
        if (a->positional.size() != 1) {
            ctx.err << "usage: doppelctl hosts remove NAME\n";
            return Usage;
        }
        if (auto st = (*repo)->removeHost(a->positional.first()); !st) {
            ctx.err << "doppelctl: " << st.error().message << "\n";
            return Failure;
        }
        ctx.out << "removed " << a->positional.first() << "\n";
        return Success;
    }
    ctx.err << "doppelctl hosts: unknown verb '" << verb << "'\n";
    return Usage;
}

} // namespace doppel::cli
