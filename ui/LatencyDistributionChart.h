// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diff/DiffEngine.h"

#include <QChartView>

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace doppel {

// One statement's latency distribution on production and on the shadow as two percentile
// curves (x: percentile 1..99.9, y: ms on a log scale), so a shift of the whole distribution
// and a heavier tail both show. The series are kept and their points replaced. GUI thread only.
class LatencyDistributionChart : public QChartView
{
    Q_OBJECT
public:
    explicit LatencyDistributionChart(QWidget* parent = nullptr);

    // Replaces both curves; `title` names the statement.
    void setSamples(const LatencySamples& samples, const QString& title);
    void clear();

    QLineSeries* prodSeries() const { return m_prod; }
    QLineSeries* shadowSeries() const { return m_shadow; }

private:
    QLineSeries* m_prod = nullptr;
    QLineSeries* m_shadow = nullptr;
    QValueAxis* m_percentAxis = nullptr;
    QLogValueAxis* m_msAxis = nullptr;
};

} // namespace doppel
