// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatementKind.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pg_query.h>

namespace doppel {

namespace {

// Functions that write, take locks, signal backends or otherwise act beyond reading. User
// functions cannot be judged from the text; the operator owns that choice with --mirror-writes.
bool writesOrActs(const QString& name)
{
    static const QStringList exact = {
        QStringLiteral("nextval"),           QStringLiteral("setval"),
        QStringLiteral("set_config"),        QStringLiteral("pg_notify"),
        QStringLiteral("txid_current"),      QStringLiteral("pg_current_xact_id"),
        QStringLiteral("pg_sleep"),          QStringLiteral("pg_sleep_for"),
        QStringLiteral("pg_sleep_until"),    QStringLiteral("pg_reload_conf"),
        QStringLiteral("pg_rotate_logfile"), QStringLiteral("pg_switch_wal"),
        QStringLiteral("pg_cancel_backend"), QStringLiteral("pg_terminate_backend"),
    };
    static const QStringList prefixes = {
        QStringLiteral("pg_advisory"),
        QStringLiteral("pg_try_advisory"),
        QStringLiteral("lo_"),
        QStringLiteral("dblink"),
        QStringLiteral("pg_create_"),
        QStringLiteral("pg_drop_"),
        QStringLiteral("pg_replication_"),
        QStringLiteral("pg_logical_"),
        QStringLiteral("pg_stat_reset"),
        QStringLiteral("pg_file_"),
        QStringLiteral("pg_catalog.lo_"),
        QStringLiteral("pg_promote"),
        QStringLiteral("pg_backup_"),
        QStringLiteral("pg_start_backup"),
        QStringLiteral("pg_stop_backup"),
        QStringLiteral("pg_log_"),
        QStringLiteral("pg_copy_"),
        QStringLiteral("pg_wal_replay_"),
    };
    if (exact.contains(name))
        return true;
    for (const QString& p : prefixes)
        if (name.startsWith(p))
            return true;
    return false;
}

QString functionName(const QJsonObject& funcCall)
{
    const QJsonArray parts = funcCall.value(QStringLiteral("funcname")).toArray();
    if (parts.isEmpty())
        return {};
    const QJsonObject last = parts.last().toObject().value(QStringLiteral("String")).toObject();
    return last.value(QStringLiteral("sval")).toString().toLower();
}

// False as soon as anything in the tree is not a pure read.
bool readsOnly(const QJsonValue& node)
{
    if (node.isArray()) {
        for (const QJsonValue& v : node.toArray())
            if (!readsOnly(v))
                return false;
        return true;
    }
    if (!node.isObject())
        return true;
    const QJsonObject o = node.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString& key = it.key();
        if (key == QLatin1String("InsertStmt") || key == QLatin1String("UpdateStmt") ||
            key == QLatin1String("DeleteStmt") || key == QLatin1String("MergeStmt") ||
            key == QLatin1String("lockingClause") || key == QLatin1String("intoClause"))
            return false;
        if (key == QLatin1String("FuncCall") && writesOrActs(functionName(it->toObject())))
            return false;
        if (!readsOnly(*it))
            return false;
    }
    return true;
}

} // namespace

bool isReadOnlyStatement(const std::string& sql)
{
    PgQueryParseResult parsed = pg_query_parse(sql.c_str());
    bool readOnly = false;
    if (!parsed.error && parsed.parse_tree) {
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(parsed.parse_tree));
        const QJsonArray stmts = doc.object().value(QStringLiteral("stmts")).toArray();
        readOnly = !stmts.isEmpty();
        for (const QJsonValue& s : stmts) {
            const QJsonObject stmt = s.toObject().value(QStringLiteral("stmt")).toObject();
            if (stmt.size() != 1 || !stmt.contains(QStringLiteral("SelectStmt")) ||
                !readsOnly(stmt)) {
                readOnly = false;
                break;
            }
        }
    }
    pg_query_free_parse_result(parsed);
    return readOnly;
}

} // namespace doppel
