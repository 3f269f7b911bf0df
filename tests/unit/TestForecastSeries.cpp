// SPDX-License-Identifier: GPL-3.0-or-later
// Input hygiene of the forecasting engine: CSV forms, bad values named by line, time order,
// grid alignment and gap filling.
#include "forecast/Series.h"

#include <QTest>

using namespace doppel;
using namespace doppel::forecast;

class TestForecastSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptedForms_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<int>("points");
        QTest::addColumn<qint64>("stepMs");
        QTest::addColumn<double>("last");
        QTest::newRow("values, no header") << QByteArray("1\n2\n3.5\n") << 3 << qint64(0) << 3.5;
        QTest::newRow("values with header")
            << QByteArray("value\n1\n2\n4\n") << 3 << qint64(0) << 4.0;
        QTest::newRow("epoch seconds")
            << QByteArray("timestamp,value\n0,1\n60,2\n120,3\n") << 3 << qint64(60000) << 3.0;
        QTest::newRow("ISO-8601, no header")
            << QByteArray("2026-01-01T00:00:00Z,5\n2026-01-01T00:05:00Z,6\n"
                          "2026-01-01T00:10:00Z,7\r\n")
            << 3 << qint64(300000) << 7.0;
        QTest::newRow("ISO with space and offset")
            << QByteArray("time,value\n2026-01-01 01:00:00+01:00,1\n2026-01-01T00:01:00Z,2\n") << 2
            << qint64(60000) << 2.0;
        QTest::newRow("huge values")
            << QByteArray("1e300\n-1e300\n1.5e300\n") << 3 << qint64(0) << 1.5e300;
    }
    void acceptedForms()
    {
        QFETCH(QByteArray, csv);
        QFETCH(int, points);
        QFETCH(qint64, stepMs);
        QFETCH(double, last);
        auto s = parseSeriesCsv(csv, QStringLiteral("in.csv"));
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message));
        QCOMPARE(int(s->values.size()), points);
        QCOMPARE(s->stepMs, stepMs);
        QCOMPARE(s->values.back(), last);
    }

    void rejectedInput_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("expected");
        QTest::newRow("NaN") << QByteArray("value\n1\nNaN\n3\n") << QStringLiteral("line 3");
        QTest::newRow("inf") << QByteArray("0,1\n60,inf\n") << QStringLiteral("line 2");
        QTest::newRow("overflow") << QByteArray("1\n2\n1e999\n") << QStringLiteral("line 3");
        QTest::newRow("text") << QByteArray("1\n2\nabc\n")
                              << QStringLiteral("'abc' is not a number");
        QTest::newRow("bad time") << QByteArray("0,1\nyesterday,2\n")
                                  << QStringLiteral("line 2: timestamp 'yesterday'");
        QTest::newRow("columns") << QByteArray("0,1\n60,2,3\n") << QStringLiteral("line 2");
        QTest::newRow("three columns") << QByteArray("a,b,c\n") << QStringLiteral("3 columns");
        QTest::newRow("all missing")
            << QByteArray("t,value\n0,\n60,\n120,\n") << QStringLiteral("all 3 values are missing");
        QTest::newRow("empty") << QByteArray("value\n") << QStringLiteral("no data rows");
    }
    void rejectedInput()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QString, expected);
        auto s = parseSeriesCsv(csv, QStringLiteral("in.csv"));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::InvalidInput);
        QVERIFY2(s.error().message.contains(expected), qPrintable(s.error().message));
    }

    void unsortedTimestampsAreSorted()
    {
        auto s = parseSeriesCsv("120,3\n0,1\n60,2\n180,4\n", QStringLiteral("in.csv"));
        QVERIFY(s.ok());
        QCOMPARE(s->values, (std::vector<double>{1, 2, 3, 4}));
        QCOMPARE(s->reordered, 1);
        QCOMPARE(s->startMs, qint64(0));
        QVERIFY(s->notes.join(QLatin1Char(' ')).contains(QLatin1String("sorted")));
    }

    void gapsAreInterpolatedAndReported()
    {
        // Minute data with two missing minutes and one empty value.
        auto s = parseSeriesCsv("0,10\n60,12\n120,14\n180,16\n360,22\n420,\n480,26\n540,28\n",
                                QStringLiteral("in.csv"));
        QVERIFY(s.ok());
        QCOMPARE(s->stepMs, qint64(60000));
        QCOMPARE(s->values, (std::vector<double>{10, 12, 14, 16, 18, 20, 22, 24, 26, 28}));
        QCOMPARE(s->gapsFilled, 3);
        QVERIFY(s->notes.join(QLatin1Char(' ')).contains(QLatin1String("filled 3")));
    }

    void irregularTimestampsAreAligned()
    {
        // Jittered 5-minute samples and a duplicate land on a 5-minute grid.
        auto s = parseSeriesCsv("0,1\n310,2\n590,3\n600,5\n905,4\n", QStringLiteral("in.csv"));
        QVERIFY(s.ok());
        QCOMPARE(s->stepMs, qint64(300000));
        QCOMPARE(s->values, (std::vector<double>{1, 2, 4, 4}));
        QVERIFY(s->realigned >= 3);
    }

    void repositorySamples()
    {
        MetricSamples samples;
        for (int i : {3, 0, 1, 4})
            samples.append(MetricSample{QStringLiteral("cpu.percent"), i * 5000LL, double(i)});
        auto s = seriesFromSamples(samples);
        QVERIFY(s.ok());
        QCOMPARE(s->values, (std::vector<double>{0, 1, 2, 3, 4}));
        QCOMPARE(s->gapsFilled, 1);
        QVERIFY(!seriesFromSamples({}).ok());
    }
};

QTEST_GUILESS_MAIN(TestForecastSeries)
#include "TestForecastSeries.moc"
