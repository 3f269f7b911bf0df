// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowSetup.h"

#include "SchemaCopy.h"
#include "ShadowPrechecks.h"
#include "postgres/Conninfo.h"

#include <thread>

namespace doppel::shadow {

using namespace std::chrono_literals;

namespace {

void report(const Progress& progress, const QString& step)
{
    if (progress)
        progress(step);
}

// libpq options that tell the shadow server how to reach production; the rest (passfile,
// application_name, client-side paths) mean nothing to a server.
bool forPublisher(const QString& key)
{
    static const QStringList keys{
        QStringLiteral("host"),    QStringLiteral("hostaddr"),       QStringLiteral("port"),
        QStringLiteral("dbname"),  QStringLiteral("user"),           QStringLiteral("password"),
        QStringLiteral("sslmode"), QStringLiteral("sslrootcert"),    QStringLiteral("sslcert"),
        QStringLiteral("sslkey"),  QStringLiteral("connect_timeout")};
    return keys.contains(key);
}

Result<QString> publicationSql(pg::PgConnection& prod, const ShadowSpec& spec,
                               const QStringList& tables)
{
    auto name = prod.quoteIdentifier(spec.name);
    if (!name)
        return name.error();
    if (spec.tables.isEmpty() && spec.rowFilters.isEmpty())
        return QStringLiteral("CREATE PUBLICATION %1 FOR ALL TABLES").arg(*name);
    QStringList items;
    for (const QString& table : tables) {
        QString item = table;
        for (auto f = spec.rowFilters.cbegin(); f != spec.rowFilters.cend(); ++f) {
            auto resolved = scalar(prod,
                                   QStringLiteral("SELECT format('%I.%I', n.nspname, "
                                                  "c.relname) FROM pg_class c JOIN "
                                                  "pg_namespace n ON n.oid = c.relnamespace "
                                                  "WHERE c.oid = to_regclass($1)"),
                                   {f.key()});
            if (!resolved)
                return makeError(
                    ErrorCode::NotFound,
                    QStringLiteral("row filter names an unknown table %1").arg(f.key()));
            if (*resolved == table)
                item += QStringLiteral(" WHERE (%1)").arg(f.value());
        }
        items << item;
    }
    return QStringLiteral("CREATE PUBLICATION %1 FOR TABLE %2")
        .arg(*name, items.join(QStringLiteral(", ")));
}

// Every replicated table already on the shadow means no schema copy; some of them is an error,
// since a partial schema would make the copy fail half-way.
Result<bool> shadowHasSchema(pg::PgConnection& shadow, const QStringList& tables)
{
    QStringList missing;
    for (const QString& t : tables) {
        auto exists = scalar(shadow, QStringLiteral("SELECT to_regclass($1) IS NOT NULL"), {t});
        if (!exists)
            return exists.error();
        if (*exists != QLatin1String("t"))
            missing << t;
    }
    if (missing.isEmpty())
        return true;
    if (missing.size() == tables.size())
        return false;
    return makeError(
        ErrorCode::InvalidInput,
        QStringLiteral("the shadow has only part of production's schema (missing: %1); "
                       "use an empty database or create the missing tables")
            .arg(missing.join(QStringLiteral(", "))));
}

Status dropSlot(pg::PgConnection& prod, const QString& slot, QStringList& removed)
{
    // An active slot cannot be dropped: end its walsender first, then wait for it to let go.
    for (int attempt = 0; attempt < 50; ++attempt) {
        auto active = prod.exec(QStringLiteral("SELECT active_pid FROM pg_replication_slots "
                                               "WHERE slot_name = $1"),
                                {slot});
        if (!active)
            return active.error();
        if (active->rows.empty())
            return Ok{};
        const QString pid = active->value(0, 0);
        if (pid.isNull()) {
            auto dropped = prod.exec(QStringLiteral("SELECT pg_drop_replication_slot($1)"), {slot});
            if (!dropped)
                return dropped.error();
            removed << QStringLiteral("replication slot %1 on production").arg(slot);
            return Ok{};
        }
        if (auto t = prod.exec(QStringLiteral("SELECT pg_terminate_backend($1::int)"), {pid}); !t)
            return t.error();
        std::this_thread::sleep_for(200ms);
    }
    return makeError(ErrorCode::Timeout,
                     QStringLiteral("replication slot %1 stayed in use for 10 s").arg(slot));
}

} // namespace

Result<QString> publisherConninfo(pg::PgConnection& prod, const ShadowSpec& spec)
{
    if (!spec.publisherConninfo.isEmpty())
        return spec.publisherConninfo;
    QStringList parts;
    for (const auto& [key, value] : prod.usedOptions())
        if (forPublisher(key))
            parts << key + QLatin1Char('=') + pg::Conninfo::quoteValue(value);
    return parts.join(QLatin1Char(' '));
}

Result<QStringList> setupShadow(const ShadowSpec& spec, const Progress& progress)
{
    report(progress, QStringLiteral("connecting"));
    auto conns = connectBoth(spec);
    if (!conns)
        return conns.error();
    auto& prod = *conns->prod;
    auto& shadow = *conns->shadow;
    QStringList done;

    auto subscribed = subscriptionOid(shadow, spec.name);
    if (!subscribed)
        return subscribed.error();
    if (!subscribed->isEmpty())
        return QStringList{
            QStringLiteral("subscription %1 exists already: nothing to do").arg(spec.name)};

    report(progress, QStringLiteral("prechecks"));
    auto checks = runPrechecks(*conns, spec);
    if (!checks)
        return checks.error();
    QStringList failed;
    for (const auto& c : *checks)
        if (c.verdict == Verdict::Fail)
            failed << QStringLiteral("%1: %2").arg(c.name, c.message);
    if (!failed.isEmpty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("prechecks failed, nothing was changed:\n  %1")
                             .arg(failed.join(QStringLiteral("\n  "))));

    auto tables = replicatedTables(prod, spec);
    if (!tables)
        return tables.error();
    auto hasSchema = shadowHasSchema(shadow, *tables);
    if (!hasSchema)
        return hasSchema.error();
    if (!*hasSchema) {
        report(progress, QStringLiteral("copying the schema"));
        if (auto st = copySchema(spec, prod.serverVersion(), spec.timeout * 4); !st)
            return st.error();
        done << QStringLiteral("schema copied to the shadow");
    } else {
        done << QStringLiteral("schema already on the shadow: not copied");
    }

    // From here on production changes: any failure removes what was created.
    auto undo = [&](const Error& error) -> Result<QStringList> {
        auto cleaned = teardownShadow(spec);
        QString message = error.message;
        message += cleaned ? QStringLiteral("\nSetup was rolled back: %1")
                                 .arg(cleaned->isEmpty() ? QStringLiteral("nothing to remove")
                                                         : cleaned->join(QStringLiteral("; ")))
                           : QStringLiteral("\nRolling back failed too, run doppelctl shadow "
                                            "teardown: %1")
                                 .arg(cleaned.error().message);
        return makeError(error.code, message, error.detail);
    };

    report(progress, QStringLiteral("creating the publication"));
    auto pubSql = publicationSql(prod, spec, *tables);
    if (!pubSql)
        return pubSql.error();
    if (auto r = prod.exec(*pubSql); !r)
        return undo(r.error());
    done << QStringLiteral("publication %1 on production").arg(spec.name);

    report(progress, QStringLiteral("creating the subscription"));
    auto conninfo = publisherConninfo(prod, spec);
    if (!conninfo)
        return undo(conninfo.error());
    auto literal = shadow.quoteLiteral(*conninfo);
    auto name = shadow.quoteIdentifier(spec.name);
    if (!literal || !name)
        return undo(literal ? name.error() : literal.error());
    auto slotName = shadow.quoteLiteral(spec.name);
    if (!slotName)
        return undo(slotName.error());
    // synchronous_commit = on: the apply worker then confirms each commit once applied, so the
    // slot's confirmed position (lag, and the proxy's check that the shadow caught up before a
    // result comparison) trails the shadow by milliseconds; PostgreSQL's default, off, makes it
    // wait for the shadow's WAL writer (wal_writer_delay, 200 ms).
    const QString subSql = QStringLiteral("CREATE SUBSCRIPTION %1 CONNECTION %2 PUBLICATION %1 "
                                          "WITH (slot_name = %3, copy_data = true, "
                                          "synchronous_commit = 'on')")
                               .arg(*name, *literal, *slotName);
    if (auto r = shadow.exec(subSql, {}, spec.timeout); !r)
        return undo(r.error());
    done << QStringLiteral("subscription %1 on the shadow, with slot %1 on production")
                .arg(spec.name);
    return done;
}

Result<QStringList> teardownShadow(const ShadowSpec& spec, const Progress& progress)
{
    if (auto st = checkShadowName(spec.name); !st)
        return st.error();
    QStringList removed;
    QStringList problems;
    QString subscriptionId;

    report(progress, QStringLiteral("removing the subscription"));
    auto shadow = connectShadow(spec);
    if (shadow) {
        auto& s = **shadow;
        auto oid = subscriptionOid(s, spec.name);
        if (!oid)
            return oid.error();
        if (!oid->isEmpty()) {
            subscriptionId = *oid;
            auto name = s.quoteIdentifier(spec.name);
            if (!name)
                return name.error();
            // Detach the slot first so DROP never needs production: the slot is dropped below,
            // directly, which works even when the shadow cannot reach production.
            for (const QString& sql :
                 {QStringLiteral("ALTER SUBSCRIPTION %1 DISABLE"),
                  QStringLiteral("ALTER SUBSCRIPTION %1 SET (slot_name = NONE)"),
                  QStringLiteral("DROP SUBSCRIPTION %1")}) {
                if (auto r = s.exec(sql.arg(*name)); !r)
                    return r.error();
            }
            removed << QStringLiteral("subscription %1 on the shadow").arg(spec.name);
        }
    } else {
        problems << shadow.error().message;
    }

    report(progress, QStringLiteral("removing the slot and the publication"));
    auto prod = connectProd(spec);
    if (!prod) {
        problems << prod.error().message;
        return makeError(prod.error().code,
                         QStringLiteral("teardown incomplete (production's slot may still hold "
                                        "WAL): %1%2")
                             .arg(problems.join(QStringLiteral("; ")),
                                  removed.isEmpty() ? QString()
                                                    : QStringLiteral("; removed: ") +
                                                          removed.join(QStringLiteral("; "))));
    }
    auto& p = **prod;
    QStringList slots{spec.name};
    if (!subscriptionId.isEmpty()) {
        // Table-sync slots of PostgreSQL 14+: pg_<subscription oid>_sync_<relid>_<sysid>.
        auto sync = column(p,
                           QStringLiteral("SELECT slot_name FROM pg_replication_slots WHERE "
                                          "slot_name LIKE $1"),
                           {QStringLiteral("pg\\_%1\\_sync\\_%").arg(subscriptionId)});
        if (!sync)
            return sync.error();
        slots << *sync;
    }
    for (const QString& slot : slots)
        if (auto st = dropSlot(p, slot, removed); !st)
            return st.error();
    auto pub = scalar(p, QStringLiteral("SELECT count(*) FROM pg_publication WHERE pubname = $1"),
                      {spec.name});
    if (!pub)
        return pub.error();
    if (pub->toInt() > 0) {
        auto name = p.quoteIdentifier(spec.name);
        if (!name)
            return name.error();
        if (auto r = p.exec(QStringLiteral("DROP PUBLICATION %1").arg(*name)); !r)
            return r.error();
        removed << QStringLiteral("publication %1 on production").arg(spec.name);
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("production is clean, but the shadow could not be reached "
                                        "(its subscription, if any, remains): %1")
                             .arg(problems.join(QStringLiteral("; "))));
    return removed;
}

} // namespace doppel::shadow
