// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "postgres/PgConnection.h"

namespace doppel::test {

// Runs one statement on `conninfo` in `database` (for setting up a scratch database of a test)
// and returns the first value of its result, empty when it has none.
inline Result<QString> scratchSql(const QString& conninfo, const QString& database,
                                  const QString& sql)
{
    pg::PgConnection::Options options;
    options.conninfo = conninfo;
    options.database = database;
    options.timeout = std::chrono::seconds(60);
    auto conn = pg::PgConnection::connect(options);
    if (!conn)
        return conn.error();
    auto r = (*conn)->exec(sql, QStringList{}, std::chrono::seconds(120));
    if (!r)
        return r.error();
    return r->rows.empty() || r->rows.front().empty() ? QString() : r->value(0, 0);
}

} // namespace doppel::test
