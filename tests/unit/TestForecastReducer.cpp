// SPDX-License-Identifier: GPL-3.0-or-later
// The chart reducers: per-pixel min/max keeps every bucket's extremes in order, LTTB keeps the
// requested count with the ends and the spikes, and short input passes through unchanged.
#include "forecast/SeriesReducer.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace doppel::forecast;

namespace {

std::vector<QPointF> noisySine(int n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 1);
    std::vector<QPointF> out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(i * 60.0, 50 + 20 * std::sin(i * 2 * M_PI / 1440) + noise(rng));
    return out;
}

bool sortedByX(const std::vector<QPointF>& v)
{
    return std::is_sorted(v.begin(), v.end(),
                          [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
}

} // namespace

class TestForecastReducer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void minMaxKeepsExtremesPerBucket_data()
    {
        QTest::addColumn<int>("points");
        QTest::addColumn<int>("buckets");
        QTest::newRow("year of minutes on 800 px") << 525600 << 800;
        QTest::newRow("day of seconds on 300 px") << 86400 << 300;
        QTest::newRow("just above the limit") << 41 << 10;
    }
    void minMaxKeepsExtremesPerBucket()
    {
        QFETCH(int, points);
        QFETCH(int, buckets);
        const auto in = noisySine(points, 7);
        const auto out = reduceMinMax(in, buckets);
        QVERIFY(out.size() <= size_t(buckets) * 4);
        QVERIFY(out.size() >= size_t(buckets)); // every bucket has points here
        QVERIFY(sortedByX(out));
        QCOMPARE(out.front(), in.front());
        QCOMPARE(out.back(), in.back());
        // Each bucket's extremes survive: compare per bucket.
        const double x0 = in.front().x(), span = in.back().x() - x0;
        std::vector<double> inMin(size_t(buckets), 1e300), inMax(size_t(buckets), -1e300);
        std::vector<double> outMin = inMin, outMax = inMax;
        const auto bucketOf = [&](const QPointF& p) {
            return size_t(std::min(buckets - 1, int(std::floor((p.x() - x0) / span * buckets))));
        };
        for (const auto& p : in) {
            inMin[bucketOf(p)] = std::min(inMin[bucketOf(p)], p.y());
            inMax[bucketOf(p)] = std::max(inMax[bucketOf(p)], p.y());
        }
        for (const auto& p : out) {
            outMin[bucketOf(p)] = std::min(outMin[bucketOf(p)], p.y());
            outMax[bucketOf(p)] = std::max(outMax[bucketOf(p)], p.y());
        }
        QCOMPARE(outMin, inMin);
        QCOMPARE(outMax, inMax);
    }

    void shortInputUnchanged()
    {
        const auto in = noisySine(40, 1);
        QCOMPARE(reduceMinMax(in, 10), in);
        QCOMPARE(reduceLttb(in, 40), in);
        QCOMPARE(reduceLttb(in, 2), in);
        QVERIFY(reduceMinMax({}, 10).empty());
    }

    void lttbKeepsCountEndsAndSpike()
    {
        auto in = noisySine(100000, 3);
        in[54321].setY(1000); // one spike the eye must still see
        const auto out = reduceLttb(in, 500);
        QCOMPARE(out.size(), size_t(500));
        QCOMPARE(out.front(), in.front());
        QCOMPARE(out.back(), in.back());
        QVERIFY(sortedByX(out));
        QVERIFY(
            std::any_of(out.begin(), out.end(), [](const QPointF& p) { return p.y() == 1000; }));
    }

    void lttbOnLineKeepsShape()
    {
        // On a straight line every triangle is flat: the reduction stays on the line.
        std::vector<QPointF> line;
        for (int i = 0; i < 10000; ++i)
            line.emplace_back(i, 2.0 * i + 1);
        for (const auto& p : reduceLttb(line, 100))
            QCOMPARE(p.y(), 2.0 * p.x() + 1);
    }
};

QTEST_APPLESS_MAIN(TestForecastReducer)
#include "TestForecastReducer.moc"
