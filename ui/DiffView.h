// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "diff/DiffReport.h"
#include "inventory/Host.h"
#include "store/Repository.h"

#include <QThreadPool>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace doppel {

class DiffTableModel;
class LatencyDistributionChart;
class PlanService;
class SecretStore;
struct DiffInput;

// The Differential view: production against the shadow per statement fingerprint, from a
// capture with mirrored shadow results or a capture plus a replay report of the shadow. The
// analysis runs on a worker (busy bar, Cancel); the verdict sits on top, then a sortable,
// filterable table with regressions tinted, the selected statement's latency distribution on
// both sides, and its plans compared on an inventory production and shadow host. Alerts become
// events; the report is exported as HTML, Markdown or JSON. GUI thread only.
class DiffView : public QWidget
{
    Q_OBJECT
public:
    DiffView(PlanService& plans, SecretStore& secrets, QString repositoryPath,
             QWidget* parent = nullptr);
    ~DiffView() override;

    void setHosts(const std::vector<Host>& hosts);
    void setCaptureDir(const QString& dir);
    void setReplayReport(const QString& path);
    bool isBusy() const { return m_busy; }
    // The last analysis, with the plans compared since.
    const DiffReport& report() const { return m_report; }

public Q_SLOTS:
    void run();
    void cancel();
    // Compares the plans of the selected statement on the chosen hosts.
    void compareSelectedPlans();
    // Writes the report (.html, .md or .json) on a worker, atomically.
    void exportReport(const QString& path);

Q_SIGNALS:
    // An alert, a plan that differs, an export: also written to the repository's event log.
    void eventLogged(const doppel::Event& event);
    void analysisFinished(bool ok);
    void plansCompared(bool ok);
    void exported(const QString& path, bool ok);

private:
    struct Analysis
    {
        std::shared_ptr<const DiffInput> input;
        DiffReport report;
    };
    void browse(QLineEdit* edit, bool directory);
    void chooseExportFile();
    void setBusy(bool busy, const QString& step = {});
    void showAnalysis(Analysis analysis);
    void showVerdict();
    void showSelected();
    void showPlans(const PlanComparison& comparison);
    QString selectedFingerprint() const;
    void logEvents(const std::vector<Event>& events);
    Event event(Severity severity, const QString& message) const;

    PlanService& m_plans;
    SecretStore& m_secrets;
    QString m_repositoryPath;
    std::vector<Host> m_hosts;
    QLabel* m_verdictLabel = nullptr;
    QLineEdit* m_captureEdit = nullptr;
    QLineEdit* m_replayEdit = nullptr;
    QPushButton* m_runButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    DiffTableModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    LatencyDistributionChart* m_chart = nullptr;
    QComboBox* m_prodCombo = nullptr;
    QComboBox* m_shadowCombo = nullptr;
    QPushButton* m_plansButton = nullptr;
    QLabel* m_planLabel = nullptr;
    QTableWidget* m_planTable = nullptr;
    std::shared_ptr<const DiffInput> m_input;
    DiffReport m_report;
    bool m_busy = false;
    bool m_plansBusy = false;
    quint64 m_request = 0;
    CancelToken m_cancel;     // the analysis under way
    CancelToken m_planCancel; // plan comparisons: cancelled when the view goes
    QThreadPool m_workers;    // last member: destroyed (and waited for) first
};

} // namespace doppel
