// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl monitor` and `metrics` against the lab, and the collector's promise that a host
// that never answers neither delays the others nor goes unreported.
#include "ConnectorServices.h"
#include "CtlRunner.h"
#include "LabFixture.h"
#include "collect/Collector.h"
#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;
using namespace std::chrono_literals;

class TestMonitor : public QObject
{
    Q_OBJECT

    int ctl(const QStringList& args, QString* out = nullptr, QString* err = nullptr)
    {
        return test::runCtl(args, out, err);
    }

private Q_SLOTS:
    void monitorFillsEveryMetricForBothLabHosts()
    {
        QTemporaryDir dir;
        const QString repoPath = dir.filePath(QStringLiteral("repo.sqlite"));
        {
            auto repo = Repository::open(repoPath);
            QVERIFY(repo.ok());
            test::registerLabHosts(**repo);
        }
        QString out, err;
        const int rc = ctl({QStringLiteral("--repo"), repoPath, QStringLiteral("monitor"),
                            QStringLiteral("--duration"), QStringLiteral("4s"),
                            QStringLiteral("--interval"), QStringLiteral("1s")},
                           &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        auto repo = Repository::open(repoPath);
        for (const QString& host :
             {QStringLiteral("lab-production"), QStringLiteral("lab-shadow")}) {
            auto h = (*repo)->host(host);
            QVERIFY(h.ok());
            auto metrics = (*repo)->metricsWithData(h->id);
            QVERIFY(metrics.ok());
            for (const MetricInfo& info : metricCatalog()) {
                if (info.source == MetricSourceKind::Workload) // from captures, not collected
                    continue;
                const QString name = QString::fromLatin1(info.name);
                QVERIFY2(metrics->contains(name), qPrintable(host + QStringLiteral(" lacks ") +
                                                             name + QStringLiteral("\n") + err));
            }
        }
        // Values that must be what the lab is.
        auto prod = (*repo)->host(QStringLiteral("lab-production"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto maxConn = (*repo)->samples(prod->id, QStringLiteral("pg_max_connections"), 0, now);
        QCOMPARE(maxConn->last().value, 100.0);
        auto tps = (*repo)->samples(prod->id, QStringLiteral("pg_tps"), 0, now);
        QVERIFY2(tps->last().value > 1.0, "the lab workload runs, so production commits");
        auto cpu = (*repo)->samples(prod->id, QStringLiteral("cpu_percent"), 0, now);
        QVERIFY(cpu->last().value >= 0 && cpu->last().value <= 100);
        QVERIFY(out.contains(QLatin1String("samples stored")));

        // metrics --csv prints timestamp,value rows with ISO-8601 timestamps.
        QString csv;
        QCOMPARE(ctl({QStringLiteral("--repo"), repoPath, QStringLiteral("metrics"),
                      QStringLiteral("--host"), QStringLiteral("lab-production"),
                      QStringLiteral("--metric"), QStringLiteral("pg_connections_total"),
                      QStringLiteral("--last"), QStringLiteral("1h"), QStringLiteral("--csv")},
                     &csv),
                 0);
        const QStringList lines = csv.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.first(), QStringLiteral("timestamp,value"));
        QVERIFY(lines.size() >= 4);
        const QStringList row = lines.at(1).split(QLatin1Char(','));
        QVERIFY(QDateTime::fromString(row.at(0), Qt::ISODateWithMs).isValid());
        bool numeric = false;
        QVERIFY(row.at(1).toDouble(&numeric) >= 1 && numeric);
    }

    void metricsRejectsBadInput()
    {
        QTemporaryDir dir;
        const QString repoPath = dir.filePath(QStringLiteral("repo.sqlite"));
        QString err;
        QCOMPARE(ctl({QStringLiteral("--repo"), repoPath, QStringLiteral("metrics"),
                      QStringLiteral("--host"), QStringLiteral("x"), QStringLiteral("--metric"),
                      QStringLiteral("cpu"), QStringLiteral("--csv")},
                     nullptr, &err),
                 2);
        QVERIFY(err.contains(QLatin1String("unknown metric 'cpu'")));
        QCOMPARE(
            ctl({QStringLiteral("--repo"), repoPath, QStringLiteral("metrics"),
                 QStringLiteral("--host"), QStringLiteral("x"), QStringLiteral("--metric"),
                 QStringLiteral("pg_tps"), QStringLiteral("--since"), QStringLiteral("yesterday")},
                nullptr, &err),
            2);
        QVERIFY(err.contains(QLatin1String("ISO-8601")));
        QCOMPARE(
            ctl({QStringLiteral("--repo"), repoPath, QStringLiteral("monitor")}, nullptr, &err), 1);
        QVERIFY(err.contains(QLatin1String("inventory")));
    }

    void hungHostDoesNotDelayOthers()
    {
        QTemporaryDir dir;
        const QString repoPath = dir.filePath(QStringLiteral("repo.sqlite"));
        test::SilentListener silent;
        std::vector<Host> hosts;
        {
            auto repo = Repository::open(repoPath);
            test::registerLabHosts(**repo);
            Host hung;
            hung.name = QStringLiteral("hung");
            hung.conninfo =
                QStringLiteral("host=127.0.0.1 port=%1 dbname=x user=x").arg(silent.port());
            QVERIFY((*repo)->addHost(hung).ok());
            hosts = *(*repo)->hosts();
        }
        auto secrets = createSecretStore();
        auto services = createHostServices(*secrets);
        Collector collector(*services, repoPath);
        collector.setInterval(500ms);
        collector.setTimeout(3s);
        collector.setHosts(hosts);
        int labRounds = 0;
        QString hungReason;
        connect(&collector, &Collector::samplesCollected, this,
                [&](const QString& host, const MetricSamples&) {
                    if (host == QLatin1String("lab-production"))
                        ++labRounds;
                });
        connect(&collector, &Collector::hostStateChanged, this,
                [&](const QString& host, HostState state, const QString& why) {
                    if (host == QLatin1String("hung") && state == HostState::Error)
                        hungReason = why;
                });
        QElapsedTimer timer;
        timer.start();
        collector.start();
        // The lab host keeps its 500 ms rhythm while the hung host blocks its own worker for 3 s.
        QTRY_VERIFY_WITH_TIMEOUT(labRounds >= 4, 2800);
        QVERIFY(hungReason.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!hungReason.isEmpty(), 6000);
        QVERIFY2(hungReason.contains(QLatin1String("no answer within 3.0 s")),
                 qPrintable(hungReason));
        QCOMPARE(collector.state(QStringLiteral("hung")), HostState::Error);
        QCOMPARE(collector.state(QStringLiteral("lab-production")), HostState::Ok);
        collector.stop();
        auto repo = Repository::open(repoPath);
        auto events = (*repo)->events(50, Severity::Error);
        QVERIFY(std::any_of(events->begin(), events->end(),
                            [](const Event& e) { return e.host == QLatin1String("hung"); }));
    }
};

QTEST_GUILESS_MAIN(TestMonitor)
#include "TestMonitor.moc"
