// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "services/CaptureService.h"
#include "store/Repository.h"

#include <QElapsedTimer>
#include <QThreadPool>
#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;
class QValueAxis;

namespace doppel {

class MessageBanner;
class Settings;

// The Capture tab: starts doppel-proxy in front of a production host (on this machine, or on
// that host over SSH) through the CaptureService, shows its state, live figures every second
// (statements/s with a small chart, sessions, mirror queue, drops, shadow errors) and the top
// statements of its capture directory by total time every few seconds (a capture on a host is
// read from this machine's copy of it, which the service keeps up to date). Every service call
// and capture read runs on the view's worker pool. The proxy outlives the view (a capture runs
// for hours); Stop ends it. With `settings`, the view remembers the proxy it started and, in a
// later console, takes it over if it still runs; Start in a folder where a proxy already
// captures takes that one over too. GUI thread only.
class CaptureView : public QWidget
{
    Q_OBJECT
public:
    CaptureView(CaptureService& service, Settings* settings = nullptr, QWidget* parent = nullptr);
    ~CaptureView() override;

    void setHosts(const std::vector<Host>& hosts);
    bool isRunning() const { return m_handle.has_value(); }
    std::optional<ProxyHandle> handle() const { return m_handle; }

public Q_SLOTS:
    void start();
    void stop();

Q_SIGNALS:
    void eventLogged(const doppel::Event& event);
    // The proxy started (true) or stopped (false) or failed to start (false, with the banner).
    void stateChanged(bool running);

private:
    struct Poll
    {
        Result<ProxyCounters> counters;
        std::optional<bool> alive; // asked only when the endpoint did not answer
        qint64 atMs = 0;
    };
    // How the view came to show a proxy.
    enum class Origin { Started, FoundAtStart, FoundEarlier };
    void adopt(const ProxyHandle& handle, const QString& production, Origin origin);
    // The proxy remembered in the settings, if they say it may still run (once per view).
    void findRemembered();
    void pollCounters();
    void showCounters(const Poll& poll);
    void refreshStatements();
    void setBusy(const QString& state);
    // `forget`: the remembered proxy no longer runs.
    void showStopped(const QString& state, bool forget = true);
    void logEvent(Severity severity, const QString& host, const QString& message);

    CaptureService& m_service;
    Settings* m_settings = nullptr;
    std::vector<Host> m_hosts;
    bool m_lookedForRemembered = false;
    bool m_productionRestored = false;
    MessageBanner* m_banner = nullptr;
    QComboBox* m_prodCombo = nullptr;
    QComboBox* m_shadowCombo = nullptr;
    QDoubleSpinBox* m_rateSpin = nullptr;
    QLineEdit* m_dirEdit = nullptr;
    QLineEdit* m_listenHostEdit = nullptr;
    QSpinBox* m_portSpin = nullptr;
    QComboBox* m_whereCombo = nullptr;
    QLineEdit* m_remoteBinaryEdit = nullptr;
    QLineEdit* m_tlsCertEdit = nullptr;
    QLineEdit* m_tlsKeyEdit = nullptr;
    QCheckBox* m_tlsRequireCheck = nullptr;
    QPushButton* m_startButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QLabel* m_stateLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_sessionsLabel = nullptr;
    QLabel* m_queueLabel = nullptr;
    QLabel* m_mirrorDroppedLabel = nullptr;
    QLabel* m_captureDroppedLabel = nullptr;
    QLabel* m_shadowErrorsLabel = nullptr;
    QLineSeries* m_rateSeries = nullptr;
    QValueAxis* m_timeAxis = nullptr;
    QValueAxis* m_rateAxis = nullptr;
    QLabel* m_topLabel = nullptr;
    QTableWidget* m_topTable = nullptr;
    QTimer* m_pollTimer = nullptr;
    QTimer* m_statsTimer = nullptr;
    std::optional<ProxyHandle> m_handle;
    bool m_busy = false;    // a start or stop under way
    bool m_polling = false; // a poll under way: the next tick skips
    bool m_readingStats = false;
    double m_lastCount = -1;
    qint64 m_lastAtMs = 0;
    QElapsedTimer m_clock;
    CancelToken m_cancel;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
