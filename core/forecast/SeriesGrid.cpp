// SPDX-License-Identifier: GPL-3.0-or-later
#include "Series.h"

#include "common/Duration.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

namespace doppel::forecast {

namespace {

// Linear interpolation over NaN runs; returns how many were filled. Leading and trailing runs
// are left for the caller.
int interpolate(std::vector<double>& v)
{
    int filled = 0;
    long prev = -1;
    for (long i = 0; i < long(v.size()); ++i) {
        if (std::isnan(v[size_t(i)]))
            continue;
        if (prev >= 0 && i - prev > 1) {
            for (long j = prev + 1; j < i; ++j) {
                const double w = double(j - prev) / double(i - prev);
                v[size_t(j)] = v[size_t(prev)] * (1 - w) + v[size_t(i)] * w;
                ++filled;
            }
        }
        prev = i;
    }
    return filled;
}

} // namespace

Result<Series> regularize(std::vector<Observation> rows, bool timestamps)
{
    Series s;
    const size_t present = size_t(
        std::count_if(rows.begin(), rows.end(), [](const Observation& o) { return !o.missing; }));
    if (present == 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("all %1 values are missing").arg(rows.size()));
    if (!timestamps) {
        std::vector<double> v;
        v.reserve(rows.size());
        for (const auto& o : rows)
            v.push_back(o.missing ? std::nan("") : o.value);
        const auto firstIt =
            std::find_if(v.begin(), v.end(), [](double x) { return !std::isnan(x); });
        const auto lastIt =
            std::find_if(v.rbegin(), v.rend(), [](double x) { return !std::isnan(x); });
        const long lead = long(firstIt - v.begin()), trail = long(lastIt - v.rbegin());
        v = std::vector<double>(firstIt, lastIt.base());
        s.gapsFilled = interpolate(v);
        if (lead + trail > 0)
            s.notes << QStringLiteral("dropped %1 leading and %2 trailing missing values")
                           .arg(lead)
                           .arg(trail);
        if (s.gapsFilled > 0)
            s.notes << QStringLiteral("filled %1 missing values by linear interpolation")
                           .arg(s.gapsFilled);
        s.values = std::move(v);
        return s;
    }
    std::erase_if(rows, [](const Observation& o) { return o.missing; });
    for (size_t i = 1; i < rows.size(); ++i)
        if (rows[i].timeMs < rows[i - 1].timeMs)
            ++s.reordered;
    if (s.reordered > 0) {
        std::stable_sort(rows.begin(), rows.end(), [](const Observation& a, const Observation& b) {
            return a.timeMs < b.timeMs;
        });
        s.notes << QStringLiteral("sorted %1 rows that were out of time order").arg(s.reordered);
    }
    std::vector<qint64> diffs;
    for (size_t i = 1; i < rows.size(); ++i)
        if (rows[i].timeMs > rows[i - 1].timeMs)
            diffs.push_back(rows[i].timeMs - rows[i - 1].timeMs);
    if (diffs.empty()) {
        // One distinct time: a single point, kept as such.
        double sum = 0;
        for (const auto& o : rows)
            sum += o.value;
        s.values = {sum / double(rows.size())};
        s.startMs = rows.front().timeMs;
        return s;
    }
    std::nth_element(diffs.begin(), diffs.begin() + long(diffs.size() / 2), diffs.end());
    qint64 step = diffs[diffs.size() / 2];
    // Collectors sample on round intervals with jitter: snap the median to the nearest round
    // interval within 5 % so the grid does not drift.
    static const qint64 round[] = {1000,    2000,    5000,     10000,    15000,    30000,
                                   60000,   120000,  300000,   600000,   900000,   1800000,
                                   3600000, 7200000, 21600000, 43200000, 86400000, 604800000};
    for (qint64 r : round)
        if (std::llabs(step - r) * 20 <= r) {
            step = r;
            break;
        }
    const qint64 t0 = rows.front().timeMs;
    const qint64 slots = (rows.back().timeMs - t0 + step / 2) / step + 1;
    if (slots > std::max<qint64>(20 * qint64(rows.size()), 1000) || slots > 20'000'000)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("timestamps are too sparse: %1 observations over %2 steps "
                                        "of %3")
                             .arg(rows.size())
                             .arg(slots)
                             .arg(formatDuration(std::chrono::milliseconds(step))));
    std::vector<double> sum(size_t(slots), 0.0);
    std::vector<int> count(size_t(slots), 0);
    for (const auto& o : rows) {
        const qint64 offset = o.timeMs - t0;
        const qint64 idx = (offset + step / 2) / step;
        if (std::llabs(offset - idx * step) * 100 > step || count[size_t(idx)] > 0)
            ++s.realigned;
        sum[size_t(idx)] += o.value;
        ++count[size_t(idx)];
    }
    s.values.assign(size_t(slots), std::nan(""));
    for (size_t i = 0; i < size_t(slots); ++i)
        if (count[i] > 0)
            s.values[i] = sum[i] / count[i];
    s.gapsFilled = interpolate(s.values);
    s.startMs = t0;
    s.stepMs = step;
    if (s.realigned > 0)
        s.notes << QStringLiteral("aligned %1 irregular or duplicate timestamps to a grid of %2")
                       .arg(s.realigned)
                       .arg(formatDuration(std::chrono::milliseconds(step)));
    if (s.gapsFilled > 0)
        s.notes << QStringLiteral("filled %1 missing steps of %2 by linear interpolation")
                       .arg(s.gapsFilled)
                       .arg(formatDuration(std::chrono::milliseconds(step)));
    return s;
}

} // namespace doppel::forecast
