// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ThresholdFields.h"

#include "forecast/ForecastChartData.h"
#include "store/Repository.h"

#include <QThreadPool>
#include <QWidget>

class QAreaSeries;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTableWidget;
class QValueAxis;

namespace doppel {

// Forecast of one metric of one host: history (reduced to per-pixel min/max before drawing),
// forecast mean, 80 and 95 % bands, the threshold line and the predicted breach, with the model
// and its hold-out accuracy; below, the built-in PostgreSQL limits' time to breach as the
// forecast service stored them. Adding a threshold (a ceiling or a floor) stores it, re-fits, and
// logs a recommendation when the threshold is at risk; removing takes the one shown away; "All
// thresholds…" asks for the list of every host's (ThresholdsDialog). Fits and reads run on a
// worker, and only while the view is shown (a hidden tab fits when it is opened); GUI thread only.
class ForecastView : public QWidget
{
    Q_OBJECT
public:
    explicit ForecastView(QString repositoryPath, QWidget* parent = nullptr);
    ~ForecastView() override;

    QString host() const { return m_host; }
    QString metric() const;
    qint64 horizonMs() const;
    // True while hosts, metrics or a forecast are loading (tests wait for it).
    bool isLoading() const { return m_pending > 0; }

public Q_SLOTS:
    void setHost(const QString& host);
    void setMetric(const QString& metric);
    void setHorizon(qint64 horizonMs);
    // Reads the metric list, thresholds and limits again, and re-fits the shown metric.
    void reload();
    void addThreshold();
    // Removes the threshold the chart shows (the newest on this metric) and fits again.
    void removeThreshold();

Q_SIGNALS:
    void eventLogged(const doppel::Event& event);
    void failed(const QString& message);
    // A threshold was added or removed here.
    void thresholdsChanged();
    // The user asked for the list of every threshold (the console opens ThresholdsDialog).
    void allThresholdsRequested();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void loadMetrics();
    void loadForecast();
    void showForecast(const forecast::ChartForecast& fit);
    void showLimits(const std::vector<LimitForecast>& limits);
    void clearChart(const QString& message);
    void finishOne();

    QString m_repositoryPath;
    QString m_host;
    QComboBox* m_metrics = nullptr;
    QComboBox* m_horizons = nullptr;
    QPushButton* m_refit = nullptr;
    ThresholdFields m_thresholdFields; // the new threshold's above/below, value, probability
    QPushButton* m_addThreshold = nullptr;
    QPushButton* m_removeThreshold = nullptr;
    QPushButton* m_allThresholds = nullptr;
    qint64 m_shownThreshold = 0; // id of the threshold on the chart, 0 for none
    QLabel* m_title = nullptr;
    QLabel* m_model = nullptr;
    QLabel* m_accuracy = nullptr;
    QLabel* m_breach = nullptr;
    QChartView* m_chartView = nullptr;
    QChart* m_chart = nullptr;
    QLineSeries* m_history = nullptr;
    QLineSeries* m_mean = nullptr;
    QAreaSeries* m_band80 = nullptr;
    QAreaSeries* m_band95 = nullptr;
    QLineSeries* m_threshold = nullptr;
    QScatterSeries* m_breachMarker = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    QTableWidget* m_limits = nullptr;
    quint64 m_request = 0;
    int m_pending = 0;
    bool m_stale = false;  // a fit was skipped while hidden: fit when shown
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
