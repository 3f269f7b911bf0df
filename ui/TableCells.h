// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVariant>

class QTableWidgetItem;

namespace doppel {

// A read-only, selectable table cell holding `value` (so the column sorts by value); numbers
// are right-aligned. GUI thread only.
QTableWidgetItem* readOnlyCell(const QVariant& value);

} // namespace doppel
