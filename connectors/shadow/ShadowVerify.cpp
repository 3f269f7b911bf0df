// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowVerify.h"

#include <QElapsedTimer>

#include <thread>

namespace doppel::shadow {

using namespace std::chrono_literals;

namespace {

struct KeyColumn
{
    QString name; // quoted
    QString type; // format_type
};

struct ChunkSum
{
    qint64 rows = 0;
    QString checksum;
    QString lsn;
    bool operator==(const ChunkSum& o) const { return rows == o.rows && checksum == o.checksum; }
};

Result<std::vector<KeyColumn>> primaryKey(pg::PgConnection& prod, const QString& table)
{
    auto r = prod.exec(QStringLiteral("SELECT quote_ident(a.attname), format_type(a.atttypid, "
                                      "a.atttypmod) FROM pg_index i JOIN pg_attribute a ON "
                                      "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                                      "WHERE i.indrelid = $1::regclass AND i.indisprimary "
                                      "ORDER BY array_position(i.indkey, a.attnum)"),
                       {table});
    if (!r)
        return r.error();
    std::vector<KeyColumn> out;
    for (const auto& row : r->rows)
        out.push_back(KeyColumn{row.at(0), row.at(1)});
    return out;
}

// Qualified with the alias t: an output column aid::text would otherwise shadow the column aid
// in ORDER BY and sort as text.
QString keyList(const std::vector<KeyColumn>& key)
{
    QStringList names;
    for (const auto& k : key)
        names << QStringLiteral("t.") + k.name;
    return names.join(QStringLiteral(", "));
}

// "(a, b) > ($1::int, $2::text)" with placeholders numbered from `first`.
QString keyBound(const std::vector<KeyColumn>& key, const char* op, int first)
{
    QStringList params;
    for (size_t i = 0; i < key.size(); ++i)
        params << QStringLiteral("$%1::%2").arg(first + int(i)).arg(key[i].type);
    return QStringLiteral("ROW(%1) %2 ROW(%3)")
        .arg(keyList(key), QLatin1String(op), params.join(QStringLiteral(", ")));
}

// Upper bounds of the chunks, read on production by keyset paging (each a short index scan).
Result<std::vector<QStringList>> chunkBounds(pg::PgConnection& prod, const QString& table,
                                             const std::vector<KeyColumn>& key, int chunkRows)
{
    std::vector<QStringList> bounds;
    QStringList last;
    for (;;) {
        QStringList selectKeys;
        for (const auto& k : key)
            selectKeys << k.name + QStringLiteral("::text");
        QString sql =
            QStringLiteral("SELECT %1 FROM %2 t").arg(selectKeys.join(QStringLiteral(", ")), table);
        if (!last.isEmpty())
            sql += QStringLiteral(" WHERE ") + keyBound(key, ">", 1);
        sql +=
            QStringLiteral(" ORDER BY %1 OFFSET %2 LIMIT 1").arg(keyList(key)).arg(chunkRows - 1);
        auto r = prod.exec(sql, last);
        if (!r)
            return r.error();
        if (r->rows.empty())
            return bounds; // the rest is the final, open-ended chunk
        last.clear();
        for (const auto& v : r->rows.front())
            last << v;
        bounds.push_back(last);
    }
}

Result<ChunkSum> sumChunk(pg::PgConnection& conn, const QString& table, const QString& where,
                          const QStringList& params, bool withLsn)
{
    const QString sql =
        QStringLiteral("SELECT count(*), COALESCE(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)"
                       "::bigint::numeric), 0)::text%1 FROM %2 t%3")
            .arg(withLsn ? QStringLiteral(", pg_current_wal_lsn()::text") : QString(), table,
                 where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where);
    auto r = conn.exec(sql, params);
    if (!r)
        return r.error();
    return ChunkSum{r->value(0, 0).toLongLong(), r->value(0, 1),
                    withLsn ? r->value(0, 2) : QString()};
}

// Waits until the slot has confirmed `lsn`, i.e. the shadow has applied all production did up to
// then. Gives up quietly after `timeout`: the comparison then shows what lag remains.
Status waitForShadow(pg::PgConnection& prod, const QString& slot, const QString& lsn,
                     std::chrono::milliseconds timeout)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        auto caughtUp =
            scalar(prod,
                   QStringLiteral("SELECT COALESCE(confirmed_flush_lsn >= $2::pg_lsn, "
                                  "false) FROM pg_replication_slots WHERE slot_name = $1"),
                   {slot, lsn});
        if (!caughtUp) {
            if (caughtUp.error().code == ErrorCode::Protocol)
                return Ok{}; // no such slot: a shadow fed otherwise, compare as it is
            return caughtUp.error();
        }
        if (*caughtUp == QLatin1String("t") || timer.elapsed() > timeout.count())
            return Ok{};
        std::this_thread::sleep_for(100ms);
    }
}

Result<TableVerification> verifyTable(ShadowConnections& c, const ShadowSpec& spec,
                                      const QString& table, const VerifyOptions& options,
                                      const CancelToken& cancel)
{
    TableVerification out;
    out.table = table;
    auto key = primaryKey(*c.prod, table);
    if (!key)
        return key.error();
    std::vector<std::pair<QString, QStringList>> chunks; // WHERE clause and its parameters
    if (key->empty()) {
        chunks.emplace_back(QString(), QStringList());
    } else {
        auto bounds = chunkBounds(*c.prod, table, *key, std::max(1, options.chunkRows));
        if (!bounds)
            return bounds.error();
        QStringList previous;
        const int n = int(key->size());
        for (const auto& upper : *bounds) {
            QString where = keyBound(*key, "<=", 1);
            QStringList params = upper;
            if (!previous.isEmpty()) {
                where = keyBound(*key, ">", n + 1) + QStringLiteral(" AND ") + where;
                params += previous;
            }
            chunks.emplace_back(where, params);
            previous = upper;
        }
        chunks.emplace_back(previous.isEmpty() ? QString() : keyBound(*key, ">", 1), previous);
    }
    out.chunks = int(chunks.size());
    bool allMatch = true;
    for (const auto& [where, params] : chunks) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled,
                             QStringLiteral("verification cancelled in table %1").arg(table));
        ChunkSum prod, shadow;
        for (int attempt = 0; attempt <= options.retries; ++attempt) {
            auto p = sumChunk(*c.prod, table, where, params, true);
            if (!p)
                return p.error();
            prod = *p;
            if (auto st = waitForShadow(*c.prod, spec.name, prod.lsn, spec.timeout); !st)
                return st.error();
            auto s = sumChunk(*c.shadow, table, where, params, false);
            if (!s) {
                out.error = QStringLiteral("shadow: %1").arg(s.error().message);
                out.rowsProd += prod.rows;
                return out;
            }
            shadow = *s;
            if (prod == shadow)
                break;
        }
        out.rowsProd += prod.rows;
        out.rowsShadow += shadow.rows;
        if (!(prod == shadow)) {
            allMatch = false;
            ++out.chunksDiffering;
        }
    }
    out.checksumMatch = allMatch;
    return out;
}

} // namespace

Result<std::vector<TableVerification>>
verifyShadow(ShadowConnections& conns, const ShadowSpec& spec, const VerifyOptions& options,
             const std::function<void(const QString&)>& progress, const CancelToken& cancel)
{
    auto tables = replicatedTables(*conns.prod, spec);
    if (!tables)
        return tables.error();
    std::vector<TableVerification> out;
    for (const QString& table : *tables) {
        if (progress)
            progress(table);
        auto v = verifyTable(conns, spec, table, options, cancel);
        if (!v)
            return v.error();
        out.push_back(*v);
    }
    return out;
}

} // namespace doppel::shadow
