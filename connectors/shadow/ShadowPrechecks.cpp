// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowPrechecks.h"

namespace doppel::shadow {

namespace {

ShadowCheck check(const QString& name, Verdict verdict, const QString& message,
                  const QStringList& objects = {}, const QString& fix = {})
{
    return ShadowCheck{name, verdict, message, objects, fix};
}

QString versionText(int num)
{
    return QStringLiteral("%1.%2").arg(num / 10000).arg(num % 10000);
}

// The subset of `candidates` (qualified names) that a query over pg_class selects on `conn`.
Result<QStringList> tablesWhere(pg::PgConnection& conn, const QString& condition,
                                const QStringList& candidates)
{
    auto all = column(
        conn, QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE c.relkind IN ('r', 'p') "
                             "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND ") +
                  condition + QStringLiteral(" ORDER BY 1"));
    if (!all)
        return all.error();
    QStringList out;
    for (const QString& t : *all)
        if (candidates.contains(t))
            out << t;
    return out;
}

Result<std::vector<ShadowCheck>> serverChecks(ShadowConnections& c)
{
    std::vector<ShadowCheck> out;
    const int prodVersion = c.prod->serverVersion();
    const int shadowVersion = c.shadow->serverVersion();
    const QString versions = QStringLiteral("production %1, shadow %2")
                                 .arg(versionText(prodVersion), versionText(shadowVersion));
    if (prodVersion < 100000 || shadowVersion < 100000)
        out.push_back(check(QStringLiteral("server_version"), Verdict::Fail,
                            versions + QStringLiteral(": logical replication needs 10 or later"),
                            {}, QStringLiteral("upgrade the older server")));
    else if (shadowVersion / 10000 < prodVersion / 10000)
        out.push_back(check(QStringLiteral("server_version"), Verdict::Warn,
                            versions + QStringLiteral(": the shadow is older than production, so "
                                                      "it cannot predict the new version"),
                            {}, QStringLiteral("use a shadow of the target version")));
    else
        out.push_back(check(QStringLiteral("server_version"), Verdict::Ok, versions));

    auto prod = c.prod->exec(QStringLiteral(
        "SELECT current_setting('wal_level'), current_setting('max_replication_slots')::int, "
        "(SELECT count(*) FROM pg_replication_slots), current_setting('max_wal_senders')::int, "
        "(SELECT count(*) FROM pg_stat_replication), "
        "(SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user), "
        "current_user"));
    if (!prod)
        return prod.error();
    const QString walLevel = prod->value(0, 0);
    out.push_back(walLevel == QLatin1String("logical")
                      ? check(QStringLiteral("wal_level"), Verdict::Ok,
                              QStringLiteral("production has wal_level = logical"))
                      : check(QStringLiteral("wal_level"), Verdict::Fail,
                              QStringLiteral("production has wal_level = %1").arg(walLevel), {},
                              QStringLiteral("ALTER SYSTEM SET wal_level = logical; then "
                                             "restart production")));
    const int freeSlots = prod->value(0, 1).toInt() - prod->value(0, 2).toInt();
    out.push_back(check(QStringLiteral("replication_slots"),
                        freeSlots >= 1 ? Verdict::Ok : Verdict::Fail,
                        QStringLiteral("%1 of max_replication_slots = %2 free on production")
                            .arg(freeSlots)
                            .arg(prod->value(0, 1)),
                        {},
                        freeSlots >= 1 ? QString()
                                       : QStringLiteral("raise max_replication_slots and restart, "
                                                        "or drop an unused slot")));
    const int freeSenders = prod->value(0, 3).toInt() - prod->value(0, 4).toInt();
    out.push_back(
        check(QStringLiteral("wal_senders"), freeSenders >= 1 ? Verdict::Ok : Verdict::Fail,
              QStringLiteral("%1 of max_wal_senders = %2 free on production")
                  .arg(freeSenders)
                  .arg(prod->value(0, 3)),
              {},
              freeSenders >= 1 ? QString()
                               : QStringLiteral("raise max_wal_senders and restart production")));
    const bool canReplicate = prod->value(0, 5) == QLatin1String("t");
    const QString role = prod->value(0, 6);
    auto quotedRole = c.prod->quoteIdentifier(role);
    out.push_back(check(
        QStringLiteral("replication_privilege"), canReplicate ? Verdict::Ok : Verdict::Fail,
        canReplicate ? QStringLiteral("role %1 may replicate").arg(role)
                     : QStringLiteral("role %1 has neither REPLICATION nor SUPERUSER").arg(role),
        {role},
        canReplicate
            ? QString()
            : QStringLiteral("ALTER ROLE %1 REPLICATION;").arg(quotedRole ? *quotedRole : role)));

    auto shadow = c.shadow->exec(
        QStringLiteral("SELECT current_setting('max_logical_replication_workers')::int, "
                       "current_setting('max_replication_slots')::int, "
                       "(SELECT count(*) FROM pg_replication_origin)"));
    if (!shadow)
        return shadow.error();
    const int workers = shadow->value(0, 0).toInt();
    const int freeOrigins = shadow->value(0, 1).toInt() - shadow->value(0, 2).toInt();
    const bool shadowOk = workers >= 1 && freeOrigins >= 1;
    out.push_back(check(QStringLiteral("shadow_workers"), shadowOk ? Verdict::Ok : Verdict::Fail,
                        QStringLiteral("shadow: max_logical_replication_workers = %1, %2 free "
                                       "replication origins")
                            .arg(workers)
                            .arg(freeOrigins),
                        {},
                        shadowOk ? QString()
                                 : QStringLiteral("raise max_logical_replication_workers and "
                                                  "max_replication_slots on the shadow")));
    return out;
}

Result<std::vector<ShadowCheck>> tableChecks(ShadowConnections& c, const QStringList& tables)
{
    std::vector<ShadowCheck> out;
    auto noIdentity = tablesWhere(
        *c.prod,
        QStringLiteral("(c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 "
                       "FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)) OR "
                       "(c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE "
                       "i.indrelid = c.oid AND i.indisreplident)))"),
        tables);
    if (!noIdentity)
        return noIdentity.error();
    QStringList fixes;
    for (const QString& t : *noIdentity)
        fixes << QStringLiteral("ALTER TABLE %1 REPLICA IDENTITY FULL;").arg(t);
    out.push_back(
        noIdentity->isEmpty()
            ? check(QStringLiteral("replica_identity"), Verdict::Ok,
                    QStringLiteral("every table has a primary key or replica identity"))
            : check(QStringLiteral("replica_identity"), Verdict::Warn,
                    QStringLiteral("%1 table(s) without primary key or replica identity: once "
                                   "published, UPDATE and DELETE on them fail on production")
                        .arg(noIdentity->size()),
                    *noIdentity,
                    fixes.join(QLatin1Char(' ')) +
                        QStringLiteral(" (or leave them out with --tables)")));

    auto unloggedAll = column(
        *c.prod, QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'u' "
                                "ORDER BY 1"));
    if (!unloggedAll)
        return unloggedAll.error();
    out.push_back(unloggedAll->isEmpty()
                      ? check(QStringLiteral("unlogged_tables"), Verdict::Ok,
                              QStringLiteral("no unlogged tables"))
                      : check(QStringLiteral("unlogged_tables"), Verdict::Warn,
                              QStringLiteral("unlogged tables are not replicated"), *unloggedAll,
                              QStringLiteral("ALTER TABLE ... SET LOGGED, or load them on the "
                                             "shadow by hand")));

    auto largeObjects =
        scalar(*c.prod, QStringLiteral("SELECT count(*) FROM pg_largeobject_metadata"));
    if (!largeObjects)
        return largeObjects.error();
    out.push_back(
        largeObjects->toLongLong() == 0
            ? check(QStringLiteral("large_objects"), Verdict::Ok,
                    QStringLiteral("no large objects"))
            : check(QStringLiteral("large_objects"), Verdict::Warn,
                    QStringLiteral("%1 large object(s) are not replicated").arg(*largeObjects), {},
                    QStringLiteral("copy them with pg_dump --large-objects before "
                                   "cutover")));

    auto sequences = column(*c.prod, QStringLiteral("SELECT format('%I.%I', schemaname, "
                                                    "sequencename) FROM pg_sequences ORDER BY 1"));
    if (!sequences)
        return sequences.error();
    out.push_back(
        sequences->isEmpty()
            ? check(QStringLiteral("sequences"), Verdict::Ok, QStringLiteral("no sequences"))
            : check(QStringLiteral("sequences"), Verdict::Warn,
                    QStringLiteral("%1 sequence(s) are not replicated by PostgreSQL")
                        .arg(sequences->size()),
                    *sequences,
                    QStringLiteral("doppelctl shadow sync-sequences before the shadow "
                                   "takes writes")));
    return out;
}

Result<ShadowCheck> extensionCheck(ShadowConnections& c)
{
    auto used = column(*c.prod,
                       QStringLiteral("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' "
                                      "ORDER BY 1"));
    if (!used)
        return used.error();
    auto available = column(*c.shadow, QStringLiteral("SELECT name FROM pg_available_extensions"));
    if (!available)
        return available.error();
    QStringList missing;
    for (const QString& e : *used)
        if (!available->contains(e))
            missing << e;
    if (missing.isEmpty())
        return check(QStringLiteral("extensions"), Verdict::Ok,
                     QStringLiteral("every extension of production is available on the shadow"),
                     *used);
    return check(QStringLiteral("extensions"), Verdict::Fail,
                 QStringLiteral("extensions used on production are not installable on the shadow"),
                 missing, QStringLiteral("install their packages on the shadow host"));
}

// Rows already on the shadow would collide with the initial copy; leftovers of an earlier setup
// would make CREATE fail or hold WAL.
Result<std::vector<ShadowCheck>> targetChecks(ShadowConnections& c, const ShadowSpec& spec,
                                              const QStringList& tables)
{
    std::vector<ShadowCheck> out;
    auto subscribed = subscriptionOid(*c.shadow, spec.name);
    if (!subscribed)
        return subscribed.error();
    const bool alreadySubscribed = !subscribed->isEmpty();
    QStringList withRows;
    if (!alreadySubscribed) {
        for (const QString& t : tables) {
            auto exists =
                scalar(*c.shadow, QStringLiteral("SELECT to_regclass($1) IS NOT NULL"), {t});
            if (!exists)
                return exists.error();
            if (*exists != QLatin1String("t"))
                continue;
            auto rows =
                scalar(*c.shadow, QStringLiteral("SELECT EXISTS (SELECT 1 FROM %1)").arg(t));
            if (!rows)
                return rows.error();
            if (*rows == QLatin1String("t"))
                withRows << t;
        }
    }
    out.push_back(
        alreadySubscribed
            ? check(QStringLiteral("shadow_tables"), Verdict::Ok,
                    QStringLiteral("the shadow is already subscribed as %1").arg(spec.name))
        : withRows.isEmpty()
            ? check(QStringLiteral("shadow_tables"), Verdict::Ok,
                    QStringLiteral("the shadow holds no rows in the replicated tables"))
            : check(QStringLiteral("shadow_tables"), Verdict::Fail,
                    QStringLiteral("the shadow already holds rows that the initial copy "
                                   "would duplicate"),
                    withRows,
                    QStringLiteral("use an empty shadow database, or TRUNCATE these "
                                   "tables on the shadow")));

    auto leftovers = column(
        *c.prod,
        QStringLiteral("SELECT 'publication ' || pubname FROM pg_publication WHERE pubname = $1 "
                       "UNION ALL SELECT 'slot ' || slot_name FROM pg_replication_slots "
                       "WHERE slot_name = $1"),
        {spec.name});
    if (!leftovers)
        return leftovers.error();
    out.push_back(leftovers->isEmpty() || alreadySubscribed
                      ? check(QStringLiteral("existing_objects"), Verdict::Ok,
                              alreadySubscribed
                                  ? QStringLiteral("set up already")
                                  : QStringLiteral("no publication or slot named %1 on production")
                                        .arg(spec.name))
                      : check(QStringLiteral("existing_objects"), Verdict::Warn,
                              QStringLiteral("production holds objects of an earlier setup"),
                              *leftovers,
                              QStringLiteral("doppelctl shadow teardown, then setup again")));
    return out;
}

} // namespace

Result<std::vector<ShadowCheck>> runPrechecks(ShadowConnections& conns, const ShadowSpec& spec)
{
    auto tables = replicatedTables(*conns.prod, spec);
    if (!tables)
        return tables.error();
    std::vector<ShadowCheck> out;
    for (auto part :
         {serverChecks(conns), tableChecks(conns, *tables), targetChecks(conns, spec, *tables)}) {
        if (!part)
            return part.error();
        out.insert(out.end(), part->begin(), part->end());
    }
    auto extensions = extensionCheck(conns);
    if (!extensions)
        return extensions.error();
    out.push_back(*extensions);
    out.push_back(check(QStringLiteral("ddl"), Verdict::Ok,
                        QStringLiteral("DDL is not replicated: schema changes made after setup "
                                       "reach the shadow only if applied there too"),
                        {},
                        QStringLiteral("apply every migration to the shadow first, then to "
                                       "production")));
    return out;
}

bool anyFailed(const std::vector<ShadowCheck>& checks)
{
    for (const auto& c : checks)
        if (c.verdict == Verdict::Fail)
            return true;
    return false;
}

} // namespace doppel::shadow
