// SPDX-License-Identifier: GPL-3.0-or-later
#include "LatencyDistributionChart.h"

#include "diff/DiffStats.h"

#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>

namespace doppel {

namespace {

constexpr double FloorMs = 1e-3; // a log axis has no zero
constexpr size_t MaxSorted = 200000;

// Percentile points of `values`; a larger sample is thinned evenly first, which keeps a click
// on a statement with millions of calls fast and moves no percentile by more than noise.
QList<QPointF> percentileCurve(const std::vector<double>& values)
{
    std::vector<double> sorted;
    const size_t step = values.size() / MaxSorted + 1;
    sorted.reserve(values.size() / step + 1);
    for (size_t i = 0; i < values.size(); i += step)
        sorted.push_back(std::max(values[i], FloorMs));
    std::sort(sorted.begin(), sorted.end());
    QList<QPointF> points;
    if (sorted.empty())
        return points;
    for (int p = 1; p <= 99; ++p)
        points.append({double(p), diffstats::quantileSorted(sorted, p / 100.0)});
    for (double p : {99.5, 99.9})
        points.append({p, diffstats::quantileSorted(sorted, p / 100.0)});
    return points;
}

} // namespace

LatencyDistributionChart::LatencyDistributionChart(QWidget* parent) : QChartView(parent)
{
    setObjectName(QStringLiteral("distributionChart"));
    setRenderHint(QPainter::Antialiasing);
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_prod = new QLineSeries(chart);
    m_prod->setName(tr("production"));
    m_prod->setColor(QColor(0x34, 0x65, 0xa4));
    m_shadow = new QLineSeries(chart);
    m_shadow->setName(tr("shadow"));
    m_shadow->setColor(QColor(0xcc, 0x00, 0x00));
    chart->addSeries(m_prod);
    chart->addSeries(m_shadow);
    m_percentAxis = new QValueAxis(chart);
    m_percentAxis->setRange(0, 100);
    m_percentAxis->setTitleText(tr("percentile"));
    m_percentAxis->setLabelFormat(QStringLiteral("%d"));
    m_msAxis = new QLogValueAxis(chart);
    m_msAxis->setTitleText(tr("ms"));
    m_msAxis->setLabelFormat(QStringLiteral("%.3g"));
    m_msAxis->setBase(2); // a label at every doubling: latencies rarely span many decades
    chart->addAxis(m_percentAxis, Qt::AlignBottom);
    chart->addAxis(m_msAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_prod, m_shadow}) {
        s->attachAxis(m_percentAxis);
        s->attachAxis(m_msAxis);
    }
    setChart(chart);
    setMinimumHeight(180);
}

void LatencyDistributionChart::setSamples(const LatencySamples& samples, const QString& title)
{
    const QList<QPointF> prod = percentileCurve(samples.prod);
    const QList<QPointF> shadow = percentileCurve(samples.shadow);
    m_prod->replace(prod);
    m_shadow->replace(shadow);
    double lo = 0, hi = 0;
    for (const QList<QPointF>* curve : {&prod, &shadow})
        for (const QPointF& p : *curve) {
            lo = lo == 0 ? p.y() : std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    if (hi > 0)
        m_msAxis->setRange(lo / 1.5, hi * 1.5);
    chart()->setTitle(title.simplified().left(80));
}

void LatencyDistributionChart::clear()
{
    m_prod->clear();
    m_shadow->clear();
    chart()->setTitle(QString());
}

} // namespace doppel
