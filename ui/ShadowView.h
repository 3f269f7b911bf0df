// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "shadow/ShadowTypes.h"
#include "store/Repository.h"

#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace doppel {

class MetricChart;
class SecretStore;
class ShadowService;

// The Shadow view: pick a production and a shadow host of the inventory, run the prechecks and
// read their verdicts, set the shadow up (after a confirmation), watch it (per-table copy state,
// lag in bytes and seconds, errors, Doppel's slots, a lag chart refreshed every few seconds),
// verify it against production, sync sequences and tear it down. Every operation runs on a
// worker through the ShadowService; one long operation at a time, with progress and Cancel.
// GUI thread only.
class ShadowView : public QWidget
{
    Q_OBJECT
public:
    ShadowView(ShadowService& service, SecretStore& secrets, QString repositoryPath,
               QWidget* parent = nullptr);
    ~ShadowView() override;

    void setHosts(const std::vector<Host>& hosts);
    bool isBusy() const { return m_busy; }
    // Status refresh period; tests shorten it.
    void setRefreshInterval(std::chrono::milliseconds interval);

public Q_SLOTS:
    void runCheck();
    void runSetup(); // asks first
    void runVerify();
    void runSyncSequences();
    void runTeardown(); // asks first
    void refreshStatus();
    void cancel();

Q_SIGNALS:
    // Something the view did to the servers, also written to the repository's event log.
    void eventLogged(const doppel::Event& event);
    // A long operation (check, setup, verify, sync, teardown) ended; `ok` is false on error.
    void operationFinished(bool ok);

private:
    // The selected hosts as a spec, with the SecretStore keys of their passwords; `explain`
    // says in the view what is missing.
    struct Request
    {
        ShadowSpec spec;
        QString prodSecretKey;
        QString shadowSecretKey;
    };
    std::optional<Request> currentRequest(bool explain);
    ShadowSpec withPasswords(Request request); // worker threads
    void setBusy(bool busy, const QString& step = {});
    void showStep(const QString& step);
    void showError(const QString& what, const Error& error);
    void logEvent(Severity severity, const QString& message);
    void showStatus(const ShadowStatus& status);
    template <typename Work, typename Then> void start(const QString& step, Work work, Then then);

    ShadowService& m_service;
    SecretStore& m_secrets;
    QString m_repositoryPath;
    std::vector<Host> m_hosts;
    QComboBox* m_prodCombo = nullptr;
    QComboBox* m_shadowCombo = nullptr;
    QLineEdit* m_nameEdit = nullptr;
    QPushButton* m_checkButton = nullptr;
    QPushButton* m_setupButton = nullptr;
    QPushButton* m_verifyButton = nullptr;
    QPushButton* m_syncButton = nullptr;
    QPushButton* m_teardownButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_statusLabel = nullptr;
    QTableWidget* m_checksTable = nullptr;
    QTableWidget* m_tablesTable = nullptr;
    QTableWidget* m_verifyTable = nullptr;
    MetricChart* m_lagChart = nullptr;
    QTimer m_refreshTimer;
    bool m_busy = false;
    bool m_statusPending = false;
    CancelToken m_cancel;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
