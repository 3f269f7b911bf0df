// SPDX-License-Identifier: GPL-3.0-or-later
#include "DashboardHistory.h"

#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

namespace doppel {

Result<MetricHistory> loadHostHistory(const QString& repositoryPath, const QString& host,
                                      qint64 fromMs, qint64 toMs)
{
    // One Repository per thread: this worker's own connection reads beside the writer (WAL).
    auto repo = Repository::open(repositoryPath);
    if (!repo)
        return repo.error();
    auto entry = (*repo)->host(host);
    if (!entry)
        return entry.error();
    auto withData = (*repo)->metricsWithData(entry->id);
    if (!withData)
        return withData.error();
    MetricHistory history;
    for (const QString& metric : metricNames()) {
        if (!withData->contains(metric))
            continue;
        auto samples = (*repo)->samples(entry->id, metric, fromMs, toMs);
        if (!samples)
            return samples.error();
        QList<QPointF> points;
        points.reserve(samples->size());
        for (const MetricSample& s : std::as_const(*samples))
            points.append(QPointF(double(s.timestampMs), s.value));
        history.insert(metric, std::move(points));
    }
    return history;
}

} // namespace doppel
