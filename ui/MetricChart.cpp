// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricChart.h"

#include "UnitFormat.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace doppel {

MetricChart::MetricChart(const MetricInfo& info, QWidget* parent)
    : QChartView(parent), m_metric(QString::fromLatin1(info.name)),
      m_unit(QString::fromLatin1(info.unit))
{
    setObjectName(QStringLiteral("chart_") + m_metric);
    setToolTip(QStringLiteral("%1\n%2").arg(m_metric, QString::fromLatin1(info.description)));
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(260, 170);

    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation); // samples arrive every few seconds
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    QFont titleFont = chart->titleFont();
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);

    m_series = new QLineSeries(chart);
    chart->addSeries(m_series);

    m_timeAxis = new QDateTimeAxis(chart);
    m_timeAxis->setFormat(QStringLiteral("HH:mm"));
    m_timeAxis->setTickCount(4);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_series->attachAxis(m_timeAxis);

    m_valueAxis = new QValueAxis(chart);
    m_valueAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_valueAxis->setTickCount(4);
    chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_valueAxis);

    QFont axisFont = m_timeAxis->labelsFont();
    axisFont.setPointSizeF(axisFont.pointSizeF() * 0.85);
    m_timeAxis->setLabelsFont(axisFont);
    m_valueAxis->setLabelsFont(axisFont);
    m_valueAxis->setTitleFont(axisFont);

    setChart(chart);
    refresh();
}

void MetricChart::setWindow(std::chrono::minutes window)
{
    m_window = std::max(window, std::chrono::minutes(1));
    trim();
    refresh();
}

void MetricChart::addSample(qint64 timestampMs, double value)
{
    if (!std::isfinite(value))
        return;
    const QPointF point(double(timestampMs), value);
    if (m_points.isEmpty() || m_points.constLast().x() < point.x()) {
        m_points.append(point);
    } else {
        // Out of order (a late round): keep the list sorted; same timestamp replaces.
        auto it =
            std::lower_bound(m_points.begin(), m_points.end(), point,
                             [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
        if (it != m_points.end() && it->x() == point.x())
            *it = point;
        else
            m_points.insert(it, point);
    }
    trim();
    refresh();
}

void MetricChart::setHistory(QList<QPointF> points)
{
    std::sort(points.begin(), points.end(),
              [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    const double lastHistory = points.isEmpty() ? -1.0 : points.constLast().x();
    for (const QPointF& live : std::as_const(m_points))
        if (live.x() > lastHistory)
            points.append(live);
    m_points = std::move(points);
    trim();
    refresh();
}

void MetricChart::clear()
{
    m_points.clear();
    refresh();
}

void MetricChart::trim()
{
    if (m_points.isEmpty())
        return;
    const double windowMs = double(std::chrono::milliseconds(m_window).count());
    const double oldest = m_points.constLast().x() - windowMs;
    const auto firstKept = std::find_if(m_points.begin(), m_points.end(),
                                        [oldest](const QPointF& p) { return p.x() >= oldest; });
    m_points.erase(m_points.begin(), firstKept);
}

void MetricChart::refresh()
{
    double lo = 0, hi = 0, largest = 0;
    if (!m_points.isEmpty()) {
        lo = hi = m_points.constFirst().y();
        for (const QPointF& p : std::as_const(m_points)) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        largest = std::max(std::fabs(lo), std::fabs(hi));
    }
    const DisplayScale scale = displayScale(m_unit, largest);
    m_displayUnit = scale.unit;

    QList<QPointF> shown;
    shown.reserve(m_points.size());
    for (const QPointF& p : std::as_const(m_points))
        shown.append(QPointF(p.x(), p.y() / scale.divisor));
    m_series->replace(shown);

    // The time axis ends at "now" (or the newest point if the clock lags), so every chart of the
    // dashboard shows the same span and a host that stopped reporting visibly falls behind.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 end =
        m_points.isEmpty() ? now : std::max<qint64>(now, qint64(m_points.constLast().x()));
    const qint64 start = end - std::chrono::milliseconds(m_window).count();
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(start),
                         QDateTime::fromMSecsSinceEpoch(end));

    // Autoscale Y; most metrics are non-negative, and a zero baseline keeps them honest.
    double yMin = std::min(0.0, lo / scale.divisor);
    double yMax = hi / scale.divisor;
    if (yMax - yMin < 1e-9)
        yMax = yMin + 1.0;
    m_valueAxis->setRange(yMin, yMax * 1.05);
    m_valueAxis->applyNiceNumbers();
    m_valueAxis->setTitleText(scale.unit);

    const QString latest = m_points.isEmpty()
                               ? tr("no data")
                               : formatNumber(m_points.constLast().y() / scale.divisor) +
                                     QLatin1Char(' ') + scale.unit;
    chart()->setTitle(QStringLiteral("%1 (%2): %3").arg(m_metric, scale.unit, latest));
}

} // namespace doppel
