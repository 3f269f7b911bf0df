// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/ProcParser.h"
#include "postgres/PgConnection.h"
#include "services/HostServices.h"
#include "services/SecretStore.h"
#include "ssh/SshSession.h"

#include <memory>
#include <optional>

namespace doppel {

// Collects one host: OS metrics from /proc over SSH (when the host has an SSH endpoint) and
// PostgreSQL metrics over libpq. Keeps its connections open between rounds and reconnects when
// one broke. One collection at a time (the Collector's pool thread of the moment).
class HostMetricSource : public MetricSource
{
public:
    HostMetricSource(Host host, SecretStore& secrets, std::chrono::milliseconds timeout);
    ~HostMetricSource() override;
    CollectionResult collect(const CancelToken& cancel) override;

private:
    struct PgCounters
    {
        qint64 monotonicMs = 0;
        double xacts = 0;
        double blksHit = 0;
        double blksRead = 0;
    };
    void collectPostgres(qint64 now, qint64 monotonic, CollectionResult& out,
                         const CancelToken& cancel);
    void collectOs(qint64 now, qint64 monotonic, CollectionResult& out, const CancelToken& cancel);

    Host m_host;
    SecretStore& m_secrets;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<pg::PgConnection> m_pg;
    std::unique_ptr<ssh::SshClient> m_ssh;
    std::optional<PgCounters> m_lastPg;
    std::optional<ProcSnapshot> m_lastProc;
    QString m_dataDir; // learned from PostgreSQL, for disk_free_bytes
};

} // namespace doppel
