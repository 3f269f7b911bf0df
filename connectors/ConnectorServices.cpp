// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorServices.h"

#include "metrics/HostMetricSource.h"
#include "postgres/Conninfo.h"
#include "postgres/PgConnection.h"
#include "postgres/ServerInfo.h"
#include "replay/ConnectorReplayService.h"
#include "secrets/KeychainSecretStore.h"
#include "shadow/ConnectorShadowService.h"
#include "ssh/KnownHosts.h"
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

private:
    ssh::SshOptions sshOptions(const Host& host, std::chrono::milliseconds timeout) const
    {
        ssh::SshOptions options;
        options.endpoint = *host.ssh;
        options.timeout = timeout;
        const QString secret = m_secrets.read(host.sshSecretKey()).value_or(QString());
        if (host.ssh->auth == SshAuth::Password)
            options.password = secret;
        else
            options.passphrase = secret;
        return options;
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

} // namespace doppel
