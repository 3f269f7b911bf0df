// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ThresholdFields.h"

#include "inventory/Host.h"
#include "store/Repository.h"

#include <QDialog>
#include <QThreadPool>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace doppel {

class MessageBanner;

// Every forecast threshold of every host and metric in one table (id, host, metric, above or
// below, value, horizon, probability, created), with Remove for the selected rows and a form to
// add one. Adding does what the Forecast view's Add does: the threshold is stored, its metric
// fitted for the threshold's horizon, and a recommendation logged when it is already at risk.
// Thresholds for all hosts (doppelctl thresholds add without --host) are listed and removable;
// the form adds per host, as the Forecast view does. Reads and writes run on the dialog's worker,
// each on its own repository connection; errors are named in the dialog's banner and emitted as
// failed(). GUI thread only; not modal.
class ThresholdsDialog : public QDialog
{
    Q_OBJECT
public:
    ThresholdsDialog(QString repositoryPath, const std::vector<Host>& hosts,
                     QWidget* parent = nullptr);
    ~ThresholdsDialog() override;

    // The hosts the form offers (the inventory); the list itself shows whatever is stored.
    void setHosts(const std::vector<Host>& hosts);
    // The thresholds listed, in the repository's order (by metric, then id).
    const std::vector<ForecastThreshold>& thresholds() const { return m_thresholds; }
    // True while the list loads or an add or remove runs (tests wait for it).
    bool isBusy() const { return m_pending > 0; }
    // Selects the rows of these threshold ids (the table may be sorted in any order).
    void selectThresholds(const QList<qint64>& ids);

public Q_SLOTS:
    void reload();
    void addThreshold();
    void removeSelected();

Q_SIGNALS:
    // A threshold was added or removed here: views showing thresholds read them again.
    void thresholdsChanged();
    void eventLogged(const doppel::Event& event);
    void failed(const QString& message);

private:
    void showThresholds(const std::vector<ForecastThreshold>& list);
    void showError(const QString& message);
    void finishOne();
    void updateButtons();

    QString m_repositoryPath;
    std::vector<ForecastThreshold> m_thresholds;
    MessageBanner* m_banner = nullptr;
    QTableWidget* m_table = nullptr;
    QLabel* m_count = nullptr;
    QPushButton* m_refresh = nullptr;
    QPushButton* m_remove = nullptr;
    QComboBox* m_host = nullptr;
    QComboBox* m_metric = nullptr;
    ThresholdFields m_fields; // above/below, value, probability
    QComboBox* m_horizon = nullptr;
    QPushButton* m_add = nullptr;
    quint64 m_request = 0;
    int m_pending = 0;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
