// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ForecastFit.h"
#include "store/Repository.h"

#include <QSet>

#include <atomic>
#include <vector>

class QThreadPool;

namespace doppel::forecast {

struct RoundOptions
{
    std::vector<qint64> horizons{HourMs, DayMs, WeekMs};
    bool limits = true;
    QString host;           // only this host when not empty
    QSet<QString> suppress; // alert keys raised by the previous round: not raised again
    const std::atomic<bool>* cancel = nullptr;
};

struct RoundResult
{
    int fitted = 0;
    int failed = 0;
    int thresholdsChecked = 0;
    std::vector<Event> events; // raised this round (already in the repository's log)
    QSet<QString> activeKeys;  // alerts currently at risk: "threshold:ID:HOST", "limit:NAME:HOST"
    QSet<QString> hostsAtRisk;
    std::vector<LimitForecast> limits;
    QStringList errors;
};

// One re-fit round over the repository at `repoPath`: every (host, metric) with samples is fitted
// for each horizon on `pool` (each task reads through its own connection), the forecasts and the
// built-in limits' time to breach are stored, and thresholds and limits at risk append a
// recommendation event. Blocks until done; call it from a thread that is not one of `pool`'s.
RoundResult runForecastRound(const QString& repoPath, const RoundOptions& options,
                             QThreadPool& pool);

} // namespace doppel::forecast
