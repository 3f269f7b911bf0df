// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace doppel {

// How a metric's raw values are shown: shown = raw / divisor, followed by `unit`. Bytes are
// scaled to KiB/MiB/GiB/TiB by the largest value in view; ratios are shown as percent.
struct DisplayScale
{
    double divisor = 1.0;
    QString unit;
};

// `catalogUnit` is MetricInfo::unit ("bytes", "bytes/s", "ratio", "%", "tx/s", ...).
DisplayScale displayScale(const QString& catalogUnit, double largestAbsValue);
// One value with its own scale, e.g. "1.5 GiB", "97.2 %", "12 tx/s".
QString formatValue(double raw, const QString& catalogUnit);
// A number with the digits its size deserves (3 significant, no trailing zeros).
QString formatNumber(double shown);

} // namespace doppel
