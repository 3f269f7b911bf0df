// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <string>

namespace doppel {

// What a statement does, from its parse tree. Transaction is transaction control (BEGIN,
// COMMIT, ROLLBACK, SAVEPOINT, ...); Ddl changes schema objects or privileges (CREATE, ALTER,
// DROP, GRANT, TRUNCATE, ...); Utility is the rest (SET, SHOW, VACUUM, EXPLAIN, COPY, ...);
// Unparsed is text libpg_query does not accept, kept as it is.
enum class StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    Merge,
    Ddl,
    Utility,
    Transaction,
    Unparsed
};

// "select", "insert", ..., "unparsed": the names of the JSON output and the repository.
QString statementKindName(StatementKind kind);
std::optional<StatementKind> statementKindFromName(const QString& name);

// Decides from the text alone (libpg_query's parse tree) whether a statement only reads, so
// the proxy may run it on a shadow that gets its writes by replication. Conservative: anything
// that does not parse, holds several statements of which one is not a plain SELECT, locks rows
// (FOR UPDATE/SHARE), creates a table (SELECT INTO), modifies data in a CTE or calls a function
// known to write or to have side effects is not read-only. A thin wrapper over
// classifyStatement (StatementModel.h). Any thread.
bool isReadOnlyStatement(const std::string& sql);

} // namespace doppel
