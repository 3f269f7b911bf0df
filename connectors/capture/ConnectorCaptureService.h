// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/CaptureService.h"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

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
// connection here, bash's /dev/tcp through SSH there). The statements of a capture on a host
// are read from a copy on this machine that SFTP keeps up to date (see copyRemoteCapture).
// Thread-safe; a few SSH sessions are kept per host, each used by one call at a time.
class ConnectorCaptureService : public CaptureService
{
public:
    // `copyRoot`: where copies of captures on hosts go (default: the user's cache folder).
    explicit ConnectorCaptureService(SecretStore& secrets, QString copyRoot = {});
    ~ConnectorCaptureService() override;

    Result<ProxyHandle> start(const ProxyLaunch& launch, const CancelToken& cancel) override;
    Status stop(const ProxyHandle& handle, std::chrono::milliseconds drain,
                const CancelToken& cancel) override;
    Result<ProxyCounters> poll(const ProxyHandle& handle, const CancelToken& cancel) override;
    Result<bool> isRunning(const ProxyHandle& handle, const CancelToken& cancel) override;
    Result<std::optional<ProxyHandle>> find(const QString& captureDir,
                                            const std::optional<Host>& runOn,
                                            const CancelToken& cancel) override;
    Result<CaptureSnapshot> statements(const ProxyHandle& handle,
                                       const CancelToken& cancel) override;

    // This machine's copy of the capture of a proxy on a host.
    QString copyDir(const ProxyHandle& handle) const;

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
    // Brings the copy up to date; returns the bytes still to copy.
    Result<qint64> copyRemoteCapture(const ProxyHandle& handle, const QString& copy,
                                     const CancelToken& cancel);
    // An idle SSH session to `host` (or a new one), and its return once the call is done.
    std::unique_ptr<ssh::SshClient> takeClient(const Host& host);
    void giveBack(const Host& host, std::unique_ptr<ssh::SshClient> client);

    SecretStore& m_secrets;
    QString m_copyRoot;
    std::mutex m_mutex; // guards m_ssh (the map, not the sessions: those are taken out to use)
    // Idle sessions per host: a poll and a statements read may run at once.
    std::map<QString, std::vector<std::unique_ptr<ssh::SshClient>>> m_ssh;
};

// The `doppel_proxy_*` samples of a Prometheus text exposition (HTTP headers, if any, skipped).
ProxyCounters parsePrometheusText(const QByteArray& text);

} // namespace doppel::capture
