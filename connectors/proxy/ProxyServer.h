// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyConfig.h"
#include "ProxyShared.h"

#include <memory>
#include <vector>

namespace doppel {
class CaptureWriter;
}

namespace doppel::proxy {

class MirrorEngine;
class ProxyWorker;

// doppel-proxy's engine: the listening socket, the workers sessions are spread over, the
// capture writer, and the signals (SIGHUP reloads, SIGTERM/SIGINT drain and exit). create()
// blocks those signals in the calling thread before any thread starts; run() then blocks in it.
class ProxyServer
{
public:
    static Result<std::unique_ptr<ProxyServer>> create(const ProxyConfig& config,
                                                       const QStringList& arguments);
    ~ProxyServer();
    // Accepts until SIGTERM/SIGINT, then drains; returns the process exit code.
    int run();
    int port() const { return m_port; }
    int metricsPort() const { return m_metricsPort; }

private:
    ProxyServer(ProxyConfig config, QStringList arguments);
    void reload();
    void drainAndStop();
    void log(const QString& message) const;

    ProxyConfig m_config;
    QStringList m_arguments;
    ProxyShared m_shared;
    std::unique_ptr<CaptureWriter> m_capture;
    std::unique_ptr<MirrorEngine> m_mirror;
    std::vector<std::unique_ptr<ProxyWorker>> m_workers;
    int m_listenFd = -1;
    int m_metricsFd = -1;
    int m_signalFd = -1;
    int m_epoll = -1;
    int m_port = 0;
    int m_metricsPort = 0;
    std::size_t m_next = 0;
};

} // namespace doppel::proxy
