// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collect/HostState.h"
#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "metrics/MetricSample.h"

#include <QCoreApplication>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <memory>
#include <vector>

namespace doppel {

class HostServices;
class MetricSource;
class StoreWriter;

// Samples every inventory host on an interval. Each host is collected on a pool thread with
// its own MetricSource; a host still busy from the last round is skipped, so a slow or
// unreachable host never delays the others. Samples go to the repository through a
// StoreWriter thread and to listeners through samplesCollected.
// Create, configure and destroy on one thread (the GUI thread or the CLI's main thread);
// signals arrive on that thread.
class Collector : public QObject
{
    Q_OBJECT
public:
    Collector(HostServices& services, QString repositoryPath, QObject* parent = nullptr);
    ~Collector() override;

    void setInterval(std::chrono::milliseconds interval);
    std::chrono::milliseconds interval() const;
    void setTimeout(std::chrono::milliseconds timeout);
    void setHosts(const std::vector<Host>& hosts);
    void start();
    // Cancels work in flight, waits for the pool, then for the writer to store every sample.
    void stop();
    // Collects every idle host once, now (the timer keeps its rhythm).
    void collectNow();
    HostState state(const QString& host) const;
    qint64 sampleCount() const { return m_samplesCollected; }

Q_SIGNALS:
    void samplesCollected(const QString& host, const doppel::MetricSamples& samples);
    void hostStateChanged(const QString& host, doppel::HostState state, const QString& reason);
    void storeFailed(const QString& message);
    // Internal: queued to the writer thread.
    void writeSamples(qint64 hostId, const doppel::MetricSamples& samples);
    void writeEvent(int severity, const QString& source, const QString& host,
                    const QString& message);

private:
    struct HostSlot
    {
        Host host;
        std::shared_ptr<MetricSource> source;
        bool busy = false;
        HostState state = HostState::Unknown;
        QString reason;
    };
    void collectHost(HostSlot& slot);
    void onCollected(const QString& name, const doppel::MetricSamples& samples,
                     const QStringList& errors);

    HostServices& m_services;
    QTimer m_timer;
    QThreadPool m_pool;
    QThread m_writerThread;
    StoreWriter* m_writer = nullptr;
    std::chrono::milliseconds m_timeout{8000};
    QHash<QString, HostSlot> m_hosts;
    CancelToken m_cancel;
    qint64 m_samplesCollected = 0;
};

} // namespace doppel
