// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/CaptureService.h"

#include <map>
#include <memory>
#include <mutex>

namespace doppel {
class SecretStore;
}

namespace doppel::ssh {
class SshClient;
}

namespace doppel::capture {

// CaptureService over /bin/sh on this machine and SSH exec on a host: doppel-proxy runs under
// nohup in the background with its pid in CAPTUREDIR/doppel-proxy.pid and its log in
// CAPTUREDIR/doppel-proxy.log; counters come from its Prometheus endpoint on 127.0.0.1 (a TCP
// connection here, bash's /dev/tcp through SSH there). Thread-safe; one SSH session is kept per
// host and used by one call at a time.
class ConnectorCaptureService : public CaptureService
{
public:
    explicit ConnectorCaptureService(SecretStore& secrets);
    ~ConnectorCaptureService() override;

    Result<ProxyHandle> start(const ProxyLaunch& launch, const CancelToken& cancel) override;
    Status stop(const ProxyHandle& handle, std::chrono::milliseconds drain,
                const CancelToken& cancel) override;
    Result<ProxyCounters> poll(const ProxyHandle& handle, const CancelToken& cancel) override;
    Result<bool> isRunning(const ProxyHandle& handle, const CancelToken& cancel) override;

private:
    struct ExecOut
    {
        QString out;
        int exitCode = -1;
    };
    // Runs a POSIX shell script where the proxy runs (here, or on `host` over SSH).
    Result<ExecOut> shell(const std::optional<Host>& host, const QString& script,
                          const CancelToken& cancel);
    Result<QString> resolveBinary(const ProxyLaunch& launch, const CancelToken& cancel);
    void forgetPid(const ProxyHandle& handle, const CancelToken& cancel);
    Result<ProxyHandle> waitListening(ProxyHandle handle, const CancelToken& cancel);

    SecretStore& m_secrets;
    std::mutex m_mutex; // guards m_ssh (the map, not the sessions: those are taken out to use)
    std::map<QString, std::unique_ptr<ssh::SshClient>> m_ssh;
};

// The `doppel_proxy_*` samples of a Prometheus text exposition (HTTP headers, if any, skipped).
ProxyCounters parsePrometheusText(const QByteArray& text);

} // namespace doppel::capture
