// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collect/HostState.h"
#include "store/Repository.h"

#include <QThreadPool>
#include <QWidget>

class QComboBox;
class QSortFilterProxyModel;
class QTableView;

namespace doppel {

class EventsModel;

// The event log in the bottom dock: recent events from the repository (read on a worker at
// start), then live ones from the collector and from any code that calls addEvent(). A combo
// filters by minimum severity. GUI thread only.
class EventsPane : public QWidget
{
    Q_OBJECT
public:
    explicit EventsPane(QString repositoryPath, QWidget* parent = nullptr);
    ~EventsPane() override;

    EventsModel* eventsModel() const { return m_model; }
    // Reads the last events from the repository on a worker and merges them in.
    void loadStored(int limit = 1000);
    int visibleRowCount() const;

public Q_SLOTS:
    void addEvent(const doppel::Event& event);
    // Convenience for code that has no Event at hand; stamps the current time.
    void addMessage(doppel::Severity severity, const QString& source, const QString& host,
                    const QString& message);
    // Connected to Collector::hostStateChanged.
    void addHostState(const QString& host, doppel::HostState state, const QString& reason);

Q_SIGNALS:
    void loadFailed(const QString& message);

private:
    QString m_repositoryPath;
    EventsModel* m_model = nullptr;
    QSortFilterProxyModel* m_filter = nullptr;
    QTableView* m_table = nullptr;
    QComboBox* m_severity = nullptr;
    quint64 m_request = 0;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
