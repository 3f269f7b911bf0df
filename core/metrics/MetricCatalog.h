// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace doppel {

// Workload metrics are not collected from a host: `doppelctl workload summary --store` writes
// them from a capture's time windows.
enum class MetricSourceKind { Os, Postgres, Workload };

// The stable, documented metric names (the Metrics table of README.md). Scripts depend on these
// strings.
struct MetricInfo
{
    const char* name;
    const char* unit; // "%", "bytes", "bytes/s", "tx/s", "count", "ratio", "xids",
                      // "statements/s"
    MetricSourceKind source;
    const char* description;
};

const std::vector<MetricInfo>& metricCatalog();
std::optional<MetricInfo> findMetric(const QString& name);
QStringList metricNames();

} // namespace doppel
