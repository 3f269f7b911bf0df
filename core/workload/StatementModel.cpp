// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatementModel.h"

#include "CaptureStats.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <array>
#include <cstring>

#include <pg_query.h>

namespace doppel {

namespace {

constexpr std::array<const char*, 9> KindNames = {
    "select", "insert", "update", "delete", "merge", "ddl", "utility", "transaction", "unparsed"};

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

// Built-in aggregates that may be called without *, DISTINCT, FILTER or ORDER BY.
bool isAggregate(const QString& name)
{
    static const QSet<QString> names = {
        QStringLiteral("count"),
        QStringLiteral("sum"),
        QStringLiteral("avg"),
        QStringLiteral("min"),
        QStringLiteral("max"),
        QStringLiteral("array_agg"),
        QStringLiteral("string_agg"),
        QStringLiteral("json_agg"),
        QStringLiteral("jsonb_agg"),
        QStringLiteral("json_object_agg"),
        QStringLiteral("jsonb_object_agg"),
        QStringLiteral("bool_and"),
        QStringLiteral("bool_or"),
        QStringLiteral("every"),
        QStringLiteral("bit_and"),
        QStringLiteral("bit_or"),
        QStringLiteral("bit_xor"),
        QStringLiteral("stddev"),
        QStringLiteral("stddev_pop"),
        QStringLiteral("stddev_samp"),
        QStringLiteral("variance"),
        QStringLiteral("var_pop"),
        QStringLiteral("var_samp"),
        QStringLiteral("corr"),
        QStringLiteral("covar_pop"),
        QStringLiteral("covar_samp"),
        QStringLiteral("regr_slope"),
        QStringLiteral("regr_intercept"),
        QStringLiteral("regr_count"),
        QStringLiteral("regr_r2"),
        QStringLiteral("regr_avgx"),
        QStringLiteral("regr_avgy"),
        QStringLiteral("regr_sxx"),
        QStringLiteral("regr_syy"),
        QStringLiteral("regr_sxy"),
        QStringLiteral("xmlagg"),
        QStringLiteral("range_agg"),
        QStringLiteral("range_intersect_agg"),
        QStringLiteral("mode"),
        QStringLiteral("percentile_cont"),
        QStringLiteral("percentile_disc"),
    };
    return names.contains(name);
}

QString functionName(const QJsonObject& funcCall)
{
    const QJsonArray parts = funcCall.value(QStringLiteral("funcname")).toArray();
    if (parts.isEmpty())
        return {};
    const QJsonObject last = parts.last().toObject().value(QStringLiteral("String")).toObject();
    return last.value(QStringLiteral("sval")).toString().toLower();
}

StatementKind kindOfNode(const QString& type)
{
    if (type == QLatin1String("SelectStmt"))
        return StatementKind::Select;
    if (type == QLatin1String("InsertStmt"))
        return StatementKind::Insert;
    if (type == QLatin1String("UpdateStmt"))
        return StatementKind::Update;
    if (type == QLatin1String("DeleteStmt"))
        return StatementKind::Delete;
    if (type == QLatin1String("MergeStmt"))
        return StatementKind::Merge;
    if (type == QLatin1String("TransactionStmt"))
        return StatementKind::Transaction;
    static const QSet<QString> ddl = {
        QStringLiteral("IndexStmt"),         QStringLiteral("ViewStmt"),
        QStringLiteral("RenameStmt"),        QStringLiteral("CommentStmt"),
        QStringLiteral("GrantStmt"),         QStringLiteral("GrantRoleStmt"),
        QStringLiteral("RuleStmt"),          QStringLiteral("DefineStmt"),
        QStringLiteral("CompositeTypeStmt"), QStringLiteral("TruncateStmt"),
        QStringLiteral("SecLabelStmt"),      QStringLiteral("ReassignOwnedStmt"),
    };
    if (type.startsWith(QLatin1String("Create")) || type.startsWith(QLatin1String("Alter")) ||
        type.startsWith(QLatin1String("Drop")) || ddl.contains(type))
        return StatementKind::Ddl;
    return StatementKind::Utility;
}

// One walk over the JSON parse tree gathering the features and whether anything writes.
class TreeWalk
{
public:
    StatementFeatures features;
    bool writes = false;
    QSet<QString> relations; // schema.name as written
    QSet<QString> cteNames;

    void visit(const QJsonValue& value, int depth)
    {
        if (value.isArray()) {
            for (const QJsonValue& v : value.toArray())
                visit(v, depth);
            return;
        }
        if (!value.isObject())
            return;
        const QJsonObject o = value.toObject();
        if (o.contains(QLatin1String("relname"))) // a RangeVar, wrapped or as a typed field
            relations.insert(o.value(QLatin1String("schemaname")).toString() + QLatin1Char('.') +
                             o.value(QLatin1String("relname")).toString());
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString& key = it.key();
            // Node types are capitalised ("SelectStmt"); fields are not ("fromClause").
            const bool node = !key.isEmpty() && key.front().isUpper();
            if (node) {
                features.depth = std::max(features.depth, depth + 1);
                onNode(key, it->toObject());
            } else {
                onField(key, *it);
            }
            visit(*it, node ? depth + 1 : depth);
        }
    }

private:
    void onNode(const QString& type, const QJsonObject& body)
    {
        if (type == QLatin1String("InsertStmt") || type == QLatin1String("UpdateStmt") ||
            type == QLatin1String("DeleteStmt") || type == QLatin1String("MergeStmt"))
            writes = true;
        if (type == QLatin1String("JoinExpr")) {
            ++features.joins;
        } else if (type == QLatin1String("SelectStmt")) {
            features.joins +=
                std::max(0, int(body.value(QLatin1String("fromClause")).toArray().size()) - 1);
        } else if (type == QLatin1String("UpdateStmt")) {
            features.joins += int(body.value(QLatin1String("fromClause")).toArray().size());
        } else if (type == QLatin1String("DeleteStmt")) {
            features.joins += int(body.value(QLatin1String("usingClause")).toArray().size());
        } else if (type == QLatin1String("MergeStmt")) {
            ++features.joins;
        } else if (type == QLatin1String("SubLink") || type == QLatin1String("RangeSubselect")) {
            ++features.subqueries;
        } else if (type == QLatin1String("CommonTableExpr")) {
            ++features.ctes;
            cteNames.insert(body.value(QLatin1String("ctename")).toString());
        } else if (type == QLatin1String("FuncCall")) {
            const QString name = functionName(body);
            if (writesOrActs(name))
                writes = true;
            if (body.contains(QLatin1String("over")))
                ++features.windows;
            else if (body.contains(QLatin1String("agg_star")) ||
                     body.contains(QLatin1String("agg_distinct")) ||
                     body.contains(QLatin1String("agg_filter")) ||
                     body.contains(QLatin1String("agg_order")) ||
                     body.contains(QLatin1String("agg_within_group")) || isAggregate(name))
                ++features.aggregates;
        }
    }

    void onField(const QString& key, const QJsonValue& value)
    {
        if (key == QLatin1String("lockingClause") || key == QLatin1String("intoClause"))
            writes = true;
        else if (key == QLatin1String("sortClause") && !value.toArray().isEmpty())
            ++features.sorts;
        else if (key == QLatin1String("limitCount"))
            features.limit = true;
    }
};

} // namespace

QString statementKindName(StatementKind kind)
{
    return QString::fromLatin1(KindNames[std::size_t(kind)]);
}

std::optional<StatementKind> statementKindFromName(const QString& name)
{
    for (std::size_t i = 0; i < KindNames.size(); ++i)
        if (name == QLatin1String(KindNames[i]))
            return StatementKind(i);
    return std::nullopt;
}

StatementClass classifyStatement(const std::string& sql)
{
    StatementClass out;
    PgQueryParseResult parsed = pg_query_parse(sql.c_str());
    if (parsed.error || !parsed.parse_tree) {
        pg_query_free_parse_result(parsed);
        return out;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(parsed.parse_tree));
    pg_query_free_parse_result(parsed);
    const QJsonArray stmts = doc.object().value(QStringLiteral("stmts")).toArray();

    TreeWalk walk;
    bool allSelects = !stmts.isEmpty();
    std::optional<StatementKind> kind;
    for (const QJsonValue& s : stmts) {
        const QJsonObject stmt = s.toObject().value(QStringLiteral("stmt")).toObject();
        const StatementKind k =
            stmt.isEmpty() ? StatementKind::Utility : kindOfNode(stmt.constBegin().key());
        // A text of several statements is what its first statement that is not transaction
        // control is ("BEGIN; UPDATE ...; COMMIT" is an update).
        if (!kind || (*kind == StatementKind::Transaction && k != StatementKind::Transaction))
            kind = k;
        allSelects = allSelects && stmt.size() == 1 && k == StatementKind::Select;
        walk.visit(stmt, 0);
    }
    // An empty text (only a comment or ';') parses to nothing: a utility no-op.
    out.kind = kind.value_or(StatementKind::Utility);
    out.readOnly = allSelects && !walk.writes;
    out.features = walk.features;
    for (const QString& relation : std::as_const(walk.relations)) {
        const bool cte =
            relation.startsWith(QLatin1Char('.')) && walk.cteNames.contains(relation.mid(1));
        out.features.tables += cte ? 0 : 1;
    }
    return out;
}

StatementAnalysis analyzeStatement(const std::string& sql)
{
    StatementAnalysis out;
    Fingerprint fp = fingerprintStatement(sql);
    out.fingerprint = std::move(fp.fingerprint);
    out.normalized = std::move(fp.normalized);
    if (!fp.parsed)
        return out;
    const StatementClass c = classifyStatement(sql);
    out.kind = c.kind;
    out.readOnly = c.readOnly;
    out.features = c.features;
    return out;
}

namespace {

constexpr char IntegerMark = '\x01'; // ICONST of the lexer
constexpr char NumericMark = '\x02'; // FCONST: decimals, exponents, integers beyond int32
constexpr char StringMark = '\x03';  // SCONST (and the body of B'', X'', E'', U&'')

bool isIdentStart(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool isDigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
bool isIdentChar(unsigned char c)
{
    return isIdentStart(c) || isDigit(c) || c == '$';
}

} // namespace

std::string statementShape(const std::string& sql)
{
    const std::size_t n = sql.size();
    std::string out;
    out.reserve(n);
    std::size_t i = 0;
    // Copies [from, to) verbatim, refusing the marker bytes so no text can pose as a shape.
    auto copy = [&](std::size_t from, std::size_t to) {
        for (std::size_t k = from; k < to; ++k)
            if (static_cast<unsigned char>(sql[k]) <= static_cast<unsigned char>(StringMark))
                return false;
        out.append(sql, from, to - from);
        return true;
    };
    // A quoted run starting at i (a string or a quoted identifier): the index after its closing
    // quote, or npos when it never closes. `backslash`: E'' strings escape with \.
    auto closing = [&](char quote, bool backslash) -> std::size_t {
        for (std::size_t k = i + 1; k < n; ++k) {
            if (backslash && sql[k] == '\\') {
                ++k;
            } else if (sql[k] == quote) {
                if (k + 1 < n && sql[k + 1] == quote)
                    ++k;
                else
                    return k + 1;
            }
        }
        return std::string::npos;
    };
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(sql[i]);
        if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            const std::size_t end = std::min(n, sql.find('\n', i));
            if (!copy(i, end))
                return {};
            i = end;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            // PostgreSQL's block comments nest.
            std::size_t k = i + 2;
            int level = 1;
            while (k + 1 < n && level > 0) {
                if (sql[k] == '/' && sql[k + 1] == '*') {
                    ++level;
                    k += 2;
                } else if (sql[k] == '*' && sql[k + 1] == '/') {
                    --level;
                    k += 2;
                } else {
                    ++k;
                }
            }
            if (level > 0 || !copy(i, k))
                return {};
            i = k;
        } else if (c == '"') {
            const std::size_t end = closing('"', false);
            if (end == std::string::npos || !copy(i, end))
                return {};
            i = end;
        } else if (c == '\'') {
            const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                 (i < 2 || !isIdentChar(static_cast<unsigned char>(sql[i - 2])));
            const std::size_t end = closing('\'', escapes);
            if (end == std::string::npos)
                return {};
            out += StringMark;
            i = end;
        } else if (c == '$') {
            // $n parameters stay; anything else may open a dollar-quoted body: match exactly.
            std::size_t k = i + 1;
            while (k < n && isDigit(static_cast<unsigned char>(sql[k])))
                ++k;
            if (k == i + 1 || (k < n && isIdentChar(static_cast<unsigned char>(sql[k]))))
                return {};
            out.append(sql, i, k - i);
            i = k;
        } else if (isIdentStart(c)) {
            std::size_t k = i + 1;
            while (k < n && isIdentChar(static_cast<unsigned char>(sql[k])))
                ++k;
            if (!copy(i, k))
                return {};
            i = k;
        } else if (isDigit(c) ||
                   (c == '.' && i + 1 < n && isDigit(static_cast<unsigned char>(sql[i + 1])))) {
            // The lexer's integer, decimal and real: digits [. digits] [e [+-] digits].
            std::size_t k = i;
            while (k < n && isDigit(static_cast<unsigned char>(sql[k])))
                ++k;
            const std::size_t intEnd = k;
            bool integer = true;
            if (k < n && sql[k] == '.') {
                integer = false;
                ++k;
                while (k < n && isDigit(static_cast<unsigned char>(sql[k])))
                    ++k;
            }
            if (k < n && (sql[k] == 'e' || sql[k] == 'E')) {
                std::size_t e = k + 1;
                if (e < n && (sql[e] == '+' || sql[e] == '-'))
                    ++e;
                if (e >= n || !isDigit(static_cast<unsigned char>(sql[e])))
                    return {};
                while (e < n && isDigit(static_cast<unsigned char>(sql[e])))
                    ++e;
                integer = false;
                k = e;
            }
            // A number glued to a word or a second dot is lexed in ways not worth mirroring.
            if (k < n && (isIdentChar(static_cast<unsigned char>(sql[k])) || sql[k] == '.'))
                return {};
            if (integer) {
                // Integers beyond int32 are FCONST to the lexer, which some grammar rules refuse.
                std::size_t first = i;
                while (first + 1 < intEnd && sql[first] == '0')
                    ++first;
                const std::size_t digits = intEnd - first;
                integer =
                    digits < 10 || (digits == 10 && sql.compare(first, 10, "2147483647") <= 0);
            }
            out += integer ? IntegerMark : NumericMark;
            i = k;
        } else {
            if (!copy(i, i + 1))
                return {};
            ++i;
        }
    }
    return out;
}

StatementModel::StatementModel(std::size_t capacity)
    : m_generation(std::max<std::size_t>(capacity / 2, 1))
{
    m_young.reserve(m_generation);
}

std::shared_ptr<const StatementAnalysis> StatementModel::find(const std::string& key)
{
    if (auto it = m_young.find(key); it != m_young.end())
        return it->second;
    if (auto it = m_old.find(key); it != m_old.end()) {
        auto analysis = std::move(it->second);
        m_old.erase(it);
        insert(key, analysis);
        return analysis;
    }
    return nullptr;
}

void StatementModel::insert(std::string key, std::shared_ptr<const StatementAnalysis> analysis)
{
    if (m_young.size() >= m_generation) {
        m_old = std::move(m_young);
        m_young = Map();
        m_young.reserve(m_generation);
    }
    m_young.emplace(std::move(key), std::move(analysis));
}

std::shared_ptr<const StatementAnalysis> StatementModel::analyze(const std::string& sql)
{
    // Keys are tagged so that no exact text can pose as the shape of another.
    const std::string shape = statementShape(sql);
    const bool literals = !shape.empty() && shape != sql;
    std::string byShape = shape.empty() ? std::string() : 'S' + shape;
    if (!byShape.empty()) {
        if (auto hit = find(byShape)) {
            ++m_hits;
            return hit;
        }
    }
    std::string byText;
    if (shape.empty() || literals) { // a text that did not parse is cached as it is
        byText = 'T' + sql;
        if (auto hit = find(byText)) {
            ++m_hits;
            return hit;
        }
    }
    ++m_misses;
    auto analysis = std::make_shared<const StatementAnalysis>(analyzeStatement(sql));
    // Texts that do not parse have a fingerprint of their exact text: never share it by shape.
    const bool shared =
        !byShape.empty() && (!literals || analysis->kind != StatementKind::Unparsed);
    insert(shared ? std::move(byShape) : std::move(byText), analysis);
    return analysis;
}

} // namespace doppel
