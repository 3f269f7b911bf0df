// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "inventory/Host.h"

#include <QHash>
#include <QStringList>

#include <chrono>
#include <optional>

namespace doppel {

// How to start doppel-proxy. `runOn` empty: on this machine (the binary next to the running
// executable, or in $DOPPEL_BIN_DIR); set: on that inventory host over SSH, where doppel-proxy
// must be installed (`remoteBinary`, found in the login PATH by default).
struct ProxyLaunch
{
    QString listenHost = QStringLiteral("127.0.0.1");
    int listenPort = 6432;
    QString upstreamConninfo; // a password in it is removed, never put on a command line
    QString shadowConninfo;   // empty: no mirroring
    double mirrorRate = 0;
    QString captureDir; // required: also holds doppel-proxy.pid and doppel-proxy.log
    QStringList adminUsers;
    std::optional<Host> runOn;
    QString remoteBinary = QStringLiteral("doppel-proxy");
};

// A proxy started by start(): enough to poll and stop it, from any later call.
struct ProxyHandle
{
    qint64 pid = 0;
    QString listenAddress; // HOST:PORT clients connect to
    int metricsPort = 0;   // Prometheus endpoint on 127.0.0.1 of the machine it runs on
    QString captureDir;    // on the machine it runs on
    std::optional<Host> runOn;
    QString where() const { return runOn ? runOn->name : QStringLiteral("this machine"); }
};

// The proxy's Prometheus figures: `doppel_proxy_*` name → value.
struct ProxyCounters
{
    QHash<QString, double> values;
    double value(const QString& name) const { return values.value(name, 0); }
    bool has(const QString& name) const { return values.contains(name); }
};

// Starts, polls and stops doppel-proxy (connectors implements it with processes locally and
// SSH exec on a host). Every call blocks: call from a worker, never the GUI thread. Calls for
// one handle must not overlap; different handles may be used from different threads.
class CaptureService
{
public:
    virtual ~CaptureService() = default;
    // Starts the proxy in the background (it outlives the console) and waits until it listens.
    // Errors name the cause: binary missing (NotFound), upstream refused (Refused; checked from
    // this machine when the proxy runs here, left to the proxy's clients on a remote host), the
    // proxy's own refusal such as a port in use (its log line).
    virtual Result<ProxyHandle> start(const ProxyLaunch& launch, const CancelToken& cancel) = 0;
    // SIGTERM, then waits up to `drain` for the sessions to finish and the process to exit.
    virtual Status stop(const ProxyHandle& handle, std::chrono::milliseconds drain,
                        const CancelToken& cancel) = 0;
    // Reads the Prometheus endpoint once. Fails when the proxy no longer answers.
    virtual Result<ProxyCounters> poll(const ProxyHandle& handle, const CancelToken& cancel) = 0;
    // Whether the process still runs.
    virtual Result<bool> isRunning(const ProxyHandle& handle, const CancelToken& cancel) = 0;
};

} // namespace doppel
