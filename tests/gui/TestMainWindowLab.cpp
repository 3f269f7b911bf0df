// SPDX-License-Identifier: GPL-3.0-or-later
// The console against the shared lab: the collector's samples reach the dashboard charts, the
// inventory shows lab-production as ok, history is read back from the repository on a worker,
// the Differential tab gets the inventory's hosts and its events reach the events pane, and the
// window can be saved as a screenshot.

#include "LabConsole.h"

#include "CaptureView.h"
#include "ConnectorServices.h"
#include "DashboardView.h"
#include "DiffView.h"
#include "EventsModel.h"
#include "EventsPane.h"
#include "InventoryModel.h"
#include "InventoryView.h"
#include "MainWindow.h"
#include "MessageBanner.h"
#include "MetricChart.h"
#include "ReplayDialog.h"

#include "collect/Collector.h"
#include "settings/Settings.h"
#include "store/Repository.h"

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace doppel;
using namespace std::chrono_literals;

class TestMainWindowLab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void chartsReceiveLiveSamples();
    void inventoryShowsProductionOk();
    void eventsPaneShowsCollectorEvents();
    void bannerSaysSecretsAreInMemory();
    void historyIsLoadedFromRepository();
    void windowGrabsToFile();
    void replayActionOpensTheDialog();
    void differentialTabIsWired();
    void captureTabIsWired();

private:
    QModelIndex productionIndex() const
    {
        return m_console.window->inventoryView()->inventoryModel()->indexOf(
            QStringLiteral("lab-production"));
    }
    // Whether the events pane shows an error from `source` that mentions `text`.
    bool hasError(const QString& source, const QString& text) const
    {
        EventsModel* events = m_console.window->eventsPane()->eventsModel();
        for (int row = 0; row < events->rowCount(); ++row)
            if (events->event(row).source == source &&
                events->event(row).severity == Severity::Error &&
                events->event(row).message.contains(text))
                return true;
        return false;
    }

    QTemporaryDir m_dir;
    test::LabConsole m_console;
};

void TestMainWindowLab::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    const QString error = m_console.openRepository(m_dir.path());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_console.createWindow(m_dir.path());
    m_console.collector->setInterval(1s);
    m_console.collector->setTimeout(5s);
    m_console.window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_console.window.get()));
    m_console.collector->start();
}

void TestMainWindowLab::cleanupTestCase()
{
    if (m_console.collector)
        m_console.collector->stop();
}

void TestMainWindowLab::chartsReceiveLiveSamples()
{
    m_console.window->inventoryView()->selectHost(QStringLiteral("lab-production"));
    auto* dashboard = m_console.window->findChild<DashboardView*>(QStringLiteral("dashboardView"));
    QVERIFY(dashboard);
    QCOMPARE(dashboard->host(), QStringLiteral("lab-production"));
    auto* connections =
        dashboard->findChild<MetricChart*>(QStringLiteral("chart_pg_connections_total"));
    auto* tps = dashboard->findChild<MetricChart*>(QStringLiteral("chart_pg_tps"));
    QVERIFY(connections && tps);
    QTRY_VERIFY_WITH_TIMEOUT(connections->pointCount() > 0 || tps->pointCount() > 0, 20000);
    // Bytes are shown scaled, ratios as percent.
    auto* memory = dashboard->findChild<MetricChart*>(QStringLiteral("chart_mem_used_bytes"));
    QTRY_VERIFY_WITH_TIMEOUT(memory->pointCount() > 0, 20000);
    QVERIFY2(memory->displayUnit().endsWith(QLatin1String("iB")),
             qPrintable(memory->displayUnit()));
    auto* hitRatio = dashboard->findChild<MetricChart*>(QStringLiteral("chart_pg_cache_hit_ratio"));
    QCOMPARE(hitRatio->displayUnit(), QStringLiteral("%"));
}

void TestMainWindowLab::inventoryShowsProductionOk()
{
    QVERIFY(productionIndex().isValid());
    QTRY_COMPARE_WITH_TIMEOUT(productionIndex().data(InventoryModel::HostStateRole).toInt(),
                              int(HostState::Ok), 20000);
    QVERIFY(productionIndex().data(Qt::ToolTipRole).toString().contains(QLatin1String("ok")));
    QVERIFY(!productionIndex().data(Qt::DecorationRole).value<QIcon>().isNull());
}

void TestMainWindowLab::eventsPaneShowsCollectorEvents()
{
    EventsModel* events = m_console.window->eventsPane()->eventsModel();
    auto hasProductionEvent = [events] {
        for (int row = 0; row < events->rowCount(); ++row)
            if (events->event(row).host == QLatin1String("lab-production") &&
                events->event(row).source == QLatin1String("collector"))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasProductionEvent(), 20000);
}

void TestMainWindowLab::bannerSaysSecretsAreInMemory()
{
    QCOMPARE(m_console.window->banner()->text(), m_console.secrets.statusMessage());
}

void TestMainWindowLab::historyIsLoadedFromRepository()
{
    // A second dashboard gets no live samples: whatever it shows was read by its worker.
    QTRY_VERIFY_WITH_TIMEOUT(m_console.collector->sampleCount() > 0, 20000);
    m_console.collector->stop(); // flushes the writer, so the samples are in the repository
    DashboardView history(m_console.repoPath);
    history.setHost(QStringLiteral("lab-production"));
    QVERIFY(history.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!history.isLoading(), 10000);
    QVERIFY(history.chart(QStringLiteral("pg_connections_total"))->pointCount() > 0);
    m_console.collector->start();
}

void TestMainWindowLab::windowGrabsToFile()
{
    const QString file = m_dir.filePath(QStringLiteral("window.png"));
    QVERIFY(m_console.window->grab().save(file));
    QVERIFY(QFileInfo(file).size() > 0);
}

void TestMainWindowLab::replayActionOpensTheDialog()
{
    auto* action = m_console.window->findChild<QAction*>(QStringLiteral("replayAction"));
    QVERIFY(action);
    action->trigger();
    auto* dialog = m_console.window->findChild<ReplayDialog*>(QStringLiteral("replayDialog"));
    QVERIFY(dialog && dialog->isVisible());
    // Every inventory host is a possible target.
    QCOMPARE(dialog->findChild<QComboBox*>(QStringLiteral("targetCombo"))->count(), 2);
    dialog->close();
}

void TestMainWindowLab::differentialTabIsWired()
{
    auto* tabs = m_console.window->findChild<QTabWidget*>(QStringLiteral("centreTabs"));
    QVERIFY(tabs);
    DiffView* diff = m_console.window->diffView();
    QCOMPARE(tabs->tabText(tabs->indexOf(diff)), QStringLiteral("Differential"));
    auto* prod = diff->findChild<QComboBox*>(QStringLiteral("prodCombo"));
    QVERIFY(prod->findText(QStringLiteral("lab-production")) >= 0);
    QVERIFY(diff->findChild<QComboBox*>(QStringLiteral("shadowCombo"))
                ->findText(QStringLiteral("lab-shadow")) >= 0);
    // A capture that is not there: the failure reaches the events pane as an error.
    diff->setCaptureDir(m_dir.filePath(QStringLiteral("no-capture")));
    diff->run();
    QTRY_VERIFY_WITH_TIMEOUT(hasError(QStringLiteral("diff"), QStringLiteral("no-capture")), 10000);
}

void TestMainWindowLab::captureTabIsWired()
{
    auto* tabs = m_console.window->findChild<QTabWidget*>(QStringLiteral("centreTabs"));
    CaptureView* capture = m_console.window->captureView();
    QCOMPARE(tabs->tabText(tabs->indexOf(capture)), QStringLiteral("Capture"));
    QVERIFY(capture->findChild<QComboBox*>(QStringLiteral("productionCombo"))
                ->findText(QStringLiteral("lab-production")) >= 0);
    // A start refused before any process (no capture folder): the form says so, and a refusal
    // after the service call reaches the events pane as an error.
    capture->start();
    QVERIFY(!capture->isRunning());
    QVERIFY(capture->findChild<MessageBanner*>(QStringLiteral("captureBanner"))
                ->text()
                .contains(QLatin1String("capture folder")));
    capture->findChild<QLineEdit*>(QStringLiteral("captureDirEdit"))
        ->setText(m_dir.filePath(QStringLiteral("capture")));
    capture->findChild<QSpinBox*>(QStringLiteral("listenPortSpin"))->setValue(0);
    capture->start();
    QTRY_VERIFY_WITH_TIMEOUT(hasError(QStringLiteral("capture"), QStringLiteral("65535")), 10000);
    QVERIFY(!capture->isRunning());
}

QTEST_MAIN(TestMainWindowLab)
#include "TestMainWindowLab.moc"
