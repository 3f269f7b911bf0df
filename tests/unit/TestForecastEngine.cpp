// SPDX-License-Identifier: GPL-3.0-or-later
// The forecasting engine end to end: fallbacks with reasons, season detection, `auto` choosing
// a seasonal model, and the any-time breach probability against the reflection principle.
#include "forecast/Forecaster.h"
#include "forecast/SeasonDetector.h"
#include "forecast/Stats.h"

#include <QTest>

using namespace doppel;
using namespace doppel::forecast;

namespace {

std::vector<double> dailyLoad(int days, unsigned seed, bool weekly)
{
    // Five-minute samples: a daily cycle, a weekend dip and noise, like a CPU metric.
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> e(0, 2);
    std::vector<double> y;
    for (int t = 0; t < days * 288; ++t) {
        const int day = t / 288;
        double v = 40 + 15 * std::sin(2 * M_PI * t / 288.0) + 5 * std::cos(4 * M_PI * t / 288.0);
        if (weekly && day % 7 >= 5)
            v -= 12;
        y.push_back(v + e(rng));
    }
    return y;
}

} // namespace

class TestForecastEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void constantSeriesFallsBackToNaive()
    {
        ForecastOptions o;
        o.horizon = 5;
        auto r = forecastSeries(std::vector<double>(50, 7.5), 60000, o);
        QVERIFY(r.ok());
        QCOMPARE(r->family, QStringLiteral("naive"));
        QVERIFY(r->reason.contains(QLatin1String("constant")));
        QCOMPARE(r->mean, std::vector<double>(5, 7.5));
        QCOMPARE(r->bands[1].lower, r->bands[1].upper);
    }

    void shortSeriesFallsBackToNaive()
    {
        ForecastOptions o;
        o.horizon = 3;
        o.model = QStringLiteral("ets");
        auto r = forecastSeries({1, 3, 2, 4, 3}, 0, o);
        QVERIFY(r.ok());
        QCOMPARE(r->family, QStringLiteral("naive"));
        QVERIFY2(r->reason.contains(QLatin1String("only 5 points")), qPrintable(r->reason));
        QCOMPARE(r->mean[0], 3.0);
        // Too short for the requested season: the season is dropped with a note.
        ForecastOptions s;
        s.horizon = 2;
        s.detectSeasons = false;
        s.seasons = {12};
        auto t = forecastSeries({5, 6, 7, 6, 5, 6, 7, 8, 7, 6, 7, 8, 9, 8}, 0, s);
        QVERIFY(t.ok());
        QVERIFY(t->seasons.empty());
        QVERIFY(t->notes.join(QLatin1Char(' ')).contains(QLatin1String("season 12 dropped")));
    }

    void invalidOptionsAreErrors()
    {
        ForecastOptions o;
        o.horizon = 0;
        QVERIFY(!forecastSeries({1, 2, 3}, 0, o).ok());
        o.horizon = 2;
        o.levels = {120};
        QVERIFY(!forecastSeries({1, 2, 3}, 0, o).ok());
        o.levels = {80};
        o.model = QStringLiteral("prophet");
        auto r = forecastSeries({1, 2, 3, 4, 5, 6, 5, 4, 3, 4, 5, 6}, 0, o);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QLatin1String("unknown model")));
        QVERIFY(!forecastSeries({1, std::nan(""), 3}, 0, ForecastOptions{}).ok());
        QVERIFY(!forecastSeries({}, 0, ForecastOptions{}).ok());
    }

    void hugeValuesStayFinite()
    {
        std::mt19937_64 rng(5);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y;
        double level = 0;
        for (int t = 0; t < 200; ++t)
            y.push_back(1e300 * (2 + 0.1 * (level += 0.1 * e(rng)) + 0.05 * e(rng)));
        for (const char* model : {"auto", "ets", "arima", "theta"}) {
            ForecastOptions o;
            o.horizon = 10;
            o.model = QLatin1String(model);
            o.threshold = 3e300;
            auto r = forecastSeries(y, 0, o);
            QVERIFY2(r.ok(), model);
            for (size_t h = 0; h < 10; ++h) {
                QVERIFY2(std::isfinite(r->mean[h]) && std::isfinite(r->bands[1].upper[h]), model);
                QVERIFY(r->mean[h] > 1e299 && r->mean[h] < 1e301);
                QVERIFY(r->bands[1].lower[h] <= r->mean[h] && r->mean[h] <= r->bands[1].upper[h]);
            }
            QVERIFY(r->breach && r->breach->threshold == 3e300);
        }
    }

    void robustOptionReplacesSpikes()
    {
        std::mt19937_64 rng(13);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y;
        for (int t = 0; t < 200; ++t)
            y.push_back(50 + e(rng));
        y[120] = 400;
        y[180] = -300;
        y[199] = 900; // the last value: a plain forecast would start from it
        ForecastOptions o;
        o.horizon = 5;
        o.model = QStringLiteral("ets");
        o.robust = true;
        auto r = forecastSeries(y, 0, o);
        QVERIFY(r.ok());
        QVERIFY2(r->notes.join(QLatin1Char(' ')).contains(QLatin1String("3 outlier(s)")),
                 qPrintable(r->notes.join(QLatin1Char(' '))));
        QVERIFY2(qAbs(r->mean[0] - 50) < 2, qPrintable(QString::number(r->mean[0])));
        QVERIFY(r->bands[1].upper[0] - r->bands[1].lower[0] < 10);
        o.robust = false;
        auto plain = forecastSeries(y, 0, o);
        QVERIFY(plain.ok());
        QVERIFY(plain->bands[1].upper[0] - plain->bands[1].lower[0] > 50);
    }

    void detectsDailyAndWeeklySeasons()
    {
        const auto y = dailyLoad(28, 1, true);
        const DetectedSeasons d = detectSeasons(y, 300000);
        QCOMPARE(d.periods, (std::vector<int>{288, 2016}));
        const DetectedSeasons daily = detectSeasons(dailyLoad(7, 2, false), 300000);
        QCOMPARE(daily.periods, (std::vector<int>{288}));
        // Without timestamps, from the periodogram and autocorrelation alone.
        std::vector<double> q;
        for (int t = 0; t < 200; ++t)
            q.push_back(10 + 3 * std::sin(2 * M_PI * t / 12) + 0.01 * t);
        QCOMPARE(detectSeasons(q, 0).periods, (std::vector<int>{12}));
        // White noise has no season.
        std::mt19937_64 rng(9);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> noise;
        for (int t = 0; t < 500; ++t)
            noise.push_back(e(rng));
        QVERIFY(detectSeasons(noise, 60000).periods.empty());
    }

    void autoPicksASeasonalModelOnSeasonalData()
    {
        std::mt19937_64 rng(21);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y;
        for (int t = 0; t < 144; ++t)
            y.push_back(100 + 0.2 * t + 12 * std::sin(2 * M_PI * t / 12) + e(rng));
        ForecastOptions o;
        o.horizon = 12;
        auto r = forecastSeries(y, 0, o);
        QVERIFY(r.ok());
        QCOMPARE(r->seasons, std::vector<int>{12});
        QVERIFY2(r->family != QLatin1String("naive"), qPrintable(r->model));
        QVERIFY(r->reason.contains(QLatin1String("cross-validation")));
        QVERIFY(!r->candidates.isEmpty());
        for (int h = 0; h < 12; ++h) {
            const double truth = 100 + 0.2 * (144 + h) + 12 * std::sin(2 * M_PI * (144 + h) / 12);
            QVERIFY2(qAbs(r->mean[size_t(h)] - truth) < 3.5,
                     qPrintable(QStringLiteral("%1 at %2").arg(r->model).arg(h)));
        }
    }

    void longDailySeasonUsesDecomposition()
    {
        const auto y = dailyLoad(7, 3, false);
        ForecastOptions o;
        o.horizon = 288;
        auto r = forecastSeries(y, 300000, o);
        QVERIFY(r.ok());
        QCOMPARE(r->seasons, std::vector<int>{288});
        QVERIFY2(r->family == QLatin1String("mstl") || r->family == QLatin1String("snaive"),
                 qPrintable(r->model));
        double err = 0;
        for (int h = 0; h < 288; ++h) {
            const int t = 2016 + h;
            err += qAbs(r->mean[size_t(h)] - (40 + 15 * std::sin(2 * M_PI * t / 288.0) +
                                              5 * std::cos(4 * M_PI * t / 288.0)));
        }
        QVERIFY2(err / 288 < 2.5, qPrintable(QString::number(err / 288)));
    }

    // A Gaussian random walk: P(max_{k<=H} S_k > a) = 2 (1 - Phi(a / (sigma sqrt H))) for
    // Brownian motion; the discrete walk overshoots, which Siegmund's correction (a + 0.5826
    // sigma) accounts for. Per-step marginals would give only 1 - Phi(a / (sigma sqrt H)).
    void breachProbabilityOnRandomWalk_data()
    {
        QTest::addColumn<int>("horizon");
        QTest::addColumn<double>("signedDistance");
        QTest::newRow("H=50, a=8") << 50 << 8.0;
        QTest::newRow("H=100, a=5") << 100 << 5.0;
        QTest::newRow("H=20, a=9") << 20 << 9.0;
        // A floor: by symmetry, the probability of falling a below the last value.
        QTest::newRow("H=50, floor 8 below") << 50 << -8.0;
        QTest::newRow("H=100, floor 5 below") << 100 << -5.0;
    }
    void breachProbabilityOnRandomWalk()
    {
        QFETCH(int, horizon);
        QFETCH(double, signedDistance);
        const double distance = std::abs(signedDistance);
        std::mt19937_64 rng(77);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y{0};
        for (int t = 1; t < 3000; ++t)
            y.push_back(y.back() + e(rng));
        ForecastOptions o;
        o.horizon = horizon;
        o.model = QStringLiteral("naive");
        o.paths = 40000;
        o.threshold = y.back() + signedDistance;
        o.thresholdBelow = signedDistance < 0;
        auto r = forecastSeries(y, 0, o);
        QVERIFY(r.ok());
        const double sigma = std::sqrt(r->parameters.value(QLatin1String("sigma2")).toDouble());
        const double expected =
            2 * (1 - normalCdf((distance + 0.5826 * sigma) / (sigma * std::sqrt(double(horizon)))));
        qInfo("breach probability %.4f, analytic %.4f", r->breach->probability, expected);
        QVERIFY2(qAbs(r->breach->probability - expected) < 0.012,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->breach->probability).arg(expected)));
        QCOMPARE(r->breach->below, signedDistance < 0);
        QVERIFY(!r->breach->alreadyAbove);
        QVERIFY(r->breach->expectedStep && *r->breach->expectedStep > 1 &&
                *r->breach->expectedStep <= horizon);
        QVERIFY(*r->breach->lowerStep <= *r->breach->medianStep &&
                *r->breach->medianStep <= *r->breach->upperStep);
    }
};

QTEST_GUILESS_MAIN(TestForecastEngine)
#include "TestForecastEngine.moc"
