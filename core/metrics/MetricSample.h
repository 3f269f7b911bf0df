// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace doppel {

// One observation. `timestampMs` is milliseconds since the Unix epoch, UTC.
struct MetricSample
{
    QString metric;
    qint64 timestampMs = 0;
    double value = 0;
};

using MetricSamples = QList<MetricSample>;

} // namespace doppel

Q_DECLARE_METATYPE(doppel::MetricSample)
Q_DECLARE_METATYPE(doppel::MetricSamples)
