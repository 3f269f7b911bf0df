// SPDX-License-Identifier: GPL-3.0-or-later
// The differential engine on known answers and simulated latencies: Mann-Whitney and Holm against
// hand-computed values, no alert between two samples of one distribution (twice, two seeds), a
// 50 % slower statement reported as a significant regression, divergent results and a new error
// class raising their alerts, rule parsing, and the report's JSON names.
#include "CaptureFixture.h"

#include "diff/DiffReport.h"
#include "diff/DiffStats.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

std::vector<double> latencies(size_t n, double medianMs, std::uint64_t seed)
{
    return test::lognormalMs(n, medianMs, seed, 0.35);
}

DiffReport compare(DiffEngine& engine)
{
    DiffReport report;
    report.statements = engine.compare();
    report.alerts = evaluateRules(defaultDiffRules(), report.statements);
    return report;
}

} // namespace

class TestDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mannWhitneyKnownAnswer()
    {
        // Complete separation of 5 and 5: U = 0, z = (12.5 - 0.5) / sqrt(25 * 11 / 12).
        const double p = diffstats::mannWhitneyP({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
        QVERIFY2(std::fabs(p - 0.01219) < 0.0005, qPrintable(QString::number(p)));
        QCOMPARE(diffstats::mannWhitneyP({1, 1, 1}, {1, 1, 1}), 1.0);
        QCOMPARE(diffstats::mannWhitneyP({}, {1}), 1.0);
    }

    void holmKnownAnswer()
    {
        const auto adjusted = diffstats::holmAdjust({0.01, 0.04, 0.03});
        QCOMPARE(adjusted.size(), size_t(3));
        QVERIFY(std::fabs(adjusted[0] - 0.03) < 1e-12);
        QVERIFY(std::fabs(adjusted[1] - 0.06) < 1e-12);
        QVERIFY(std::fabs(adjusted[2] - 0.06) < 1e-12);
    }

    void bootstrapIntervalHoldsTheQuantile()
    {
        const auto values = latencies(5000, 2.0, 7);
        auto sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const double p95 = diffstats::quantileSorted(sorted, 0.95);
        const auto ci = diffstats::bootstrapQuantile(values, 0.95, 0.95);
        QVERIFY(ci.lo < p95 && p95 < ci.hi);
        QVERIFY(ci.hi - ci.lo < p95 * 0.3);
    }

    void identicalShadowRaisesNothing_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::newRow("first run") << quint64(11);
        QTest::newRow("second run") << quint64(12345);
    }
    void identicalShadowRaisesNothing()
    {
        QFETCH(quint64, seed);
        DiffEngine engine;
        for (int f = 0; f < 20; ++f) {
            const int fp = engine.fingerprint(QStringLiteral("fp%1").arg(f),
                                              QStringLiteral("SELECT %1").arg(f));
            const double median = 0.1 + f * 0.3;
            for (double v : latencies(2000, median, seed + quint64(f)))
                engine.addProduction(fp, v);
            for (double v : latencies(2000, median, seed * 7 + quint64(f)))
                engine.addShadow(fp, v);
        }
        const DiffReport report = compare(engine);
        QCOMPARE(report.alerts.size(), size_t(0));
        for (const auto& s : report.statements)
            QVERIFY2(!s.significant,
                     qPrintable(s.fingerprint + QStringLiteral(" p ") + QString::number(s.pValue)));
    }

    void slowerStatementIsASignificantRegression()
    {
        DiffEngine engine;
        const int same = engine.fingerprint(QStringLiteral("same"), QStringLiteral("SELECT 1"));
        const int slow = engine.fingerprint(QStringLiteral("slow"),
                                            QStringLiteral("SELECT * FROM t WHERE k = $1"));
        for (double v : latencies(1000, 1.0, 1))
            engine.addProduction(same, v);
        for (double v : latencies(1000, 1.0, 2))
            engine.addShadow(same, v);
        for (double v : latencies(1000, 1.0, 3))
            engine.addProduction(slow, v);
        for (double v : latencies(1000, 1.5, 4))
            engine.addShadow(slow, v);
        const DiffReport report = compare(engine);
        QCOMPARE(report.alerts.size(), size_t(1));
        QCOMPARE(report.alerts[0].rule, QStringLiteral("latency_regression"));
        QCOMPARE(report.alerts[0].fingerprint, QStringLiteral("slow"));
        const StatementDiff& d = report.statements[0].fingerprint == QLatin1String("slow")
                                     ? report.statements[0]
                                     : report.statements[1];
        QVERIFY(d.significant);
        QVERIFY(d.ratioP95 > 1.3 && d.ratioP95 < 1.7);
        QVERIFY(d.prod.p95LoMs <= d.prod.p95Ms && d.prod.p95Ms <= d.prod.p95HiMs);
    }

    void divergenceAndNewErrorClassAlert()
    {
        DiffEngine engine;
        const int fp = engine.fingerprint(QStringLiteral("fp"),
                                          QStringLiteral("SELECT v FROM t WHERE id = $1"));
        for (int i = 0; i < 50; ++i) {
            engine.addProduction(fp, 1.0);
            engine.addShadow(fp, 1.0, i == 0 ? "42P01" : "");
            engine.addPairCheck(fp, true, 1, 1, i != 3);
        }
        engine.addPairCheck(fp, false, 1, 0, false); // lagging shadow: not a divergence
        const DiffReport report = compare(engine);
        QStringList rules;
        for (const auto& a : report.alerts)
            rules << a.rule;
        QVERIFY(rules.contains(QStringLiteral("result_divergence")));
        QVERIFY(rules.contains(QStringLiteral("new_error_class")));
        QCOMPARE(report.statements[0].divergentResults, std::int64_t(1));
        QCOMPARE(report.statements[0].unsynchronized, std::int64_t(1));
        QCOMPARE(report.statements[0].newErrorClasses, QStringList{QStringLiteral("42")});
    }

    void rulesParseOrNameTheProblem()
    {
        auto ok = DiffRule::parse(QStringLiteral("slow: ratio_p95 >= 2 and calls > 10"));
        QVERIFY(ok);
        QCOMPARE(ok->name(), QStringLiteral("slow"));
        auto noName = DiffRule::parse(QStringLiteral("ratio_p95 > 2"));
        QVERIFY(!noName);
        auto badField = DiffRule::parse(QStringLiteral("x: speed > 2"));
        QVERIFY(!badField);
        QVERIFY(badField.error().message.contains(QLatin1String("unknown field 'speed'")));
        auto badCondition = DiffRule::parse(QStringLiteral("x: ratio_p95 >> 2"));
        QVERIFY(!badCondition);
    }

    void reportKeepsTheScriptedNames()
    {
        DiffEngine engine;
        const int fp = engine.fingerprint(QStringLiteral("abc"), QStringLiteral("SELECT $1"));
        for (double v : latencies(200, 1.0, 5))
            engine.addProduction(fp, v);
        for (double v : latencies(200, 3.0, 6))
            engine.addShadow(fp, v);
        DiffReport report = compare(engine);
        const QJsonObject json = report.toJson();
        QVERIFY(json.value(QStringLiteral("alerts")).isArray());
        const QJsonObject alert = json.value(QStringLiteral("alerts")).toArray().first().toObject();
        for (const char* key : {"rule", "fingerprint", "query"})
            QVERIFY2(alert.contains(QLatin1String(key)), key);
        const QJsonObject s = json.value(QStringLiteral("statements")).toArray().first().toObject();
        for (const char* key :
             {"fingerprint", "query", "calls", "prod_p50_ms", "prod_p95_ms", "prod_p99_ms",
              "shadow_p50_ms", "shadow_p95_ms", "shadow_p99_ms", "ratio_p95", "p_value",
              "significant", "divergent_results", "error_diff"})
            QVERIFY2(s.contains(QLatin1String(key)), key);
        QTemporaryDir dir;
        for (const char* name : {"r.json", "r.md", "r.html"})
            QVERIFY(report.save(dir.filePath(QLatin1String(name))));
        QVERIFY(!report.save(dir.filePath(QStringLiteral("r.pdf"))));
        QVERIFY(report.toHtml().contains(QLatin1String("<svg")));
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "TestDiff.moc"
