// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "metrics/MetricSample.h"

#include <QStringList>

#include <vector>

namespace doppel::forecast {

// A regular series ready for the models: one value per step, gaps filled, with what was done
// to the input listed in `notes` so the user sees it.
struct Series
{
    std::vector<double> values;
    qint64 startMs = 0; // first grid point; meaningful when stepMs > 0
    qint64 stepMs = 0;  // 0 when the input had no timestamps
    int gapsFilled = 0;
    int reordered = 0; // rows that were out of time order
    int realigned = 0; // observations moved onto the grid or merged into one slot
    QStringList notes;

    qint64 timestampAt(long index) const { return startMs + index * stepMs; }
};

// One parsed row: `missing` for an empty value field; `timeMs` unused without timestamps.
struct Observation
{
    qint64 timeMs = 0;
    double value = 0;
    bool missing = false;
    int line = 0;
};

// CSV `timestamp,value` (ISO-8601 or epoch seconds) or a single `value` column, header optional.
// NaN, infinities and non-numbers are errors naming the line. Any thread.
Result<Series> parseSeriesCsv(const QByteArray& data, const QString& sourceName);
Result<Series> readSeriesCsv(const QString& path);

// Sorts by time, merges duplicates, aligns to the median step and fills gaps by linear
// interpolation; without timestamps only interior missing values are interpolated.
Result<Series> regularize(std::vector<Observation> rows, bool timestamps);
Result<Series> seriesFromSamples(const MetricSamples& samples);

} // namespace doppel::forecast
