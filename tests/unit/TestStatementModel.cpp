// SPDX-License-Identifier: GPL-3.0-or-later
// The statement model: kind, read-only verdict and every complexity feature of a table of
// statements; fingerprints shared across literals and whitespace but not across statements;
// text that does not parse kept as "unparsed"; and the cache by shape giving exactly what an
// uncached analysis gives, within its bound.
#include "workload/StatementModel.h"

#include <QtTest>

using namespace doppel;

Q_DECLARE_METATYPE(doppel::StatementKind)

class TestStatementModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classifies_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<StatementKind>("kind");
        QTest::addColumn<bool>("readOnly");
        // joins, subqueries, ctes, tables, aggregates, sorts, windows, limit (0/1)
        QTest::addColumn<QList<int>>("f");
        using K = StatementKind;
        auto row = [](const char* name, const char* sql, K kind, bool ro, QList<int> f) {
            QTest::newRow(name) << QString::fromUtf8(sql) << kind << ro << f;
        };
        row("point select", "SELECT abalance FROM pgbench_accounts WHERE aid = 42", K::Select, true,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("pgbench update", "UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 7",
            K::Update, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("pgbench insert",
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, 4, "
            "CURRENT_TIMESTAMP)",
            K::Insert, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("delete", "DELETE FROM orders WHERE id = 3", K::Delete, false,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("merge",
            "MERGE INTO stock s USING deliveries d ON s.item = d.item WHEN MATCHED THEN UPDATE "
            "SET qty = s.qty + d.qty WHEN NOT MATCHED THEN INSERT VALUES (d.item, d.qty)",
            K::Merge, false, {1, 0, 0, 2, 0, 0, 0, 0});
        row("two explicit joins",
            "SELECT a.id, b.name FROM a JOIN b ON a.id = b.a_id LEFT JOIN c ON c.id = b.c_id",
            K::Select, true, {2, 0, 0, 3, 0, 0, 0, 0});
        row("implicit join", "SELECT * FROM a, b WHERE a.id = b.id", K::Select, true,
            {1, 0, 0, 2, 0, 0, 0, 0});
        row("schema-qualified is another table", "SELECT * FROM public.t JOIN t USING (id)",
            K::Select, true, {1, 0, 0, 2, 0, 0, 0, 0});
        row("IN subquery", "SELECT * FROM t WHERE id IN (SELECT t_id FROM u WHERE x > 1)",
            K::Select, true, {0, 1, 0, 2, 0, 0, 0, 0});
        row("EXISTS subquery", "SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)",
            K::Select, true, {0, 1, 0, 2, 0, 0, 0, 0});
        row("scalar subquery, same table twice", "SELECT * FROM t WHERE x = (SELECT max(x) FROM t)",
            K::Select, true, {0, 1, 0, 1, 1, 0, 0, 0});
        row("subquery in FROM", "SELECT s.n FROM (SELECT count(*) AS n FROM t) s", K::Select, true,
            {0, 1, 0, 1, 1, 0, 0, 0});
        row("CTE reference is not a table",
            "WITH recent AS (SELECT * FROM orders WHERE ts > now() - interval '1 day') SELECT "
            "count(*) FROM recent",
            K::Select, true, {0, 0, 1, 1, 1, 0, 0, 0});
        row("two CTEs joined", "WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b",
            K::Select, true, {1, 0, 2, 0, 0, 0, 0, 0});
        row("group by, order by",
            "SELECT dept, sum(salary), avg(salary) FROM emp GROUP BY dept ORDER BY 2 DESC",
            K::Select, true, {0, 0, 0, 1, 2, 1, 0, 0});
        row("window ORDER BY is not a sort",
            "SELECT id, row_number() OVER (PARTITION BY dept ORDER BY salary) FROM emp", K::Select,
            true, {0, 0, 0, 1, 0, 0, 1, 0});
        row("aggregate over a window is a window",
            "SELECT id, rank() OVER w, sum(x) OVER w FROM emp WINDOW w AS (ORDER BY x)", K::Select,
            true, {0, 0, 0, 1, 0, 0, 2, 0});
        row("DISTINCT, FILTER and WITHIN GROUP aggregates",
            "SELECT count(DISTINCT x) FILTER (WHERE y > 0), percentile_cont(0.5) WITHIN GROUP "
            "(ORDER BY z) FROM t",
            K::Select, true, {0, 0, 0, 1, 2, 0, 0, 0});
        row("order by and limit", "SELECT * FROM t ORDER BY created DESC LIMIT 10", K::Select, true,
            {0, 0, 0, 1, 0, 1, 0, 1});
        row("fetch first is a limit", "SELECT * FROM t FETCH FIRST 5 ROWS ONLY", K::Select, true,
            {0, 0, 0, 1, 0, 0, 0, 1});
        row("offset alone is no limit", "SELECT * FROM t OFFSET 10", K::Select, true,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("for update writes", "SELECT * FROM t WHERE id = 1 FOR UPDATE", K::Select, false,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("nextval writes", "SELECT nextval('s')", K::Select, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("advisory lock acts", "SELECT pg_advisory_lock(1)", K::Select, false,
            {0, 0, 0, 0, 0, 0, 0, 0});
        row("select into creates a table", "SELECT * INTO newt FROM t", K::Select, false,
            {0, 0, 0, 2, 0, 0, 0, 0});
        row("update from", "UPDATE t SET x = u.x FROM u WHERE t.id = u.id", K::Update, false,
            {1, 0, 0, 2, 0, 0, 0, 0});
        row("delete using", "DELETE FROM t USING u WHERE t.id = u.id", K::Delete, false,
            {1, 0, 0, 2, 0, 0, 0, 0});
        row("data-modifying CTE",
            "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
            K::Insert, false, {0, 0, 1, 2, 0, 0, 0, 0});
        row("create table", "CREATE TABLE t (id int PRIMARY KEY)", K::Ddl, false,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("alter table", "ALTER TABLE t ADD COLUMN x int", K::Ddl, false,
            {0, 0, 0, 1, 0, 0, 0, 0});
        row("create index", "CREATE INDEX ON t (x)", K::Ddl, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("drop index", "DROP INDEX idx", K::Ddl, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("truncate", "TRUNCATE t", K::Ddl, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("grant", "GRANT SELECT ON t TO bob", K::Ddl, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("begin", "BEGIN", K::Transaction, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("commit", "COMMIT", K::Transaction, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("savepoint", "SAVEPOINT sp", K::Transaction, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("rollback to savepoint", "ROLLBACK TO SAVEPOINT sp", K::Transaction, false,
            {0, 0, 0, 0, 0, 0, 0, 0});
        row("set", "SET statement_timeout = 0", K::Utility, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("vacuum", "VACUUM ANALYZE t", K::Utility, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("explain", "EXPLAIN SELECT 1", K::Utility, false, {0, 0, 0, 0, 0, 0, 0, 0});
        row("copy", "COPY t FROM STDIN", K::Utility, false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("transaction block is its statement", "BEGIN; UPDATE t SET x = 1; COMMIT", K::Update,
            false, {0, 0, 0, 1, 0, 0, 0, 0});
        row("two reads", "SELECT 1; SELECT 2", K::Select, true, {0, 0, 0, 0, 0, 0, 0, 0});
    }

    void classifies()
    {
        QFETCH(QString, sql);
        QFETCH(StatementKind, kind);
        QFETCH(bool, readOnly);
        QFETCH(QList<int>, f);
        const StatementAnalysis a = analyzeStatement(sql.toStdString());
        QCOMPARE(statementKindName(a.kind), statementKindName(kind));
        QCOMPARE(a.readOnly, readOnly);
        QCOMPARE(isReadOnlyStatement(sql.toStdString()), readOnly);
        const StatementFeatures& x = a.features;
        QVERIFY2(x.depth > 0, "a statement that parses has a tree");
        QCOMPARE(x.joins, f[0]);
        QCOMPARE(x.subqueries, f[1]);
        QCOMPARE(x.ctes, f[2]);
        QCOMPARE(x.tables, f[3]);
        QCOMPARE(x.aggregates, f[4]);
        QCOMPARE(x.sorts, f[5]);
        QCOMPARE(x.windows, f[6]);
        QCOMPARE(x.limit, f[7] != 0);
        QVERIFY(!a.fingerprint.isEmpty());
        QVERIFY(!a.fingerprint.startsWith(QLatin1String("unparsed-")));
    }

    void nestingIsDeeper()
    {
        const int flat = analyzeStatement("SELECT a FROM t").features.depth;
        const int nested = analyzeStatement("SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE c = "
                                            "(SELECT max(c) FROM v))")
                               .features.depth;
        QVERIFY2(flat > 0 && nested > flat + 2,
                 qPrintable(QStringLiteral("%1 vs %2").arg(flat).arg(nested)));
    }

    void literalsShareAFingerprint_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("numbers and whitespace") << "SELECT * FROM t WHERE id = 1"
                                                << "select *  from t\n  where id = 987654" << true;
        QTest::newRow("strings") << "SELECT * FROM u WHERE name = 'alice'"
                                 << "SELECT * FROM u WHERE name = 'o''brien'" << true;
        QTest::newRow("in lists of the same length") << "SELECT 1 FROM t WHERE x IN (1, 2)"
                                                     << "SELECT 1 FROM t WHERE x IN (7, 8)" << true;
        QTest::newRow("another table") << "SELECT * FROM t WHERE id = 1"
                                       << "SELECT * FROM u WHERE id = 1" << false;
        QTest::newRow("another column") << "SELECT * FROM t WHERE id = 1"
                                        << "SELECT * FROM t WHERE x = 1" << false;
        QTest::newRow("digits in names") << "SELECT * FROM t1"
                                         << "SELECT * FROM t2" << false;
        QTest::newRow("update against select") << "UPDATE t SET x = 1"
                                               << "SELECT x FROM t" << false;
    }

    void literalsShareAFingerprint()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        const StatementAnalysis x = analyzeStatement(a.toStdString());
        const StatementAnalysis y = analyzeStatement(b.toStdString());
        QCOMPARE(x.fingerprint == y.fingerprint, same);
        // The cache by shape answers the same, in either order.
        StatementModel model;
        QCOMPARE(model.analyze(a.toStdString())->fingerprint, x.fingerprint);
        QCOMPARE(model.analyze(b.toStdString())->fingerprint, y.fingerprint);
    }

    void unparsedIsKeptAsItIs()
    {
        const std::string sql = "SELEC * FROM t WHERE id = 1";
        const StatementAnalysis a = analyzeStatement(sql);
        QCOMPARE(a.kind, StatementKind::Unparsed);
        QCOMPARE(statementKindName(a.kind), QStringLiteral("unparsed"));
        QVERIFY(!a.readOnly);
        QCOMPARE(a.features, StatementFeatures());
        QVERIFY2(a.fingerprint.startsWith(QLatin1String("unparsed-")), qPrintable(a.fingerprint));
        QCOMPARE(a.normalized, QString::fromStdString(sql));
        // The fingerprint is of the exact text: a literal apart is another statement, also
        // when the analysis comes from the cache.
        StatementModel model;
        const auto first = model.analyze(sql);
        const auto other = model.analyze("SELEC * FROM t WHERE id = 2");
        QCOMPARE(first->fingerprint, a.fingerprint);
        QVERIFY(other->fingerprint != a.fingerprint);
        QCOMPARE(model.analyze(sql)->fingerprint, a.fingerprint);
        QCOMPARE(model.hits(), quint64(1));
    }

    void kindNamesRoundTrip()
    {
        for (int i = 0; i <= int(StatementKind::Unparsed); ++i) {
            const auto kind = StatementKind(i);
            QCOMPARE(statementKindFromName(statementKindName(kind)), std::optional(kind));
        }
        QVERIFY(!statementKindFromName(QStringLiteral("upsert")));
    }

    void shapeReplacesOnlyLiterals_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("shape"); // # integer, ~ numeric, ? string; "" refused
        QTest::newRow("numbers") << "SELECT 1, 2.5, .5, 1e-3, 4294967296 FROM t"
                                 << "SELECT #, ~, ~, ~, ~ FROM t";
        QTest::newRow("int32 edge") << "SELECT 2147483647, 2147483648, 0000000000001"
                                    << "SELECT #, ~, #";
        QTest::newRow("strings, quoted names, comments")
            << "SELECT 'a''b', E'c\\'d', \"x'1\" FROM t -- 'no'\n/* 2 /* 3 */ */"
            << "SELECT ?, E?, \"x'1\" FROM t -- 'no'\n/* 2 /* 3 */ */";
        QTest::newRow("names with digits and parameters") << "SELECT c1 FROM t2 WHERE x = $1"
                                                          << "SELECT c1 FROM t2 WHERE x = $1";
        QTest::newRow("dollar quoting refused") << "DO $$ BEGIN PERFORM 1; END $$"
                                                << "";
        QTest::newRow("number glued to a word refused") << "SELECT 1x"
                                                        << "";
        QTest::newRow("unterminated string refused") << "SELECT 'abc"
                                                     << "";
        QTest::newRow("marker bytes refused") << QStringLiteral("SELECT \x01") << "";
    }

    void shapeReplacesOnlyLiterals()
    {
        QFETCH(QString, sql);
        QFETCH(QString, shape);
        QString got = QString::fromStdString(statementShape(sql.toStdString()));
        got.replace(QChar(1), QLatin1Char('#'))
            .replace(QChar(2), QLatin1Char('~'))
            .replace(QChar(3), QLatin1Char('?'));
        QCOMPARE(got, shape);
    }

    void cacheAnswersLikeTheModel()
    {
        // Pairs that differ only in literals, and texts the shape scan refuses or that do not
        // parse: from the cache, each must get exactly its uncached analysis.
        const std::vector<std::string> texts = {
            "SELECT * FROM t WHERE id = 1",
            "SELECT * FROM t WHERE id = 2",
            "SELECT 1::varchar(10)",
            "SELECT 1::varchar(2147483648)",
            "SELECT 1::varchar(20)",
            "SELECT * FROM t LIMIT 5",
            "SELECT * FROM t LIMIT 5.5",
            "SELECT E'it\\'s' FROM t",
            "SELECT E'x' FROM t",
            "SELECT 'a' 'b'",
            "SELECT 'a'\n'b'",
            "SELECT 1 ORDER BY 1",
            "SELECT 2 ORDER BY 1",
            "DO $$ BEGIN PERFORM 1; END $$",
            "DO $$ BEGIN PERFORM 2; END $$",
            "SELEC 1",
            "SELEC 2",
            "SELECT 1e",
            "SELECT 2e",
        };
        StatementModel model;
        for (int round = 0; round < 2; ++round)
            for (const std::string& sql : texts) {
                const StatementAnalysis direct = analyzeStatement(sql);
                const auto cached = model.analyze(sql);
                const QString what = QString::fromStdString(sql);
                QVERIFY2(cached->fingerprint == direct.fingerprint, qPrintable(what));
                QVERIFY2(cached->kind == direct.kind, qPrintable(what));
                QVERIFY2(cached->readOnly == direct.readOnly, qPrintable(what));
                QVERIFY2(cached->features == direct.features, qPrintable(what));
            }
        QVERIFY(model.hits() >= texts.size());
    }

    void streamParsesEachShapeOnce()
    {
        StatementModel model;
        for (int i = 0; i < 3000; ++i) {
            const std::string n = std::to_string(i * 7919 % 100000);
            switch (i % 3) {
            case 0:
                model.analyze("SELECT abalance FROM pgbench_accounts WHERE aid = " + n);
                break;
            case 1:
                model.analyze("UPDATE pgbench_tellers SET tbalance = tbalance + " + n +
                              " WHERE tid = " + n);
                break;
            default:
                model.analyze("INSERT INTO pgbench_history VALUES (" + n + ", 'x" + n + "')");
            }
        }
        QCOMPARE(model.misses(), quint64(3));
        QCOMPARE(model.hits(), quint64(2997));
    }

    void cacheIsBounded()
    {
        StatementModel model(10);
        for (int i = 0; i < 100; ++i)
            model.analyze("SELECT c" + std::to_string(i) + " FROM t");
        QVERIFY2(model.size() <= 10, qPrintable(QString::number(model.size())));
        // The newest entries are still there.
        const auto before = model.misses();
        model.analyze("SELECT c99 FROM t");
        QCOMPARE(model.misses(), before);
    }
};

QTEST_GUILESS_MAIN(TestStatementModel)
#include "TestStatementModel.moc"
