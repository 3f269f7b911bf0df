// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace doppel {

// Decides from the text alone (libpg_query's parse tree) whether a statement only reads, so
// the proxy may run it on a shadow that gets its writes by replication. Conservative: anything
// that does not parse, holds several statements of which one is not a plain SELECT, locks rows
// (FOR UPDATE/SHARE), creates a table (SELECT INTO), modifies data in a CTE or calls a function
// known to write or to have side effects is not read-only. Any thread.
bool isReadOnlyStatement(const std::string& sql);

} // namespace doppel
