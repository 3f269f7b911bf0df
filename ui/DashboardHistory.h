// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

namespace doppel {

// Chart points per metric name: x = ms since the epoch, y = raw value.
using MetricHistory = QHash<QString, QList<QPointF>>;

// Reads one host's samples in [fromMs, toMs] for every catalog metric. Opens its own Repository,
// so any worker thread may call it; never call it on the GUI thread (it reads the whole window).
Result<MetricHistory> loadHostHistory(const QString& repositoryPath, const QString& host,
                                      qint64 fromMs, qint64 toMs);

} // namespace doppel
