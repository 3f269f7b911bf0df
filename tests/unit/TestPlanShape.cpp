// SPDX-License-Identifier: GPL-3.0-or-later
// Plan shapes from EXPLAIN (FORMAT JSON) texts captured from PostgreSQL 15.18 on pgbench tables:
// the same plan under other cost settings hashes the same; the plan after dropping
// pgbench_accounts_pkey hashes differently and names the node that changed; node labels read
// like EXPLAIN's text format; a comparison serializes to the report's JSON names and sections;
// the statements picked for plans put regressions first, then total time on the shadow.
#include "diff/DiffPlans.h"
#include "diff/DiffReport.h"
#include "diff/PlanShape.h"

#include <QJsonDocument>
#include <QtTest>

using namespace doppel;

namespace {

// SELECT a.abalance, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b
//   ON b.bid = a.bid WHERE a.aid = 42
const char* const IndexPlan = R"json([
  {
    "Plan": {
      "Node Type": "Nested Loop",
      "Parallel Aware": false,
      "Async Capable": false,
      "Join Type": "Inner",
      "Startup Cost": 0.29,
      "Total Cost": 9.33,
      "Plan Rows": 1,
      "Plan Width": 8,
      "Inner Unique": true,
      "Join Filter": "(a.bid = b.bid)",
      "Plans": [
        {
          "Node Type": "Index Scan",
          "Parent Relationship": "Outer",
          "Parallel Aware": false,
          "Async Capable": false,
          "Scan Direction": "Forward",
          "Index Name": "pgbench_accounts_pkey",
          "Relation Name": "pgbench_accounts",
          "Alias": "a",
          "Startup Cost": 0.29,
          "Total Cost": 8.31,
          "Plan Rows": 1,
          "Plan Width": 8,
          "Index Cond": "(aid = 42)"
        },
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Inner",
          "Parallel Aware": false,
          "Async Capable": false,
          "Relation Name": "pgbench_branches",
          "Alias": "b",
          "Startup Cost": 0.00,
          "Total Cost": 1.01,
          "Plan Rows": 1,
          "Plan Width": 8
        }
      ]
    }
  }
])json";

// The same statement after SET random_page_cost = 1.1; SET cpu_tuple_cost = 0.02.
const char* const IndexPlanOtherCosts = R"json([
  {
    "Plan": {
      "Node Type": "Nested Loop",
      "Parallel Aware": false,
      "Async Capable": false,
      "Join Type": "Inner",
      "Startup Cost": 0.29,
      "Total Cost": 3.56,
      "Plan Rows": 1,
      "Plan Width": 8,
      "Inner Unique": true,
      "Join Filter": "(a.bid = b.bid)",
      "Plans": [
        {
          "Node Type": "Index Scan",
          "Parent Relationship": "Outer",
          "Parallel Aware": false,
          "Async Capable": false,
          "Scan Direction": "Forward",
          "Index Name": "pgbench_accounts_pkey",
          "Relation Name": "pgbench_accounts",
          "Alias": "a",
          "Startup Cost": 0.29,
          "Total Cost": 2.52,
          "Plan Rows": 1,
          "Plan Width": 8,
          "Index Cond": "(aid = 42)"
        },
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Inner",
          "Parallel Aware": false,
          "Async Capable": false,
          "Relation Name": "pgbench_branches",
          "Alias": "b",
          "Startup Cost": 0.00,
          "Total Cost": 1.02,
          "Plan Rows": 1,
          "Plan Width": 8
        }
      ]
    }
  }
])json";

// The same statement with pgbench_accounts_pkey dropped (max_parallel_workers_per_gather = 0).
const char* const SeqScanPlan = R"json([
  {
    "Plan": {
      "Node Type": "Nested Loop",
      "Parallel Aware": false,
      "Async Capable": false,
      "Join Type": "Inner",
      "Startup Cost": 0.00,
      "Total Cost": 2891.02,
      "Plan Rows": 1,
      "Plan Width": 8,
      "Inner Unique": true,
      "Join Filter": "(a.bid = b.bid)",
      "Plans": [
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Outer",
          "Parallel Aware": false,
          "Async Capable": false,
          "Relation Name": "pgbench_accounts",
          "Alias": "a",
          "Startup Cost": 0.00,
          "Total Cost": 2890.00,
          "Plan Rows": 1,
          "Plan Width": 8,
          "Filter": "(aid = 42)"
        },
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Inner",
          "Parallel Aware": false,
          "Async Capable": false,
          "Relation Name": "pgbench_branches",
          "Alias": "b",
          "Startup Cost": 0.00,
          "Total Cost": 1.01,
          "Plan Rows": 1,
          "Plan Width": 8
        }
      ]
    }
  }
])json";

// SELECT t.tid, count(h.aid) FROM pgbench_tellers t LEFT JOIN pgbench_history h
//   ON h.tid = t.tid GROUP BY t.tid ORDER BY t.tid DESC
const char* const AggregatePlan = R"json([
  {
    "Plan": {
      "Node Type": "Aggregate",
      "Strategy": "Sorted",
      "Partial Mode": "Simple",
      "Parallel Aware": false,
      "Async Capable": false,
      "Startup Cost": 1.28,
      "Total Cost": 1.49,
      "Plan Rows": 10,
      "Plan Width": 12,
      "Group Key": ["t.tid"],
      "Plans": [
        {
          "Node Type": "Merge Join",
          "Parent Relationship": "Outer",
          "Parallel Aware": false,
          "Async Capable": false,
          "Join Type": "Left",
          "Startup Cost": 1.28,
          "Total Cost": 1.34,
          "Plan Rows": 10,
          "Plan Width": 8,
          "Inner Unique": false,
          "Merge Cond": "(t.tid = h.tid)",
          "Plans": [
            {
              "Node Type": "Sort",
              "Parent Relationship": "Outer",
              "Parallel Aware": false,
              "Async Capable": false,
              "Startup Cost": 1.27,
              "Total Cost": 1.29,
              "Plan Rows": 10,
              "Plan Width": 4,
              "Sort Key": ["t.tid DESC"],
              "Plans": [
                {
                  "Node Type": "Seq Scan",
                  "Parent Relationship": "Outer",
                  "Parallel Aware": false,
                  "Async Capable": false,
                  "Relation Name": "pgbench_tellers",
                  "Alias": "t",
                  "Startup Cost": 0.00,
                  "Total Cost": 1.10,
                  "Plan Rows": 10,
                  "Plan Width": 4
                }
              ]
            },
            {
              "Node Type": "Sort",
              "Parent Relationship": "Inner",
              "Parallel Aware": false,
              "Async Capable": false,
              "Startup Cost": 0.01,
              "Total Cost": 0.02,
              "Plan Rows": 1,
              "Plan Width": 8,
              "Sort Key": ["h.tid DESC"],
              "Plans": [
                {
                  "Node Type": "Seq Scan",
                  "Parent Relationship": "Outer",
                  "Parallel Aware": false,
                  "Async Capable": false,
                  "Relation Name": "pgbench_history",
                  "Alias": "h",
                  "Startup Cost": 0.00,
                  "Total Cost": 0.00,
                  "Plan Rows": 1,
                  "Plan Width": 8
                }
              ]
            }
          ]
        }
      ]
    }
  }
])json";

PlanShape shape(const char* json)
{
    return PlanShape::fromExplain(QJsonDocument::fromJson(json).array());
}

} // namespace

class TestPlanShape : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void otherCostsSameShape()
    {
        const PlanShape a = shape(IndexPlan);
        const PlanShape b = shape(IndexPlanOtherCosts);
        QVERIFY(!a.hash.isEmpty());
        QCOMPARE(a.hash, b.hash);
        const PlanComparison c = comparePlanShapes(a, b);
        QVERIFY(c.sameShape);
        QVERIFY(c.differences.empty());
    }

    void droppedIndexChangesTheShape()
    {
        const PlanShape prod = shape(IndexPlan);
        const PlanShape shadow = shape(SeqScanPlan);
        QVERIFY(!shadow.hash.isEmpty());
        QVERIFY(prod.hash != shadow.hash);
        const PlanComparison c = comparePlanShapes(prod, shadow);
        QVERIFY(!c.sameShape);
        QCOMPARE(c.prodHash, prod.hash);
        QCOMPARE(c.shadowHash, shadow.hash);
        // The join and the branches scan are the same: only the accounts scan differs.
        QCOMPARE(c.differences.size(), size_t(1));
        QCOMPARE(c.differences[0].path, QStringLiteral("1.1"));
        QCOMPARE(c.differences[0].prod,
                 QStringLiteral("Index Scan using pgbench_accounts_pkey on pgbench_accounts"));
        QCOMPARE(c.differences[0].shadow, QStringLiteral("Seq Scan on pgbench_accounts"));
    }

    void labelsReadLikeExplainText()
    {
        const PlanShape s = shape(AggregatePlan);
        QCOMPARE(s.root.label, QStringLiteral("GroupAggregate"));
        QCOMPARE(s.root.children.size(), size_t(1));
        const PlanShape::Node& join = s.root.children[0];
        QCOMPARE(join.label, QStringLiteral("Merge Left Join"));
        QCOMPARE(join.children.size(), size_t(2));
        QCOMPARE(join.children[0].label, QStringLiteral("Sort"));
        QCOMPARE(join.children[0].children[0].label, QStringLiteral("Seq Scan on pgbench_tellers"));
        QCOMPARE(join.children[1].children[0].label, QStringLiteral("Seq Scan on pgbench_history"));
    }

    void differentTreesDescribeWhatLiesBelow()
    {
        const PlanComparison c = comparePlanShapes(shape(AggregatePlan), shape(IndexPlan));
        QVERIFY(!c.sameShape);
        QCOMPARE(c.differences.size(), size_t(1));
        QCOMPARE(c.differences[0].path, QStringLiteral("1"));
        QVERIFY2(
            c.differences[0].prod.startsWith(QLatin1String("GroupAggregate [Merge Left Join [")),
            qPrintable(c.differences[0].prod));
        QCOMPARE(c.differences[0].shadow,
                 QStringLiteral("Nested Loop [Index Scan using pgbench_accounts_pkey on "
                                "pgbench_accounts; Seq Scan on pgbench_branches]"));
    }

    void emptyExplainHasNoShape()
    {
        const PlanShape none = PlanShape::fromExplain(QJsonObject{});
        QVERIFY(none.hash.isEmpty());
        QVERIFY(!comparePlanShapes(none, none).sameShape);
    }

    void comparisonKeepsTheReportNames()
    {
        PlanComparison c = comparePlanShapes(shape(IndexPlan), shape(SeqScanPlan));
        c.fingerprint = QStringLiteral("ab12");
        c.query = QStringLiteral("SELECT 1");
        const QJsonObject o = c.toJson();
        for (const char* key :
             {"fingerprint", "query", "prod_hash", "shadow_hash", "same_shape", "differences"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        const QJsonObject d = o.value(QStringLiteral("differences")).toArray().first().toObject();
        QCOMPARE(d.value(QStringLiteral("path")).toString(), QStringLiteral("1.1"));
        QVERIFY(d.contains(QStringLiteral("prod")) && d.contains(QStringLiteral("shadow")));
        QCOMPARE(o.value(QStringLiteral("same_shape")).toBool(), false);
    }

    void reportCarriesThePlans()
    {
        DiffReport report;
        report.source = QStringLiteral("test");
        PlanComparison c = comparePlanShapes(shape(IndexPlan), shape(SeqScanPlan));
        c.query = QStringLiteral("SELECT abalance FROM pgbench_accounts WHERE aid = $1");
        report.plans.push_back(c);
        const QJsonObject json = report.toJson();
        QCOMPARE(json.value(QStringLiteral("plans")).toArray().size(), 1);
        QVERIFY(report.toMarkdown().contains(
            QLatin1String("node 1.1: `Index Scan using pgbench_accounts_pkey on pgbench_accounts` "
                          "on production, `Seq Scan on pgbench_accounts` on the shadow")));
        QVERIFY(report.toHtml().contains(QLatin1String("<h2>Plans</h2>")));
        QVERIFY(report.toHtml().contains(QLatin1String("<td>Seq Scan on pgbench_accounts</td>")));
        // Without plans asked for, the JSON has no "plans" and the documents no section.
        report.plans.clear();
        QVERIFY(!report.toJson().contains(QStringLiteral("plans")));
        QVERIFY(!report.toMarkdown().contains(QLatin1String("## Plans")));
    }

    void plansForRegressionsFirstThenShadowTime()
    {
        std::vector<StatementDiff> all(4);
        all[0].fingerprint = QStringLiteral("busy");
        all[0].shadow.calls = 10;
        all[0].shadow.totalMs = 900;
        all[1].fingerprint = QStringLiteral("slightly worse");
        all[1].significant = true;
        all[1].ratioP95 = 1.3;
        all[2].fingerprint = QStringLiteral("much worse");
        all[2].significant = true;
        all[2].ratioP95 = 4;
        all[3].fingerprint = QStringLiteral("improved");
        all[3].significant = true;
        all[3].ratioP95 = 0.5;
        all[3].shadow.calls = 10;
        all[3].shadow.totalMs = 100;
        const auto top = statementsForPlans(all, 3);
        QCOMPARE(top.size(), size_t(3));
        QCOMPARE(top[0]->fingerprint, QStringLiteral("much worse"));
        QCOMPARE(top[1]->fingerprint, QStringLiteral("slightly worse"));
        QCOMPARE(top[2]->fingerprint, QStringLiteral("busy"));
        QCOMPARE(statementsForPlans(all, 10).size(), size_t(4));
    }
};

QTEST_GUILESS_MAIN(TestPlanShape)
#include "TestPlanShape.moc"
