// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "CaptureView.h"
#include "DashboardView.h"
#include "DiffView.h"
#include "EventsPane.h"
#include "ForecastView.h"
#include "HostDialog.h"
#include "InventoryModel.h"
#include "InventoryStore.h"
#include "InventoryView.h"
#include "LogImportDialog.h"
#include "MessageBanner.h"
#include "Prompt.h"
#include "ReplayDialog.h"
#include "SettingsDialog.h"
#include "ShadowView.h"
#include "StateIcons.h"
#include "ThresholdsDialog.h"

#include "collect/Collector.h"
#include "forecast/ForecastService.h"
#include "services/SecretStore.h"
#include "settings/Settings.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace doppel {

MainWindow::MainWindow(const ConsoleServices& services, QWidget* parent)
    : QMainWindow(parent), m_services(services)
{
    Q_ASSERT(services.settings && services.secrets && services.hostServices && services.collector &&
             services.shadow && services.replay && services.plans && services.capture);
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Doppel"));
    setWindowIcon(appIcon());

    m_banner = new MessageBanner(this);
    m_dashboard = new DashboardView(m_services.repositoryPath, this);
    m_dashboard->setWindow(std::chrono::minutes(
        m_services.settings->value(Settings::Key::ChartWindowMinutes).toInt()));
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(4, 4, 4, 0);
    centreLayout->addWidget(m_banner);
    m_shadow =
        new ShadowView(*m_services.shadow, *m_services.secrets, m_services.repositoryPath, this);
    auto* tabs = new QTabWidget(centre);
    tabs->setObjectName(QStringLiteral("centreTabs"));
    tabs->setDocumentMode(true);
    tabs->addTab(m_dashboard, tr("Dashboard"));
    tabs->addTab(m_shadow, tr("Shadow"));
    m_forecast = new ForecastView(m_services.repositoryPath, this);
    tabs->addTab(m_forecast, tr("Forecast"));
    m_diff = new DiffView(*m_services.plans, *m_services.secrets, m_services.repositoryPath, this);
    tabs->addTab(m_diff, tr("Differential"));
    m_capture = new CaptureView(*m_services.capture, m_services.settings, this);
    tabs->addTab(m_capture, tr("Capture"));
    centreLayout->addWidget(tabs, 1);
    setCentralWidget(centre);

    m_inventory = new InventoryView(this);
    auto* inventoryDock = new QDockWidget(tr("Inventory"), this);
    inventoryDock->setObjectName(QStringLiteral("inventoryDock"));
    inventoryDock->setWidget(m_inventory);
    inventoryDock->setFeatures(QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::LeftDockWidgetArea, inventoryDock);

    m_events = new EventsPane(m_services.repositoryPath, this);
    auto* eventsDock = new QDockWidget(tr("Events"), this);
    eventsDock->setObjectName(QStringLiteral("eventsDock"));
    eventsDock->setWidget(m_events);
    eventsDock->setFeatures(QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::BottomDockWidgetArea, eventsDock);
    resizeDocks({inventoryDock}, {230}, Qt::Horizontal);
    resizeDocks({eventsDock}, {170}, Qt::Vertical);

    m_store = new InventoryStore(m_services.repositoryPath, *m_services.secrets, this);
    connect(m_store, &InventoryStore::hostsLoaded, this, [this](const std::vector<Host>& hosts) {
        setHosts(hosts);
        m_services.collector->collectNow(); // show a changed host's state without waiting
    });
    connect(m_store, &InventoryStore::failed, this, [this](const QString& message) {
        m_banner->showMessage(message, MessageBanner::Type::Error);
    });
    connect(m_store, &InventoryStore::eventLogged, m_events, &EventsPane::addEvent);
    connect(m_shadow, &ShadowView::eventLogged, m_events, &EventsPane::addEvent);
    connect(m_diff, &DiffView::eventLogged, m_events, &EventsPane::addEvent);
    connect(m_capture, &CaptureView::eventLogged, m_events, &EventsPane::addEvent);

    connect(m_inventory, &InventoryView::currentHostChanged, m_dashboard, &DashboardView::setHost);
    connect(m_inventory, &InventoryView::currentHostChanged, this, &MainWindow::updateActions);
    connect(m_inventory, &InventoryView::editRequested, this, &MainWindow::editHost);
    connect(m_dashboard, &DashboardView::historyFailed, this, [this](const QString& message) {
        m_banner->showMessage(tr("Could not read the chart history: %1").arg(message),
                              MessageBanner::Type::Warning);
    });
    connect(m_events, &EventsPane::loadFailed, this, [this](const QString& message) {
        m_banner->showMessage(tr("Could not read the event log: %1").arg(message),
                              MessageBanner::Type::Warning);
    });

    createActions();
    connectCollector();
    connectForecasts();
    updateActions();
    m_events->loadStored();
    if (!m_services.secrets->persistent())
        m_banner->showMessage(m_services.secrets->statusMessage(), MessageBanner::Type::Warning);
    resize(1280, 820);
}

MainWindow::~MainWindow() = default;

void MainWindow::connectForecasts()
{
    m_forecastService = new forecast::ForecastService(m_services.repositoryPath, this);
    connect(m_inventory, &InventoryView::currentHostChanged, m_forecast, &ForecastView::setHost);
    connect(m_forecast, &ForecastView::eventLogged, m_events, &EventsPane::addEvent);
    connect(m_forecast, &ForecastView::allThresholdsRequested, this, &MainWindow::showThresholds);
    connect(m_forecast, &ForecastView::thresholdsChanged, this, [this] {
        if (m_thresholds)
            m_thresholds->reload();
    });
    connect(m_forecast, &ForecastView::failed, this, [this](const QString& message) {
        m_banner->showMessage(tr("Forecast: %1").arg(message), MessageBanner::Type::Warning);
    });
    connect(m_forecastService, &forecast::ForecastService::eventRaised, m_events,
            &EventsPane::addEvent);
    connect(m_forecastService, &forecast::ForecastService::hostsAtRiskChanged, this,
            [this](const QSet<QString>& hosts) {
                m_inventory->inventoryModel()->setHostsAtRisk(hosts);
            });
    connect(m_forecastService, &forecast::ForecastService::roundFinished, m_forecast, [this] {
        if (m_forecast->isVisible())
            m_forecast->reload(); // fresh limits and fit
    });
    // The first round waits a minute so starting the console (and its tests) stays light; then
    // the service re-fits every 15 minutes.
    QTimer::singleShot(std::chrono::minutes(1), m_forecastService,
                       &forecast::ForecastService::start);
}

void MainWindow::createActions()
{
    QStyle* s = style();
    m_addAction = new QAction(s->standardIcon(QStyle::SP_FileIcon), tr("&Add host…"), this);
    m_addAction->setObjectName(QStringLiteral("addHostAction"));
    m_addAction->setShortcut(QKeySequence::New);
    connect(m_addAction, &QAction::triggered, this, &MainWindow::addHost);
    m_editAction =
        new QAction(s->standardIcon(QStyle::SP_FileDialogDetailedView), tr("&Edit host…"), this);
    m_editAction->setObjectName(QStringLiteral("editHostAction"));
    m_editAction->setShortcut(Qt::CTRL | Qt::Key_E);
    connect(m_editAction, &QAction::triggered, this, &MainWindow::editCurrentHost);
    m_removeAction = new QAction(s->standardIcon(QStyle::SP_TrashIcon), tr("&Remove host…"), this);
    m_removeAction->setObjectName(QStringLiteral("removeHostAction"));
    m_removeAction->setShortcut(QKeySequence::Delete);
    connect(m_removeAction, &QAction::triggered, this, &MainWindow::removeCurrentHost);
    m_settingsAction =
        new QAction(s->standardIcon(QStyle::SP_FileDialogContentsView), tr("&Settings…"), this);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    m_replayAction =
        new QAction(s->standardIcon(QStyle::SP_MediaPlay), tr("&Replay a capture…"), this);
    m_replayAction->setObjectName(QStringLiteral("replayAction"));
    connect(m_replayAction, &QAction::triggered, this, &MainWindow::showReplay);
    m_importLogsAction =
        new QAction(s->standardIcon(QStyle::SP_DialogOpenButton), tr("&Import server logs…"), this);
    m_importLogsAction->setObjectName(QStringLiteral("importLogsAction"));
    connect(m_importLogsAction, &QAction::triggered, this, &MainWindow::showLogImport);
    m_thresholdsAction = new QAction(tr("Forecast &thresholds…"), this);
    m_thresholdsAction->setObjectName(QStringLiteral("thresholdsAction"));
    connect(m_thresholdsAction, &QAction::triggered, this, &MainWindow::showThresholds);
    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu* hosts = menuBar()->addMenu(tr("&Hosts"));
    hosts->addAction(m_addAction);
    hosts->addAction(m_editAction);
    hosts->addAction(m_removeAction);
    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(m_importLogsAction);
    tools->addAction(m_replayAction);
    tools->addAction(m_thresholdsAction);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    bar->addAction(m_addAction);
    bar->addAction(m_editAction);
    bar->addAction(m_removeAction);
    bar->addSeparator();
    bar->addAction(m_replayAction);
    bar->addAction(m_settingsAction);
}

void MainWindow::showReplay()
{
    auto* dialog = new ReplayDialog(*m_services.replay, *m_services.secrets,
                                    m_inventory->inventoryModel()->hosts(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showLogImport()
{
    auto* dialog =
        new LogImportDialog(*m_services.hostServices, m_inventory->inventoryModel()->hosts(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

ThresholdsDialog* MainWindow::thresholdsDialog() const
{
    return m_thresholds;
}

void MainWindow::showThresholds()
{
    if (m_thresholds) {
        m_thresholds->reload();
        m_thresholds->raise();
        m_thresholds->activateWindow();
        return;
    }
    m_thresholds = new ThresholdsDialog(m_services.repositoryPath,
                                        m_inventory->inventoryModel()->hosts(), this);
    m_thresholds->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_thresholds, &ThresholdsDialog::eventLogged, m_events, &EventsPane::addEvent);
    // The chart draws the threshold of its metric: show what changed.
    connect(m_thresholds, &ThresholdsDialog::thresholdsChanged, m_forecast, &ForecastView::reload);
    m_thresholds->show();
}

void MainWindow::connectCollector()
{
    Collector* collector = m_services.collector;
    connect(collector, &Collector::samplesCollected, m_dashboard, &DashboardView::addSamples);
    connect(collector, &Collector::hostStateChanged, m_inventory->inventoryModel(),
            &InventoryModel::setHostState);
    connect(collector, &Collector::hostStateChanged, m_dashboard, &DashboardView::setHostState);
    connect(collector, &Collector::hostStateChanged, m_events, &EventsPane::addHostState);
    connect(collector, &Collector::storeFailed, this, [this](const QString& message) {
        m_banner->showMessage(tr("Samples could not be stored: %1").arg(message),
                              MessageBanner::Type::Error);
    });
}

void MainWindow::setHosts(const std::vector<Host>& hosts)
{
    m_inventory->inventoryModel()->setHosts(hosts);
    m_services.collector->setHosts(hosts);
    m_shadow->setHosts(hosts);
    m_diff->setHosts(hosts);
    m_capture->setHosts(hosts);
    if (m_thresholds)
        m_thresholds->setHosts(hosts);
    updateActions();
    Q_EMIT hostsApplied();
}

void MainWindow::reloadInventory()
{
    m_store->reload();
}

void MainWindow::updateActions()
{
    const bool selected = !m_inventory->currentHost().isEmpty();
    m_editAction->setEnabled(selected);
    m_removeAction->setEnabled(selected);
}

void MainWindow::addHost()
{
    openHostDialog(nullptr);
}

void MainWindow::editCurrentHost()
{
    editHost(m_inventory->currentHost());
}

void MainWindow::editHost(const QString& name)
{
    const auto host = m_inventory->inventoryModel()->host(name);
    if (host)
        openHostDialog(&*host);
}

void MainWindow::openHostDialog(const Host* existing)
{
    auto* dialog = new HostDialog(*m_services.hostServices, *m_services.secrets, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setDefaultKnownHostsFile(
        m_services.settings->value(Settings::Key::KnownHostsFile).toString());
    dialog->setTestTimeout(std::chrono::milliseconds(
        m_services.settings->value(Settings::Key::CollectionTimeoutMs).toInt()));
    QStringList names;
    for (const Host& h : m_inventory->inventoryModel()->hosts())
        names << h.name;
    dialog->setExistingNames(names);
    if (existing)
        dialog->setHost(*existing);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_store->saveHost(dialog->host(), !dialog->isEditing(), dialog->pgPassword(),
                          dialog->sshSecret());
    });
    dialog->open(); // window-modal, no nested event loop
}

void MainWindow::removeCurrentHost()
{
    const QString name = m_inventory->currentHost();
    if (name.isEmpty())
        return;
    Prompt::ask(this, tr("Remove host"),
                tr("Remove %1 from the inventory? Its samples and stored secrets are removed too.")
                    .arg(name),
                tr("Remove"), [this, name](Prompt::Answer answer) {
                    if (answer == Prompt::Answer::Accept)
                        m_store->removeHost(name);
                });
}

void MainWindow::showSettings()
{
    auto* dialog = new SettingsDialog(*m_services.settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::saved, this, [this] {
        const Settings& settings = *m_services.settings;
        m_services.collector->setInterval(
            std::chrono::milliseconds(settings.value(Settings::Key::CollectionIntervalMs).toInt()));
        m_dashboard->setWindow(
            std::chrono::minutes(settings.value(Settings::Key::ChartWindowMinutes).toInt()));
        m_banner->showMessage(tr("Settings saved."), MessageBanner::Type::Positive, 4000);
    });
    dialog->open();
}

} // namespace doppel
