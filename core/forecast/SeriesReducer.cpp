// SPDX-License-Identifier: GPL-3.0-or-later
#include "SeriesReducer.h"

#include <algorithm>
#include <cmath>

namespace doppel::forecast {

std::vector<QPointF> reduceMinMax(const std::vector<QPointF>& points, int buckets)
{
    if (buckets < 1 || points.size() <= size_t(buckets) * 4)
        return points;
    const double x0 = points.front().x();
    const double span = points.back().x() - x0;
    if (!(span > 0))
        return {points.front(), points.back()};
    std::vector<QPointF> out;
    out.reserve(size_t(buckets) * 4);
    size_t i = 0;
    while (i < points.size()) {
        const int bucket =
            std::min(buckets - 1, int(std::floor((points[i].x() - x0) / span * buckets)));
        size_t first = i, lo = i, hi = i, last = i;
        for (++i; i < points.size(); ++i) {
            const int b =
                std::min(buckets - 1, int(std::floor((points[i].x() - x0) / span * buckets)));
            if (b != bucket)
                break;
            last = i;
            if (points[i].y() < points[lo].y())
                lo = i;
            if (points[i].y() > points[hi].y())
                hi = i;
        }
        // Keep x order inside the bucket and never emit one index twice.
        size_t keep[4] = {first, lo, hi, last};
        std::sort(std::begin(keep), std::end(keep));
        const size_t* end = std::unique(std::begin(keep), std::end(keep));
        for (const size_t* k = keep; k != end; ++k)
            out.push_back(points[*k]);
    }
    return out;
}

std::vector<QPointF> reduceLttb(const std::vector<QPointF>& points, int threshold)
{
    const size_t n = points.size();
    if (threshold < 3 || n <= size_t(threshold))
        return points;
    std::vector<QPointF> out;
    out.reserve(size_t(threshold));
    out.push_back(points.front());
    const double every = double(n - 2) / double(threshold - 2);
    size_t a = 0;
    for (int b = 0; b < threshold - 2; ++b) {
        // The next bucket's average is the third corner of the triangle.
        const size_t nextStart = size_t(std::floor((b + 1) * every)) + 1;
        const size_t nextEnd = std::min(n, size_t(std::floor((b + 2) * every)) + 1);
        double avgX = 0, avgY = 0;
        const size_t count = nextEnd > nextStart ? nextEnd - nextStart : 0;
        if (count > 0) {
            for (size_t j = nextStart; j < nextEnd; ++j) {
                avgX += points[j].x();
                avgY += points[j].y();
            }
            avgX /= double(count);
            avgY /= double(count);
        } else {
            avgX = points.back().x();
            avgY = points.back().y();
        }
        const size_t start = size_t(std::floor(b * every)) + 1;
        const size_t end = std::min(n - 1, size_t(std::floor((b + 1) * every)) + 1);
        double best = -1;
        size_t chosen = start;
        for (size_t j = start; j < end; ++j) {
            const double area = std::abs((points[a].x() - avgX) * (points[j].y() - points[a].y()) -
                                         (points[a].x() - points[j].x()) * (avgY - points[a].y()));
            if (area > best) {
                best = area;
                chosen = j;
            }
        }
        out.push_back(points[chosen]);
        a = chosen;
    }
    out.push_back(points.back());
    return out;
}

} // namespace doppel::forecast
