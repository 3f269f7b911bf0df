// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureView.h"

#include "Async.h"
#include "HostCombos.h"
#include "MessageBanner.h"
#include "TableCells.h"

#include "settings/Settings.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace doppel {

namespace {

using namespace std::chrono_literals;

constexpr auto PollInterval = 1s;
constexpr auto StatsInterval = 4s;
constexpr auto Drain = 40s;
constexpr int ChartPoints = 120; // two minutes at one poll a second
constexpr int TopStatements = 50;

QLabel* figure(QWidget* parent, const char* name)
{
    auto* label = new QLabel(QStringLiteral("–"), parent);
    label->setObjectName(QLatin1String(name));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

CaptureView::CaptureView(CaptureService& service, Settings* settings, QWidget* parent)
    : QWidget(parent), m_service(service), m_settings(settings)
{
    setObjectName(QStringLiteral("captureView"));
    m_clock.start();
    m_banner = new MessageBanner(this);
    m_banner->setObjectName(QStringLiteral("captureBanner"));

    m_prodCombo = new QComboBox(this);
    m_prodCombo->setObjectName(QStringLiteral("productionCombo"));
    m_shadowCombo = new QComboBox(this);
    m_shadowCombo->setObjectName(QStringLiteral("shadowCombo"));
    m_rateSpin = new QDoubleSpinBox(this);
    m_rateSpin->setObjectName(QStringLiteral("mirrorRateSpin"));
    m_rateSpin->setRange(0, 1);
    m_rateSpin->setSingleStep(0.05);
    m_rateSpin->setDecimals(2);
    m_dirEdit = new QLineEdit(this);
    m_dirEdit->setObjectName(QStringLiteral("captureDirEdit"));
    m_dirEdit->setPlaceholderText(tr("where the proxy writes the capture, on the machine it runs"));
    m_listenHostEdit = new QLineEdit(QStringLiteral("127.0.0.1"), this);
    m_listenHostEdit->setObjectName(QStringLiteral("listenHostEdit"));
    m_portSpin = new QSpinBox(this);
    m_portSpin->setObjectName(QStringLiteral("listenPortSpin"));
    m_portSpin->setRange(0, 65535); // 0 is refused with a message rather than silently
    m_portSpin->setValue(6432);
    auto* listenRow = new QHBoxLayout;
    listenRow->addWidget(m_listenHostEdit, 1);
    listenRow->addWidget(new QLabel(QStringLiteral(":"), this));
    listenRow->addWidget(m_portSpin);
    m_whereCombo = new QComboBox(this);
    m_whereCombo->setObjectName(QStringLiteral("whereCombo"));
    m_whereCombo->addItem(tr("This machine"));
    m_whereCombo->addItem(tr("The production host, over SSH (doppel-proxy installed there)"));
    m_remoteBinaryEdit = new QLineEdit(QStringLiteral("doppel-proxy"), this);
    m_remoteBinaryEdit->setObjectName(QStringLiteral("remoteBinaryEdit"));
    m_remoteBinaryEdit->setToolTip(tr("doppel-proxy on the host: a name in the login PATH or a "
                                      "full path"));
    m_remoteBinaryEdit->setEnabled(false);
    connect(m_whereCombo, &QComboBox::currentIndexChanged, m_remoteBinaryEdit,
            [this](int index) { m_remoteBinaryEdit->setEnabled(index == 1); });
    // TLS for the applications: the proxy's certificate and key, on the machine it runs on.
    m_tlsCertEdit = new QLineEdit(this);
    m_tlsCertEdit->setObjectName(QStringLiteral("tlsCertEdit"));
    m_tlsCertEdit->setPlaceholderText(tr("certificate file (PEM); empty: plain text only"));
    m_tlsKeyEdit = new QLineEdit(this);
    m_tlsKeyEdit->setObjectName(QStringLiteral("tlsKeyEdit"));
    m_tlsKeyEdit->setPlaceholderText(tr("key file (PEM, mode 0600)"));
    m_tlsRequireCheck = new QCheckBox(tr("Refuse plain text"), this);
    m_tlsRequireCheck->setObjectName(QStringLiteral("tlsRequireCheck"));
    auto* tlsRow = new QHBoxLayout;
    tlsRow->addWidget(m_tlsCertEdit, 1);
    tlsRow->addWidget(m_tlsKeyEdit, 1);
    tlsRow->addWidget(m_tlsRequireCheck);
    auto* form = new QFormLayout;
    form->addRow(tr("Production:"), m_prodCombo);
    form->addRow(tr("Shadow:"), m_shadowCombo);
    form->addRow(tr("Mirror rate:"), m_rateSpin);
    form->addRow(tr("Capture folder:"), m_dirEdit);
    form->addRow(tr("Listen on:"), listenRow);
    form->addRow(tr("Run on:"), m_whereCombo);
    form->addRow(tr("Binary on the host:"), m_remoteBinaryEdit);
    form->addRow(tr("TLS for clients:"), tlsRow);

    m_startButton = new QPushButton(tr("Start proxy"), this);
    m_startButton->setObjectName(QStringLiteral("startButton"));
    m_stopButton = new QPushButton(tr("Stop proxy"), this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_stopButton->setEnabled(false);
    connect(m_startButton, &QPushButton::clicked, this, &CaptureView::start);
    connect(m_stopButton, &QPushButton::clicked, this, &CaptureView::stop);
    m_stateLabel = new QLabel(tr("Stopped"), this);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_stopButton);
    buttons->addWidget(m_stateLabel, 1);

    m_rateLabel = figure(this, "statementsRateLabel");
    m_sessionsLabel = figure(this, "sessionsLabel");
    m_queueLabel = figure(this, "mirrorQueueLabel");
    m_mirrorDroppedLabel = figure(this, "mirrorDroppedLabel");
    m_captureDroppedLabel = figure(this, "captureDroppedLabel");
    m_shadowErrorsLabel = figure(this, "shadowErrorsLabel");
    auto* figures = new QFormLayout;
    figures->addRow(tr("Statements/s:"), m_rateLabel);
    figures->addRow(tr("Sessions open:"), m_sessionsLabel);
    figures->addRow(tr("Mirror queue:"), m_queueLabel);
    figures->addRow(tr("Dropped transactions:"), m_mirrorDroppedLabel);
    figures->addRow(tr("Capture records dropped:"), m_captureDroppedLabel);
    figures->addRow(tr("Shadow errors:"), m_shadowErrorsLabel);

    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setTitle(tr("Statements/s"));
    m_rateSeries = new QLineSeries(chart);
    chart->addSeries(m_rateSeries);
    m_timeAxis = new QValueAxis(chart);
    m_timeAxis->setLabelFormat(QStringLiteral("%.0f s"));
    m_timeAxis->setRange(-ChartPoints, 0);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_rateSeries->attachAxis(m_timeAxis);
    m_rateAxis = new QValueAxis(chart);
    m_rateAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_rateAxis->setRange(0, 1);
    chart->addAxis(m_rateAxis, Qt::AlignLeft);
    m_rateSeries->attachAxis(m_rateAxis);
    auto* chartView = new QChartView(chart, this);
    chartView->setObjectName(QStringLiteral("rateChart"));
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(160);
    auto* live = new QHBoxLayout;
    live->addLayout(figures);
    live->addWidget(chartView, 1);

    m_topTable = new QTableWidget(0, 7, this);
    m_topTable->setObjectName(QStringLiteral("topTable"));
    m_topTable->setHorizontalHeaderLabels({tr("Calls"), tr("Total ms"), tr("Mean ms"), tr("p95 ms"),
                                           tr("Rows"), tr("Errors"), tr("Query")});
    m_topTable->verticalHeader()->hide();
    m_topTable->horizontalHeader()->setStretchLastSection(true);
    m_topTable->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addLayout(live);
    m_topLabel = new QLabel(tr("Top statements by total time:"), this);
    m_topLabel->setObjectName(QStringLiteral("topStatementsLabel"));
    m_topLabel->setWordWrap(true);
    layout->addWidget(m_topLabel);
    layout->addWidget(m_topTable, 1);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(PollInterval);
    connect(m_pollTimer, &QTimer::timeout, this, &CaptureView::pollCounters);
    m_statsTimer = new QTimer(this);
    m_statsTimer->setInterval(StatsInterval);
    connect(m_statsTimer, &QTimer::timeout, this, &CaptureView::refreshStatements);

    if (m_settings) {
        m_dirEdit->setText(m_settings->value(Settings::Key::CaptureDir).toString());
        m_whereCombo->setCurrentIndex(
            m_settings->value(Settings::Key::CaptureOverSsh).toBool() ? 1 : 0);
        // A proxy on this machine needs no host list; one on a host waits for setHosts().
        QMetaObject::invokeMethod(this, &CaptureView::findRemembered, Qt::QueuedConnection);
    }
}

CaptureView::~CaptureView()
{
    m_cancel.cancel(); // a start, stop or poll under way gives up at its next step
    m_workers.waitForDone();
}

void CaptureView::setHosts(const std::vector<Host>& hosts)
{
    m_hosts = hosts;
    const bool noShadow = m_shadowCombo->currentIndex() <= 0;
    fillHostPairCombos(hosts, m_prodCombo, m_shadowCombo);
    const QSignalBlocker block(m_shadowCombo);
    m_shadowCombo->insertItem(0, tr("none (capture only)"));
    if (noShadow)
        m_shadowCombo->setCurrentIndex(0);
    if (m_settings && !m_productionRestored && !hosts.empty()) {
        m_productionRestored = true;
        const QString production = m_settings->value(Settings::Key::CaptureProduction).toString();
        if (findHost(hosts, production))
            m_prodCombo->setCurrentText(production);
    }
    findRemembered();
}

void CaptureView::findRemembered()
{
    if (!m_settings || m_lookedForRemembered || m_handle || m_busy)
        return;
    if (!m_settings->value(Settings::Key::CaptureRunning).toBool()) {
        m_lookedForRemembered = true;
        return;
    }
    const QString dir = m_settings->value(Settings::Key::CaptureDir).toString();
    const QString production = m_settings->value(Settings::Key::CaptureProduction).toString();
    std::optional<Host> runOn;
    if (m_settings->value(Settings::Key::CaptureOverSsh).toBool()) {
        const Host* host = findHost(m_hosts, production);
        if (!host)
            return; // the inventory is not loaded yet: asked again by setHosts()
        runOn = *host;
    }
    m_lookedForRemembered = true;
    const QString where = runOn ? runOn->name : tr("this machine");
    setBusy(tr("Looking for the proxy started earlier in %1 on %2…").arg(dir, where));
    runAsync(
        m_workers, this,
        [this, dir, runOn, cancel = m_cancel] { return m_service.find(dir, runOn, cancel); },
        [this, dir, where, production](Result<std::optional<ProxyHandle>> found) {
            m_busy = false;
            if (!found) {
                // Unknown, not gone: the next console asks again.
                showStopped(tr("Stopped"), false);
                m_banner->showMessage(tr("Could not check whether the proxy started earlier in "
                                         "%1 on %2 still runs: %3")
                                          .arg(dir, where, found.error().message),
                                      MessageBanner::Type::Warning);
                return;
            }
            if (!*found) {
                showStopped(tr("Stopped (the proxy started earlier in %1 on %2 no longer runs)")
                                .arg(dir, where));
                return;
            }
            adopt(**found, production, Origin::FoundEarlier);
        });
}

void CaptureView::start()
{
    if (m_busy || m_handle)
        return;
    const Host* prod = findHost(m_hosts, m_prodCombo->currentText());
    if (!prod) {
        m_banner->showMessage(tr("Choose a production host."), MessageBanner::Type::Error);
        return;
    }
    ProxyLaunch launch;
    launch.upstreamConninfo = prod->conninfo;
    if (m_shadowCombo->currentIndex() > 0)
        if (const Host* shadow = findHost(m_hosts, m_shadowCombo->currentText())) {
            launch.shadowConninfo = shadow->conninfo;
            launch.mirrorRate = m_rateSpin->value();
        }
    launch.captureDir = m_dirEdit->text().trimmed();
    launch.listenHost = m_listenHostEdit->text().trimmed();
    launch.listenPort = m_portSpin->value();
    if (m_whereCombo->currentIndex() == 1) {
        if (!prod->ssh || !prod->ssh->isValid()) {
            m_banner->showMessage(tr("%1 has no SSH endpoint: edit the host or run the proxy on "
                                     "this machine.")
                                      .arg(prod->name),
                                  MessageBanner::Type::Error);
            return;
        }
        launch.runOn = *prod;
        launch.remoteBinary = m_remoteBinaryEdit->text().trimmed();
    }
    if (launch.captureDir.isEmpty()) {
        m_banner->showMessage(tr("Choose a capture folder."), MessageBanner::Type::Error);
        return;
    }
    launch.tlsCert = m_tlsCertEdit->text().trimmed();
    launch.tlsKey = m_tlsKeyEdit->text().trimmed();
    launch.tlsRequire = m_tlsRequireCheck->isChecked();
    if (launch.tlsCert.isEmpty() != launch.tlsKey.isEmpty() ||
        (launch.tlsRequire && launch.tlsCert.isEmpty())) {
        m_banner->showMessage(tr("TLS needs both a certificate and a key file."),
                              MessageBanner::Type::Error);
        return;
    }
    if (!launch.runOn)
        launch.captureDir = QDir(launch.captureDir).absolutePath();
    m_banner->hideMessage();
    setBusy(tr("Starting doppel-proxy on %1…")
                .arg(launch.runOn ? launch.runOn->name : tr("this machine")));
    const QString prodName = prod->name;
    struct Started
    {
        Result<ProxyHandle> handle;
        bool found = false; // a proxy already captured into that folder
    };
    runAsync(
        m_workers, this,
        [this, launch, cancel = m_cancel] {
            // One proxy per capture folder: one already there is taken over, not duplicated.
            // A failed look is no answer; start() refuses a second proxy itself.
            if (auto existing = m_service.find(launch.captureDir, launch.runOn, cancel);
                existing && *existing)
                return Started{**existing, true};
            return Started{m_service.start(launch, cancel), false};
        },
        [this, prodName](Started started) {
            m_busy = false;
            Result<ProxyHandle>& handle = started.handle;
            if (!handle) {
                showStopped(tr("Stopped"), false); // whatever was remembered is unchanged
                m_banner->showMessage(
                    tr("Could not start the proxy: %1").arg(handle.error().message),
                    MessageBanner::Type::Error);
                logEvent(Severity::Error, prodName,
                         tr("Capture proxy did not start: %1").arg(handle.error().message));
                Q_EMIT stateChanged(false);
                return;
            }
            adopt(*handle, prodName, started.found ? Origin::FoundAtStart : Origin::Started);
        });
}

void CaptureView::adopt(const ProxyHandle& handle, const QString& production, Origin origin)
{
    m_handle = handle;
    m_lastCount = -1;
    m_rateSeries->clear();
    m_topTable->setRowCount(0);
    QString state = tr("Running on %1: pid %2, listening on %3, capturing into %4")
                        .arg(handle.where())
                        .arg(handle.pid)
                        .arg(handle.listenAddress, handle.captureDir);
    if (origin != Origin::Started)
        state += tr(" (started earlier, taken over)");
    m_stateLabel->setText(state);
    m_startButton->setEnabled(false);
    m_stopButton->setEnabled(true);
    m_pollTimer->start();
    m_statsTimer->start();
    pollCounters();
    if (origin != Origin::Started)
        refreshStatements(); // a capture that has run a while: its table without waiting
    if (m_settings) {
        m_settings->setValue(Settings::Key::CaptureDir, handle.captureDir);
        m_settings->setValue(Settings::Key::CaptureProduction, production);
        m_settings->setValue(Settings::Key::CaptureOverSsh, handle.runOn.has_value());
        m_settings->setValue(Settings::Key::CaptureRunning, true);
        m_settings->sync();
    }
    m_dirEdit->setText(handle.captureDir);
    switch (origin) {
    case Origin::Started:
        logEvent(Severity::Info, production,
                 tr("Capture proxy started on %1 (pid %2), listening on %3")
                     .arg(handle.where())
                     .arg(handle.pid)
                     .arg(handle.listenAddress));
        break;
    case Origin::FoundAtStart:
        m_banner->showMessage(tr("A doppel-proxy (pid %1) already captures into %2 on %3: "
                                 "this view took it over rather than start a second one.")
                                  .arg(handle.pid)
                                  .arg(handle.captureDir, handle.where()),
                              MessageBanner::Type::Information);
        [[fallthrough]];
    case Origin::FoundEarlier:
        logEvent(Severity::Info, production,
                 tr("Capture proxy on %1 (pid %2), capturing into %3, found running and taken "
                    "over")
                     .arg(handle.where())
                     .arg(handle.pid)
                     .arg(handle.captureDir));
        break;
    }
    Q_EMIT stateChanged(true);
}

void CaptureView::stop()
{
    if (m_busy || !m_handle)
        return;
    setBusy(tr("Stopping: waiting for the sessions to finish (up to %1 s)…")
                .arg(std::chrono::seconds(Drain).count()));
    m_pollTimer->stop();
    const ProxyHandle handle = *m_handle;
    runAsync(
        m_workers, this,
        [this, handle, cancel = m_cancel] { return m_service.stop(handle, Drain, cancel); },
        [this, handle](Status st) {
            m_busy = false;
            if (!st) {
                // Still running (or unknown): keep the handle so Stop can be tried again.
                m_stateLabel->setText(
                    tr("Running on %1: pid %2 (stop failed)").arg(handle.where()).arg(handle.pid));
                m_stopButton->setEnabled(true);
                m_pollTimer->start();
                m_banner->showMessage(tr("Could not stop the proxy: %1").arg(st.error().message),
                                      MessageBanner::Type::Error);
                return;
            }
            refreshStatements(); // the last statements drained into the capture
            showStopped(tr("Stopped (pid %1 exited)").arg(handle.pid));
            logEvent(
                Severity::Info, handle.runOn ? handle.runOn->name : QString(),
                tr("Capture proxy on %1 (pid %2) stopped").arg(handle.where()).arg(handle.pid));
            Q_EMIT stateChanged(false);
        });
}

void CaptureView::setBusy(const QString& state)
{
    m_busy = true;
    m_stateLabel->setText(state);
    m_startButton->setEnabled(false);
    m_stopButton->setEnabled(false);
}

void CaptureView::showStopped(const QString& state, bool forget)
{
    if (forget && m_settings && m_settings->value(Settings::Key::CaptureRunning).toBool()) {
        m_settings->setValue(Settings::Key::CaptureRunning, false);
        m_settings->sync();
    }
    m_handle.reset();
    m_pollTimer->stop();
    m_statsTimer->stop();
    m_stateLabel->setText(state);
    m_startButton->setEnabled(true);
    m_stopButton->setEnabled(false);
}

void CaptureView::pollCounters()
{
    if (!m_handle || m_polling || m_busy)
        return;
    m_polling = true;
    runAsync(
        m_workers, this,
        [this, handle = *m_handle, cancel = m_cancel] {
            Poll p{m_service.poll(handle, cancel), std::nullopt, 0};
            if (!p.counters) {
                auto alive = m_service.isRunning(handle, cancel);
                if (alive)
                    p.alive = *alive;
            }
            p.atMs = m_clock.elapsed();
            return p;
        },
        [this, pid = m_handle->pid](Poll p) {
            m_polling = false;
            if (m_handle && m_handle->pid == pid && !m_busy)
                showCounters(p);
        });
}

void CaptureView::showCounters(const Poll& p)
{
    if (!p.counters) {
        if (p.alive == false) {
            const ProxyHandle gone = *m_handle;
            showStopped(tr("Stopped: pid %1 exited on its own").arg(gone.pid));
            m_banner->showMessage(tr("The proxy on %1 exited; its log is doppel-proxy.log in %2.")
                                      .arg(gone.where(), gone.captureDir),
                                  MessageBanner::Type::Error);
            logEvent(Severity::Error, gone.runOn ? gone.runOn->name : QString(),
                     tr("Capture proxy (pid %1) exited on its own").arg(gone.pid));
            Q_EMIT stateChanged(false);
        } else {
            m_banner->showMessage(
                tr("The proxy does not answer: %1").arg(p.counters.error().message),
                MessageBanner::Type::Warning, 5000);
        }
        return;
    }
    const ProxyCounters& c = p.counters.value();
    const double count = c.value(QStringLiteral("doppel_proxy_statements_captured_total"));
    if (m_lastCount >= 0 && p.atMs > m_lastAtMs) {
        const double rate =
            std::max(0.0, (count - m_lastCount) * 1000.0 / double(p.atMs - m_lastAtMs));
        m_rateLabel->setText(QString::number(rate, 'f', rate < 10 ? 1 : 0));
        QList<QPointF> points = m_rateSeries->points();
        for (QPointF& pt : points)
            pt.rx() -= double(p.atMs - m_lastAtMs) / 1000.0;
        points.append(QPointF(0, rate));
        while (points.size() > ChartPoints ||
               (!points.isEmpty() && points.first().x() < -ChartPoints))
            points.removeFirst();
        m_rateSeries->replace(points);
        double top = 1;
        for (const QPointF& pt : points)
            top = std::max(top, pt.y());
        m_rateAxis->setRange(0, top * 1.1);
    }
    m_lastCount = count;
    m_lastAtMs = p.atMs;
    const auto number = [&c](const char* name) {
        const QString key = QLatin1String(name);
        return c.has(key) ? QString::number(qint64(c.value(key))) : tr("n/a");
    };
    m_sessionsLabel->setText(number("doppel_proxy_sessions_active"));
    m_queueLabel->setText(number("doppel_proxy_mirror_queue_depth"));
    m_mirrorDroppedLabel->setText(number("doppel_proxy_mirror_dropped_transactions_total"));
    m_captureDroppedLabel->setText(number("doppel_proxy_capture_dropped_total"));
    m_shadowErrorsLabel->setText(number("doppel_proxy_mirror_shadow_errors_total"));
}

void CaptureView::refreshStatements()
{
    if (m_readingStats || !m_handle)
        return;
    m_readingStats = true;
    runAsync(
        m_workers, this,
        [this, handle = *m_handle, cancel = m_cancel] {
            return m_service.statements(handle, cancel);
        },
        [this, handle = *m_handle](Result<CaptureSnapshot> snapshot) {
            m_readingStats = false;
            if (m_handle && m_handle->pid != handle.pid)
                return; // another proxy is shown now (a stopped one's last read is kept)
            if (!snapshot) {
                m_banner->showMessage(
                    tr("Could not read the capture: %1").arg(snapshot.error().message),
                    MessageBanner::Type::Warning, 5000);
                return;
            }
            if (handle.runOn) {
                QString text = tr("Top statements by total time, from this machine's copy of "
                                  "the capture on %1 (%2)")
                                   .arg(handle.where(), snapshot->readFrom);
                if (snapshot->pendingBytes > 0)
                    text += tr(", %1 MiB still to copy")
                                .arg(double(snapshot->pendingBytes) / (1024.0 * 1024.0), 0, 'f', 1);
                m_topLabel->setText(text + QLatin1Char(':'));
            } else {
                m_topLabel->setText(tr("Top statements by total time:"));
            }
            const CaptureStats& stats = snapshot->stats;
            const int rows = int(std::min<qsizetype>(stats.byFingerprint.size(), TopStatements));
            m_topTable->setSortingEnabled(false);
            m_topTable->setRowCount(rows);
            for (int row = 0; row < rows; ++row) {
                const StatementStats& s = stats.byFingerprint[row];
                m_topTable->setItem(row, 0, readOnlyCell(s.calls));
                m_topTable->setItem(row, 1, readOnlyCell(std::round(s.totalMs * 10) / 10));
                m_topTable->setItem(row, 2, readOnlyCell(std::round(s.meanMs * 1000) / 1000));
                m_topTable->setItem(row, 3, readOnlyCell(std::round(s.p95Ms * 1000) / 1000));
                m_topTable->setItem(row, 4, readOnlyCell(s.rows));
                m_topTable->setItem(row, 5, readOnlyCell(s.errors));
                auto* query = readOnlyCell(s.query.simplified());
                query->setToolTip(s.query);
                m_topTable->setItem(row, 6, query);
            }
            m_topTable->resizeColumnsToContents();
            m_topTable->setSortingEnabled(true);
        });
}

void CaptureView::logEvent(Severity severity, const QString& host, const QString& message)
{
    Q_EMIT eventLogged(Event{0, QDateTime::currentMSecsSinceEpoch(), severity,
                             QStringLiteral("capture"), host, message});
}

} // namespace doppel
