// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ConsoleServices.h"
#include "inventory/Host.h"

#include <QMainWindow>
#include <QPointer>

#include <vector>

class QAction;

namespace doppel {

namespace forecast {
class ForecastService;
}

class CaptureView;
class DashboardView;
class DiffView;
class EventsPane;
class ForecastView;
class InventoryStore;
class InventoryView;
class MessageBanner;
class ShadowView;
class ThresholdsDialog;

// The console's window. It only assembles the views (inventory dock on the left; dashboard,
// shadow, forecast, differential and capture tabs in the centre; events at the bottom; message
// banner on top), wires them to the Collector, and opens the host, settings and thresholds dialogs.
// GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(const ConsoleServices& services, QWidget* parent = nullptr);
    ~MainWindow() override;

    // The inventory read at start; also handed to the collector.
    void setHosts(const std::vector<Host>& hosts);
    // Reads the inventory again (on a worker), e.g. after the lab registered its hosts.
    void reloadInventory();

    MessageBanner* banner() const { return m_banner; }
    InventoryView* inventoryView() const { return m_inventory; }
    DashboardView* dashboardView() const { return m_dashboard; }
    ShadowView* shadowView() const { return m_shadow; }
    ForecastView* forecastView() const { return m_forecast; }
    DiffView* diffView() const { return m_diff; }
    CaptureView* captureView() const { return m_capture; }
    forecast::ForecastService* forecastService() const { return m_forecastService; }
    EventsPane* eventsPane() const { return m_events; }
    // The thresholds dialog while it is open, else null.
    ThresholdsDialog* thresholdsDialog() const;

public Q_SLOTS:
    void addHost();
    void editHost(const QString& name);
    void editCurrentHost();
    void removeCurrentHost();
    void showSettings();
    // Opens the Replay dialog (not modal) on the inventory.
    void showReplay();
    void showLogImport();
    // Opens the list of every forecast threshold (not modal; raised if already open).
    void showThresholds();

Q_SIGNALS:
    // The inventory shown (and given to the collector) changed.
    void hostsApplied();

private:
    void createActions();
    void connectCollector();
    void connectForecasts();
    void openHostDialog(const Host* existing);
    void updateActions();

    ConsoleServices m_services;
    MessageBanner* m_banner = nullptr;
    InventoryView* m_inventory = nullptr;
    DashboardView* m_dashboard = nullptr;
    ShadowView* m_shadow = nullptr;
    ForecastView* m_forecast = nullptr;
    DiffView* m_diff = nullptr;
    CaptureView* m_capture = nullptr;
    forecast::ForecastService* m_forecastService = nullptr;
    EventsPane* m_events = nullptr;
    InventoryStore* m_store = nullptr;
    QPointer<ThresholdsDialog> m_thresholds;
    QAction* m_addAction = nullptr;
    QAction* m_editAction = nullptr;
    QAction* m_removeAction = nullptr;
    QAction* m_settingsAction = nullptr;
    QAction* m_replayAction = nullptr;
    QAction* m_importLogsAction = nullptr;
    QAction* m_thresholdsAction = nullptr;
    QAction* m_quitAction = nullptr;
};

} // namespace doppel
