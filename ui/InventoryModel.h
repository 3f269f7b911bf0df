// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collect/HostState.h"
#include "inventory/Host.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QSet>

#include <array>
#include <optional>
#include <vector>

namespace doppel {

// The inventory as a two-level tree: the roles (production, shadow, target) on top, their hosts
// below, each host with its collection state as icon and the reason in the tooltip. States are
// kept by host name, so reloading the host list does not forget them. GUI thread only.
class InventoryModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum DataRole {
        HostNameRole = Qt::UserRole + 1, // QString; empty on group rows
        HostStateRole,                   // int(HostState)
        HostReasonRole,                  // QString
        HostAtRiskRole,                  // bool: the forecast service sees a breach coming
    };

    explicit InventoryModel(QObject* parent = nullptr);

    void setHosts(const std::vector<Host>& hosts);
    std::vector<Host> hosts() const;
    std::optional<Host> host(const QString& name) const;
    void setHostState(const QString& name, HostState state, const QString& reason);
    HostState hostState(const QString& name) const;
    // Hosts the forecast service flags (thresholds or PostgreSQL limits at risk): their icon
    // gets a badge and the tooltip says so.
    void setHostsAtRisk(const QSet<QString>& names);
    bool atRisk(const QString& name) const { return m_atRisk.contains(name); }
    QModelIndex indexOf(const QString& name) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct StateEntry
    {
        HostState state = HostState::Unknown;
        QString reason;
    };
    static constexpr int GroupCount = 3;
    static HostRole roleOfGroup(int group);
    const Host* hostAt(const QModelIndex& index) const;
    QVariant groupData(int group, int role) const;
    QVariant hostData(const Host& host, int role) const;

    std::array<std::vector<Host>, GroupCount> m_groups;
    QHash<QString, StateEntry> m_states;
    QSet<QString> m_atRisk;
};

} // namespace doppel
