// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastRound.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <chrono>

namespace doppel::forecast {

// Re-fits every (host, metric) of the repository on a schedule: a round (runForecastRound) runs
// on a coordinator thread and fans the fits out to a thread pool; its results come back on the
// owner's thread. An alert stays quiet while it remains at risk from one round to the next, so
// the event log gets one recommendation per episode. Create, call and destroy on one thread
// (the GUI thread in the console).
class ForecastService : public QObject
{
    Q_OBJECT
public:
    explicit ForecastService(QString repositoryPath, QObject* parent = nullptr);
    ~ForecastService() override;

    void setInterval(std::chrono::milliseconds interval);
    void setOptions(const RoundOptions& options) { m_options = options; }
    void start(); // first round now, then every interval
    void stop();
    bool isRunning() const { return m_running; }
    QSet<QString> hostsAtRisk() const { return m_hostsAtRisk; }

public Q_SLOTS:
    // Starts a round unless one is under way.
    void runNow();

Q_SIGNALS:
    void roundStarted();
    void eventRaised(const doppel::Event& event);
    void roundFinished(int fitted, int failed, const QStringList& errors);
    void hostsAtRiskChanged(const QSet<QString>& hosts);

private:
    void finishRound(const RoundResult& result);

    QString m_repositoryPath;
    RoundOptions m_options;
    QTimer m_timer;
    QSet<QString> m_active;
    QSet<QString> m_hostsAtRisk;
    bool m_running = false;
    std::atomic<bool> m_cancel{false};
    QThreadPool m_fits;
    QThreadPool m_coordinator; // last members: destroyed (and waited for) first
};

} // namespace doppel::forecast
