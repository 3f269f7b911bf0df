// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointF>

#include <vector>

namespace doppel::forecast {

// Reduces long histories before they are drawn, so a chart with a year of one-minute samples
// (≈ 525,000 points) stays fluid. Pure functions: any thread may call them. Input points must be
// sorted by x.

// Per-bucket min/max: the x range is split into `buckets` equal slices (one per pixel column);
// each non-empty slice keeps its first, minimum, maximum and last point in x order, so spikes
// and the line's continuity survive. At most 4 · buckets points; input no longer than that is
// returned unchanged.
std::vector<QPointF> reduceMinMax(const std::vector<QPointF>& points, int buckets);

// Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last point and, from
// each of `threshold - 2` buckets, the point forming the largest triangle with the previously
// kept point and the next bucket's average. Returns `threshold` points (the input unchanged when
// it is no longer, or when threshold < 3).
std::vector<QPointF> reduceLttb(const std::vector<QPointF>& points, int threshold);

} // namespace doppel::forecast
