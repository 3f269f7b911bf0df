// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorServices.h"

#include "capture/ConnectorCaptureService.h"
#include "metrics/HostMetricSource.h"
#include "plans/ConnectorPlanService.h"
#include "postgres/Conninfo.h"
#include "postgres/PgConnection.h"
#include "postgres/ServerInfo.h"
#include "replay/ConnectorReplayService.h"
#include "secrets/KeychainSecretStore.h"
#include "shadow/ConnectorShadowService.h"
#include "ssh/KnownHosts.h"
#include "ssh/ServerLogs.h"
#include "ssh/SshHostOptions.h"
#include "ssh/SshSession.h"

namespace doppel {

namespace {

// HostServices over libpq and libssh2: every call opens its own connections, so it is safe
// from any worker thread.
class ConnectorHostServices : public HostServices
{
public:
    explicit ConnectorHostServices(SecretStore& secrets) : m_secrets(secrets) {}

    Result<PostgresInfo> testPostgres(const Host& host, std::chrono::milliseconds timeout,
                                      const CancelToken& cancel) override
    {
        pg::PgConnection::Options options;
        options.conninfo = host.conninfo;
        options.password = m_secrets.read(host.pgSecretKey()).value_or(QString());
        options.timeout = timeout;
        auto conn = pg::PgConnection::connect(options, cancel);
        if (!conn)
            return conn.error();
        return pg::readServerInfo(**conn);
    }

    Result<SshInfo> testSsh(const Host& host, std::chrono::milliseconds timeout,
                            const CancelToken& cancel) override
    {
        if (!host.ssh || !host.ssh->isValid())
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("Host %1 has no SSH endpoint").arg(host.name));
        auto session = ssh::SshSession::connect(sshOptions(host, timeout), cancel);
        if (!session)
            return session.error();
        SshInfo info;
        info.hostKeyType = (*session)->hostKeyType();
        info.hostKeyFingerprint = (*session)->hostKeyFingerprint();
        auto uname = (*session)->exec(QStringLiteral("uname -srm"));
        if (!uname)
            return uname.error();
        info.remoteUname = QString::fromUtf8(uname->out).trimmed();
        return info;
    }

    Result<PendingHostKey> fetchHostKey(const SshEndpoint& endpoint,
                                        std::chrono::milliseconds timeout) override
    {
        return ssh::fetchHostKey(endpoint, timeout);
    }

    Status trustHostKey(const SshEndpoint& endpoint, const PendingHostKey& key) override
    {
        return ssh::KnownHosts::add(ssh::knownHostsPath(endpoint), key);
    }

    std::unique_ptr<MetricSource> createMetricSource(const Host& host,
                                                     std::chrono::milliseconds timeout) override
    {
        return std::make_unique<HostMetricSource>(host, m_secrets, timeout);
    }

    Result<QString> stripPassword(const QString& conninfo, QString* password) override
    {
        return pg::Conninfo::withoutPassword(conninfo, password);
    }

    Result<QString> serverLogDirectory(const Host& host, std::chrono::milliseconds timeout,
                                       const CancelToken& cancel) override
    {
        pg::PgConnection::Options options;
        options.conninfo = host.conninfo;
        options.password = m_secrets.read(host.pgSecretKey()).value_or(QString());
        options.timeout = timeout;
        auto conn = pg::PgConnection::connect(options, cancel);
        if (!conn)
            return conn.error();
        auto r = (*conn)->exec(QStringLiteral("SELECT current_setting('data_directory'), "
                                              "current_setting('log_directory')"));
        if (!r)
            return makeError(r.error().code,
                             QStringLiteral("cannot read log_directory of %1 (needs superuser or "
                                            "pg_read_all_settings): %2")
                                 .arg(host.name, r.error().message));
        const QString logDir = r->value(0, 1);
        return logDir.startsWith(QLatin1Char('/')) ? logDir
                                                   : r->value(0, 0) + QLatin1Char('/') + logDir;
    }

    Result<QList<ServerLogFile>> listServerLogs(const Host& host, const QString& directory,
                                                const CancelToken& cancel) override
    {
        return ssh::listServerLogs(sshOptions(host, std::chrono::seconds(10)), directory, cancel);
    }

    Result<QStringList> fetchFiles(const Host& host, const QStringList& remotePaths,
                                   const QString& localDir,
                                   const std::function<void(qint64)>& progress,
                                   const CancelToken& cancel) override
    {
        return ssh::fetchFiles(sshOptions(host, std::chrono::seconds(30)), remotePaths, localDir,
                               progress, cancel);
    }

private:
    ssh::SshOptions sshOptions(const Host& host, std::chrono::milliseconds timeout) const
    {
        return ssh::optionsForHost(host, m_secrets, timeout);
    }

    SecretStore& m_secrets;
};

} // namespace

std::unique_ptr<SecretStore> createSecretStore()
{
    return std::make_unique<KeychainSecretStore>();
}

std::unique_ptr<HostServices> createHostServices(SecretStore& secrets)
{
    return std::make_unique<ConnectorHostServices>(secrets);
}

std::unique_ptr<ShadowService> createShadowService()
{
    return std::make_unique<shadow::ConnectorShadowService>();
}

std::unique_ptr<ReplayService> createReplayService()
{
    return std::make_unique<replay::ConnectorReplayService>();
}

std::unique_ptr<PlanService> createPlanService()
{
    return std::make_unique<plans::ConnectorPlanService>();
}

std::unique_ptr<CaptureService> createCaptureService(SecretStore& secrets)
{
    return std::make_unique<capture::ConnectorCaptureService>(secrets);
}

} // namespace doppel
