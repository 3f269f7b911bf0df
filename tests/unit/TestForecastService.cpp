// SPDX-License-Identifier: GPL-3.0-or-later
// The forecast service's product side: horizons and aggregation, threshold evaluation, the
// built-in PostgreSQL limits, forecasts and thresholds in the repository (schema 3), and a full
// round that stores forecasts and raises one recommendation per episode.
#include "forecast/ForecastAlerts.h"
#include "forecast/ForecastRound.h"
#include "forecast/ForecastService.h"
#include "store/Repository.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <cmath>
#include <random>

using namespace doppel;
using namespace doppel::forecast;

namespace {

constexpr qint64 FiveMinutes = 300'000;

// `days` of five-minute samples with a daily cycle: base ± amplitude, peak at noon, ending now.
MetricSamples dailyCycle(const QString& metric, int days, double base, double amplitude,
                         unsigned seed = 11, double trendPerDay = 0)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, amplitude * 0.05);
    const int n = days * 288;
    const qint64 end = QDateTime::currentMSecsSinceEpoch() / FiveMinutes * FiveMinutes;
    MetricSamples out;
    for (int i = 0; i < n; ++i) {
        const qint64 ts = end - qint64(n - 1 - i) * FiveMinutes;
        const double phase = double(i % 288) / 288.0;
        const double v =
            base + trendPerDay * i / 288.0 - amplitude * std::cos(2 * M_PI * phase) + noise(rng);
        out.append(MetricSample{metric, ts, v});
    }
    return out;
}

// QVERIFY2 evaluates its message even on success: read the error only when there is one.
template <typename R> QString errorOf(const R& r)
{
    return r.ok() ? QString() : r.error().message;
}

Host makeHost(const QString& name)
{
    Host h;
    h.name = name;
    h.role = HostRole::Production;
    h.conninfo = QStringLiteral("host=127.0.0.1 dbname=app");
    return h;
}

} // namespace

class TestForecastService : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    // A host whose CPU peaks at 70 daily (threshold 65 within a day set on it) and whose
    // connections climb towards max_connections.
    void fillRoundRepository(const QString& path)
    {
        auto repo = Repository::open(path);
        QVERIFY(repo.ok());
        auto id = (*repo)->addHost(makeHost(QStringLiteral("db1")));
        QVERIFY(id.ok());
        QVERIFY(
            (*repo)->appendSamples(*id, dailyCycle(QStringLiteral("cpu_percent"), 3, 50, 20)).ok());
        // Connections climb by 20 a day from 20 to 80, towards max_connections = 100.
        QVERIFY((*repo)
                    ->appendSamples(
                        *id, dailyCycle(QStringLiteral("pg_connections_total"), 3, 20, 2, 5, 20))
                    .ok());
        MetricSamples max;
        for (const auto& s : dailyCycle(QStringLiteral("pg_max_connections"), 1, 100, 0))
            max.append(MetricSample{s.metric, s.timestampMs, 100});
        QVERIFY((*repo)->appendSamples(*id, max).ok());
        QVERIFY((*repo)
                    ->addThreshold({0, {}, QStringLiteral("cpu_percent"), 65, DayMs, 0.8, false})
                    .ok());
    }

private Q_SLOTS:
    void parsesHorizons_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("1h") << "1h" << HourMs;
        QTest::newRow("1d") << "1d" << DayMs;
        QTest::newRow("1w") << "1w" << WeekMs;
        QTest::newRow("3d") << "3d" << 3 * DayMs;
        QTest::newRow("bad") << "soon" << qint64(-1);
        QTest::newRow("zero") << "0h" << qint64(-1);
    }
    void parsesHorizons()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        auto h = parseHorizon(text);
        QCOMPARE(h.ok(), ms > 0);
        if (ms > 0)
            QCOMPARE(*h, ms);
        else
            QVERIFY(h.error().message.contains(text));
    }

    void aggregatesOntoHorizonStep()
    {
        // A week ahead from five-minute data: 35-minute steps keep the horizon near 288 steps,
        // and the aggregated grid still ends at the last observation.
        const auto samples = dailyCycle(QStringLiteral("cpu_percent"), 20, 50, 20);
        int steps = 0;
        auto s = seriesForHorizon(samples, WeekMs, &steps);
        QVERIFY2(s.ok(), qPrintable(errorOf(s)));
        QCOMPARE(s->stepMs, 7 * FiveMinutes);
        QCOMPARE(steps, 288);
        QCOMPARE(s->timestampAt(long(s->values.size()) - 1), samples.last().timestampMs);
        auto hour = seriesForHorizon(samples, HourMs, &steps);
        QVERIFY(hour.ok());
        QCOMPARE(hour->stepMs, FiveMinutes);
        QCOMPARE(steps, 12);
        QVERIFY(!seriesForHorizon(samples.mid(0, 1), DayMs, &steps).ok());
    }

    void thresholdBelowDailyPeakIsRaised_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("probability");
        QTest::addColumn<bool>("raised");
        // The cycle peaks at 70 every day: 65 is crossed within a day almost surely.
        QTest::newRow("below the peak") << 65.0 << 0.8 << true;
        QTest::newRow("far above") << 200.0 << 0.8 << false;
        QTest::newRow("already above") << 10.0 << 0.99 << true;
    }
    void thresholdBelowDailyPeakIsRaised()
    {
        QFETCH(double, value);
        QFETCH(double, probability);
        QFETCH(bool, raised);
        const auto samples = dailyCycle(QStringLiteral("cpu_percent"), 4, 50, 20);
        auto fit =
            fitMetric(QStringLiteral("db1"), QStringLiteral("cpu_percent"), samples, DayMs, value);
        QVERIFY2(fit.ok(), qPrintable(errorOf(fit)));
        QCOMPARE(int(fit->forecast.mean.size()), 288);
        QCOMPARE(fit->forecast.lo95.size(), fit->forecast.mean.size());
        QVERIFY(std::isfinite(fit->forecast.accuracyMase));
        QVERIFY(fit->forecast.accuracyMase < 2);
        const ForecastThreshold t{
            7, {}, QStringLiteral("cpu_percent"), value, DayMs, probability, false, 0};
        const ThresholdVerdict v = evaluateThreshold(t, *fit);
        QCOMPARE(v.raised, raised);
        if (raised) {
            QVERIFY(v.expectedMs);
            QVERIFY(*v.lowerMs <= *v.expectedMs && *v.expectedMs <= *v.upperMs);
            QVERIFY(*v.upperMs <= fit->lastObservationMs + DayMs);
            const Event e = thresholdEvent(t, QStringLiteral("db1"), *fit, v);
            QCOMPARE(e.source, QStringLiteral("forecast"));
            QVERIFY(e.message.contains(QStringLiteral("probability")));
            QVERIFY(e.message.contains(QStringLiteral("#7")));
        } else {
            QVERIFY(v.probability < 0.05);
        }
    }

    // A floor (free disk, hit ratio): crossed by going under it. The cycle's trough is 30.
    void floorAboveDailyTroughIsRaised_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<bool>("raised");
        QTest::newRow("floor 35, above the trough") << 35.0 << true;
        QTest::newRow("floor 10, far under it") << 10.0 << false;
    }
    void floorAboveDailyTroughIsRaised()
    {
        QFETCH(double, value);
        QFETCH(bool, raised);
        const auto samples = dailyCycle(QStringLiteral("cpu_percent"), 4, 50, 20);
        auto fit = fitMetric(QStringLiteral("db1"), QStringLiteral("cpu_percent"), samples, DayMs,
                             value, 0, /*thresholdBelow*/ true);
        QVERIFY2(fit.ok(), qPrintable(errorOf(fit)));
        QVERIFY(fit->breach && fit->breach->below);
        const ForecastThreshold t{8, {}, QStringLiteral("cpu_percent"), value, DayMs, 0.8, true, 0};
        const ThresholdVerdict v = evaluateThreshold(t, *fit);
        QCOMPARE(v.raised, raised);
        if (raised) {
            const Event e = thresholdEvent(t, QStringLiteral("db1"), *fit, v);
            QVERIFY2(e.message.contains(QStringLiteral("fall below 35")), qPrintable(e.message));
        } else {
            QVERIFY(v.probability < 0.05);
        }
    }

    void limitChecksFollowCollectedMetrics()
    {
        QHash<QString, double> latest{{QStringLiteral("pg_connections_total"), 40},
                                      {QStringLiteral("pg_max_connections"), 100},
                                      {QStringLiteral("pg_xid_age"), 1e6}};
        auto checks = limitChecks(latest);
        QStringList names;
        for (const auto& c : checks)
            names << c.name;
        QCOMPARE(names,
                 QStringList({QStringLiteral("connections"), QStringLiteral("xid-wraparound"),
                              QStringLiteral("xid-freeze")}));
        QCOMPARE(checks[0].limitValue, 99.5);
        QCOMPARE(checks[1].limitValue, 2147483648.0);
        QCOMPARE(checks[2].limitValue, 200e6);
        latest.insert(QStringLiteral("disk_free_bytes"), 1e9);
        latest.insert(QStringLiteral("pg_db_size_bytes"), 5e9);
        latest.insert(QStringLiteral("pg_wal_retained_bytes"), 1e8);
        checks = limitChecks(latest);
        QCOMPARE(int(checks.size()), 5);
        QCOMPARE(checks[1].name, QStringLiteral("disk-db-growth"));
        QCOMPARE(checks[1].limitValue, 6e9);
        QCOMPARE(checks[4].name, QStringLiteral("disk-wal"));
        QCOMPARE(checks[4].limitValue, 1.1e9);
    }

    void thresholdsInRepository()
    {
        auto repo = Repository::open(m_dir.filePath(QStringLiteral("t.sqlite")));
        QVERIFY(repo.ok());
        QVERIFY((*repo)->schemaVersion() >= 3); // the forecast tables came with version 3
        QVERIFY((*repo)->addHost(makeHost(QStringLiteral("db1"))).ok());
        ForecastThreshold t{
            0, QStringLiteral("db1"), QStringLiteral("cpu_percent"), 80, 3 * DayMs, 0.8, false, 0};
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        auto id = (*repo)->addThreshold(t);
        QVERIFY(id.ok());
        t.probability = 1.5;
        QVERIFY((*repo)->addThreshold(t).error().message.contains(QStringLiteral("1.5")));
        t.probability = 0.5;
        t.host = QStringLiteral("nohost");
        QCOMPARE((*repo)->addThreshold(t).error().code, ErrorCode::NotFound);
        auto list = (*repo)->thresholds();
        QVERIFY(list.ok());
        QCOMPARE(int(list->size()), 1);
        QCOMPARE(list->front().horizonMs, 3 * DayMs);
        QCOMPARE(list->front().host, QStringLiteral("db1"));
        QVERIFY(!list->front().below);
        // Stamped when added, for the console's list of thresholds.
        QVERIFY(list->front().createdMs >= before);
        QVERIFY(list->front().createdMs <= QDateTime::currentMSecsSinceEpoch());
        // A floor keeps its direction.
        ForecastThreshold floor{
            0, QStringLiteral("db1"), QStringLiteral("disk_free_bytes"), 5e9, DayMs, 0.9, true, 0};
        auto floorId = (*repo)->addThreshold(floor);
        QVERIFY(floorId.ok());
        list = (*repo)->thresholds();
        QCOMPARE(int(list->size()), 2);
        QCOMPARE(list->front().metric, QStringLiteral("cpu_percent"));
        QVERIFY(list->back().below);
        QVERIFY((*repo)->removeThreshold(*floorId).ok());
        QVERIFY((*repo)->removeThreshold(*id).ok());
        QCOMPARE((*repo)->removeThreshold(*id).error().code, ErrorCode::NotFound);
    }

    void roundStoresForecastsAndRaisesOncePerEpisode()
    {
        const QString path = m_dir.filePath(QStringLiteral("round.sqlite"));
        fillRoundRepository(path);
        if (QTest::currentTestFailed())
            return;
        RoundOptions options;
        options.horizons = {DayMs};
        QThreadPool pool;
        const RoundResult first = runForecastRound(path, options, pool);
        QVERIFY2(first.errors.isEmpty() || first.fitted > 0, qPrintable(first.errors.join('\n')));
        QCOMPARE(first.fitted, 3);
        QCOMPARE(first.thresholdsChecked, 1);
        QVERIFY(first.activeKeys.contains(QStringLiteral("threshold:1:db1")));
        QVERIFY(first.activeKeys.contains(QStringLiteral("limit:connections:db1")));
        QVERIFY(first.hostsAtRisk.contains(QStringLiteral("db1")));
        QCOMPARE(int(first.events.size()), 2);

        auto repo = Repository::open(path);
        QVERIFY(repo.ok());
        auto stored =
            (*repo)->latestForecast(QStringLiteral("db1"), QStringLiteral("cpu_percent"), DayMs);
        QVERIFY2(stored.ok(), qPrintable(errorOf(stored)));
        QCOMPARE(int(stored->mean.size()), 288);
        QCOMPARE(stored->hi95.size(), stored->mean.size());
        QVERIFY(!stored->model.isEmpty());
        auto limits = (*repo)->limitForecasts(QStringLiteral("db1"));
        QVERIFY(limits.ok());
        QCOMPARE(int(limits->size()), 1);
        const LimitForecast& c = limits->front();
        QCOMPARE(c.name, QStringLiteral("connections"));
        QVERIFY(c.probability > 0.9);
        QVERIFY(c.expectedMs && c.lowerMs && c.upperMs);
        // About a day to go from 80 to 100 at 20 a day.
        const double days =
            double(*c.expectedMs - QDateTime::currentMSecsSinceEpoch()) / double(DayMs);
        QVERIFY2(days > 0.3 && days < 3, qPrintable(QString::number(days)));
        auto events = (*repo)->events(10);
        QVERIFY(events.ok());
        QCOMPARE(int(events->size()), 2);
        for (const Event& e : *events)
            QCOMPARE(e.source, QStringLiteral("forecast"));

        options.suppress = first.activeKeys;
        const RoundResult second = runForecastRound(path, options, pool);
        QCOMPARE(second.activeKeys, first.activeKeys);
        QVERIFY(second.events.empty());
    }

    void serviceRaisesOncePerEpisode()
    {
        const QString path = m_dir.filePath(QStringLiteral("service.sqlite"));
        fillRoundRepository(path);
        if (QTest::currentTestFailed())
            return;
        ForecastService service(path);
        RoundOptions options;
        options.horizons = {HourMs};
        service.setOptions(options);
        QSignalSpy raised(&service, &ForecastService::eventRaised);
        QSignalSpy finished(&service, &ForecastService::roundFinished);
        QSignalSpy atRisk(&service, &ForecastService::hostsAtRiskChanged);
        service.runNow();
        QVERIFY(service.isRunning());
        service.runNow(); // ignored while a round runs
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().at(0).toInt(), 3);
        QCOMPARE(raised.count(), 2);
        QCOMPARE(atRisk.count(), 1);
        QCOMPARE(service.hostsAtRisk(), QSet<QString>{QStringLiteral("db1")});
        service.runNow();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(raised.count(), 2); // still at risk: no second recommendation
        QCOMPARE(atRisk.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestForecastService)
#include "TestForecastService.moc"
