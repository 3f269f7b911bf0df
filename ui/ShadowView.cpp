// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowView.h"

#include "Async.h"
#include "HostCombos.h"
#include "MetricChart.h"
#include "Prompt.h"
#include "ShadowTables.h"

#include "services/SecretStore.h"
#include "services/ShadowService.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace doppel {

namespace {

const MetricInfo LagMetric{"shadow_lag_bytes", "bytes", MetricSourceKind::Postgres,
                           "Production's current LSN minus the shadow slot's confirmed LSN"};

QPushButton* button(const QString& text, const char* name, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(QLatin1String(name));
    return b;
}

} // namespace

ShadowView::ShadowView(ShadowService& service, SecretStore& secrets, QString repositoryPath,
                       QWidget* parent)
    : QWidget(parent), m_service(service), m_secrets(secrets),
      m_repositoryPath(std::move(repositoryPath))
{
    setObjectName(QStringLiteral("shadowView"));
    m_prodCombo = new QComboBox(this);
    m_prodCombo->setObjectName(QStringLiteral("prodCombo"));
    m_shadowCombo = new QComboBox(this);
    m_shadowCombo->setObjectName(QStringLiteral("shadowCombo"));
    m_nameEdit = new QLineEdit(QStringLiteral("doppel_shadow"), this);
    m_nameEdit->setObjectName(QStringLiteral("nameEdit"));
    m_nameEdit->setToolTip(tr("Name of the publication, slot and subscription (doppel_…)"));
    auto* form = new QFormLayout;
    form->addRow(tr("Production:"), m_prodCombo);
    form->addRow(tr("Shadow:"), m_shadowCombo);
    form->addRow(tr("Name:"), m_nameEdit);

    m_checkButton = button(tr("Check"), "checkButton", this);
    m_setupButton = button(tr("Set up…"), "setupButton", this);
    m_verifyButton = button(tr("Verify"), "verifyButton", this);
    m_syncButton = button(tr("Sync sequences"), "syncButton", this);
    m_teardownButton = button(tr("Tear down…"), "teardownButton", this);
    m_cancelButton = button(tr("Cancel"), "cancelButton", this);
    m_cancelButton->setEnabled(false);
    connect(m_checkButton, &QPushButton::clicked, this, &ShadowView::runCheck);
    connect(m_setupButton, &QPushButton::clicked, this, &ShadowView::runSetup);
    connect(m_verifyButton, &QPushButton::clicked, this, &ShadowView::runVerify);
    connect(m_syncButton, &QPushButton::clicked, this, &ShadowView::runSyncSequences);
    connect(m_teardownButton, &QPushButton::clicked, this, &ShadowView::runTeardown);
    connect(m_cancelButton, &QPushButton::clicked, this, &ShadowView::cancel);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_checkButton, m_setupButton, m_verifyButton, m_syncButton,
                           m_teardownButton, m_cancelButton})
        buttons->addWidget(b);
    buttons->addStretch(1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setObjectName(QStringLiteral("stepLabel"));
    m_stepLabel->setWordWrap(true);
    m_stepLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress);
    progressRow->addWidget(m_stepLabel, 1);

    m_checksTable = new QTableWidget(this);
    m_checksTable->setObjectName(QStringLiteral("checksTable"));
    setupResultTable(m_checksTable,
                     {tr("Verdict"), tr("Check"), tr("Message"), tr("Objects"), tr("Fix")});
    m_verifyTable = new QTableWidget(this);
    m_verifyTable->setObjectName(QStringLiteral("verifyTable"));
    setupResultTable(m_verifyTable, {tr("Result"), tr("Table"), tr("Rows (production)"),
                                     tr("Rows (shadow)"), tr("Checksum")});
    m_tablesTable = new QTableWidget(this);
    m_tablesTable->setObjectName(QStringLiteral("tablesTable"));
    setupResultTable(m_tablesTable, {tr("Table"), tr("Copy state")});
    m_statusLabel = new QLabel(tr("No shadow selected."), this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_lagChart = new MetricChart(LagMetric, this);
    m_lagChart->setWindow(std::chrono::minutes(30));

    auto* checksBox = new QGroupBox(tr("Prechecks"), this);
    (new QVBoxLayout(checksBox))->addWidget(m_checksTable);
    auto* verifyBox = new QGroupBox(tr("Verification"), this);
    (new QVBoxLayout(verifyBox))->addWidget(m_verifyTable);
    auto* statusBox = new QGroupBox(tr("Replication"), this);
    auto* statusLayout = new QVBoxLayout(statusBox);
    statusLayout->addWidget(m_statusLabel);
    auto* statusSplit = new QSplitter(Qt::Horizontal, statusBox);
    statusSplit->addWidget(m_tablesTable);
    statusSplit->addWidget(m_lagChart);
    statusSplit->setStretchFactor(1, 2);
    statusLayout->addWidget(statusSplit, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(checksBox);
    split->addWidget(statusBox);
    split->addWidget(verifyBox);
    split->setSizes({320, 260, 220});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addLayout(progressRow);
    layout->addWidget(split, 1);

    m_refreshTimer.setInterval(5000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ShadowView::refreshStatus);
    m_refreshTimer.start();
    for (QComboBox* combo : {m_prodCombo, m_shadowCombo})
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            m_lagChart->clear();
            refreshStatus();
        });
}

ShadowView::~ShadowView()
{
    // A verification stops at its next chunk; the other operations are short.
    m_cancel.cancel();
    m_workers.waitForDone();
}

void ShadowView::setRefreshInterval(std::chrono::milliseconds interval)
{
    m_refreshTimer.setInterval(interval);
}

void ShadowView::setHosts(const std::vector<Host>& hosts)
{
    m_hosts = hosts;
    fillHostPairCombos(m_hosts, m_prodCombo, m_shadowCombo);
    refreshStatus();
}

std::optional<ShadowView::Request> ShadowView::currentRequest(bool explain)
{
    const Host* prod = findHost(m_hosts, m_prodCombo->currentText());
    const Host* shadow = findHost(m_hosts, m_shadowCombo->currentText());
    if (!prod || !shadow) {
        if (explain)
            m_stepLabel->setText(tr("Add a production host and a shadow or target host to the "
                                    "inventory first."));
        return std::nullopt;
    }
    Request request;
    request.spec.prodConninfo = prod->conninfo;
    request.spec.shadowConninfo = shadow->conninfo;
    request.spec.name = m_nameEdit->text().trimmed();
    request.prodSecretKey = prod->pgSecretKey();
    request.shadowSecretKey = shadow->pgSecretKey();
    return request;
}

ShadowSpec ShadowView::withPasswords(Request request)
{
    // On a worker: a keychain may take its time to answer.
    request.spec.prodPassword = m_secrets.read(request.prodSecretKey).value_or(QString());
    request.spec.shadowPassword = m_secrets.read(request.shadowSecretKey).value_or(QString());
    return request.spec;
}

template <typename Work, typename Then>
void ShadowView::start(const QString& step, Work work, Then then)
{
    std::optional<Request> request = currentRequest(true);
    if (!request || m_busy)
        return;
    setBusy(true, step);
    m_cancel = CancelToken();
    runAsync(
        m_workers, this,
        [this, request = *request, work = std::move(work)]() mutable {
            return work(withPasswords(request));
        },
        [this, then = std::move(then)](auto result) mutable {
            setBusy(false);
            const bool ok = result.ok();
            then(std::move(result));
            refreshStatus();
            Q_EMIT operationFinished(ok);
        });
}

void ShadowView::runCheck()
{
    start(
        tr("Running the prechecks…"),
        [this](const ShadowSpec& spec) { return m_service.check(spec); },
        [this](Result<std::vector<ShadowCheck>> checks) {
            if (!checks)
                return showError(tr("Prechecks"), checks.error());
            fillChecks(m_checksTable, *checks);
            int fails = 0, warns = 0;
            for (const auto& c : *checks) {
                fails += c.verdict == Verdict::Fail;
                warns += c.verdict == Verdict::Warn;
            }
            m_stepLabel->setText(fails
                                     ? tr("%n check(s) failed: setup would be refused.", "", fails)
                                     : tr("Prechecks passed with %n warning(s).", "", warns));
        });
}

void ShadowView::runSetup()
{
    if (m_busy || !currentRequest(true))
        return;
    Prompt::ask(
        this, tr("Set up the shadow"),
        tr("Create publication, replication slot and subscription \"%1\" from %2 to %3?\n"
           "Production keeps WAL for the slot until the shadow is torn down.")
            .arg(m_nameEdit->text(), m_prodCombo->currentText(), m_shadowCombo->currentText()),
        tr("Set up"), [this](Prompt::Answer answer) {
            if (answer != Prompt::Answer::Accept)
                return;
            start(
                tr("Setting up…"),
                [this](const ShadowSpec& spec) {
                    return m_service.setup(spec, [this](const QString& s) { showStep(s); });
                },
                [this](Result<QStringList> done) {
                    if (!done)
                        return showError(tr("Setup"), done.error());
                    logEvent(Severity::Info,
                             tr("Shadow %1 set up: %2")
                                 .arg(m_nameEdit->text(), done->join(QStringLiteral("; "))));
                });
        });
}

void ShadowView::runVerify()
{
    start(
        tr("Verifying…"),
        [this](const ShadowSpec& spec) {
            return m_service.verify(
                spec, [this](const QString& table) { showStep(tr("Verifying %1…").arg(table)); },
                m_cancel);
        },
        [this](Result<std::vector<TableVerification>> tables) {
            if (!tables)
                return showError(tr("Verification"), tables.error());
            fillVerification(m_verifyTable, *tables);
            int differing = 0;
            for (const auto& t : *tables)
                differing += !t.identical();
            m_stepLabel->setText(differing ? tr("%n table(s) differ.", "", differing)
                                           : tr("Every table is identical on both sides."));
            logEvent(differing ? Severity::Warning : Severity::Info, m_stepLabel->text());
        });
}

void ShadowView::runSyncSequences()
{
    start(
        tr("Syncing sequences…"),
        [this](const ShadowSpec& spec) { return m_service.syncSequences(spec, 1000); },
        [this](Result<std::vector<SequenceSync>> synced) {
            if (!synced)
                return showError(tr("Sequence sync"), synced.error());
            logEvent(Severity::Info, tr("%n sequence(s) set on the shadow, 1000 increments ahead.",
                                        "", int(synced->size())));
            m_stepLabel->setText(tr("%n sequence(s) synced.", "", int(synced->size())));
        });
}

void ShadowView::runTeardown()
{
    if (m_busy || !currentRequest(true))
        return;
    Prompt::ask(
        this, tr("Tear down the shadow"),
        tr("Remove subscription, replication slot and publication \"%1\"? The shadow "
           "stops receiving production's writes.")
            .arg(m_nameEdit->text()),
        tr("Tear down"), [this](Prompt::Answer answer) {
            if (answer != Prompt::Answer::Accept)
                return;
            start(
                tr("Tearing down…"),
                [this](const ShadowSpec& spec) {
                    return m_service.teardown(spec, [this](const QString& s) { showStep(s); });
                },
                [this](Result<QStringList> removed) {
                    if (!removed)
                        return showError(tr("Teardown"), removed.error());
                    const QString what = removed->isEmpty() ? tr("nothing to remove")
                                                            : removed->join(QStringLiteral("; "));
                    logEvent(Severity::Info,
                             tr("Shadow %1 torn down: %2").arg(m_nameEdit->text(), what));
                });
        });
}

void ShadowView::refreshStatus()
{
    std::optional<Request> request = currentRequest(false);
    if (!request || m_statusPending || !isVisible())
        return;
    m_statusPending = true;
    runAsync(
        m_workers, this,
        [this, request = *request]() mutable {
            ShadowSpec spec = withPasswords(request);
            spec.timeout = std::chrono::milliseconds(5000);
            return m_service.status(spec);
        },
        [this](Result<ShadowStatus> status) {
            m_statusPending = false;
            if (!status) {
                m_statusLabel->setText(tr("Status unavailable: %1").arg(status.error().message));
                return;
            }
            showStatus(*status);
        });
}

void ShadowView::showStatus(const ShadowStatus& s)
{
    QStringList lines;
    lines << (s.subscriptionExists ? (s.subscriptionEnabled ? tr("Subscribed and enabled.")
                                                            : tr("Subscription disabled."))
                                   : tr("Not set up."));
    if (s.lagBytes >= 0)
        lines << tr("Lag: %1 bytes, %2 s. Apply errors: %3, sync errors: %4.")
                     .arg(s.lagBytes)
                     .arg(s.lagSeconds < 0 ? tr("unknown") : QString::number(s.lagSeconds, 'f', 2))
                     .arg(s.applyErrors)
                     .arg(s.syncErrors);
    for (const auto& slot : s.slots)
        if (!slot.active)
            lines << tr("Slot %1 is INACTIVE and holds %2 bytes of WAL on production: tear it "
                        "down if no shadow uses it.")
                         .arg(slot.name)
                         .arg(slot.retainedBytes);
    m_statusLabel->setText(lines.join(QLatin1Char(' ')));
    fillTableStates(m_tablesTable, s.tables);
    if (s.lagBytes >= 0)
        m_lagChart->addSample(QDateTime::currentMSecsSinceEpoch(), double(s.lagBytes));
}

void ShadowView::cancel()
{
    m_cancel.cancel();
    showStep(tr("Cancelling…"));
}

void ShadowView::setBusy(bool busy, const QString& step)
{
    m_busy = busy;
    m_progress->setRange(0, busy ? 0 : 1); // a busy indicator while running
    for (QPushButton* b :
         {m_checkButton, m_setupButton, m_verifyButton, m_syncButton, m_teardownButton})
        b->setEnabled(!busy);
    m_cancelButton->setEnabled(busy);
    if (!step.isEmpty())
        m_stepLabel->setText(step);
}

void ShadowView::showStep(const QString& step)
{
    // Called on a worker: hop to the GUI thread (the pool is waited for before `this` goes).
    QMetaObject::invokeMethod(
        this, [this, step] { m_stepLabel->setText(step); }, Qt::QueuedConnection);
}

void ShadowView::showError(const QString& what, const Error& error)
{
    m_stepLabel->setText(tr("%1 failed: %2").arg(what, error.message));
    logEvent(error.code == ErrorCode::Cancelled ? Severity::Info : Severity::Error,
             m_stepLabel->text());
}

void ShadowView::logEvent(Severity severity, const QString& message)
{
    Event event{0,
                QDateTime::currentMSecsSinceEpoch(),
                severity,
                QStringLiteral("shadow"),
                m_shadowCombo->currentText(),
                message};
    Q_EMIT eventLogged(event);
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, event] {
            if (auto repo = Repository::open(path))
                (void)(*repo)->appendEvent(event); // the log is best effort
            return 0;
        },
        [](int) {});
}

} // namespace doppel
