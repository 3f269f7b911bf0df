// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowConnections.h"

#include <QRegularExpression>

namespace doppel::shadow {

namespace {

Result<std::unique_ptr<pg::PgConnection>> connectSide(const QString& conninfo,
                                                      const QString& password, const QString& side,
                                                      std::chrono::milliseconds timeout)
{
    pg::PgConnection::Options options;
    options.conninfo = conninfo;
    options.password = password;
    options.timeout = timeout;
    options.applicationName = QStringLiteral("doppel-shadow");
    auto conn = pg::PgConnection::connect(options);
    if (!conn)
        return makeError(conn.error().code,
                         QStringLiteral("%1: %2").arg(side, conn.error().message),
                         conn.error().detail);
    return std::move(*conn);
}

} // namespace

Result<std::unique_ptr<pg::PgConnection>> connectProd(const ShadowSpec& spec)
{
    return connectSide(spec.prodConninfo, spec.prodPassword, QStringLiteral("production"),
                       spec.timeout);
}

Result<std::unique_ptr<pg::PgConnection>> connectShadow(const ShadowSpec& spec)
{
    return connectSide(spec.shadowConninfo, spec.shadowPassword, QStringLiteral("shadow"),
                       spec.timeout);
}

Result<ShadowConnections> connectBoth(const ShadowSpec& spec)
{
    if (auto st = checkShadowName(spec.name); !st)
        return st.error();
    auto prod = connectProd(spec);
    if (!prod)
        return prod.error();
    auto shadow = connectShadow(spec);
    if (!shadow)
        return shadow.error();
    return ShadowConnections{std::move(*prod), std::move(*shadow)};
}

Result<QStringList> column(pg::PgConnection& conn, const QString& sql, const QStringList& params)
{
    auto r = conn.exec(sql, params);
    if (!r)
        return r.error();
    QStringList out;
    for (const auto& row : r->rows)
        out << row.at(0);
    return out;
}

Result<QString> scalar(pg::PgConnection& conn, const QString& sql, const QStringList& params)
{
    auto r = conn.exec(sql, params);
    if (!r)
        return r.error();
    if (r->rows.empty() || r->columns.isEmpty())
        return makeError(ErrorCode::Protocol, QStringLiteral("No value from: %1").arg(sql));
    return r->value(0, 0);
}

Result<QStringList> replicatedTables(pg::PgConnection& prod, const ShadowSpec& spec)
{
    if (spec.tables.isEmpty())
        return column(prod,
                      QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                     "WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' "
                                     "AND NOT c.relispartition "
                                     "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                                     "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1"));
    QStringList out;
    for (const QString& name : spec.tables) {
        auto resolved = column(prod,
                               QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname) "
                                              "FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                              "c.relnamespace WHERE c.oid = to_regclass($1) "
                                              "AND c.relkind IN ('r', 'p')"),
                               {name});
        if (!resolved)
            return resolved.error();
        if (resolved->isEmpty())
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("production has no table named %1").arg(name));
        if (!out.contains(resolved->first()))
            out << resolved->first();
    }
    return out;
}

Result<QString> subscriptionOid(pg::PgConnection& shadow, const QString& name)
{
    auto oid = column(shadow,
                      QStringLiteral("SELECT oid::text FROM pg_subscription WHERE subname = $1 "
                                     "AND subdbid = (SELECT oid FROM pg_database WHERE "
                                     "datname = current_database())"),
                      {name});
    if (!oid)
        return oid.error();
    return oid->isEmpty() ? QString() : oid->first();
}

Status checkShadowName(const QString& name)
{
    static const QRegularExpression valid(QStringLiteral("^doppel_[a-z0-9_]{1,50}$"));
    if (!valid.match(name).hasMatch())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("invalid shadow name '%1': use doppel_ followed by "
                                        "lower-case letters, digits or _ (at most 50)")
                             .arg(name));
    return Ok{};
}

} // namespace doppel::shadow
