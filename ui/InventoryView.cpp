// SPDX-License-Identifier: GPL-3.0-or-later
#include "InventoryView.h"

#include "InventoryModel.h"

#include <QHeaderView>

namespace doppel {

InventoryView::InventoryView(QWidget* parent) : QTreeView(parent), m_model(new InventoryModel(this))
{
    setObjectName(QStringLiteral("inventoryView"));
    setModel(m_model);
    header()->hide();
    setUniformRowHeights(true);
    setExpandsOnDoubleClick(false); // double-click on a host edits it
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::SingleSelection);

    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_current = currentHost(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        expandAll();
        // Keep the selection across reloads; fall back to the first host so the dashboard
        // always shows something when the inventory is not empty.
        const QString previous = m_current;
        m_current.clear();
        if (!previous.isEmpty() && m_model->indexOf(previous).isValid()) {
            selectHost(previous);
            return;
        }
        const auto hosts = m_model->hosts();
        if (!hosts.empty())
            selectHost(hosts.front().name);
        else
            Q_EMIT currentHostChanged(QString());
    });
    connect(selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                const QString name = current.data(InventoryModel::HostNameRole).toString();
                if (name.isEmpty() || name == m_current)
                    return;
                m_current = name;
                Q_EMIT currentHostChanged(name);
            });
    connect(this, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString name = index.data(InventoryModel::HostNameRole).toString();
        if (!name.isEmpty())
            Q_EMIT editRequested(name);
    });
    expandAll();
}

QString InventoryView::currentHost() const
{
    return currentIndex().data(InventoryModel::HostNameRole).toString();
}

void InventoryView::selectHost(const QString& name)
{
    const QModelIndex index = m_model->indexOf(name);
    if (index.isValid())
        setCurrentIndex(index);
}

} // namespace doppel
