// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/MetricCatalog.h"

#include <QChartView>
#include <QList>
#include <QPointF>

#include <chrono>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace doppel {

// One metric of one host as a line over a sliding time window. Keeps the raw values (x = ms since
// the epoch, y = value in the catalog unit) and rescales the Y axis to what is in view: bytes as
// KiB/MiB/GiB, ratios as percent. Updated in place: the series object is kept and its points
// replaced. GUI thread only.
class MetricChart : public QChartView
{
    Q_OBJECT
public:
    explicit MetricChart(const MetricInfo& info, QWidget* parent = nullptr);

    QString metric() const { return m_metric; }
    void setWindow(std::chrono::minutes window);

    // A live sample; older points fall out of the window.
    void addSample(qint64 timestampMs, double value);
    // History read from the repository; live points newer than its last point are kept, so a
    // sample that arrived while the history loaded is not lost.
    void setHistory(QList<QPointF> points);
    void clear();

    int pointCount() const { return int(m_points.size()); }
    // The unit the Y axis shows now ("MiB", "%", "tx/s").
    QString displayUnit() const { return m_displayUnit; }

private:
    void trim();
    void refresh();

    QString m_metric;
    QString m_unit;
    QString m_displayUnit;
    std::chrono::minutes m_window{30};
    QList<QPointF> m_points; // sorted by time, raw values
    QLineSeries* m_series = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
};

} // namespace doppel
