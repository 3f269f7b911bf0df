// SPDX-License-Identifier: GPL-3.0-or-later
// ETS against hand-computed values, maximum likelihood on simulated data, interval coverage.
#include "forecast/EtsModel.h"
#include "forecast/Forecaster.h"
#include "forecast/Stats.h"

#include <QTest>

using namespace doppel;
using namespace doppel::forecast;

class TestForecastEts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sesHandComputed()
    {
        // l0 = 10, alpha = 0.5: fitted 10, 10, 11, 11; final level 12.
        const std::vector<double> y{10, 12, 11, 13};
        EtsParameters p;
        p.alpha = 0.5;
        p.level = 10;
        auto m = EtsModel::withParameters(y, EtsSpec{}, p);
        QCOMPARE(m->fitted(), (std::vector<double>{10, 10, 11, 11}));
        QCOMPARE(m->pointForecast(3), (std::vector<double>{12, 12, 12}));
    }

    void holtHandComputed()
    {
        // l0 = 8, b0 = 2, alpha = 0.5, beta = 0.25 (beta* = 0.5). Only the last step errs
        // (f = 16, y = 15): l4 = 15.5, b4 = 2 + 0.5 (15.5 - 14 - 2) = 1.75.
        const std::vector<double> y{10, 12, 14, 15};
        EtsParameters p;
        p.alpha = 0.5;
        p.beta = 0.25;
        p.level = 8;
        p.slope = 2;
        auto m = EtsModel::withParameters(
            y, EtsSpec{EtsError::Additive, EtsTrend::Additive, EtsSeason::None, 1}, p);
        QCOMPARE(m->fitted(), (std::vector<double>{10, 12, 14, 16}));
        const auto f = m->pointForecast(3);
        QCOMPARE(f, (std::vector<double>{17.25, 19.0, 20.75}));
        // sigma² = SSE / max(1, n - k) = 1; c_j = alpha + beta j: v = 1, 1 + 0.75², + 1².
        const auto v = m->analyticVariance(3);
        QCOMPARE(v[0], 1.0);
        QCOMPARE(v[1], 1.5625);
        QCOMPARE(v[2], 2.5625);
    }

    void dampedTrendHandComputed()
    {
        // No error after the start: forecasts l + (phi + ... + phi^h) b.
        EtsParameters p;
        p.alpha = 0.5;
        p.beta = 0.1;
        p.phi = 0.9;
        p.level = 100;
        p.slope = 10;
        auto m = EtsModel::withParameters(
            {109.0}, EtsSpec{EtsError::Additive, EtsTrend::Damped, EtsSeason::None, 1}, p);
        // f1 = 100 + 9 = 109 = y1, so l1 = 109, b1 = 9.
        const auto f = m->pointForecast(2);
        QVERIFY(qAbs(f[0] - (109 + 0.9 * 9)) < 1e-9);
        QVERIFY(qAbs(f[1] - (109 + 0.9 * 9 + 0.81 * 9)) < 1e-9);
    }

    void maximumLikelihoodRecoversAlpha()
    {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y;
        double l = 50;
        for (int t = 0; t < 2000; ++t) {
            const double eps = e(rng);
            y.push_back(l + eps);
            l += 0.3 * eps;
        }
        auto m = EtsModel::fit(y, EtsSpec{});
        QVERIFY(m.ok());
        QVERIFY2(qAbs((*m)->fittedParameters().alpha - 0.3) < 0.05,
                 qPrintable(QString::number((*m)->fittedParameters().alpha)));
        QVERIFY(qAbs((*m)->sigma2() - 1) < 0.1);
    }

    void seasonalAutoEtsOnSeasonalData()
    {
        std::mt19937_64 rng(11);
        std::normal_distribution<double> e(0, 0.5);
        std::vector<double> y;
        for (int t = 0; t < 120; ++t)
            y.push_back(20 + 0.05 * t + 4 * std::sin(2 * M_PI * t / 12) + e(rng));
        auto m = EtsModel::autoFit(y, 12);
        QVERIFY(m.ok());
        QVERIFY2((*m)->spec().season != EtsSeason::None, qPrintable((*m)->name()));
        const auto f = (*m)->pointForecast(12);
        for (int h = 0; h < 12; ++h) {
            const double truth = 20 + 0.05 * (120 + h) + 4 * std::sin(2 * M_PI * (120 + h) / 12);
            QVERIFY2(qAbs(f[size_t(h)] - truth) < 1.5, qPrintable(QString::number(h)));
        }
    }

    // Series simulated from ETS(A,N,N) and ETS(A,A,N): the share of future values inside the
    // 80 % and 95 % intervals must be within 3 points of nominal.
    void intervalCoverage_data()
    {
        QTest::addColumn<bool>("trend");
        QTest::newRow("ETS(A,N,N)") << false;
        QTest::newRow("ETS(A,A,N)") << true;
    }
    void intervalCoverage()
    {
        QFETCH(bool, trend);
        std::mt19937_64 rng(trend ? 99 : 42);
        std::normal_distribution<double> e(0, 1);
        const int reps = 600, n = 120, h = 6;
        int inside80 = 0, inside95 = 0, total = 0;
        ForecastOptions o;
        o.horizon = h;
        o.model = QStringLiteral("ets");
        o.detectSeasons = false;
        for (int r = 0; r < reps; ++r) {
            std::vector<double> y;
            double l = 100, b = 0.2;
            for (int t = 0; t < n + h; ++t) {
                const double eps = e(rng);
                y.push_back(l + (trend ? b : 0) + eps);
                l = l + (trend ? b : 0) + 0.4 * eps;
                if (trend)
                    b += 0.05 * eps;
            }
            const std::vector<double> train(y.begin(), y.begin() + n);
            auto rep = forecastSeries(train, 0, o);
            QVERIFY(rep.ok());
            for (int i = 0; i < h; ++i) {
                const double actual = y[size_t(n + i)];
                inside80 += actual >= rep->bands[0].lower[size_t(i)] &&
                            actual <= rep->bands[0].upper[size_t(i)];
                inside95 += actual >= rep->bands[1].lower[size_t(i)] &&
                            actual <= rep->bands[1].upper[size_t(i)];
                ++total;
            }
        }
        const double c80 = 100.0 * inside80 / total, c95 = 100.0 * inside95 / total;
        qInfo("coverage 80%%: %.1f, 95%%: %.1f", c80, c95);
        QVERIFY2(qAbs(c80 - 80) <= 3, qPrintable(QString::number(c80)));
        QVERIFY2(qAbs(c95 - 95) <= 3, qPrintable(QString::number(c95)));
    }
};

QTEST_GUILESS_MAIN(TestForecastEts)
#include "TestForecastEts.moc"
