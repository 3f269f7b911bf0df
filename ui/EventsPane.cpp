// SPDX-License-Identifier: GPL-3.0-or-later
#include "EventsPane.h"

#include "Async.h"
#include "EventsModel.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace doppel {

namespace {

// Rows at or above a minimum severity.
class SeverityFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMinimum(Severity minimum)
    {
        m_minimum = minimum;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        const QModelIndex index = sourceModel()->index(row, 0, parent);
        return index.data(EventsModel::SeverityRole).toInt() >= int(m_minimum);
    }

private:
    Severity m_minimum = Severity::Info;
};

} // namespace

EventsPane::EventsPane(QString repositoryPath, QWidget* parent)
    : QWidget(parent), m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("eventsPane"));
    m_workers.setMaxThreadCount(1);
    m_model = new EventsModel(this);
    auto* filter = new SeverityFilter(this);
    filter->setSourceModel(m_model);
    m_filter = filter;

    m_severity = new QComboBox(this);
    m_severity->setObjectName(QStringLiteral("severityFilter"));
    m_severity->addItem(tr("All events"), int(Severity::Info));
    m_severity->addItem(tr("Warnings and errors"), int(Severity::Warning));
    m_severity->addItem(tr("Errors only"), int(Severity::Error));
    connect(m_severity, &QComboBox::currentIndexChanged, this,
            [this, filter] { filter->setMinimum(Severity(m_severity->currentData().toInt())); });

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("eventsTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setColumnWidth(EventsModel::TimeColumn, 150);
    m_table->setColumnWidth(EventsModel::SeverityColumn, 90);
    m_table->setColumnWidth(EventsModel::SourceColumn, 90);
    m_table->setColumnWidth(EventsModel::HostColumn, 120);

    // Follow new events only while the user is looking at the newest ones.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar* bar = m_table->verticalScrollBar();
        if (bar->value() >= bar->maximum() - m_table->verticalHeader()->defaultSectionSize())
            m_table->scrollToBottom();
    });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show:"), this));
    top->addWidget(m_severity);
    top->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
}

EventsPane::~EventsPane()
{
    m_workers.waitForDone();
}

int EventsPane::visibleRowCount() const
{
    return m_filter->rowCount();
}

void EventsPane::loadStored(int limit)
{
    const quint64 request = ++m_request;
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, limit]() -> Result<std::vector<Event>> {
            auto repo = Repository::open(path);
            if (!repo)
                return repo.error();
            return (*repo)->events(limit);
        },
        [this, request](Result<std::vector<Event>> events) {
            if (request != m_request)
                return;
            if (!events) {
                Q_EMIT loadFailed(events.error().toString());
                return;
            }
            m_model->mergeStored(std::move(*events));
            m_table->scrollToBottom();
        });
}

void EventsPane::addEvent(const Event& event)
{
    m_model->addEvent(event);
}

void EventsPane::addMessage(Severity severity, const QString& source, const QString& host,
                            const QString& message)
{
    Event event;
    event.timestampMs = QDateTime::currentMSecsSinceEpoch();
    event.severity = severity;
    event.source = source;
    event.host = host;
    event.message = message;
    addEvent(event);
}

void EventsPane::addHostState(const QString& host, HostState state, const QString& reason)
{
    // The same wording and severity the collector stores, so the stored copy is recognised.
    const Severity severity = state == HostState::Ok      ? Severity::Info
                              : state == HostState::Error ? Severity::Error
                                                          : Severity::Warning;
    const QString message = state == HostState::Ok ? QStringLiteral("Collecting normally") : reason;
    addMessage(severity, QStringLiteral("collector"), host, message);
}

} // namespace doppel
