// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffView.h"

#include "Async.h"
#include "DiffTableModel.h"
#include "HostCombos.h"
#include "LatencyDistributionChart.h"

#include "diff/DiffPlans.h"
#include "diff/DiffSources.h"
#include "services/PlanService.h"
#include "services/SecretStore.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace doppel {

namespace {

QPushButton* button(const QString& text, const char* name, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(QLatin1String(name));
    return b;
}

QString shortQuery(const QString& query)
{
    const QString s = query.simplified();
    return s.size() > 80 ? s.left(79) + QChar(0x2026) : s;
}

} // namespace

DiffView::DiffView(PlanService& plans, SecretStore& secrets, QString repositoryPath,
                   QWidget* parent)
    : QWidget(parent), m_plans(plans), m_secrets(secrets),
      m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("diffView"));
    m_verdictLabel = new QLabel(tr("Choose a capture and run the analysis."), this);
    m_verdictLabel->setObjectName(QStringLiteral("verdictLabel"));
    m_verdictLabel->setWordWrap(true);
    m_verdictLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_captureEdit = new QLineEdit(this);
    m_captureEdit->setObjectName(QStringLiteral("captureEdit"));
    m_captureEdit->setPlaceholderText(tr("capture folder written by doppel-proxy"));
    m_replayEdit = new QLineEdit(this);
    m_replayEdit->setObjectName(QStringLiteral("replayEdit"));
    m_replayEdit->setPlaceholderText(
        tr("optional: replay report of the shadow (else the capture's mirrored results)"));
    auto* captureBrowse = new QPushButton(tr("Browse…"), this);
    connect(captureBrowse, &QPushButton::clicked, this, [this] { browse(m_captureEdit, true); });
    auto* replayBrowse = new QPushButton(tr("Browse…"), this);
    connect(replayBrowse, &QPushButton::clicked, this, [this] { browse(m_replayEdit, false); });
    auto* captureRow = new QHBoxLayout;
    captureRow->addWidget(m_captureEdit, 1);
    captureRow->addWidget(captureBrowse);
    auto* replayRow = new QHBoxLayout;
    replayRow->addWidget(m_replayEdit, 1);
    replayRow->addWidget(replayBrowse);
    auto* form = new QFormLayout;
    form->addRow(tr("Capture:"), captureRow);
    form->addRow(tr("Replay report:"), replayRow);

    m_runButton = button(tr("Analyse"), "runButton", this);
    m_cancelButton = button(tr("Cancel"), "cancelButton", this);
    m_cancelButton->setEnabled(false);
    m_exportButton = button(tr("Export…"), "exportButton", this);
    m_exportButton->setEnabled(false);
    connect(m_runButton, &QPushButton::clicked, this, &DiffView::run);
    connect(m_cancelButton, &QPushButton::clicked, this, &DiffView::cancel);
    connect(m_exportButton, &QPushButton::clicked, this, &DiffView::chooseExportFile);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_runButton, m_cancelButton, m_exportButton})
        buttons->addWidget(b);
    buttons->addWidget(m_progress);
    buttons->addWidget(m_statusLabel, 1);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter statements…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_model = new DiffTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setObjectName(QStringLiteral("diffProxy"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DiffTableModel::SortRole);
    m_proxy->setFilterKeyColumn(DiffTableModel::QueryColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("diffTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DiffTableModel::RatioColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(DiffTableModel::QueryColumn,
                                                      QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DiffView::showSelected);

    m_chart = new LatencyDistributionChart(this);

    m_prodCombo = new QComboBox(this);
    m_prodCombo->setObjectName(QStringLiteral("prodCombo"));
    m_shadowCombo = new QComboBox(this);
    m_shadowCombo->setObjectName(QStringLiteral("shadowCombo"));
    m_plansButton = button(tr("Compare plans"), "comparePlansButton", this);
    connect(m_plansButton, &QPushButton::clicked, this, &DiffView::compareSelectedPlans);
    m_planLabel = new QLabel(tr("Select a statement, then compare its plans (EXPLAIN, never "
                                "ANALYZE)."),
                             this);
    m_planLabel->setObjectName(QStringLiteral("planLabel"));
    m_planLabel->setWordWrap(true);
    m_planTable = new QTableWidget(0, 3, this);
    m_planTable->setObjectName(QStringLiteral("planTable"));
    m_planTable->setHorizontalHeaderLabels({tr("Node"), tr("Production"), tr("Shadow")});
    m_planTable->verticalHeader()->hide();
    m_planTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_planTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_planTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* planBox = new QGroupBox(tr("Plans"), this);
    auto* planForm = new QFormLayout;
    planForm->addRow(tr("Production:"), m_prodCombo);
    planForm->addRow(tr("Shadow:"), m_shadowCombo);
    auto* planLayout = new QVBoxLayout(planBox);
    planLayout->addLayout(planForm);
    planLayout->addWidget(m_plansButton, 0, Qt::AlignLeft);
    planLayout->addWidget(m_planLabel);
    planLayout->addWidget(m_planTable, 1);

    auto* bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(m_chart);
    bottom->addWidget(planBox);
    bottom->setSizes({500, 500}); // shares: the chart and the plans get half each
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* tableBox = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_filterEdit);
    tableLayout->addWidget(m_table, 1);
    split->addWidget(tableBox);
    split->addWidget(bottom);
    split->setSizes({360, 300});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_verdictLabel);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);
}

DiffView::~DiffView()
{
    m_cancel.cancel(); // a capture being read stops at its next record
    m_planCancel.cancel();
    m_workers.waitForDone();
}

void DiffView::setHosts(const std::vector<Host>& hosts)
{
    m_hosts = hosts;
    fillHostPairCombos(m_hosts, m_prodCombo, m_shadowCombo);
}

void DiffView::setCaptureDir(const QString& dir)
{
    m_captureEdit->setText(dir);
}

void DiffView::setReplayReport(const QString& path)
{
    m_replayEdit->setText(path);
}

void DiffView::browse(QLineEdit* edit, bool directory)
{
    auto* dialog =
        new QFileDialog(this, directory ? tr("Capture folder") : tr("Replay report"), edit->text());
    dialog->setFileMode(directory ? QFileDialog::Directory : QFileDialog::ExistingFile);
    if (!directory)
        dialog->setNameFilter(tr("Replay reports (*.json)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
    dialog->open(); // window-modal, no nested event loop
}

void DiffView::chooseExportFile()
{
    auto* dialog = new QFileDialog(this, tr("Export the differential report"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("HTML (*.html)"), tr("Markdown (*.md)"), tr("JSON (*.json)")});
    dialog->setDefaultSuffix(QStringLiteral("html"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &DiffView::exportReport);
    dialog->open();
}

void DiffView::run()
{
    if (m_busy)
        return;
    const QString dir = m_captureEdit->text().trimmed();
    if (dir.isEmpty()) {
        m_statusLabel->setText(tr("Choose a capture folder first."));
        return;
    }
    m_cancel = CancelToken();
    const quint64 request = ++m_request;
    setBusy(true, tr("Reading the capture…"));
    runAsync(
        m_workers, this,
        [this, request, dir, replay = m_replayEdit->text().trimmed(),
         cancel = m_cancel]() -> Result<Analysis> {
            auto input = readDiffInput(dir, replay, cancel, [this, request](std::int64_t n) {
                QMetaObject::invokeMethod(
                    this,
                    [this, request, n] {
                        if (request == m_request && m_busy)
                            m_statusLabel->setText(tr("%1 statements read…").arg(n));
                    },
                    Qt::QueuedConnection);
            });
            if (!input)
                return input.error();
            Analysis analysis;
            analysis.report = input->report({}, DiffEngine::Options{});
            analysis.input = std::make_shared<const DiffInput>(std::move(*input));
            return analysis;
        },
        [this, request](Result<Analysis> analysis) {
            if (request != m_request)
                return; // a newer analysis was started
            setBusy(false);
            if (!analysis) {
                const bool cancelled = analysis.error().code == ErrorCode::Cancelled;
                m_statusLabel->setText(
                    cancelled ? tr("Cancelled.")
                              : tr("The analysis failed: %1").arg(analysis.error().message));
                if (!cancelled)
                    logEvents({event(Severity::Error, m_statusLabel->text())});
                Q_EMIT analysisFinished(false);
                return;
            }
            showAnalysis(std::move(*analysis));
            Q_EMIT analysisFinished(true);
        });
}

void DiffView::cancel()
{
    if (!m_busy)
        return;
    m_cancel.cancel();
    m_statusLabel->setText(tr("Cancelling…"));
}

void DiffView::setBusy(bool busy, const QString& step)
{
    m_busy = busy;
    m_runButton->setEnabled(!busy);
    m_cancelButton->setEnabled(busy);
    m_exportButton->setEnabled(!busy && !m_report.statements.empty());
    m_progress->setRange(0, busy ? 0 : 1); // 0..0: the busy animation; idle: empty
    m_progress->setValue(0);
    if (!step.isEmpty())
        m_statusLabel->setText(step);
}

void DiffView::showAnalysis(Analysis analysis)
{
    m_input = std::move(analysis.input);
    m_report = std::move(analysis.report);
    m_model->setStatements(m_report.statements);
    m_table->resizeColumnsToContents();
    m_chart->clear();
    m_planTable->setRowCount(0);
    m_exportButton->setEnabled(!m_report.statements.empty());
    m_statusLabel->setText(m_report.source);
    showVerdict();
    std::vector<Event> events{event(m_report.alerts.empty() ? Severity::Info : Severity::Warning,
                                    tr("Differential analysis of %1: %2")
                                        .arg(m_captureEdit->text().trimmed(), m_report.verdict()))};
    for (const DiffAlert& a : m_report.alerts)
        events.push_back(
            event(Severity::Warning,
                  tr("Alert %1 on %2: %3").arg(a.rule, shortQuery(a.query), a.message)));
    logEvents(events);
    if (m_proxy->rowCount() > 0)
        m_table->selectRow(0);
}

void DiffView::showVerdict()
{
    int regressions = 0, improvements = 0;
    for (const StatementDiff& d : m_report.statements) {
        regressions += DiffTableModel::isRegression(d);
        improvements += d.significant && d.ratioP95 < 1;
    }
    QString text = QStringLiteral("<b>%1</b> ").arg(m_report.verdict().toHtmlEscaped()) +
                   tr("%1 statements compared; regressions: %2, improvements: %3.")
                       .arg(m_report.statements.size())
                       .arg(regressions)
                       .arg(improvements);
    for (const QString& note : m_report.notes)
        text += QStringLiteral("<br><i>%1.</i>").arg(note.toHtmlEscaped());
    m_verdictLabel->setText(text);
    m_verdictLabel->setStyleSheet(m_report.alerts.empty() ? QString()
                                                          : QStringLiteral("color: #a40000;"));
}

QString DiffView::selectedFingerprint() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(DiffTableModel::FingerprintRole).toString() : QString();
}

void DiffView::showSelected()
{
    const QString fingerprint = selectedFingerprint();
    m_planTable->setRowCount(0);
    if (fingerprint.isEmpty() || !m_input) {
        m_chart->clear();
        return;
    }
    const QModelIndex query = m_table->currentIndex().siblingAtColumn(DiffTableModel::QueryColumn);
    m_chart->setSamples(m_input->engine.latencies(fingerprint), query.data().toString());
    for (const PlanComparison& p : m_report.plans)
        if (p.fingerprint == fingerprint)
            showPlans(p);
}

void DiffView::compareSelectedPlans()
{
    if (m_plansBusy)
        return;
    const QString fingerprint = selectedFingerprint();
    const SampleStatement* sample = m_input ? m_input->sample(fingerprint) : nullptr;
    if (!sample) {
        m_planLabel->setText(tr("Select a statement of the capture first."));
        return;
    }
    const Host* prod = findHost(m_hosts, m_prodCombo->currentText());
    const Host* shadow = findHost(m_hosts, m_shadowCombo->currentText());
    if (!prod || !shadow) {
        m_planLabel->setText(tr("Add a production host and a shadow host to the inventory."));
        return;
    }
    m_plansBusy = true;
    m_plansButton->setEnabled(false);
    m_planLabel->setText(tr("Asking both servers for the plan…"));
    runAsync(
        m_workers, this,
        [this, prod = *prod, shadow = *shadow, sample = *sample, cancel = m_planCancel] {
            // On a worker: a keychain may take its time to answer.
            const PlanTarget p{prod.conninfo,
                               m_secrets.read(prod.pgSecretKey()).value_or(QString())};
            const PlanTarget s{shadow.conninfo,
                               m_secrets.read(shadow.pgSecretKey()).value_or(QString())};
            return doppel::comparePlans(m_plans, p, s, sample, cancel);
        },
        [this](PlanComparison comparison) {
            m_plansBusy = false;
            m_plansButton->setEnabled(true);
            std::erase_if(m_report.plans, [&](const PlanComparison& p) {
                return p.fingerprint == comparison.fingerprint;
            });
            m_report.plans.push_back(comparison);
            if (comparison.fingerprint == selectedFingerprint())
                showPlans(comparison);
            if (!comparison.error.isEmpty())
                logEvents({event(Severity::Error,
                                 tr("Plans of %1 not compared: %2")
                                     .arg(shortQuery(comparison.query), comparison.error))});
            else if (!comparison.sameShape)
                logEvents({event(Severity::Warning,
                                 tr("The shadow plans %1 differently: %2 instead of %3")
                                     .arg(shortQuery(comparison.query),
                                          comparison.differences.front().shadow,
                                          comparison.differences.front().prod))});
            Q_EMIT plansCompared(comparison.error.isEmpty());
        });
}

void DiffView::showPlans(const PlanComparison& c)
{
    if (!c.error.isEmpty())
        m_planLabel->setText(tr("Not compared: %1").arg(c.error));
    else if (c.sameShape)
        m_planLabel->setText(tr("Same plan shape on both sides (%1).").arg(c.prodHash));
    else
        m_planLabel->setText(tr("The plans differ (%1 on production, %2 on the shadow):")
                                 .arg(c.prodHash, c.shadowHash));
    m_planTable->setRowCount(int(c.differences.size()));
    for (int row = 0; row < int(c.differences.size()); ++row) {
        const PlanDifference& d = c.differences[size_t(row)];
        int column = 0;
        for (const QString& text : {d.path, d.prod, d.shadow}) {
            auto* item = new QTableWidgetItem(text);
            item->setToolTip(text);
            m_planTable->setItem(row, column++, item);
        }
    }
}

void DiffView::exportReport(const QString& path)
{
    if (path.isEmpty())
        return;
    runAsync(
        m_workers, this, [report = m_report, path] { return report.save(path); },
        [this, path](Status saved) {
            if (saved) {
                m_statusLabel->setText(tr("Report written to %1.").arg(path));
                logEvents({event(Severity::Info, m_statusLabel->text())});
            } else {
                m_statusLabel->setText(tr("Export failed: %1").arg(saved.error().message));
                logEvents({event(Severity::Error, m_statusLabel->text())});
            }
            Q_EMIT exported(path, saved.ok());
        });
}

Event DiffView::event(Severity severity, const QString& message) const
{
    return Event{0,
                 QDateTime::currentMSecsSinceEpoch(),
                 severity,
                 QStringLiteral("diff"),
                 m_shadowCombo->currentText(),
                 message};
}

void DiffView::logEvents(const std::vector<Event>& events)
{
    for (const Event& e : events)
        Q_EMIT eventLogged(e);
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, events] {
            if (auto repo = Repository::open(path))
                for (const Event& e : events)
                    (void)(*repo)->appendEvent(e); // the log is best effort
            return 0;
        },
        [](int) {});
}

} // namespace doppel
