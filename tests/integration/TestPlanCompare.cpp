// SPDX-License-Identifier: GPL-3.0-or-later
// Plan comparison on the shared lab, in a scratch database of its own ("plantest") holding the
// same table on production and on the shadow: with the same index both sides plan alike (no
// false difference); after DROP INDEX on the shadow only, the comparison names the node that
// changed (Index Scan using the index against Seq Scan), both through the PlanService and
// through `doppelctl diff --plans` (whose JSON keeps its names and gains "plans"). EXPLAIN
// never runs the statement: a DELETE explained leaves every row in place.
#include "CaptureFixture.h"
#include "CtlRunner.h"
#include "LabFixture.h"
#include "ScratchSql.h"

#include "ConnectorServices.h"
#include "diff/DiffPlans.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

const std::string Lookup = "SELECT abalance FROM plan_scratch WHERE k = $1";

SampleStatement lookupSample()
{
    SampleStatement s;
    s.fingerprint = QStringLiteral("lookup");
    s.query = QString::fromStdString(Lookup);
    s.text = Lookup;
    s.database = QStringLiteral("plantest");
    s.protocol = CaptureRecord::Protocol::Extended;
    s.parameters = {{23, 0, std::string("4242")}};
    return s;
}

} // namespace

class TestPlanCompare : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<PlanService> m_service;
    PlanTarget m_prod;
    PlanTarget m_shadow;

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        m_prod.conninfo = lab.production.conninfo;
        m_shadow.conninfo = lab.shadow.conninfo;
        for (const QString& admin : {m_prod.conninfo, m_shadow.conninfo}) {
            auto dropped =
                test::scratchSql(admin, QStringLiteral("postgres"),
                                 QStringLiteral("DROP DATABASE IF EXISTS plantest WITH (FORCE)"));
            QVERIFY2(dropped, qPrintable(dropped ? QString() : dropped.error().message));
            QVERIFY(test::scratchSql(admin, QStringLiteral("postgres"),
                                     QStringLiteral("CREATE DATABASE plantest")));
            for (const char* sql :
                 {"CREATE TABLE plan_scratch (k int, abalance int, filler text)",
                  "INSERT INTO plan_scratch SELECT g, g % 1000, md5(g::text) FROM "
                  "generate_series(1, 50000) g",
                  "CREATE INDEX plan_scratch_k ON plan_scratch (k)", "ANALYZE plan_scratch"}) {
                auto done = test::scratchSql(admin, QStringLiteral("plantest"), QLatin1String(sql));
                QVERIFY2(done, qPrintable(done ? QString() : done.error().message));
            }
        }
        m_service = createPlanService();
    }

    void sameIndexSameShape()
    {
        const PlanComparison c = comparePlans(*m_service, m_prod, m_shadow, lookupSample());
        QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
        QVERIFY(c.sameShape);
        QVERIFY(c.differences.empty());
        QCOMPARE(c.prodHash, c.shadowHash);
    }

    void explainNeverRunsTheStatement()
    {
        SampleStatement del = lookupSample();
        del.text = "DELETE FROM plan_scratch WHERE k > $1";
        del.parameters = {{0, 0, std::string("0")}};
        auto plan = m_service->explain(m_prod.conninfo, {}, del);
        QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message));
        QCOMPARE(plan->value(QStringLiteral("Plan"))
                     .toObject()
                     .value(QStringLiteral("Node Type"))
                     .toString(),
                 QStringLiteral("ModifyTable"));
        QCOMPARE(*test::scratchSql(m_prod.conninfo, QStringLiteral("plantest"),
                                   QStringLiteral("SELECT count(*) FROM plan_scratch")),
                 QStringLiteral("50000"));

        SampleStatement vacuum = lookupSample();
        vacuum.text = "VACUUM plan_scratch";
        vacuum.parameters.clear();
        const PlanComparison c = comparePlans(*m_service, m_prod, m_shadow, vacuum);
        QVERIFY(!c.error.isEmpty()); // EXPLAIN does not take it: said, not compared
        QVERIFY(!c.sameShape);
    }

    void droppedIndexOnTheShadowIsNamed()
    {
        QVERIFY(test::scratchSql(m_shadow.conninfo, QStringLiteral("plantest"),
                                 QStringLiteral("DROP INDEX plan_scratch_k")));
        const PlanComparison c = comparePlans(*m_service, m_prod, m_shadow, lookupSample());
        QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
        QVERIFY(!c.sameShape);
        QVERIFY(c.prodHash != c.shadowHash);
        QCOMPARE(c.differences.size(), size_t(1));
        QCOMPARE(c.differences[0].path, QStringLiteral("1"));
        QCOMPARE(c.differences[0].prod,
                 QStringLiteral("Index Scan using plan_scratch_k on plan_scratch"));
        QCOMPARE(c.differences[0].shadow, QStringLiteral("Seq Scan on plan_scratch"));
    }

    void diffCommandAddsThePlans()
    {
        const QString capture = m_dir.filePath(QStringLiteral("capture"));
        std::vector<CaptureRecord> records;
        const auto prod = test::lognormalMs(200, 0.2, 3);
        const auto shadow = test::lognormalMs(200, 6.0, 4);
        for (size_t i = 0; i < prod.size(); ++i) {
            CaptureRecord r = test::mirroredCall(Lookup, prod[i], shadow[i], true);
            r.database = "plantest";
            r.protocol = CaptureRecord::Protocol::Extended;
            r.parameters = {{23, 0, std::to_string(i + 1)}};
            records.push_back(r);
        }
        QVERIFY(test::writeCapture(capture, std::move(records)));
        const QString report = m_dir.filePath(QStringLiteral("diff.json"));
        QString out, err;
        const int rc =
            test::runCtl({QStringLiteral("diff"), QStringLiteral("--capture"), capture,
                          QStringLiteral("--report"), report, QStringLiteral("--plans"),
                          QStringLiteral("--prod"), m_prod.conninfo, QStringLiteral("--shadow"),
                          m_shadow.conninfo, QStringLiteral("--plans-top"), QStringLiteral("3")},
                         &out, &err);
        QCOMPARE(rc, 1); // the latency regression alerts
        QVERIFY2(out.contains(QLatin1String("plan differs")), qPrintable(out + err));
        QFile file(report);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        for (const char* key : {"verdict", "source", "rules", "alerts", "statements", "plans"})
            QVERIFY2(json.contains(QLatin1String(key)), key);
        const QJsonArray plans = json.value(QStringLiteral("plans")).toArray();
        QCOMPARE(plans.size(), 1);
        const QJsonObject plan = plans.first().toObject();
        QCOMPARE(plan.value(QStringLiteral("same_shape")).toBool(), false);
        QCOMPARE(plan.value(QStringLiteral("fingerprint")).toString(),
                 json.value(QStringLiteral("statements"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("fingerprint"))
                     .toString());
        const QJsonObject d =
            plan.value(QStringLiteral("differences")).toArray().first().toObject();
        QCOMPARE(d.value(QStringLiteral("prod")).toString(),
                 QStringLiteral("Index Scan using plan_scratch_k on plan_scratch"));
        QCOMPARE(d.value(QStringLiteral("shadow")).toString(),
                 QStringLiteral("Seq Scan on plan_scratch"));

        // Markdown carries the same section.
        const QString md = m_dir.filePath(QStringLiteral("diff.md"));
        test::runCtl({QStringLiteral("diff"), QStringLiteral("--capture"), capture,
                      QStringLiteral("--report"), md, QStringLiteral("--plans"),
                      QStringLiteral("--prod"), m_prod.conninfo, QStringLiteral("--shadow"),
                      m_shadow.conninfo});
        QFile mdFile(md);
        QVERIFY(mdFile.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(mdFile.readAll());
        QVERIFY(text.contains(QLatin1String("## Plans")));
        QVERIFY(text.contains(QLatin1String("`Seq Scan on plan_scratch` on the shadow")));
    }

    void plansNeedBothServers()
    {
        QString err;
        QCOMPARE(
            test::runCtl({QStringLiteral("diff"), QStringLiteral("--capture"),
                          m_dir.filePath(QStringLiteral("capture")), QStringLiteral("--report"),
                          m_dir.filePath(QStringLiteral("x.json")), QStringLiteral("--plans"),
                          QStringLiteral("--prod"), m_prod.conninfo},
                         nullptr, &err),
            2);
        QVERIFY(err.contains(QLatin1String("--plans needs --prod and --shadow")));
    }
};

QTEST_GUILESS_MAIN(TestPlanCompare)
#include "TestPlanCompare.moc"
