// SPDX-License-Identifier: GPL-3.0-or-later
// The Forecast view on a temporary repository with four days of synthetic five-minute samples
// with a daily cycle: it shows history (reduced), mean and 80/95 % bands for the metric, model
// and accuracy, switches horizon, and a threshold set below the daily peak logs a recommendation
// event (source "forecast") with its evidence and marks the predicted breach; a headless
// `doppelctl forecast-service run-once` stores the PostgreSQL limits the view then lists.
#include "ForecastView.h"

#include "CommandLine.h"
#include "store/Repository.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace doppel;

class TestForecastView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<ForecastView> m_view;

    template <typename T> T* child(const char* name)
    {
        auto* w = m_view->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }

    // Chart series belong to the chart, not to the view's widget tree.
    template <typename T> T* series(const char* name)
    {
        auto* s = child<QChartView>("forecastChart")->chart()->findChild<T*>(QLatin1String(name));
        if (!s)
            qFatal("no series %s", name);
        return s;
    }

    void waitIdle() { QTRY_VERIFY_WITH_TIMEOUT(!m_view->isLoading(), 60000); }

private Q_SLOTS:
    void initTestCase()
    {
        m_path = m_dir.filePath(QStringLiteral("doppel.sqlite"));
        auto repo = Repository::open(m_path);
        QVERIFY(repo.ok());
        Host h;
        h.name = QStringLiteral("db1");
        h.conninfo = QStringLiteral("host=127.0.0.1 dbname=app");
        auto id = (*repo)->addHost(h);
        QVERIFY(id.ok());
        // CPU: 50 % ± 20 with its peak at noon every day; connections flat.
        std::mt19937 rng(5);
        std::normal_distribution<double> noise(0, 1);
        const qint64 step = 300'000;
        const qint64 end = QDateTime::currentMSecsSinceEpoch() / step * step;
        MetricSamples samples;
        const int n = 4 * 288;
        for (int i = 0; i < n; ++i) {
            const qint64 ts = end - qint64(n - 1 - i) * step;
            samples.append({QStringLiteral("cpu_percent"), ts,
                            50 - 20 * std::cos(2 * M_PI * (i % 288) / 288.0) + noise(rng)});
            samples.append({QStringLiteral("pg_connections_total"), ts, 20 + noise(rng)});
            samples.append({QStringLiteral("pg_max_connections"), ts, 100});
        }
        QVERIFY((*repo)->appendSamples(*id, samples).ok());
        m_view = std::make_unique<ForecastView>(m_path);
        m_view->resize(1000, 700);
        m_view->show();
    }

    void showsBandsForMetric()
    {
        m_view->setHost(QStringLiteral("db1"));
        waitIdle();
        auto* metrics = child<QComboBox>("metricCombo");
        QCOMPARE(metrics->count(), 3);
        QCOMPARE(m_view->metric(), QStringLiteral("cpu_percent"));
        QCOMPARE(m_view->horizonMs(), forecast::DayMs);
        auto* band80 = series<QAreaSeries>("band80");
        auto* band95 = series<QAreaSeries>("band95");
        auto* mean = series<QLineSeries>("forecastMean");
        auto* history = series<QLineSeries>("history");
        QCOMPARE(mean->count(), 288);
        QCOMPARE(band80->upperSeries()->count(), 288);
        QCOMPARE(band95->lowerSeries()->count(), 288);
        // The 95 % band holds the 80 % band, which holds the mean.
        for (int i = 0; i < mean->count(); i += 17) {
            QVERIFY(band95->lowerSeries()->at(i).y() <= band80->lowerSeries()->at(i).y());
            QVERIFY(band80->lowerSeries()->at(i).y() <= mean->at(i).y());
            QVERIFY(mean->at(i).y() <= band80->upperSeries()->at(i).y());
            QVERIFY(band80->upperSeries()->at(i).y() <= band95->upperSeries()->at(i).y());
        }
        // The daily peak near 70 shows in the forecast.
        double peak = 0;
        for (const QPointF& p : mean->points())
            peak = std::max(peak, p.y());
        QVERIFY2(peak > 62 && peak < 78, qPrintable(QString::number(peak)));
        // Four days of history, reduced to at most four points per pixel column.
        QVERIFY(history->count() > 100);
        QVERIFY(history->count() <= 4 * std::max(100, m_view->width()));
        QVERIFY(child<QLabel>("modelLabel")->text().startsWith(QStringLiteral("Model ")));
        QVERIFY(child<QLabel>("accuracyLabel")->text().contains(QStringLiteral("MASE")));
        QCOMPARE(series<QLineSeries>("thresholdLine")->count(), 0);

        child<QComboBox>("horizonCombo")->setCurrentIndex(0); // 1 hour
        waitIdle();
        QCOMPARE(mean->count(), 12);
        child<QComboBox>("horizonCombo")->setCurrentIndex(1);
        waitIdle();
        QCOMPARE(mean->count(), 288);
    }

    void thresholdBelowDailyPeakRaisesRecommendation()
    {
        QSignalSpy logged(m_view.get(), &ForecastView::eventLogged);
        child<QDoubleSpinBox>("thresholdValue")->setValue(65);
        child<QDoubleSpinBox>("thresholdProbability")->setValue(80);
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        waitIdle();
        QCOMPARE(logged.count(), 1);
        const auto event = logged.first().first().value<Event>();
        QCOMPARE(event.source, QStringLiteral("forecast"));
        QCOMPARE(event.host, QStringLiteral("db1"));
        QVERIFY(event.message.contains(QStringLiteral("cpu_percent")));
        QVERIFY(event.message.contains(QStringLiteral("expected crossing")));
        QCOMPARE(series<QLineSeries>("thresholdLine")->count(), 2);
        QCOMPARE(series<QLineSeries>("thresholdLine")->at(0).y(), 65.0);
        QCOMPARE(series<QScatterSeries>("breachMarker")->count(), 1);
        QVERIFY(child<QLabel>("breachLabel")->text().contains(QStringLiteral("expected breach")));

        auto repo = Repository::open(m_path);
        QVERIFY(repo.ok());
        auto events = (*repo)->events(10);
        QVERIFY(events.ok());
        QCOMPARE(int(events->size()), 1);
        QCOMPARE(events->front().source, QStringLiteral("forecast"));
        auto thresholds = (*repo)->thresholds();
        QVERIFY(thresholds.ok());
        QCOMPARE(int(thresholds->size()), 1);
        QCOMPARE(thresholds->front().value, 65.0);

        // A threshold far above the cycle is stored but raises nothing.
        child<QDoubleSpinBox>("thresholdValue")->setValue(500);
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        waitIdle();
        QCOMPARE(logged.count(), 1);
        QCOMPARE(series<QScatterSeries>("breachMarker")->count(), 0);
    }

    void headlessRoundFillsLimits()
    {
        // `doppelctl forecast-service run-once` on the same repository: the threshold at risk is
        // raised again (a fresh process has no memory of earlier episodes), the built-in
        // connections limit is estimated, and the view shows it after a reload.
        QString outText, errText;
        QTextStream out(&outText), err(&errText);
        const int rc =
            cli::runDoppelctl({QStringLiteral("--repo"), m_path, QStringLiteral("forecast-service"),
                               QStringLiteral("run-once"), QStringLiteral("--horizons"),
                               QStringLiteral("1h"), QStringLiteral("--json")},
                              out, err);
        out.flush();
        QVERIFY2(rc == 0, qPrintable(errText));
        const QJsonObject o = QJsonDocument::fromJson(outText.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("fitted")).toInt(), 3);
        QCOMPARE(o.value(QStringLiteral("thresholdsChecked")).toInt(), 2);
        QCOMPARE(o.value(QStringLiteral("events")).toArray().size(), 1);
        const QJsonArray limits = o.value(QStringLiteral("limits")).toArray();
        QCOMPARE(limits.size(), 1);
        QCOMPARE(limits[0].toObject().value(QStringLiteral("limit")).toString(),
                 QStringLiteral("connections"));
        QVERIFY(limits[0].toObject().value(QStringLiteral("breachProbability")).toDouble() < 0.05);

        m_view->reload();
        waitIdle();
        auto* table = child<QTableWidget>("limitsTable");
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("connections"));
        QVERIFY(table->item(0, 2)->text().startsWith(QStringLiteral("not within")));
    }

    // A floor: the cycle's trough is about 30, so "below 35" is crossed within the day.
    void floorAboveDailyTroughRaisesRecommendation()
    {
        m_view->setHost(QStringLiteral("db1"));
        waitIdle();
        QSignalSpy logged(m_view.get(), &ForecastView::eventLogged);
        auto* direction = child<QComboBox>("thresholdDirection");
        direction->setCurrentIndex(direction->findData(true));
        child<QDoubleSpinBox>("thresholdValue")->setValue(35);
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        waitIdle();
        QCOMPARE(logged.count(), 1);
        const auto event = logged.first().first().value<Event>();
        QVERIFY2(event.message.contains(QStringLiteral("fall below 35")),
                 qPrintable(event.message));
        QVERIFY(child<QLabel>("breachLabel")->text().contains(QStringLiteral("cpu_percent < 35")));
        QCOMPARE(series<QScatterSeries>("breachMarker")->count(), 1);
        auto repo = Repository::open(m_path);
        QVERIFY(repo.ok());
        auto thresholds = (*repo)->thresholds();
        QVERIFY(thresholds.ok());
        QVERIFY(thresholds->back().below);
        direction->setCurrentIndex(direction->findData(false));
    }

    // Remove takes the threshold off the chart; the next newest on the metric takes its place
    // until none is left.
    void removeThresholdsOneByOne()
    {
        auto repo = Repository::open(m_path);
        QVERIFY(repo.ok());
        const auto count = [&] { return int((*repo)->thresholds()->size()); };
        const int before = count();
        QVERIFY(before >= 2);
        auto* remove = child<QPushButton>("removeThresholdButton");
        for (int left = before - 1; left >= 0; --left) {
            QVERIFY(remove->isEnabled());
            QTest::mouseClick(remove, Qt::LeftButton);
            waitIdle();
            QCOMPARE(count(), left);
            QCOMPARE(series<QLineSeries>("thresholdLine")->count(), left > 0 ? 2 : 0);
        }
        QVERIFY(!remove->isEnabled());
        QVERIFY(child<QLabel>("breachLabel")->text().startsWith(QStringLiteral("No threshold")));
    }

    void cleanupTestCase() { m_view.reset(); }
};

QTEST_MAIN(TestForecastView)
#include "TestForecastView.moc"
