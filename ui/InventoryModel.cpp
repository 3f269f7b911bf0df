// SPDX-License-Identifier: GPL-3.0-or-later
#include "InventoryModel.h"

#include "StateIcons.h"

#include <QFont>
#include <QIcon>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace doppel {

// The state icon with an orange dot in its lower right corner: at risk, whatever the state.
static QIcon withRiskBadge(const QIcon& base)
{
    QPixmap pixmap = base.pixmap(16, 16);
    if (pixmap.isNull()) {
        pixmap = QPixmap(16, 16);
        pixmap.fill(Qt::transparent);
    }
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(Qt::white, 1));
    painter.setBrush(QColor(230, 120, 0));
    painter.drawEllipse(QRectF(8.5, 8.5, 7, 7));
    painter.end();
    return QIcon(pixmap);
}

// Index layout: group rows carry internalId 0, host rows carry (group + 1), so parent() needs no
// pointers into containers that a reload replaces.

InventoryModel::InventoryModel(QObject* parent) : QAbstractItemModel(parent)
{}

HostRole InventoryModel::roleOfGroup(int group)
{
    static constexpr HostRole order[GroupCount] = {HostRole::Production, HostRole::Shadow,
                                                   HostRole::Target};
    return order[group];
}

void InventoryModel::setHosts(const std::vector<Host>& hosts)
{
    beginResetModel();
    for (auto& group : m_groups)
        group.clear();
    for (const Host& host : hosts)
        for (int g = 0; g < GroupCount; ++g)
            if (roleOfGroup(g) == host.role)
                m_groups[size_t(g)].push_back(host);
    for (auto& group : m_groups)
        std::sort(group.begin(), group.end(),
                  [](const Host& a, const Host& b) { return a.name < b.name; });
    endResetModel();
}

std::vector<Host> InventoryModel::hosts() const
{
    std::vector<Host> all;
    for (const auto& group : m_groups)
        all.insert(all.end(), group.begin(), group.end());
    return all;
}

std::optional<Host> InventoryModel::host(const QString& name) const
{
    for (const auto& group : m_groups)
        for (const Host& h : group)
            if (h.name == name)
                return h;
    return std::nullopt;
}

void InventoryModel::setHostState(const QString& name, HostState state, const QString& reason)
{
    m_states.insert(name, StateEntry{state, reason});
    const QModelIndex idx = indexOf(name);
    if (idx.isValid())
        Q_EMIT dataChanged(idx, idx,
                           {Qt::DecorationRole, Qt::ToolTipRole, HostStateRole, HostReasonRole});
}

HostState InventoryModel::hostState(const QString& name) const
{
    return m_states.value(name).state;
}

QModelIndex InventoryModel::indexOf(const QString& name) const
{
    for (int g = 0; g < GroupCount; ++g) {
        const auto& group = m_groups[size_t(g)];
        for (size_t row = 0; row < group.size(); ++row)
            if (group[row].name == name)
                return createIndex(int(row), 0, quintptr(g + 1));
    }
    return {};
}

QModelIndex InventoryModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < GroupCount ? createIndex(row, 0, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= GroupCount)
        return {};
    if (size_t(row) >= m_groups[size_t(parent.row())].size())
        return {};
    return createIndex(row, 0, quintptr(parent.row() + 1));
}

QModelIndex InventoryModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int InventoryModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return GroupCount;
    if (parent.internalId() == 0)
        return int(m_groups[size_t(parent.row())].size());
    return 0;
}

int InventoryModel::columnCount(const QModelIndex&) const
{
    return 1;
}

const Host* InventoryModel::hostAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.internalId() == 0)
        return nullptr;
    const auto& group = m_groups[size_t(index.internalId() - 1)];
    return size_t(index.row()) < group.size() ? &group[size_t(index.row())] : nullptr;
}

QVariant InventoryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (const Host* h = hostAt(index))
        return hostData(*h, role);
    return groupData(index.row(), role);
}

QVariant InventoryModel::groupData(int group, int role) const
{
    const HostRole hostRole = roleOfGroup(group);
    switch (role) {
    case Qt::DisplayRole: {
        const QString label = hostRole == HostRole::Production ? tr("Production")
                              : hostRole == HostRole::Shadow   ? tr("Shadow")
                                                               : tr("Target");
        return QStringLiteral("%1 (%2)").arg(label).arg(m_groups[size_t(group)].size());
    }
    case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::ToolTipRole:
        return hostRole == HostRole::Production ? tr("Servers the workload runs on")
               : hostRole == HostRole::Shadow   ? tr("Copies that replay production")
                                                : tr("Candidate servers being sized");
    default:
        return {};
    }
}

QVariant InventoryModel::hostData(const Host& host, int role) const
{
    const StateEntry state = m_states.value(host.name);
    switch (role) {
    case Qt::DisplayRole:
    case HostNameRole:
        return host.name;
    case Qt::DecorationRole:
        return m_atRisk.contains(host.name) ? withRiskBadge(stateIcon(state.state))
                                            : stateIcon(state.state);
    case HostStateRole:
        return int(state.state);
    case HostReasonRole:
        return state.reason;
    case HostAtRiskRole:
        return m_atRisk.contains(host.name);
    case Qt::ToolTipRole: {
        QString tip = tr("%1 — %2").arg(host.name, hostStateName(state.state));
        if (!state.reason.isEmpty())
            tip += QLatin1Char('\n') + state.reason;
        if (host.ssh)
            tip += QLatin1Char('\n') +
                   tr("SSH: %1@%2:%3").arg(host.ssh->user, host.ssh->host).arg(host.ssh->port);
        if (m_atRisk.contains(host.name))
            tip += QLatin1Char('\n') +
                   tr("Forecast: a threshold or PostgreSQL limit is at risk (see the Forecast "
                      "tab and the events)");
        return tip;
    }
    default:
        return {};
    }
}

void InventoryModel::setHostsAtRisk(const QSet<QString>& names)
{
    const QSet<QString> changed = (m_atRisk - names) + (names - m_atRisk);
    m_atRisk = names;
    for (const QString& name : changed)
        if (const QModelIndex idx = indexOf(name); idx.isValid())
            Q_EMIT dataChanged(idx, idx, {Qt::DecorationRole, Qt::ToolTipRole, HostAtRiskRole});
}

QVariant InventoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section == 0 && orientation == Qt::Horizontal && role == Qt::DisplayRole)
        return tr("Hosts");
    return {};
}

} // namespace doppel
