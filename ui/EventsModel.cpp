// SPDX-License-Identifier: GPL-3.0-or-later
#include "EventsModel.h"

#include "StateIcons.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>
#include <cstdlib>

namespace doppel {

EventsModel::EventsModel(QObject* parent) : QAbstractTableModel(parent)
{}

void EventsModel::addEvent(const Event& event)
{
    if (int(m_events.size()) >= MaxRows) {
        beginRemoveRows({}, 0, 0);
        m_events.pop_front();
        endRemoveRows();
    }
    const int row = int(m_events.size());
    beginInsertRows({}, row, row);
    m_events.push_back(event);
    endInsertRows();
}

void EventsModel::mergeStored(std::vector<Event> stored)
{
    // A live event and its stored copy differ in id and by a few ms in time.
    auto sameEvent = [](const Event& a, const Event& b) {
        return a.host == b.host && a.source == b.source && a.message == b.message &&
               a.severity == b.severity && std::llabs(a.timestampMs - b.timestampMs) < 5000;
    };
    std::vector<Event> merged;
    merged.reserve(stored.size() + m_events.size());
    for (Event& e : stored) {
        const bool shownLive = std::any_of(m_events.begin(), m_events.end(),
                                           [&](const Event& live) { return sameEvent(live, e); });
        if (!shownLive)
            merged.push_back(std::move(e));
    }
    merged.insert(merged.end(), m_events.begin(), m_events.end());
    std::stable_sort(merged.begin(), merged.end(),
                     [](const Event& a, const Event& b) { return a.timestampMs < b.timestampMs; });
    if (merged.size() > size_t(MaxRows))
        merged.erase(merged.begin(), merged.end() - MaxRows);
    beginResetModel();
    m_events.assign(merged.begin(), merged.end());
    endResetModel();
}

int EventsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || size_t(index.row()) >= m_events.size())
        return {};
    const Event& e = m_events[size_t(index.row())];
    if (role == SeverityRole)
        return int(e.severity);
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(e.timestampMs)
                .toString(role == Qt::ToolTipRole ? Qt::ISODateWithMs : Qt::ISODate)
                .replace(QLatin1Char('T'), QLatin1Char(' '));
        case SeverityColumn:
            return severityName(e.severity);
        case SourceColumn:
            return e.source;
        case HostColumn:
            return e.host;
        case MessageColumn:
            return e.message;
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && index.column() == SeverityColumn)
        return severityIcon(e.severity);
    if (role == Qt::ForegroundRole && e.severity == Severity::Error)
        return QBrush(QColor(0xb0, 0x20, 0x20));
    return {};
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SeverityColumn:
        return tr("Severity");
    case SourceColumn:
        return tr("Source");
    case HostColumn:
        return tr("Host");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace doppel
