// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowStatus.h"

namespace doppel::shadow {

namespace {

QString tableState(const QString& code)
{
    if (code == QLatin1String("i"))
        return QStringLiteral("init");
    if (code == QLatin1String("d"))
        return QStringLiteral("data_copy");
    if (code == QLatin1String("f"))
        return QStringLiteral("finished_copy");
    if (code == QLatin1String("s"))
        return QStringLiteral("synchronized");
    if (code == QLatin1String("r"))
        return QStringLiteral("ready");
    return code;
}

Status readProduction(pg::PgConnection& prod, const ShadowSpec& spec, ShadowStatus& out)
{
    auto pub =
        scalar(prod, QStringLiteral("SELECT count(*) FROM pg_publication WHERE pubname = $1"),
               {spec.name});
    if (!pub)
        return pub.error();
    out.publicationExists = pub->toInt() > 0;

    auto slots = prod.exec(QStringLiteral(
        "SELECT slot_name, active, "
        "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint, "
        "pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint "
        "FROM pg_replication_slots WHERE slot_name LIKE 'doppel\\_%' ORDER BY slot_name"));
    if (!slots)
        return slots.error();
    for (const auto& row : slots->rows) {
        out.slots.push_back(
            ShadowSlot{row.at(0), row.at(1) == QLatin1String("t"), row.at(2).toLongLong()});
        if (row.at(0) == spec.name && !row.at(3).isNull())
            out.lagBytes = std::max<qint64>(0, row.at(3).toLongLong());
    }
    // replay_lag is NULL once the subscriber has caught up and WAL stops flowing.
    auto seconds =
        prod.exec(QStringLiteral("SELECT COALESCE(EXTRACT(epoch FROM replay_lag), 0)::float8 "
                                 "FROM pg_stat_replication WHERE application_name = $1"),
                  {spec.name});
    if (!seconds)
        return seconds.error();
    if (!seconds->rows.empty())
        out.lagSeconds = seconds->number(0, 0);
    else if (out.lagBytes == 0)
        out.lagSeconds = 0;
    return Ok{};
}

Status readShadow(pg::PgConnection& shadow, const ShadowSpec& spec, ShadowStatus& out)
{
    auto sub = shadow.exec(QStringLiteral("SELECT oid::text, subenabled FROM pg_subscription "
                                          "WHERE subname = $1 AND subdbid = (SELECT oid FROM "
                                          "pg_database WHERE datname = current_database())"),
                           {spec.name});
    if (!sub)
        return sub.error();
    if (sub->rows.empty())
        return Ok{};
    out.subscriptionExists = true;
    out.subscriptionEnabled = sub->value(0, 1) == QLatin1String("t");
    auto tables = shadow.exec(
        QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname), sr.srsubstate "
                       "FROM pg_subscription_rel sr JOIN pg_class c ON c.oid = sr.srrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE sr.srsubid = $1::oid ORDER BY 1"),
        {sub->value(0, 0)});
    if (!tables)
        return tables.error();
    for (const auto& row : tables->rows)
        out.tables.push_back(ShadowTableState{row.at(0), tableState(row.at(1))});
    if (shadow.serverVersion() >= 150000) {
        auto errors = shadow.exec(QStringLiteral("SELECT apply_error_count, sync_error_count FROM "
                                                 "pg_stat_subscription_stats WHERE subname = $1"),
                                  {spec.name});
        if (!errors)
            return errors.error();
        if (!errors->rows.empty()) {
            out.applyErrors = errors->value(0, 0).toLongLong();
            out.syncErrors = errors->value(0, 1).toLongLong();
        }
    }
    return Ok{};
}

} // namespace

Result<ShadowStatus> readShadowStatus(pg::PgConnection& prod, pg::PgConnection* shadow,
                                      const ShadowSpec& spec)
{
    ShadowStatus out;
    if (auto st = readProduction(prod, spec, out); !st)
        return st.error();
    if (shadow)
        if (auto st = readShadow(*shadow, spec, out); !st)
            return st.error();
    return out;
}

Result<std::vector<SequenceSync>> syncSequences(ShadowConnections& conns, qint64 margin)
{
    if (margin < 0)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("the margin cannot be negative"));
    auto sequences = conns.prod->exec(
        QStringLiteral("SELECT format('%I.%I', schemaname, sequencename), "
                       "COALESCE(last_value, start_value)::text, increment_by::text, "
                       "min_value::text, max_value::text FROM pg_sequences ORDER BY 1"));
    if (!sequences)
        return sequences.error();
    std::vector<SequenceSync> out;
    for (const auto& row : sequences->rows) {
        const QString& name = row.at(0);
        // numeric arithmetic on the server: no overflow here, and clamped to the sequence range.
        auto set = conns.shadow->exec(
            QStringLiteral("SELECT setval($1::regclass, LEAST($5::numeric, GREATEST($4::numeric, "
                           "$2::numeric + $3::numeric * $6::numeric))::bigint, true)::text"),
            {name, row.at(1), row.at(2), row.at(3), row.at(4), QString::number(margin)});
        if (!set)
            return makeError(set.error().code,
                             QStringLiteral("setting %1 on the shadow failed: %2")
                                 .arg(name, set.error().message),
                             set.error().detail);
        out.push_back(SequenceSync{name, row.at(1).toLongLong(), set->value(0, 0).toLongLong()});
    }
    return out;
}

} // namespace doppel::shadow
