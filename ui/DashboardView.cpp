// SPDX-License-Identifier: GPL-3.0-or-later
#include "DashboardView.h"

#include "Async.h"
#include "DashboardHistory.h"
#include "MetricChart.h"
#include "StateIcons.h"

#include "metrics/MetricCatalog.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace doppel {

namespace {
constexpr int ChartColumns = 3;
}

DashboardView::DashboardView(QString repositoryPath, QWidget* parent)
    : QWidget(parent), m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("dashboardView"));
    m_workers.setMaxThreadCount(1); // one history read at a time; newer requests queue behind

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("dashboardTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("dashboardState"));
    m_state->setTextFormat(Qt::PlainText);
    m_state->setWordWrap(true);

    auto* header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addSpacing(12);
    header->addWidget(m_state, 1);

    auto* grid = new QWidget;
    auto* gridLayout = new QGridLayout(grid);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    gridLayout->setSpacing(6);
    int i = 0;
    for (const MetricInfo& info : metricCatalog()) {
        auto* chart = new MetricChart(info, grid);
        m_charts.insert(chart->metric(), chart);
        gridLayout->addWidget(chart, i / ChartColumns, i % ChartColumns);
        ++i;
    }
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(header);
    layout->addWidget(scroll, 1);
    setHost(QString());
}

DashboardView::~DashboardView()
{
    // The loads are short reads; wait so no worker posts to a half-destroyed view.
    m_workers.waitForDone();
}

void DashboardView::setWindow(std::chrono::minutes window)
{
    if (window == m_window)
        return;
    m_window = window;
    for (MetricChart* chart : std::as_const(m_charts))
        chart->setWindow(window);
    loadHistory(); // a wider window needs older points
}

void DashboardView::setHost(const QString& host)
{
    if (host == m_host && !host.isEmpty())
        return;
    m_host = host;
    for (MetricChart* chart : std::as_const(m_charts))
        chart->clear();
    m_title->setText(host.isEmpty() ? tr("No host selected") : host);
    m_state->setText(host.isEmpty() ? tr("Add a host or select one in the inventory.") : QString());
    loadHistory();
}

void DashboardView::setHostState(const QString& host, HostState state, const QString& reason)
{
    if (host != m_host)
        return;
    QString text = tr("State: %1").arg(hostStateName(state));
    if (!reason.isEmpty())
        text += QStringLiteral(" — ") + reason;
    m_state->setText(text);
}

void DashboardView::addSamples(const QString& host, const MetricSamples& samples)
{
    if (host != m_host)
        return;
    for (const MetricSample& sample : samples)
        if (MetricChart* chart = m_charts.value(sample.metric))
            chart->addSample(sample.timestampMs, sample.value);
}

void DashboardView::loadHistory()
{
    const quint64 request = ++m_request;
    if (m_host.isEmpty()) {
        m_loading = false;
        return;
    }
    m_loading = true;
    const qint64 to = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = to - std::chrono::milliseconds(m_window).count();
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, host = m_host, from, to] {
            return loadHostHistory(path, host, from, to);
        },
        [this, request](Result<MetricHistory> history) {
            if (request != m_request)
                return; // the user selected another host meanwhile
            m_loading = false;
            if (!history) {
                // A host added a moment ago has no samples yet: that is no error worth a banner.
                if (history.error().code != ErrorCode::NotFound)
                    Q_EMIT historyFailed(history.error().toString());
                return;
            }
            for (auto it = history->cbegin(); it != history->cend(); ++it)
                if (MetricChart* chart = m_charts.value(it.key()))
                    chart->setHistory(it.value());
        });
}

} // namespace doppel
