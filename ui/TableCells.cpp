// SPDX-License-Identifier: GPL-3.0-or-later
#include "TableCells.h"

#include <QTableWidgetItem>

namespace doppel {

QTableWidgetItem* readOnlyCell(const QVariant& value)
{
    auto* i = new QTableWidgetItem;
    i->setData(Qt::DisplayRole, value);
    i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (value.typeId() != QMetaType::QString)
        i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

} // namespace doppel
