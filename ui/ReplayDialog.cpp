// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReplayDialog.h"

#include "Async.h"
#include "JobButtons.h"
#include "TableCells.h"

#include "services/ReplayService.h"
#include "services/SecretStore.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace doppel {

namespace {

std::optional<std::int64_t> parseWindowTime(const QString& text, bool* ok)
{
    *ok = true;
    if (text.trimmed().isEmpty())
        return std::nullopt;
    QDateTime t = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC); // captures are in UTC
    if (!t.isValid()) {
        *ok = false;
        return std::nullopt;
    }
    return t.toMSecsSinceEpoch() * 1000;
}

} // namespace

ReplayDialog::ReplayDialog(ReplayService& service, SecretStore& secrets,
                           const std::vector<Host>& hosts, QWidget* parent)
    : QDialog(parent), m_service(service), m_secrets(secrets), m_hosts(hosts)
{
    setObjectName(QStringLiteral("replayDialog"));
    setWindowTitle(tr("Replay a capture"));
    m_captureEdit = new QLineEdit(this);
    m_captureEdit->setObjectName(QStringLiteral("captureEdit"));
    auto* browseButton = new QPushButton(tr("Browse…"), this);
    connect(browseButton, &QPushButton::clicked, this, &ReplayDialog::browse);
    auto* captureRow = new QHBoxLayout;
    captureRow->addWidget(m_captureEdit, 1);
    captureRow->addWidget(browseButton);
    m_targetCombo = new QComboBox(this);
    m_targetCombo->setObjectName(QStringLiteral("targetCombo"));
    for (const Host& h : m_hosts)
        m_targetCombo->addItem(QStringLiteral("%1 (%2)").arg(h.name, roleName(h.role)), h.name);
    m_speedSpin = new QDoubleSpinBox(this);
    m_speedSpin->setObjectName(QStringLiteral("speedSpin"));
    m_speedSpin->setRange(0, 1000);
    m_speedSpin->setValue(1);
    m_speedSpin->setSpecialValueText(tr("as fast as possible"));
    m_speedSpin->setSuffix(QStringLiteral("×"));
    m_sessionsSpin = new QSpinBox(this);
    m_sessionsSpin->setObjectName(QStringLiteral("sessionsSpin"));
    m_sessionsSpin->setRange(0, 1000000);
    m_sessionsSpin->setSpecialValueText(tr("all"));
    m_fromEdit = new QLineEdit(this);
    m_fromEdit->setPlaceholderText(tr("from the start (or ISO-8601, UTC)"));
    m_toEdit = new QLineEdit(this);
    m_toEdit->setPlaceholderText(tr("to the end (or ISO-8601, UTC)"));
    auto* form = new QFormLayout;
    form->addRow(tr("Capture:"), captureRow);
    form->addRow(tr("Target:"), m_targetCombo);
    form->addRow(tr("Speed:"), m_speedSpin);
    form->addRow(tr("Sessions:"), m_sessionsSpin);
    form->addRow(tr("From:"), m_fromEdit);
    form->addRow(tr("To:"), m_toEdit);

    const JobButtons job = makeJobButtons(this, tr("Replay"));
    m_startButton = job.start;
    m_cancelButton = job.cancel;
    connect(m_startButton, &QPushButton::clicked, this, &ReplayDialog::start);
    connect(m_cancelButton, &QPushButton::clicked, this, &ReplayDialog::cancelReplay);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setValue(0);
    m_liveLabel = new QLabel(this);
    m_liveLabel->setObjectName(QStringLiteral("liveLabel"));
    m_liveLabel->setWordWrap(true);
    m_results = new QTableWidget(0, 7, this);
    m_results->setObjectName(QStringLiteral("resultsTable"));
    m_results->setHorizontalHeaderLabels({tr("Calls"), tr("Errors"), tr("Rows"), tr("p50 ms"),
                                          tr("p95 ms"), tr("p99 ms"), tr("Query")});
    m_results->verticalHeader()->hide();
    m_results->horizontalHeader()->setStretchLastSection(true);
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(job.row);
    layout->addWidget(m_progress);
    layout->addWidget(m_liveLabel);
    layout->addWidget(m_results, 1);
    resize(900, 600);
}

ReplayDialog::~ReplayDialog()
{
    m_cancel.cancel(); // a replay in flight stops at its next statement
    m_workers.waitForDone();
}

void ReplayDialog::setCaptureDir(const QString& dir)
{
    m_captureEdit->setText(dir);
}

void ReplayDialog::browse()
{
    auto* dialog = new QFileDialog(this, tr("Capture folder"), m_captureEdit->text());
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, m_captureEdit, &QLineEdit::setText);
    dialog->open(); // window-modal, no nested event loop
}

void ReplayDialog::start()
{
    if (m_running)
        return;
    ReplayOptions options;
    options.speed = m_speedSpin->value();
    if (m_sessionsSpin->value() > 0)
        options.sessions = m_sessionsSpin->value();
    bool fromOk = true, toOk = true;
    options.fromUs = parseWindowTime(m_fromEdit->text(), &fromOk);
    options.toUs = parseWindowTime(m_toEdit->text(), &toOk);
    const int index = m_targetCombo->currentIndex();
    if (m_captureEdit->text().trimmed().isEmpty() || index < 0 || !fromOk || !toOk) {
        m_liveLabel->setText(!fromOk || !toOk
                                 ? tr("From and To take ISO-8601 times, e.g. 2026-11-23T10:00:00.")
                                 : tr("Choose a capture folder and a target host."));
        return;
    }
    const Host target = m_hosts[size_t(index)];
    const QString dir = m_captureEdit->text().trimmed();
    m_cancel = CancelToken();
    setRunning(true);
    m_liveLabel->setText(tr("Reading the capture…"));
    runAsync(
        m_workers, this,
        [this, dir, options, target, cancel = m_cancel] {
            const QString password = m_secrets.read(target.pgSecretKey()).value_or(QString());
            return m_service.replay(dir, options, target.conninfo, password, cancel,
                                    [this](const ReplayProgressInfo& p) {
                                        QMetaObject::invokeMethod(
                                            this,
                                            [this, p] {
                                                showProgress(p.done, p.total, p.errors,
                                                             p.statementsPerSecond, p.lagMs);
                                            },
                                            Qt::QueuedConnection);
                                    });
        },
        [this](Result<ReplayReport> report) {
            setRunning(false);
            if (!report) {
                m_liveLabel->setText(tr("Replay failed: %1").arg(report.error().message));
                Q_EMIT finished(false);
                return;
            }
            showReport(*report);
            Q_EMIT finished(report->targetLost.isEmpty() && !report->cancelled);
        });
}

void ReplayDialog::cancelReplay()
{
    m_cancel.cancel();
    m_liveLabel->setText(tr("Cancelling…"));
}

void ReplayDialog::showProgress(std::int64_t done, std::int64_t total, std::int64_t errors,
                                double rate, double lagMs)
{
    if (!m_running)
        return; // a late update after the result
    m_progress->setRange(0, int(std::max<std::int64_t>(1, total)));
    m_progress->setValue(int(done));
    m_liveLabel->setText(tr("%1 of %2 statements, %3 statements/s, %4 errors, schedule lag %5 ms")
                             .arg(done)
                             .arg(total)
                             .arg(rate, 0, 'f', 0)
                             .arg(errors)
                             .arg(lagMs, 0, 'f', 1));
}

void ReplayDialog::showReport(const ReplayReport& r)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    QString summary =
        tr("%1 statements in %2 s over %3 sessions, %4 errors; schedule lag p50 %5 ms, "
           "p99 %6 ms.")
            .arg(r.statements)
            .arg(r.wallSeconds, 0, 'f', 2)
            .arg(r.sessions)
            .arg(r.errors)
            .arg(r.lagP50Ms, 0, 'f', 2)
            .arg(r.lagP99Ms, 0, 'f', 2);
    if (!r.targetLost.isEmpty())
        summary += QLatin1Char(' ') + tr("Ended early: %1.").arg(r.targetLost);
    else if (r.cancelled)
        summary += QLatin1Char(' ') + tr("Cancelled: the table shows what ran.");
    m_liveLabel->setText(summary);
    m_results->setSortingEnabled(false);
    m_results->setRowCount(int(r.byFingerprint.size()));
    for (int row = 0; row < int(r.byFingerprint.size()); ++row) {
        const auto& s = r.byFingerprint[size_t(row)];
        m_results->setItem(row, 0, readOnlyCell(qint64(s.calls)));
        m_results->setItem(row, 1, readOnlyCell(qint64(s.errors)));
        m_results->setItem(row, 2, readOnlyCell(qint64(s.rows)));
        m_results->setItem(row, 3, readOnlyCell(s.p50Ms));
        m_results->setItem(row, 4, readOnlyCell(s.p95Ms));
        m_results->setItem(row, 5, readOnlyCell(s.p99Ms));
        auto* query = readOnlyCell(s.query.simplified());
        query->setToolTip(s.query);
        m_results->setItem(row, 6, query);
    }
    m_results->resizeColumnsToContents();
    m_results->setSortingEnabled(true);
}

void ReplayDialog::setRunning(bool running)
{
    m_running = running;
    m_startButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_results->setRowCount(0);
    }
}

} // namespace doppel
