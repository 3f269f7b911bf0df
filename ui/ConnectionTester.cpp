// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectionTester.h"

#include "Async.h"
#include "Prompt.h"

#include "services/SecretStore.h"

#include <QUuid>
#include <QWidget>

namespace doppel {

namespace {

QString failureText(const QString& what, const Error& error)
{
    return ConnectionTester::tr("%1: %2 — %3")
        .arg(what, errorCodeName(error.code), error.toString());
}

// Blocking; runs on a worker. Tests exactly what the dialog would save: typed secrets win over
// stored ones. Typed secrets are put in the store under a one-off name for the duration of the
// test only, because HostServices reads secrets from the store by host name.
ConnectionTestOutcome testConnection(HostServices& services, SecretStore& secrets, Host host,
                                     const QString& pgPassword, const QString& sshSecret,
                                     std::chrono::milliseconds timeout, const CancelToken& cancel)
{
    Host probe = host;
    const bool typed = !pgPassword.isEmpty() || !sshSecret.isEmpty();
    if (typed) {
        probe.name =
            QStringLiteral("connection-test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        auto stored = [&](const QString& key) {
            return host.name.isEmpty() ? QString() : secrets.read(key).value_or(QString());
        };
        const QString pg = pgPassword.isEmpty() ? stored(host.pgSecretKey()) : pgPassword;
        const QString ssh = sshSecret.isEmpty() ? stored(host.sshSecretKey()) : sshSecret;
        if (!pg.isEmpty())
            secrets.write(probe.pgSecretKey(), pg);
        if (!ssh.isEmpty())
            secrets.write(probe.sshSecretKey(), ssh);
    }
    ConnectionTestOutcome outcome;
    outcome.postgres = services.testPostgres(probe, timeout, cancel);
    // SSH is tested even when PostgreSQL failed: both answers help to find the fault.
    if (probe.ssh && !cancel.isCancelled())
        outcome.ssh = services.testSsh(probe, timeout, cancel);
    if (typed) {
        secrets.remove(probe.pgSecretKey());
        secrets.remove(probe.sshSecretKey());
    }
    return outcome;
}

} // namespace

ConnectionTester::ConnectionTester(HostServices& services, SecretStore& secrets,
                                   QWidget* promptParent)
    : QObject(promptParent), m_services(services), m_secrets(secrets), m_promptParent(promptParent)
{
    m_workers.setMaxThreadCount(2); // a cancelled test may still be winding down
}

ConnectionTester::~ConnectionTester()
{
    m_cancel.cancel();
    m_workers.waitForDone();
}

void ConnectionTester::start(const Host& host, const QString& pgPassword, const QString& sshSecret)
{
    cancel();
    m_host = host;
    m_pgPassword = pgPassword;
    m_sshSecret = sshSecret;
    m_trustedKey = false;
    m_running = true;
    runTest();
}

void ConnectionTester::cancel()
{
    if (!m_running)
        return;
    m_cancel.cancel();
    ++m_request; // whatever the worker still returns is stale now
    finish(false, tr("Test cancelled."));
}

void ConnectionTester::runTest()
{
    m_cancel = CancelToken();
    const quint64 request = ++m_request;
    Q_EMIT progress(m_host.ssh ? tr("Testing PostgreSQL and SSH…") : tr("Testing PostgreSQL…"));
    runAsync(
        m_workers, this,
        [&services = m_services, &secrets = m_secrets, host = m_host, pg = m_pgPassword,
         ssh = m_sshSecret, timeout = m_timeout, cancel = m_cancel] {
            return testConnection(services, secrets, host, pg, ssh, timeout, cancel);
        },
        [this, request](ConnectionTestOutcome outcome) { onTested(request, outcome); });
}

void ConnectionTester::onTested(quint64 request, const ConnectionTestOutcome& outcome)
{
    if (request != m_request)
        return;
    const bool unknownKey =
        outcome.ssh && !outcome.ssh->ok() && outcome.ssh->error().code == ErrorCode::HostKeyUnknown;
    if (!unknownKey || m_trustedKey || !m_host.ssh) {
        finish(succeeded(outcome), describe(outcome));
        return;
    }
    ConnectionTestOutcome pgOnly;
    pgOnly.postgres = outcome.postgres;
    const QString pgText = describe(pgOnly);
    Q_EMIT progress(pgText + QLatin1Char('\n') + tr("SSH: unknown host key, fetching it…"));
    runAsync(
        m_workers, this,
        [&services = m_services, endpoint = *m_host.ssh, timeout = m_timeout] {
            return services.fetchHostKey(endpoint, timeout);
        },
        [this, request, pgText](Result<PendingHostKey> key) {
            if (request != m_request)
                return;
            if (!key) {
                finish(false, pgText + QLatin1Char('\n') + failureText(tr("SSH"), key.error()));
                return;
            }
            askAboutHostKey(request, pgText, *key);
        });
}

void ConnectionTester::askAboutHostKey(quint64 request, const QString& pgText,
                                       const PendingHostKey& key)
{
    const SshEndpoint endpoint = *m_host.ssh;
    const QString knownHosts =
        endpoint.knownHostsFile.isEmpty() ? tr("~/.ssh/known_hosts") : endpoint.knownHostsFile;
    const QString text =
        tr("The SSH server %1:%2 is not known yet.\n\nKey type: %3\nFingerprint: %4\n\n"
           "Compare the fingerprint with the server's (ssh-keygen -lf on its host key). "
           "Trust this key and add it to %5?")
            .arg(key.host)
            .arg(key.port)
            .arg(key.keyType, key.fingerprint, knownHosts);
    Prompt::ask(m_promptParent, tr("Unknown SSH host key"), text, tr("Trust key"),
                [this, request, pgText, key, endpoint](Prompt::Answer answer) {
                    if (request != m_request)
                        return;
                    if (answer != Prompt::Answer::Accept) {
                        finish(false,
                               pgText + QLatin1Char('\n') +
                                   tr("SSH: host key %1 %2 not trusted; nothing was changed.")
                                       .arg(key.keyType, key.fingerprint));
                        return;
                    }
                    runAsync(
                        m_workers, this,
                        [&services = m_services, endpoint, key] {
                            return services.trustHostKey(endpoint, key);
                        },
                        [this, request, pgText](Status trusted) {
                            if (request != m_request)
                                return;
                            if (!trusted) {
                                finish(false, pgText + QLatin1Char('\n') +
                                                  failureText(tr("SSH"), trusted.error()));
                                return;
                            }
                            m_trustedKey = true;
                            runTest();
                        });
                });
}

void ConnectionTester::finish(bool ok, const QString& text)
{
    m_running = false;
    Q_EMIT finished(ok, text);
}

bool ConnectionTester::succeeded(const ConnectionTestOutcome& outcome)
{
    return outcome.postgres && outcome.postgres->ok() && (!outcome.ssh || outcome.ssh->ok());
}

QString ConnectionTester::describe(const ConnectionTestOutcome& outcome)
{
    QStringList lines;
    if (outcome.postgres) {
        const auto& pg = *outcome.postgres;
        if (pg)
            lines << tr("PostgreSQL: OK, server %1 (wal_level %2, max_connections %3)")
                         .arg(pg->serverVersion, pg->walLevel)
                         .arg(pg->maxConnections);
        else
            lines << failureText(tr("PostgreSQL"), pg.error());
    }
    if (outcome.ssh) {
        const auto& ssh = *outcome.ssh;
        if (ssh)
            lines << tr("SSH: OK, %1 %2 (%3)")
                         .arg(ssh->hostKeyType, ssh->hostKeyFingerprint, ssh->remoteUname);
        else if (ssh.error().code == ErrorCode::HostKeyChanged)
            lines << failureText(tr("SSH"), ssh.error()) + QLatin1Char('\n') +
                         tr("Refusing to connect: the server's key differs from the one in "
                            "known_hosts. If the change is expected, remove the old key "
                            "(ssh-keygen -R) and test again.");
        else
            lines << failureText(tr("SSH"), ssh.error());
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace doppel
