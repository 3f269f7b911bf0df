// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Interfaces through which core and ui reach the outside world. connectors/ implements them;
// app/ wires the implementations in. Nothing here includes libpq or libssh2.

#include "common/CancelToken.h"
#include "common/Result.h"
#include "inventory/Host.h"
#include "metrics/MetricSample.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

namespace doppel {

// What a successful PostgreSQL connection test learned.
struct PostgresInfo
{
    QString serverVersion; // e.g. "15.18"
    int serverVersionNum = 0;
    QString walLevel;
    int maxReplicationSlots = 0;
    int maxWalSenders = 0;
    QString sharedBuffers;
    int maxConnections = 0;
};

// What a successful SSH connection test learned.
struct SshInfo
{
    QString hostKeyType;        // "ssh-ed25519"
    QString hostKeyFingerprint; // "SHA256:..." as OpenSSH prints it
    QString remoteUname;
};

// An SSH host key the user has not decided on yet (ErrorCode::HostKeyUnknown carries it).
struct PendingHostKey
{
    QString host;
    int port = 22;
    QString keyType;
    QString fingerprint; // "SHA256:..."
    QByteArray keyBlob;  // raw key, for appending to known_hosts
};

// A server log file on a host, as listed over SFTP.
struct ServerLogFile
{
    QString path; // absolute on the host
    qint64 size = -1;
    qint64 modifiedSecs = -1; // seconds since the epoch
};

// What one collection round of one host gave: the samples that could be read, and a readable
// reason for each part that failed (PostgreSQL down, SSH refused, ...). Both may be non-empty.
struct CollectionResult
{
    MetricSamples samples;
    QStringList errors;
};

// Samples one host on each call; keeps the previous counters to turn them into rates (the
// first call yields no rate metrics). Not thread-safe: one collection at a time per instance
// (the Collector guarantees it), but any worker thread may make that call.
class MetricSource
{
public:
    virtual ~MetricSource() = default;
    virtual CollectionResult collect(const CancelToken& cancel) = 0;
};

// Factory and one-shot operations on hosts. Implementations are thread-safe: every call opens
// its own connections, so any worker thread may call any method. Never call from the UI thread:
// each call blocks up to its timeout.
class HostServices
{
public:
    virtual ~HostServices() = default;

    virtual Result<PostgresInfo> testPostgres(const Host& host, std::chrono::milliseconds timeout,
                                              const CancelToken& cancel) = 0;
    // Fails with ErrorCode::HostKeyUnknown (see pendingHostKey) or HostKeyChanged.
    virtual Result<SshInfo> testSsh(const Host& host, std::chrono::milliseconds timeout,
                                    const CancelToken& cancel) = 0;
    // The key an unknown-host-key failure was about; the UI shows it for a decision.
    virtual Result<PendingHostKey> fetchHostKey(const SshEndpoint& endpoint,
                                                std::chrono::milliseconds timeout) = 0;
    // The user accepted the key: append it to the endpoint's known_hosts file.
    virtual Status trustHostKey(const SshEndpoint& endpoint, const PendingHostKey& key) = 0;

    virtual std::unique_ptr<MetricSource> createMetricSource(const Host& host,
                                                             std::chrono::milliseconds timeout) = 0;

    // Where the server writes its logs: log_directory, resolved against data_directory when
    // relative (over libpq; needs superuser or pg_read_all_settings).
    virtual Result<QString> serverLogDirectory(const Host& host, std::chrono::milliseconds timeout,
                                               const CancelToken& cancel) = 0;
    // The log files (.csv, .log, .json and their .gz) in a directory of the host, over SFTP,
    // oldest first.
    virtual Result<QList<ServerLogFile>> listServerLogs(const Host& host, const QString& directory,
                                                        const CancelToken& cancel) = 0;
    // Copies files of the host into `localDir` over SFTP, each written whole or not at all and
    // readable by the owner only (logs hold statements and their values); `progress` gets the
    // bytes copied so far, `cancel` is checked between chunks. Returns the local paths.
    virtual Result<QStringList> fetchFiles(const Host& host, const QStringList& remotePaths,
                                           const QString& localDir,
                                           const std::function<void(qint64)>& progress,
                                           const CancelToken& cancel) = 0;

    // A conninfo with any password removed (the password goes to the SecretStore).
    virtual Result<QString> stripPassword(const QString& conninfo, QString* password) = 0;
};

} // namespace doppel
