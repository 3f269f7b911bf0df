// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "postgres/PgConnection.h"
#include "shadow/ShadowTypes.h"

#include <memory>

namespace doppel::shadow {

// Connections to both sides of a shadow, opened for one operation. Owned by the calling
// thread; every query may block up to the spec's timeout.
struct ShadowConnections
{
    std::unique_ptr<pg::PgConnection> prod;
    std::unique_ptr<pg::PgConnection> shadow;
};

// Opens one side; the error says which side failed ("production: ..." / "shadow: ...").
Result<std::unique_ptr<pg::PgConnection>> connectProd(const ShadowSpec& spec);
Result<std::unique_ptr<pg::PgConnection>> connectShadow(const ShadowSpec& spec);
Result<ShadowConnections> connectBoth(const ShadowSpec& spec);

// The first column of every row.
Result<QStringList> column(pg::PgConnection& conn, const QString& sql,
                           const QStringList& params = {});
// A single value (first row, first column).
Result<QString> scalar(pg::PgConnection& conn, const QString& sql, const QStringList& params = {});

// The tables a shadow replicates, schema-qualified and quoted as format('%I.%I') does: the
// spec's list resolved on production (an unknown name is an error naming it), or every
// permanent user table.
Result<QStringList> replicatedTables(pg::PgConnection& prod, const ShadowSpec& spec);

// The oid of the subscription `name` in the shadow's current database; empty when none.
Result<QString> subscriptionOid(pg::PgConnection& shadow, const QString& name);

// The spec's name, checked: a lower-case identifier starting with doppel_.
Status checkShadowName(const QString& name);

} // namespace doppel::shadow
