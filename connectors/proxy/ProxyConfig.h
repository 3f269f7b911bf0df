// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "TlsStream.h"
#include "common/Result.h"
#include "workload/CaptureWriter.h"

#include <QString>
#include <QStringList>

#include <cstdint>

namespace doppel::proxy {

// Every setting of doppel-proxy. The command line and the INI file (--config) set the same keys;
// the command line wins. Plain value: any thread.
int defaultWorkers();

struct ProxyConfig
{
    QString listenHost = QStringLiteral("127.0.0.1");
    int listenPort = -1; // -1: not given; 0: any free port
    QString upstream;    // conninfo; the proxy uses its host/port/user/dbname and ssl* keys
    QString shadow;
    double mirrorRate = 0.0;
    bool mirrorByStatement = false; // --mirror-by statement; by session otherwise
    bool mirrorWrites = false;      // mirror every statement (a shadow without replication)
    int mirrorQueue = 1000;         // statements waiting per mirrored session
    double checkResults = 0.0;      // share of mirrored reads whose result rows are compared
    QString shadowSlot;             // the replication slot feeding the shadow, watched for sync
    // --critical-fingerprint: statement fingerprints (16 lowercase hex digits, as `doppelctl
    // capture stats --json` prints them) whose transactions a full mirror queue keeps first.
    QStringList criticalFingerprints;
    QString captureDir;
    QStringList adminUsers;
    QString configFile;
    // One epoll thread per four cores: forwarding is kernel work (TCP send and the wake-up of
    // the peer), and on a small machine a second worker only adds context switches against
    // the PostgreSQL backends it serves (docs/BENCHMARKS.md, "Capture proxy").
    int workers = defaultWorkers();
    std::uint32_t maxMessageSize = 1u << 30;
    FsyncPolicy fsync = FsyncPolicy::Interval;
    std::int64_t segmentBytes = 64ll << 20;
    int segmentSeconds = 3600;
    int drainSeconds = 30;
    bool redact = false; // capture only normalized statements, no parameter values
    QString metricsHost; // empty: no Prometheus endpoint
    int metricsPort = 0;
    // TLS for clients: with a certificate and key, SSLRequest is answered 'S'; --tls-require
    // then refuses clients that stay in plain text.
    QString tlsCert;
    QString tlsKey;
    bool tlsRequire = false;

    // Where upstream connections go, resolved from `upstream` by libpq's rules.
    QString upstreamHost; // a TCP host or a Unix socket directory
    int upstreamPort = 5432;
    QString upstreamUser;     // the admin when no --admin-user is named
    QString upstreamDatabase; // where admin logins are checked
    UpstreamTls upstreamTls;  // sslmode and its files, from the upstream conninfo
    // --admin-user, or the upstream conninfo's user when none is named.
    QStringList effectiveAdminUsers() const
    {
        return adminUsers.isEmpty() ? QStringList{upstreamUser} : adminUsers;
    }
};

// Parses `doppel-proxy` arguments (without the program name), reading --config first.
Result<ProxyConfig> parseProxyArguments(const QStringList& args);
// Re-reads the INI file for SIGHUP, keeping the command line's overrides of `current`.
Result<ProxyConfig> reloadProxyConfig(const ProxyConfig& current, const QStringList& args);
QString proxyUsage();
// Whether libpq can parse the --shadow conninfo; `error` gets libpq's message when not.
bool shadowConninfoValid(const QString& conninfo, QString* error);

} // namespace doppel::proxy
