// SPDX-License-Identifier: GPL-3.0-or-later
// ARIMA: coefficients recovered from simulated AR/MA processes, differencing chosen by KPSS,
// interval coverage on an AR(1).
#include "forecast/ArimaModel.h"
#include "forecast/Forecaster.h"
#include "forecast/Stats.h"

#include <QTest>

using namespace doppel;
using namespace doppel::forecast;

namespace {

// x_t = c + Σ phi_i x_{t-i} + e_t + Σ theta_j e_{t-j}, after a burn-in.
std::vector<double> simulateArma(const std::vector<double>& phi, const std::vector<double>& theta,
                                 int n, unsigned seed, double c = 0)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> e(0, 1);
    const int burn = 300;
    std::vector<double> x(size_t(n + burn), 0.0), eps(size_t(n + burn), 0.0);
    for (int t = 0; t < n + burn; ++t) {
        eps[size_t(t)] = e(rng);
        double v = c + eps[size_t(t)];
        for (size_t i = 0; i < phi.size(); ++i)
            if (t > int(i))
                v += phi[i] * x[size_t(t) - i - 1];
        for (size_t j = 0; j < theta.size(); ++j)
            if (t > int(j))
                v += theta[j] * eps[size_t(t) - j - 1];
        x[size_t(t)] = v;
    }
    return std::vector<double>(x.begin() + burn, x.end());
}

} // namespace

class TestForecastArima : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recoversCoefficients_data()
    {
        QTest::addColumn<int>("p");
        QTest::addColumn<int>("q");
        QTest::addColumn<QList<double>>("phiList");
        QTest::addColumn<QList<double>>("thetaList");
        QTest::newRow("AR(1) 0.6") << 1 << 0 << QList<double>{0.6} << QList<double>{};
        QTest::newRow("AR(1) -0.4") << 1 << 0 << QList<double>{-0.4} << QList<double>{};
        QTest::newRow("MA(1) 0.5") << 0 << 1 << QList<double>{} << QList<double>{0.5};
        QTest::newRow("AR(2) 0.5,-0.3") << 2 << 0 << QList<double>{0.5, -0.3} << QList<double>{};
        QTest::newRow("ARMA(1,1)") << 1 << 1 << QList<double>{0.7} << QList<double>{-0.3};
    }
    void recoversCoefficients()
    {
        QFETCH(int, p);
        QFETCH(int, q);
        QFETCH(QList<double>, phiList);
        QFETCH(QList<double>, thetaList);
        const std::vector<double> phi(phiList.begin(), phiList.end());
        const std::vector<double> theta(thetaList.begin(), thetaList.end());
        const auto y = simulateArma(phi, theta, 2000, 1234, 2.0);
        auto m = ArimaModel::fit(y, ArimaOrder{p, 0, q, 0, 0, 0, 1, true});
        QVERIFY(m.ok());
        for (size_t i = 0; i < phi.size(); ++i)
            QVERIFY2(qAbs((*m)->ar()[i] - phi[i]) < 0.06,
                     qPrintable(QStringLiteral("phi%1 = %2").arg(i + 1).arg((*m)->ar()[i])));
        for (size_t j = 0; j < theta.size(); ++j)
            QVERIFY2(qAbs((*m)->ma()[j] - theta[j]) < 0.06,
                     qPrintable(QStringLiteral("theta%1 = %2").arg(j + 1).arg((*m)->ma()[j])));
        double sumPhi = 0;
        for (double v : phi)
            sumPhi += v;
        const double mu = 2.0 / (1 - sumPhi);
        QVERIFY2(qAbs((*m)->mean() - mu) < 0.25, qPrintable(QString::number((*m)->mean())));
        QVERIFY(qAbs((*m)->sigma2() - 1) < 0.1);
    }

    void autoArimaFindsTheOrder()
    {
        const auto y = simulateArma({0.7}, {}, 1000, 99, 1.0);
        auto m = ArimaModel::autoFit(y, 1);
        QVERIFY(m.ok());
        QCOMPARE((*m)->order().d, 0);
        QVERIFY2((*m)->order().p >= 1, qPrintable((*m)->name()));
        // A random walk is differenced once.
        std::vector<double> walk;
        double s = 0;
        for (double v : simulateArma({}, {}, 500, 5))
            walk.push_back(s += v);
        auto w = ArimaModel::autoFit(walk, 1);
        QVERIFY(w.ok());
        QCOMPARE((*w)->order().d, 1);
    }

    void seasonalDifferenceOnSeasonalData()
    {
        std::mt19937_64 rng(3);
        std::normal_distribution<double> e(0, 1);
        std::vector<double> y;
        for (int t = 0; t < 144; ++t)
            y.push_back(50 + 10 * std::sin(2 * M_PI * t / 12) + e(rng));
        auto m = ArimaModel::autoFit(y, 12);
        QVERIFY(m.ok());
        QVERIFY2((*m)->order().D == 1 || (*m)->order().P > 0, qPrintable((*m)->name()));
        const auto f = (*m)->pointForecast(12);
        for (int h = 0; h < 12; ++h)
            QVERIFY(qAbs(f[size_t(h)] - (50 + 10 * std::sin(2 * M_PI * (144 + h) / 12))) < 2.5);
    }

    void psiWeightVariance()
    {
        // AR(1): var_h = sigma² Σ_{j<h} phi^{2j}.
        const auto y = simulateArma({0.5}, {}, 3000, 8);
        auto m = ArimaModel::fit(y, ArimaOrder{1, 0, 0, 0, 0, 0, 1, true});
        QVERIFY(m.ok());
        const double phi = (*m)->ar()[0], s2 = (*m)->sigma2();
        const auto v = (*m)->analyticVariance(3);
        QVERIFY(qAbs(v[0] - s2) < 1e-12);
        QVERIFY(qAbs(v[2] - s2 * (1 + phi * phi + std::pow(phi, 4))) < 1e-12);
    }

    // The known model (AR(1) with mean) fitted to 1,000 simulated series: the share of the next
    // five values inside the 80 % and 95 % intervals must be within 3 points of nominal.
    void intervalCoverage()
    {
        const double z80 = normalQuantile(0.9), z95 = normalQuantile(0.975);
        int in80 = 0, in95 = 0, total = 0;
        for (unsigned r = 0; r < 1000; ++r) {
            const auto y = simulateArma({0.6}, {}, 155, 1000 + r, 4.0);
            const std::vector<double> train(y.begin(), y.begin() + 150);
            auto m = ArimaModel::fit(train, ArimaOrder{1, 0, 0, 0, 0, 0, 1, true});
            QVERIFY(m.ok());
            const auto f = (*m)->pointForecast(5);
            const auto v = (*m)->analyticVariance(5);
            for (size_t i = 0; i < 5; ++i) {
                const double err = qAbs(y[150 + i] - f[i]);
                in80 += err <= z80 * std::sqrt(v[i]);
                in95 += err <= z95 * std::sqrt(v[i]);
                ++total;
            }
        }
        const double c80 = 100.0 * in80 / total, c95 = 100.0 * in95 / total;
        qInfo("coverage 80%%: %.1f, 95%%: %.1f", c80, c95);
        QVERIFY2(qAbs(c80 - 80) <= 3, qPrintable(QString::number(c80)));
        QVERIFY2(qAbs(c95 - 95) <= 3, qPrintable(QString::number(c95)));
    }

    // Seasonal ARIMA through the engine: simulated ARIMA(0,0,0)(0,1,1)[4] series.
    void seasonalIntervalCoverageThroughEngine()
    {
        ForecastOptions o;
        o.horizon = 4;
        o.model = QStringLiteral("arima");
        o.detectSeasons = false;
        o.seasons = {4};
        int in80 = 0, total = 0;
        for (unsigned r = 0; r < 300; ++r) {
            const auto e = simulateArma({}, {}, 124, 5000 + r);
            std::vector<double> y(124);
            for (size_t t = 0; t < 124; ++t)
                y[t] = (t >= 4 ? y[t - 4] : 10.0 * double(t % 4)) + e[t] +
                       (t >= 4 ? -0.5 * e[t - 4] : 0.0);
            const std::vector<double> train(y.begin(), y.begin() + 120);
            auto rep = forecastSeries(train, 0, o);
            QVERIFY(rep.ok());
            for (size_t i = 0; i < 4; ++i) {
                in80 +=
                    y[120 + i] >= rep->bands[0].lower[i] && y[120 + i] <= rep->bands[0].upper[i];
                ++total;
            }
        }
        const double c80 = 100.0 * in80 / total;
        qInfo("seasonal coverage 80%%: %.1f", c80);
        // Order selection adds uncertainty the intervals do not carry: a looser bound here.
        QVERIFY2(qAbs(c80 - 80) <= 5, qPrintable(QString::number(c80)));
    }
};

QTEST_GUILESS_MAIN(TestForecastArima)
#include "TestForecastArima.moc"
