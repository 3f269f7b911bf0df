// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "replay/ReplayReport.h"

#include <QDialog>
#include <QThreadPool>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace doppel {

class SecretStore;
class ReplayService;

// Replays a capture against an inventory host: capture folder, target, speed, sessions and an
// optional time window; progress with live statements/s, errors and schedule lag; Cancel; and
// the per-fingerprint result table. The replay runs on a worker through the ReplayService.
// GUI thread only; not modal, so the console stays usable while it runs.
class ReplayDialog : public QDialog
{
    Q_OBJECT
public:
    ReplayDialog(ReplayService& service, SecretStore& secrets, const std::vector<Host>& hosts,
                 QWidget* parent = nullptr);
    ~ReplayDialog() override;

    bool isRunning() const { return m_running; }
    void setCaptureDir(const QString& dir);

public Q_SLOTS:
    void start();
    void cancelReplay();

Q_SIGNALS:
    void finished(bool completed);

private:
    void browse();
    void showProgress(std::int64_t done, std::int64_t total, std::int64_t errors, double rate,
                      double lagMs);
    void showReport(const ReplayReport& report);
    void setRunning(bool running);

    ReplayService& m_service;
    SecretStore& m_secrets;
    std::vector<Host> m_hosts;
    QLineEdit* m_captureEdit = nullptr;
    QComboBox* m_targetCombo = nullptr;
    QDoubleSpinBox* m_speedSpin = nullptr;
    QSpinBox* m_sessionsSpin = nullptr;
    QLineEdit* m_fromEdit = nullptr;
    QLineEdit* m_toEdit = nullptr;
    QPushButton* m_startButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_liveLabel = nullptr;
    QTableWidget* m_results = nullptr;
    bool m_running = false;
    CancelToken m_cancel;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
