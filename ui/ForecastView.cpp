// SPDX-License-Identifier: GPL-3.0-or-later
#include "ForecastView.h"
#include "Async.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>
#include <limits>

namespace doppel {

using namespace forecast;

namespace {

struct MetricList
{
    QString error;
    QStringList metrics;
};

MetricList readMetrics(const QString& path, const QString& hostName)
{
    auto repo = Repository::open(path);
    if (!repo)
        return {repo.error().message, {}};
    auto host = (*repo)->host(hostName);
    if (!host)
        return {host.error().message, {}};
    auto metrics = (*repo)->metricsWithData(host->id);
    if (!metrics)
        return {metrics.error().message, {}};
    return {{}, *metrics};
}

QList<QPointF> forecastPoints(const StoredForecast& f, const std::vector<double>& values)
{
    QList<QPointF> out;
    out.reserve(qsizetype(values.size()));
    for (size_t i = 0; i < values.size(); ++i)
        out.append(QPointF(double(f.startMs + qint64(i) * f.stepMs), values[i]));
    return out;
}

QLineSeries* addLine(QChart* chart, const QString& name, const QColor& color, qreal width)
{
    auto* s = new QLineSeries(chart);
    s->setObjectName(name);
    QPen pen(color);
    pen.setWidthF(width);
    s->setPen(pen);
    chart->addSeries(s);
    return s;
}

QAreaSeries* addBand(QChart* chart, const QString& name, const QString& label, QColor color)
{
    auto* area = new QAreaSeries(new QLineSeries(chart), new QLineSeries(chart));
    area->setObjectName(name);
    area->setName(label);
    area->setPen(Qt::NoPen);
    area->setBrush(color);
    chart->addSeries(area);
    return area;
}

} // namespace

ForecastView::ForecastView(QString repositoryPath, QWidget* parent)
    : QWidget(parent), m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("forecastView"));
    m_title = new QLabel(this);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_metrics = new QComboBox(this);
    m_metrics->setObjectName(QStringLiteral("metricCombo"));
    m_metrics->setMinimumContentsLength(22);
    m_horizons = new QComboBox(this);
    m_horizons->setObjectName(QStringLiteral("horizonCombo"));
    m_horizons->addItem(tr("1 hour"), HourMs);
    m_horizons->addItem(tr("1 day"), DayMs);
    m_horizons->addItem(tr("1 week"), WeekMs);
    m_horizons->setCurrentIndex(1);
    m_refit = new QPushButton(tr("Re-fit"), this);
    m_refit->setObjectName(QStringLiteral("refitButton"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_title);
    top->addStretch(1);
    top->addWidget(new QLabel(tr("Metric:"), this));
    top->addWidget(m_metrics);
    top->addWidget(new QLabel(tr("Horizon:"), this));
    top->addWidget(m_horizons);
    top->addWidget(m_refit);

    m_thresholdFields = ThresholdFields::create(this);
    m_addThreshold = new QPushButton(tr("Add threshold"), this);
    m_addThreshold->setObjectName(QStringLiteral("addThresholdButton"));
    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(new QLabel(tr("Alert when"), this));
    thresholdRow->addWidget(m_thresholdFields.direction);
    thresholdRow->addWidget(m_thresholdFields.value);
    thresholdRow->addWidget(new QLabel(tr("within the horizon with probability ≥"), this));
    thresholdRow->addWidget(m_thresholdFields.probability);
    thresholdRow->addWidget(m_addThreshold);
    m_removeThreshold = new QPushButton(tr("Remove threshold"), this);
    m_removeThreshold->setObjectName(QStringLiteral("removeThresholdButton"));
    m_removeThreshold->setToolTip(tr("Removes the threshold drawn on the chart."));
    m_removeThreshold->setEnabled(false);
    thresholdRow->addWidget(m_removeThreshold);
    thresholdRow->addStretch(1);
    m_allThresholds = new QPushButton(tr("All thresholds…"), this);
    m_allThresholds->setObjectName(QStringLiteral("allThresholdsButton"));
    m_allThresholds->setToolTip(tr("Every threshold of every host and metric."));
    thresholdRow->addWidget(m_allThresholds);

    m_model = new QLabel(this);
    m_model->setObjectName(QStringLiteral("modelLabel"));
    m_model->setWordWrap(true);
    m_accuracy = new QLabel(this);
    m_accuracy->setObjectName(QStringLiteral("accuracyLabel"));
    m_breach = new QLabel(this);
    m_breach->setObjectName(QStringLiteral("breachLabel"));
    m_breach->setWordWrap(true);

    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_band95 = addBand(m_chart, QStringLiteral("band95"), tr("95 %"), QColor(70, 130, 180, 50));
    m_band80 = addBand(m_chart, QStringLiteral("band80"), tr("80 %"), QColor(70, 130, 180, 90));
    m_history = addLine(m_chart, QStringLiteral("history"), QColor(40, 40, 40), 1.0);
    m_history->setName(tr("history"));
    m_mean = addLine(m_chart, QStringLiteral("forecastMean"), QColor(20, 90, 160), 2.0);
    m_mean->setName(tr("forecast"));
    m_threshold = addLine(m_chart, QStringLiteral("thresholdLine"), QColor(200, 40, 40), 1.5);
    m_threshold->setName(tr("threshold"));
    m_breachMarker = new QScatterSeries(m_chart);
    m_breachMarker->setObjectName(QStringLiteral("breachMarker"));
    m_breachMarker->setName(tr("expected breach"));
    m_breachMarker->setColor(QColor(200, 40, 40));
    m_breachMarker->setMarkerSize(11);
    m_chart->addSeries(m_breachMarker);
    m_timeAxis = new QDateTimeAxis(m_chart);
    m_timeAxis->setFormat(QStringLiteral("MM-dd HH:mm"));
    m_timeAxis->setTickCount(6);
    m_valueAxis = new QValueAxis(m_chart);
    m_valueAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    for (QAbstractSeries* s : m_chart->series()) {
        s->attachAxis(m_timeAxis);
        s->attachAxis(m_valueAxis);
    }
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(QStringLiteral("forecastChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(280);

    m_limits = new QTableWidget(0, 5, this);
    m_limits->setObjectName(QStringLiteral("limitsTable"));
    m_limits->setHorizontalHeaderLabels({tr("Limit"), tr("Breach probability"),
                                         tr("Expected breach"), tr("80 % interval"), tr("Detail")});
    m_limits->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_limits->horizontalHeader()->setStretchLastSection(true);
    m_limits->verticalHeader()->hide();
    m_limits->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_limits->setMaximumHeight(170);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addLayout(thresholdRow);
    layout->addWidget(m_model);
    layout->addWidget(m_accuracy);
    layout->addWidget(m_breach);
    layout->addWidget(m_chartView, 1);
    layout->addWidget(new QLabel(tr("PostgreSQL limits (time to breach)"), this));
    layout->addWidget(m_limits);

    connect(m_metrics, &QComboBox::currentIndexChanged, this, [this] { loadForecast(); });
    connect(m_horizons, &QComboBox::currentIndexChanged, this, [this] { loadForecast(); });
    connect(m_refit, &QPushButton::clicked, this, &ForecastView::reload);
    connect(m_addThreshold, &QPushButton::clicked, this, &ForecastView::addThreshold);
    connect(m_removeThreshold, &QPushButton::clicked, this, &ForecastView::removeThreshold);
    connect(m_allThresholds, &QPushButton::clicked, this, &ForecastView::allThresholdsRequested);
    setHost(QString());
}

ForecastView::~ForecastView()
{
    // A fit takes well under a second; wait so no worker posts to a half-destroyed view.
    m_workers.waitForDone();
}

QString ForecastView::metric() const
{
    return m_metrics->currentText();
}

qint64 ForecastView::horizonMs() const
{
    return m_horizons->currentData().toLongLong();
}

void ForecastView::setHost(const QString& host)
{
    if (host == m_host && !host.isEmpty())
        return;
    m_host = host;
    m_title->setText(host.isEmpty() ? tr("No host selected") : host);
    loadMetrics();
}

void ForecastView::setMetric(const QString& metric)
{
    m_metrics->setCurrentIndex(m_metrics->findText(metric));
}

void ForecastView::setHorizon(qint64 horizonMs)
{
    m_horizons->setCurrentIndex(m_horizons->findData(horizonMs));
}

void ForecastView::reload()
{
    loadMetrics();
}

void ForecastView::finishOne()
{
    m_pending = std::max(0, m_pending - 1);
}

void ForecastView::loadMetrics()
{
    const quint64 request = ++m_request;
    if (m_host.isEmpty()) {
        const QSignalBlocker block(m_metrics);
        m_metrics->clear();
        clearChart(tr("Select a host in the inventory."));
        return;
    }
    ++m_pending;
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, host = m_host] { return readMetrics(path, host); },
        [this, request](MetricList list) {
            finishOne();
            if (request != m_request)
                return; // the user moved on
            const QString keep = m_metrics->currentText();
            {
                const QSignalBlocker block(m_metrics);
                m_metrics->clear();
                m_metrics->addItems(list.metrics);
                int index = m_metrics->findText(keep);
                if (index < 0)
                    index = std::max(0, m_metrics->findText(QStringLiteral("cpu_percent")));
                m_metrics->setCurrentIndex(index);
            }
            if (!list.error.isEmpty()) {
                clearChart(list.error);
                Q_EMIT failed(list.error);
                return;
            }
            if (list.metrics.isEmpty()) {
                clearChart(tr("No samples for %1 yet.").arg(m_host));
                return;
            }
            loadForecast();
        });
}

void ForecastView::addThreshold()
{
    if (m_host.isEmpty() || metric().isEmpty())
        return;
    ForecastThreshold t;
    t.host = m_host;
    t.metric = metric();
    t.horizonMs = horizonMs();
    m_thresholdFields.fill(t);
    const quint64 request = ++m_request;
    ++m_pending;
    m_addThreshold->setEnabled(false);
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, host = m_host, metric = t.metric, horizon = t.horizonMs,
         pixels = m_chartView->width(),
         t] { return chartForecast(path, host, metric, horizon, pixels, t); },
        [this, request](ChartForecast fit) {
            finishOne();
            m_addThreshold->setEnabled(true);
            // Logged whether or not the user moved on: the event is already in the repository.
            if (fit.event)
                Q_EMIT eventLogged(*fit.event);
            if (fit.threshold && fit.threshold->id > 0)
                Q_EMIT thresholdsChanged();
            if (request == m_request)
                showForecast(fit);
        });
}

void ForecastView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        loadForecast();
}

void ForecastView::loadForecast()
{
    if (m_host.isEmpty() || metric().isEmpty())
        return;
    // Fitting costs CPU: a hidden tab waits until the user opens it.
    m_stale = !isVisible();
    if (m_stale)
        return;
    const quint64 request = ++m_request;
    ++m_pending;
    m_model->setText(tr("Fitting %1…").arg(metric()));
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, host = m_host, metric = metric(), horizon = horizonMs(),
         pixels = m_chartView->width()] {
            return chartForecast(path, host, metric, horizon, pixels, std::nullopt);
        },
        [this, request](ChartForecast fit) {
            finishOne();
            if (request == m_request)
                showForecast(fit);
        });
}

void ForecastView::removeThreshold()
{
    if (m_shownThreshold <= 0)
        return;
    const qint64 id = m_shownThreshold;
    m_removeThreshold->setEnabled(false);
    ++m_pending;
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, id]() -> Status {
            auto repo = Repository::open(path);
            if (!repo)
                return repo.error();
            return (*repo)->removeThreshold(id);
        },
        [this, id](Status removed) {
            finishOne();
            if (!removed) {
                m_removeThreshold->setEnabled(m_shownThreshold > 0);
                Q_EMIT failed(
                    tr("Removing threshold %1 failed: %2").arg(id).arg(removed.error().message));
                return;
            }
            Q_EMIT thresholdsChanged();
            loadForecast(); // the next newest threshold on this metric, if any, takes its place
        });
}

void ForecastView::clearChart(const QString& message)
{
    for (QLineSeries* s :
         {m_history, m_mean, m_threshold, m_band80->upperSeries(), m_band80->lowerSeries(),
          m_band95->upperSeries(), m_band95->lowerSeries()})
        s->clear();
    m_breachMarker->clear();
    m_shownThreshold = 0;
    m_removeThreshold->setEnabled(false);
    m_model->setText(message);
    m_accuracy->clear();
    m_breach->clear();
}

void ForecastView::showForecast(const ChartForecast& fit)
{
    if (!fit.error.isEmpty() && fit.fit.forecast.mean.empty()) {
        clearChart(fit.error);
        Q_EMIT failed(fit.error);
        return;
    }
    const StoredForecast& f = fit.fit.forecast;
    m_history->replace(QList<QPointF>(fit.history.begin(), fit.history.end()));
    m_mean->replace(forecastPoints(f, f.mean));
    m_band80->upperSeries()->replace(forecastPoints(f, f.hi80));
    m_band80->lowerSeries()->replace(forecastPoints(f, f.lo80));
    m_band95->upperSeries()->replace(forecastPoints(f, f.hi95));
    m_band95->lowerSeries()->replace(forecastPoints(f, f.lo95));

    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const auto extend = [&](double v) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    };
    for (const QPointF& p : fit.history)
        extend(p.y());
    for (const auto* v : {&f.mean, &f.lo95, &f.hi95})
        for (double x : *v)
            extend(x);
    const qint64 start = fit.history.empty() ? f.startMs : qint64(fit.history.front().x());
    const qint64 end = f.startMs + qint64(f.mean.size()) * f.stepMs;
    m_shownThreshold = fit.threshold ? fit.threshold->id : 0;
    m_removeThreshold->setEnabled(m_shownThreshold > 0);
    m_threshold->clear();
    m_breachMarker->clear();
    if (fit.threshold) {
        extend(fit.threshold->value);
        m_threshold->append(double(start), fit.threshold->value);
        m_threshold->append(double(end), fit.threshold->value);
        QString text = tr("P(%1 %5 %2 within %3) = %4 %")
                           .arg(f.metric)
                           .arg(fit.threshold->value)
                           .arg(horizonName(f.horizonMs))
                           .arg(fit.verdict.probability * 100, 0, 'f', 0)
                           .arg(fit.threshold->below ? QStringLiteral("<") : QStringLiteral(">"));
        if (fit.verdict.expectedMs) {
            m_breachMarker->append(double(*fit.verdict.expectedMs), fit.threshold->value);
            text += tr("; expected breach %1 (80 % interval %2 to %3)")
                        .arg(formatTime(*fit.verdict.expectedMs), formatTime(*fit.verdict.lowerMs),
                             formatTime(*fit.verdict.upperMs));
        }
        if (fit.event)
            text += tr(" — recommendation logged");
        m_breach->setText(text);
    } else {
        m_breach->setText(
            tr("No threshold on %1: add one to see the risk of crossing it.").arg(f.metric));
    }
    const double pad = hi > lo ? (hi - lo) * 0.05 : std::max(1.0, std::abs(hi) * 0.05);
    m_valueAxis->setRange(lo - pad, hi + pad);
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(start),
                         QDateTime::fromMSecsSinceEpoch(end));
    m_model->setText(tr("Model %1 — %2").arg(f.model, f.reason));
    m_accuracy->setText(
        std::isfinite(f.accuracyMase)
            ? tr("Accuracy: MASE %1 on the held-out last part of the history (below 1 beats the "
                 "naive forecast); %2 points, one per %3")
                  .arg(f.accuracyMase, 0, 'f', 3)
                  .arg(fit.fit.points)
                  .arg(horizonName(f.stepMs))
            : tr("Accuracy: history too short to hold a part out; %1 points").arg(fit.fit.points));
    if (!fit.error.isEmpty())
        Q_EMIT failed(fit.error);
    showLimits(fit.limits);
}

void ForecastView::showLimits(const std::vector<LimitForecast>& limits)
{
    m_limits->setRowCount(int(limits.size()));
    for (int row = 0; row < int(limits.size()); ++row) {
        const LimitForecast& l = limits[size_t(row)];
        const QStringList cells = {l.name,
                                   QStringLiteral("%1 % within %2")
                                       .arg(l.probability * 100, 0, 'f', 0)
                                       .arg(horizonName(l.horizonMs)),
                                   l.expectedMs ? formatTime(*l.expectedMs)
                                                : tr("not within %1").arg(horizonName(l.horizonMs)),
                                   l.lowerMs ? QStringLiteral("%1 – %2").arg(formatTime(*l.lowerMs),
                                                                             formatTime(*l.upperMs))
                                             : QString(),
                                   l.detail};
        for (int c = 0; c < cells.size(); ++c)
            m_limits->setItem(row, c, new QTableWidgetItem(cells[c]));
    }
}

} // namespace doppel
