// SPDX-License-Identifier: GPL-3.0-or-later
#include "Collector.h"

#include "collect/StoreWriter.h"
#include "services/HostServices.h"
#include "store/Repository.h"

namespace doppel {

QString hostStateName(HostState state)
{
    switch (state) {
    case HostState::Unknown:
        return QStringLiteral("unknown");
    case HostState::Ok:
        return QStringLiteral("ok");
    case HostState::Degraded:
        return QStringLiteral("degraded");
    case HostState::Error:
        return QStringLiteral("error");
    }
    return {};
}

Collector::Collector(HostServices& services, QString repositoryPath, QObject* parent)
    : QObject(parent), m_services(services)
{
    qRegisterMetaType<doppel::MetricSamples>();
    qRegisterMetaType<doppel::HostState>();
    m_timer.setInterval(std::chrono::milliseconds(10000));
    connect(&m_timer, &QTimer::timeout, this, &Collector::collectNow);

    m_writer = new StoreWriter(std::move(repositoryPath));
    m_writer->moveToThread(&m_writerThread);
    connect(&m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    connect(this, &Collector::writeSamples, m_writer, &StoreWriter::writeSamples);
    connect(this, &Collector::writeEvent, m_writer, &StoreWriter::writeEvent);
    connect(m_writer, &StoreWriter::failed, this, &Collector::storeFailed);
    m_writerThread.setObjectName(QStringLiteral("doppel-store-writer"));
    m_writerThread.start();
}

Collector::~Collector()
{
    stop();
    m_writerThread.quit();
    m_writerThread.wait();
}

void Collector::setInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

std::chrono::milliseconds Collector::interval() const
{
    return m_timer.intervalAsDuration();
}

void Collector::setTimeout(std::chrono::milliseconds timeout)
{
    m_timeout = timeout;
}

void Collector::setHosts(const std::vector<Host>& hosts)
{
    // Sources hold per-host counters; keep them for hosts that did not change.
    QHash<QString, HostSlot> next;
    for (const auto& host : hosts) {
        HostSlot slot;
        auto old = m_hosts.find(host.name);
        if (old != m_hosts.end() && old->host.conninfo == host.conninfo &&
            old->host.id == host.id && old->host.ssh.has_value() == host.ssh.has_value()) {
            slot = *old;
        }
        slot.host = host;
        next.insert(host.name, slot);
    }
    m_hosts = std::move(next);
    m_pool.setMaxThreadCount(std::max<int>(4, int(m_hosts.size())));
}

void Collector::start()
{
    m_cancel = CancelToken();
    collectNow();
    m_timer.start();
}

void Collector::stop()
{
    m_timer.stop();
    m_cancel.cancel();
    m_pool.waitForDone();
    // Results posted by the finished tasks are delivered now, so their samples reach the writer.
    QCoreApplication::sendPostedEvents(this);
    if (m_writerThread.isRunning())
        QMetaObject::invokeMethod(m_writer, &StoreWriter::flush, Qt::BlockingQueuedConnection);
}

void Collector::collectNow()
{
    for (auto& slot : m_hosts)
        if (!slot.busy)
            collectHost(slot);
}

HostState Collector::state(const QString& host) const
{
    auto it = m_hosts.constFind(host);
    return it == m_hosts.constEnd() ? HostState::Unknown : it->state;
}

void Collector::collectHost(HostSlot& slot)
{
    if (!slot.source)
        slot.source = m_services.createMetricSource(slot.host, m_timeout);
    slot.busy = true;
    // The task holds its own reference to the source, so replacing the host list while a round
    // runs does not free the source under it.
    std::shared_ptr<MetricSource> source = slot.source;
    const QString name = slot.host.name;
    const CancelToken cancel = m_cancel;
    QPointer<Collector> self(this);
    m_pool.start([self, source, name, cancel] {
        CollectionResult result = source->collect(cancel);
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, name, samples = std::move(result.samples), errors = result.errors] {
                if (self)
                    self->onCollected(name, samples, errors);
            },
            Qt::QueuedConnection);
    });
}

void Collector::onCollected(const QString& name, const MetricSamples& samples,
                            const QStringList& errors)
{
    auto it = m_hosts.find(name);
    if (it == m_hosts.end())
        return; // removed from the inventory meanwhile
    HostSlot& slot = *it;
    slot.busy = false;
    if (!samples.isEmpty()) {
        m_samplesCollected += samples.size();
        Q_EMIT writeSamples(slot.host.id, samples);
        Q_EMIT samplesCollected(name, samples);
    }
    // A round cut short by stop() says nothing about the host.
    if (m_cancel.isCancelled())
        return;
    const HostState state = errors.isEmpty()    ? HostState::Ok
                            : samples.isEmpty() ? HostState::Error
                                                : HostState::Degraded;
    const QString reason = errors.join(QStringLiteral("; "));
    if (state != slot.state || reason != slot.reason) {
        slot.state = state;
        slot.reason = reason;
        const Severity severity = state == HostState::Ok      ? Severity::Info
                                  : state == HostState::Error ? Severity::Error
                                                              : Severity::Warning;
        const QString message =
            state == HostState::Ok ? QStringLiteral("Collecting normally") : reason;
        Q_EMIT writeEvent(int(severity), QStringLiteral("collector"), name, message);
        Q_EMIT hostStateChanged(name, state, reason);
    }
}

} // namespace doppel
