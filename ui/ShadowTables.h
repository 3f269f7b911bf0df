// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "shadow/ShadowTypes.h"

#include <vector>

class QTableWidget;

namespace doppel {

// Fills the Shadow view's result tables: one row per precheck (verdict icon and word, check,
// message, objects, fix), per replicated table (initial-copy state), per verified table. Rows
// are read-only and sortable. GUI thread only.
void setupResultTable(QTableWidget* table, const QStringList& headers);
void fillChecks(QTableWidget* table, const std::vector<ShadowCheck>& checks);
void fillTableStates(QTableWidget* table, const std::vector<ShadowTableState>& states);
void fillVerification(QTableWidget* table, const std::vector<TableVerification>& tables);

} // namespace doppel
