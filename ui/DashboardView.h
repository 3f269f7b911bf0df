// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collect/HostState.h"
#include "metrics/MetricSample.h"

#include <QHash>
#include <QThreadPool>
#include <QWidget>

#include <chrono>

class QLabel;

namespace doppel {

class MetricChart;

// The selected host at a glance: its name and state on top, then a grid with one MetricChart per
// catalog metric. Live samples come from the Collector; when the host changes, the recent
// history is read from the repository on a worker thread, and a request token drops results
// that arrive after the user moved on. GUI thread only.
class DashboardView : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardView(QString repositoryPath, QWidget* parent = nullptr);
    ~DashboardView() override;

    QString host() const { return m_host; }
    MetricChart* chart(const QString& metric) const { return m_charts.value(metric); }
    void setWindow(std::chrono::minutes window);
    // True while a history load for the current host is under way (tests wait for it).
    bool isLoading() const { return m_loading; }

public Q_SLOTS:
    // Shows `host` (empty: nothing selected) and loads its history.
    void setHost(const QString& host);
    void setHostState(const QString& host, doppel::HostState state, const QString& reason);
    void addSamples(const QString& host, const doppel::MetricSamples& samples);

Q_SIGNALS:
    void historyFailed(const QString& message);

private:
    void loadHistory();

    QString m_repositoryPath;
    QString m_host;
    std::chrono::minutes m_window{30};
    QLabel* m_title = nullptr;
    QLabel* m_state = nullptr;
    QHash<QString, MetricChart*> m_charts;
    quint64 m_request = 0;
    bool m_loading = false;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
