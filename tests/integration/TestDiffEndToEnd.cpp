// SPDX-License-Identifier: GPL-3.0-or-later
// Capture, replay and diff together on the shared lab: index lookups captured through
// doppel-proxy in front of production (database "difftest"), replayed on the shadow twice with
// the same index (no alert either time: no false positive), then once after DROP INDEX on the
// shadow only, where `doppelctl diff` must report the statement as a significant regression.
#include "CtlRunner.h"
#include "TestProxySupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

// The default rule flags a p95 20 % slower; ctest runs other tests beside this one, and the
// replay on a machine busier than during the capture is that much slower with no change on the
// shadow. A dropped index makes these lookups scan 60,000 rows, far beyond 3x.
constexpr const char* kRule =
    "latency_regression: ratio_p95 > 3 and p_value < 0.01 and calls >= 100 and significant";

class TestDiffEndToEnd : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_capture;
    QString m_shadow;

    QString run(const QString& conninfo, const QString& sql)
    {
        const auto r =
            test::psql(conninfo, {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"),
                                  QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-c"), sql});
        return r.exitCode == 0 ? QString() : r.err + r.out;
    }

    // Replays the capture on the shadow and diffs it; returns diff's exit code and its JSON.
    int replayAndDiff(const QString& name, QJsonObject* report)
    {
        const QString replay = m_dir.filePath(name + QStringLiteral(".json"));
        QString err;
        if (test::runCtl({QStringLiteral("replay"), QStringLiteral("--quiet"),
                          QStringLiteral("--capture"), m_capture, QStringLiteral("--target"),
                          m_shadow, QStringLiteral("--speed"), QStringLiteral("0"),
                          QStringLiteral("--report"), replay},
                         nullptr, &err) != 0) {
            qWarning("replay failed: %s", qPrintable(err));
            return -1;
        }
        const QString diff = m_dir.filePath(name + QStringLiteral("-diff.json"));
        const int rc = test::runCtl({QStringLiteral("diff"), QStringLiteral("--capture"), m_capture,
                                     QStringLiteral("--replay"), replay, QStringLiteral("--report"),
                                     diff, QStringLiteral("--rule"), QString::fromLatin1(kRule)},
                                    nullptr, &err);
        QFile file(diff);
        if (file.open(QIODevice::ReadOnly))
            *report = QJsonDocument::fromJson(file.readAll()).object();
        else
            qWarning("diff wrote no report: %s", qPrintable(err));
        return rc;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        const QString pw = QStringLiteral(" password=") + test::labPassword();
        const QString prodAdmin =
            QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=pgbench")
                .arg(lab.production.port) +
            pw;
        const QString shadowAdmin =
            QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=pgbench")
                .arg(lab.shadow.port) +
            pw;
        m_shadow = QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=difftest")
                       .arg(lab.shadow.port) +
                   pw;
        const QString prod = QStringLiteral("host=127.0.0.1 port=%1 user=doppel dbname=difftest")
                                 .arg(lab.production.port) +
                             pw;
        for (const QString& admin : {prodAdmin, shadowAdmin}) {
            QCOMPARE(run(admin, QStringLiteral("DROP DATABASE IF EXISTS difftest WITH (FORCE)")),
                     QString());
            QCOMPARE(run(admin, QStringLiteral("CREATE DATABASE difftest")), QString());
        }
        for (const QString& db : {prod, m_shadow})
            QCOMPARE(
                run(db,
                    QStringLiteral(
                        "CREATE TABLE t (k int, v text); INSERT INTO t SELECT g, md5(g::text) "
                        "FROM generate_series(1, 60000) g; CREATE INDEX t_k ON t (k); ANALYZE t")),
                QString());

        m_capture = m_dir.filePath(QStringLiteral("capture"));
        test::ProxyProcess proxy;
        QVERIFY(proxy.start({QStringLiteral("--capture-dir"), m_capture},
                            QStringLiteral("user=doppel dbname=difftest")));
        const QString script = m_dir.filePath(QStringLiteral("lookup.sql"));
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\\set k random(1, 60000)\nSELECT v FROM t WHERE k = :k;\n");
        f.close();
        const auto bench = test::runClient(
            QStringLiteral("pgbench"),
            {QStringLiteral("-n"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
             QStringLiteral("-p"), QString::number(proxy.port()), QStringLiteral("-U"),
             QStringLiteral("doppel"), QStringLiteral("-M"), QStringLiteral("prepared"),
             QStringLiteral("-f"), script, QStringLiteral("-c"), QStringLiteral("2"),
             QStringLiteral("-t"), QStringLiteral("600"), QStringLiteral("difftest")});
        QVERIFY2(bench.exitCode == 0, qPrintable(bench.err));
        QCOMPARE(proxy.stop(), 0);
    }

    void sameIndexRaisesNoAlertTwice()
    {
        for (const QString& name : {QStringLiteral("aa1"), QStringLiteral("aa2")}) {
            QJsonObject report;
            const int rc = replayAndDiff(name, &report);
            const QByteArray alerts =
                QJsonDocument(report.value(QStringLiteral("alerts")).toArray()).toJson();
            QVERIFY2(rc == 0, alerts.constData());
            QVERIFY2(report.value(QStringLiteral("alerts")).toArray().isEmpty(),
                     alerts.constData());
            QVERIFY(!report.value(QStringLiteral("statements")).toArray().isEmpty());
        }
    }

    void droppedIndexIsASignificantRegression()
    {
        QCOMPARE(run(m_shadow, QStringLiteral("DROP INDEX t_k")), QString());
        QJsonObject report;
        QCOMPARE(replayAndDiff(QStringLiteral("noindex"), &report), 1);
        const QJsonArray alerts = report.value(QStringLiteral("alerts")).toArray();
        QVERIFY(!alerts.isEmpty());
        const QJsonObject alert = alerts.first().toObject();
        QCOMPARE(alert.value(QStringLiteral("rule")).toString(),
                 QStringLiteral("latency_regression"));
        QVERIFY(alert.value(QStringLiteral("query"))
                    .toString()
                    .contains(QLatin1String("FROM t WHERE k")));
        for (const auto& s : report.value(QStringLiteral("statements")).toArray())
            if (s.toObject()
                    .value(QStringLiteral("query"))
                    .toString()
                    .contains(QLatin1String("FROM t WHERE k"))) {
                QVERIFY(s.toObject().value(QStringLiteral("significant")).toBool());
                QVERIFY(s.toObject().value(QStringLiteral("ratio_p95")).toDouble() > 2);
            }
    }
};

QTEST_GUILESS_MAIN(TestDiffEndToEnd)
#include "TestDiffEndToEnd.moc"
