// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastService.h"

#include <QMetaObject>

namespace doppel::forecast {

ForecastService::ForecastService(QString repositoryPath, QObject* parent)
    : QObject(parent), m_repositoryPath(std::move(repositoryPath))
{
    m_coordinator.setMaxThreadCount(1);
    m_timer.setInterval(std::chrono::minutes(15));
    connect(&m_timer, &QTimer::timeout, this, &ForecastService::runNow);
}

ForecastService::~ForecastService()
{
    // Fits check the flag between models, so shutting down waits for one fit at most.
    m_cancel = true;
    m_coordinator.waitForDone();
    m_fits.waitForDone();
}

void ForecastService::setInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void ForecastService::start()
{
    m_timer.start();
    runNow();
}

void ForecastService::stop()
{
    m_timer.stop();
}

void ForecastService::runNow()
{
    if (m_running)
        return;
    m_running = true;
    Q_EMIT roundStarted();
    RoundOptions options = m_options;
    options.suppress = m_active;
    options.cancel = &m_cancel;
    // The coordinator thread blocks on the fits; it lives in a pool of its own so it never takes
    // a slot the fits need. `this` waits for both pools before it goes, so the posted call below
    // always finds it alive.
    m_coordinator.start([this, options] {
        RoundResult result = runForecastRound(m_repositoryPath, options, m_fits);
        QMetaObject::invokeMethod(
            this, [this, result = std::move(result)] { finishRound(result); },
            Qt::QueuedConnection);
    });
}

void ForecastService::finishRound(const RoundResult& result)
{
    m_running = false;
    m_active = result.activeKeys;
    for (const Event& e : result.events)
        Q_EMIT eventRaised(e);
    if (result.hostsAtRisk != m_hostsAtRisk) {
        m_hostsAtRisk = result.hostsAtRisk;
        Q_EMIT hostsAtRiskChanged(m_hostsAtRisk);
    }
    Q_EMIT roundFinished(result.fitted, result.failed, result.errors);
}

} // namespace doppel::forecast
