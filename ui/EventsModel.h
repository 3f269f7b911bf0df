// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Repository.h"

#include <QAbstractTableModel>

#include <deque>
#include <vector>

namespace doppel {

// The event log as a table (time, severity, source, host, message), oldest first so new events
// are appended at the bottom. Bounded: the oldest rows go once MaxRows is reached.
// GUI thread only.
class EventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        SeverityColumn,
        SourceColumn,
        HostColumn,
        MessageColumn,
        ColumnCount
    };
    static constexpr int SeverityRole = Qt::UserRole + 1; // int(Severity)
    static constexpr int MaxRows = 5000;

    explicit EventsModel(QObject* parent = nullptr);

    void addEvent(const Event& event);
    // Events read from the repository at start. Live events that arrived meanwhile stay, and
    // a stored copy of one of them (the collector stores what it emits) is not shown twice.
    void mergeStored(std::vector<Event> stored);
    const Event& event(int row) const { return m_events[size_t(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::deque<Event> m_events;
};

} // namespace doppel
