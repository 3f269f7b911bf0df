// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CaptureReader.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <algorithm>

namespace doppel {

// Orders per-fingerprint figures as the reports list them: by total time, largest first, ties
// by fingerprint so the order is stable.
template <typename Stats> void sortByTotalTime(QList<Stats>& list)
{
    std::sort(list.begin(), list.end(), [](const Stats& a, const Stats& b) {
        return a.totalMs != b.totalMs ? a.totalMs > b.totalMs : a.fingerprint < b.fingerprint;
    });
}

// Per-fingerprint figures of a capture, as `doppelctl capture stats` prints them.
struct StatementStats
{
    QString fingerprint; // libpg_query's, hex
    QString query;       // normalized text ($1 for literals)
    qint64 calls = 0;
    double totalMs = 0;
    double meanMs = 0;
    double p95Ms = 0;
    qint64 rows = 0;
    qint64 errors = 0;
    // What the shadow did with the mirrored calls of this statement (mirrored == 0: none).
    qint64 mirrored = 0;
    double shadowMeanMs = 0;
    double shadowP95Ms = 0;
    qint64 shadowErrors = 0;
};

struct CaptureStats
{
    qint64 statements = 0;
    qint64 errors = 0;
    qint64 dropped = 0;
    qint64 damaged = 0;
    qint64 mirrored = 0;                 // statements with a shadow result
    QList<StatementStats> byFingerprint; // by total time, largest first
    QList<CaptureIssue> issues;

    // {"totals": {...}, "statements": [...]}: the interface scripts rely on.
    QJsonObject toJson() const;
};

// Reads a capture directory and aggregates it. Blocking; any thread.
Result<CaptureStats> computeCaptureStats(const QString& dir);

// libpg_query's fingerprint and normalized text of a statement; a statement that does not
// parse gets a fingerprint of its exact text and is kept as it is.
struct Fingerprint
{
    QString fingerprint;
    QString normalized;
    bool parsed = false;
};
Fingerprint fingerprintStatement(const std::string& sql);
// The statement with its literals replaced by $n (libpg_query); unchanged if it does not parse.
std::string normalizeStatement(const std::string& sql);

} // namespace doppel
