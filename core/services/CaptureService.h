// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "inventory/Host.h"
#include "workload/CaptureStats.h"

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
    // TLS for the applications' connections, files on the machine the proxy runs on: both
    // empty for plain text only.
    QString tlsCert;
    QString tlsKey;
    bool tlsRequire = false; // refuse clients that do not use TLS
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

// The per-statement figures of a proxy's capture, and where they were read.
struct CaptureSnapshot
{
    CaptureStats stats;
    // The directory read: the capture itself for a proxy on this machine, this machine's copy
    // of it for a proxy on a host.
    QString readFrom;
    qint64 pendingBytes = 0; // on a host: appended there but not copied yet (next call goes on)
};

// Starts, polls and stops doppel-proxy (connectors implements it with processes locally and
// SSH exec on a host). Every call blocks: call from a worker, never the GUI thread. Calls may
// come from several threads at once, except that start/stop calls for one handle must not
// overlap each other, nor statements() calls for one handle (they share its local copy).
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
    // The proxy that captures into `captureDir` (on this machine, or on `runOn`), started
    // earlier by this console or another: its pid file names a live doppel-proxy and its log
    // says where it listens. Nothing when none runs there.
    virtual Result<std::optional<ProxyHandle>> find(const QString& captureDir,
                                                    const std::optional<Host>& runOn,
                                                    const CancelToken& cancel) = 0;
    // The capture's statements. A capture on a host is first copied to this machine, only what
    // was appended since the last call and at most a bounded amount per call.
    virtual Result<CaptureSnapshot> statements(const ProxyHandle& handle,
                                               const CancelToken& cancel) = 0;
};

} // namespace doppel
