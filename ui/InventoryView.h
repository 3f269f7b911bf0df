// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTreeView>

namespace doppel {

class InventoryModel;

// The inventory tree in the left dock. Owns its InventoryModel; says which host is current and
// asks for an edit on double-click. GUI thread only.
class InventoryView : public QTreeView
{
    Q_OBJECT
public:
    explicit InventoryView(QWidget* parent = nullptr);

    InventoryModel* inventoryModel() const { return m_model; }
    // The current host's name; empty when a group row or nothing is selected.
    QString currentHost() const;
    void selectHost(const QString& name);

Q_SIGNALS:
    void currentHostChanged(const QString& name);
    void editRequested(const QString& name);

private:
    InventoryModel* m_model = nullptr;
    QString m_current;
};

} // namespace doppel
