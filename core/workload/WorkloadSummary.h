// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CaptureReader.h"
#include "StatementModel.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace doppel {

// One statement (by fingerprint) of a capture: what it costs and what it is.
struct FingerprintSummary
{
    QString fingerprint;
    QString query; // normalized text of the first text seen
    StatementKind kind = StatementKind::Unparsed;
    bool readOnly = false;
    StatementFeatures features;
    qint64 calls = 0;
    double totalMs = 0;
    double meanMs = 0;
    qint64 rows = 0;
    qint64 errors = 0;
};

// One time window of a capture. The bounds are the window's part of the capture (the first and
// last windows may be shorter than the others) and the rates are over that span.
struct WorkloadWindow
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 statements = 0; // statements that started in the window
    double statementsPerS = 0;
    qint64 activeSessions = 0;  // sessions with a statement running at some point of the window
    double meanConcurrency = 0; // time spent in statements / span: mean statements executing
    qint64 reads = 0;           // read-only statements
    qint64 writes = 0;          // statements that change data or schema (or may: SELECT nextval)
    double readRatio = 0;       // reads / (reads + writes); NaN when there were neither
    qint64 errors = 0;
};

// How many executed statements have each kind and feature.
struct FeatureMix
{
    qint64 statements = 0;
    QMap<StatementKind, qint64> kinds;
    qint64 withJoins = 0;
    qint64 withSubqueries = 0; // subqueries or CTEs
    qint64 withAggregates = 0;
    qint64 withSorts = 0;
    qint64 withWindows = 0;
    qint64 withLimit = 0;
    double meanDepth = 0;
    double meanTables = 0;
    void add(const StatementAnalysis& analysis);
    void finish(); // turns the sums of depth and tables into means
    QJsonObject kindsJson() const;
    QJsonObject featuresJson() const;
};

// A capture summarized per fingerprint and per time window.
struct WorkloadSummary
{
    QString capture;
    qint64 windowMs = 60000;
    qint64 firstMs = 0; // start of the first statement
    qint64 lastMs = 0;  // end of the last statement
    qint64 statements = 0;
    qint64 errors = 0;
    qint64 sessions = 0;
    qint64 dropped = 0;
    qint64 damaged = 0;
    qint64 reads = 0;
    qint64 writes = 0;
    double statementsPerS = 0;
    double meanConcurrency = 0;
    double readRatio = 0; // NaN when there were no reads nor writes
    FeatureMix mix;
    QList<WorkloadWindow> windows;           // in time order, empty ones included
    QList<FingerprintSummary> byFingerprint; // by total time, largest first
    QList<CaptureIssue> issues;
    std::uint64_t distinctTexts = 0; // texts the model analysed (cache misses)

    // `workload summary --json`: totals, windows and the `top` fingerprints by total time.
    QJsonObject summaryJson(int top) const;
    // `workload features --json`: statements, kinds, features and every fingerprint.
    QJsonObject featuresJson() const;
};

// Reads a capture directory and summarizes it in windows of `windowMs`, aligned on multiples of
// the window since the epoch. Fails when the directory cannot be read or holds no statement.
// Blocking; any thread.
Result<WorkloadSummary> summarizeWorkload(const QString& dir, qint64 windowMs = 60000);

} // namespace doppel
