// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThresholdsDialog.h"

#include "Async.h"
#include "MessageBanner.h"

#include "forecast/ForecastChartData.h"
#include "metrics/MetricCatalog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace doppel {

using namespace forecast;

namespace {

enum Column {
    IdColumn,
    HostColumn,
    MetricColumn,
    DirectionColumn,
    ValueColumn,
    HorizonColumn,
    ProbabilityColumn,
    CreatedColumn,
    ColumnCount
};

// A read-only cell that shows `text` and sorts by `key` (horizons by length, times by time);
// quantities are right-aligned.
class SortedCell : public QTableWidgetItem
{
public:
    SortedCell(const QString& text, const QVariant& key, bool quantity = false)
        : QTableWidgetItem(text)
    {
        setData(Qt::UserRole, key);
        setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
        if (quantity)
            setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override
    {
        return QVariant::compare(data(Qt::UserRole), other.data(Qt::UserRole)) ==
               QPartialOrdering::Less;
    }
};

struct ThresholdList
{
    QString error;
    std::vector<ForecastThreshold> list;
};

ThresholdList readThresholds(const QString& path)
{
    auto repo = Repository::open(path);
    if (!repo)
        return {repo.error().message, {}};
    auto list = (*repo)->thresholds();
    if (!list)
        return {list.error().message, {}};
    return {{}, *list};
}

struct Removal
{
    int removed = 0;
    QStringList errors;
};

Removal removeThresholds(const QString& path, const QList<qint64>& ids)
{
    Removal r;
    auto repo = Repository::open(path);
    if (!repo) {
        r.errors << QCoreApplication::translate("ThresholdsDialog",
                                                "Removing thresholds failed: %1")
                        .arg(repo.error().message);
        return r;
    }
    for (qint64 id : ids) {
        if (auto st = (*repo)->removeThreshold(id); st)
            ++r.removed;
        else
            r.errors << QCoreApplication::translate("ThresholdsDialog",
                                                    "Removing threshold #%1 failed: %2")
                            .arg(id)
                            .arg(st.error().message);
    }
    return r;
}

QString valueText(double v)
{
    return QString::number(v, 'g', 10);
}

} // namespace

ThresholdsDialog::ThresholdsDialog(QString repositoryPath, const std::vector<Host>& hosts,
                                   QWidget* parent)
    : QDialog(parent), m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("thresholdsDialog"));
    setWindowTitle(tr("Forecast thresholds"));
    m_banner = new MessageBanner(this);
    m_banner->setObjectName(QStringLiteral("thresholdsBanner"));

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("thresholdsTable"));
    m_table->setHorizontalHeaderLabels({tr("#"), tr("Host"), tr("Metric"), tr("Alert when"),
                                        tr("Value"), tr("Within"), tr("Probability ≥"),
                                        tr("Created")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(MetricColumn, Qt::AscendingOrder);

    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("thresholdsCount"));
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshThresholdsButton"));
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setObjectName(QStringLiteral("removeThresholdsButton"));
    m_remove->setToolTip(tr("Removes the selected thresholds."));
    auto* listRow = new QHBoxLayout;
    listRow->addWidget(m_count);
    listRow->addStretch(1);
    listRow->addWidget(m_refresh);
    listRow->addWidget(m_remove);

    // The form of the Forecast view's threshold row, with the host and metric to choose.
    m_host = new QComboBox(this);
    m_host->setObjectName(QStringLiteral("thresholdHostCombo"));
    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("thresholdMetricCombo"));
    m_metric->addItems(metricNames());
    m_metric->setCurrentIndex(std::max(0, m_metric->findText(QStringLiteral("cpu_percent"))));
    m_fields = ThresholdFields::create(this);
    m_horizon = new QComboBox(this);
    m_horizon->setObjectName(QStringLiteral("thresholdHorizon"));
    m_horizon->addItem(tr("1 hour"), HourMs);
    m_horizon->addItem(tr("1 day"), DayMs);
    m_horizon->addItem(tr("1 week"), WeekMs);
    m_horizon->setCurrentIndex(1);
    m_add = new QPushButton(tr("Add"), this);
    m_add->setObjectName(QStringLiteral("addThresholdButton"));
    auto* addRow = new QHBoxLayout;
    addRow->addWidget(new QLabel(tr("Alert when"), this));
    addRow->addWidget(m_host);
    addRow->addWidget(m_metric);
    addRow->addWidget(m_fields.direction);
    addRow->addWidget(m_fields.value);
    addRow->addWidget(new QLabel(tr("within"), this));
    addRow->addWidget(m_horizon);
    addRow->addWidget(new QLabel(tr("with probability ≥"), this));
    addRow->addWidget(m_fields.probability);
    addRow->addWidget(m_add);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_table, 1);
    layout->addLayout(listRow);
    layout->addLayout(addRow);
    layout->addWidget(buttons);

    connect(m_refresh, &QPushButton::clicked, this, &ThresholdsDialog::reload);
    connect(m_remove, &QPushButton::clicked, this, &ThresholdsDialog::removeSelected);
    connect(m_add, &QPushButton::clicked, this, &ThresholdsDialog::addThreshold);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ThresholdsDialog::updateButtons);
    setHosts(hosts);
    resize(900, 420);
    reload();
}

ThresholdsDialog::~ThresholdsDialog()
{
    // A fit for Add takes well under a second; wait so no worker posts to a half-destroyed
    // dialog.
    m_workers.waitForDone();
}

void ThresholdsDialog::setHosts(const std::vector<Host>& hosts)
{
    const QString keep = m_host->currentText();
    m_host->clear();
    for (const Host& h : hosts)
        m_host->addItem(h.name);
    m_host->setCurrentIndex(std::max(0, m_host->findText(keep)));
    updateButtons();
}

void ThresholdsDialog::finishOne()
{
    m_pending = std::max(0, m_pending - 1);
}

void ThresholdsDialog::updateButtons()
{
    m_remove->setEnabled(m_table->selectionModel()->hasSelection());
    m_add->setEnabled(m_host->count() > 0);
    m_add->setToolTip(m_host->count() > 0 ? QString() : tr("Add a host to the inventory first."));
}

void ThresholdsDialog::showError(const QString& message)
{
    m_banner->showMessage(message, MessageBanner::Type::Error);
    Q_EMIT failed(message);
}

void ThresholdsDialog::reload()
{
    const quint64 request = ++m_request;
    ++m_pending;
    runAsync(
        m_workers, this, [path = m_repositoryPath] { return readThresholds(path); },
        [this, request](ThresholdList list) {
            finishOne();
            if (request != m_request)
                return; // a newer read is on its way
            if (!list.error.isEmpty()) {
                showThresholds({});
                m_count->setText(tr("Thresholds could not be read."));
                showError(tr("Could not read the thresholds: %1").arg(list.error));
                return;
            }
            showThresholds(list.list);
        });
}

void ThresholdsDialog::showThresholds(const std::vector<ForecastThreshold>& list)
{
    QSet<qint64> selected;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows(IdColumn))
        selected.insert(index.data(Qt::UserRole).toLongLong());
    m_thresholds = list;
    m_table->setSortingEnabled(false); // rows stay put while they are filled
    m_table->clearSelection();
    m_table->setRowCount(int(list.size()));
    for (int row = 0; row < int(list.size()); ++row) {
        const ForecastThreshold& t = list[size_t(row)];
        const QString host = t.host.isEmpty() ? tr("all hosts") : t.host;
        const QString created = t.createdMs > 0 ? formatTime(t.createdMs) : tr("unknown");
        const QList<QTableWidgetItem*> cells = {
            new SortedCell(QString::number(t.id), t.id, true),
            new SortedCell(host, host),
            new SortedCell(t.metric, t.metric),
            new SortedCell(t.below ? tr("below") : tr("above"), t.below),
            new SortedCell(valueText(t.value), t.value, true),
            new SortedCell(horizonName(t.horizonMs), t.horizonMs, true),
            new SortedCell(QStringLiteral("%1 %").arg(t.probability * 100, 0, 'g', 4),
                           t.probability, true),
            new SortedCell(created, t.createdMs),
        };
        for (int c = 0; c < cells.size(); ++c)
            m_table->setItem(row, c, cells[c]);
    }
    m_table->setSortingEnabled(true);
    selectThresholds(QList<qint64>(selected.begin(), selected.end()));
    m_count->setText(tr("%n threshold(s)", nullptr, int(list.size())));
    updateButtons();
}

void ThresholdsDialog::selectThresholds(const QList<qint64>& ids)
{
    m_table->clearSelection();
    QItemSelection selection;
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (ids.contains(m_table->item(row, IdColumn)->data(Qt::UserRole).toLongLong()))
            selection.select(m_table->model()->index(row, 0),
                             m_table->model()->index(row, ColumnCount - 1));
    m_table->selectionModel()->select(selection, QItemSelectionModel::Select);
    updateButtons();
}

void ThresholdsDialog::addThreshold()
{
    if (m_host->currentText().isEmpty() || m_metric->currentText().isEmpty())
        return;
    ForecastThreshold t;
    t.host = m_host->currentText();
    t.metric = m_metric->currentText();
    t.horizonMs = m_horizon->currentData().toLongLong();
    m_fields.fill(t);
    ++m_pending;
    m_add->setEnabled(false);
    m_banner->hideMessage();
    // The same call as the Forecast view's Add: store, fit for the threshold's horizon, and log
    // the recommendation when it is at risk already. 100 pixels: the reduced history is unused.
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, t] {
            return chartForecast(path, t.host, t.metric, t.horizonMs, 100, t);
        },
        [this, t](ChartForecast fit) {
            finishOne();
            updateButtons();
            const QString what =
                QStringLiteral("%1 %2 %3 on %4")
                    .arg(t.metric, t.below ? QStringLiteral("<") : QStringLiteral(">"),
                         valueText(t.value), t.host);
            if (!fit.threshold || fit.threshold->id <= 0) {
                showError(tr("Adding the threshold %1 failed: %2").arg(what, fit.error));
                return;
            }
            const qint64 id = fit.threshold->id;
            if (fit.event)
                Q_EMIT eventLogged(*fit.event);
            Q_EMIT thresholdsChanged();
            reload();
            if (fit.fit.forecast.mean.empty()) {
                // Stored, but the metric could not be fitted (no samples yet, say): the forecast
                // service checks it on its next round.
                m_banner->showMessage(tr("Threshold #%1 (%2) added; its risk is not known yet: %3")
                                          .arg(id)
                                          .arg(what, fit.error),
                                      MessageBanner::Type::Warning);
                return;
            }
            QString text = tr("Threshold #%1 (%2) added: probability %3 % within %4")
                               .arg(id)
                               .arg(what)
                               .arg(fit.verdict.probability * 100, 0, 'f', 0)
                               .arg(horizonName(t.horizonMs));
            if (fit.event)
                text += tr(" — recommendation logged");
            if (!fit.error.isEmpty())
                text += tr(" (%1)").arg(fit.error);
            m_banner->showMessage(text, fit.event ? MessageBanner::Type::Warning
                                                  : MessageBanner::Type::Positive);
        });
}

void ThresholdsDialog::removeSelected()
{
    QList<qint64> ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows(IdColumn))
        ids << index.data(Qt::UserRole).toLongLong();
    if (ids.isEmpty())
        return;
    std::sort(ids.begin(), ids.end());
    ++m_pending;
    m_remove->setEnabled(false);
    m_banner->hideMessage();
    runAsync(
        m_workers, this, [path = m_repositoryPath, ids] { return removeThresholds(path, ids); },
        [this](Removal r) {
            finishOne();
            if (r.removed > 0)
                Q_EMIT thresholdsChanged();
            reload();
            if (!r.errors.isEmpty())
                showError(r.errors.join(QLatin1Char('\n')));
        });
}

} // namespace doppel
