// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkloadSummary.h"

#include "CaptureStats.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

namespace doppel {

namespace {

constexpr StatementKind AllKinds[] = {
    StatementKind::Select,  StatementKind::Insert,      StatementKind::Update,
    StatementKind::Delete,  StatementKind::Merge,       StatementKind::Ddl,
    StatementKind::Utility, StatementKind::Transaction, StatementKind::Unparsed};

// Shorter spans than this (a capture of one instant statement) are counted as this long.
constexpr qint64 MinimumSpanUs = 1000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool writes(const StatementAnalysis& a)
{
    switch (a.kind) {
    case StatementKind::Select:
        return !a.readOnly; // FOR UPDATE, nextval(), SELECT INTO
    case StatementKind::Insert:
    case StatementKind::Update:
    case StatementKind::Delete:
    case StatementKind::Merge:
    case StatementKind::Ddl:
        return true;
    default:
        return false;
    }
}

double ratio(qint64 reads, qint64 writes)
{
    return reads + writes > 0 ? double(reads) / double(reads + writes)
                              : std::numeric_limits<double>::quiet_NaN();
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

struct WindowAcc
{
    qint64 statements = 0;
    qint64 busyUs = 0;
    qint64 reads = 0;
    qint64 writes = 0;
    qint64 errors = 0;
    std::unordered_set<std::uint64_t> sessions;
};

} // namespace

void FeatureMix::add(const StatementAnalysis& a)
{
    ++statements;
    ++kinds[a.kind];
    const StatementFeatures& f = a.features;
    withJoins += f.joins > 0;
    withSubqueries += f.subqueries > 0 || f.ctes > 0;
    withAggregates += f.aggregates > 0;
    withSorts += f.sorts > 0;
    withWindows += f.windows > 0;
    withLimit += f.limit;
    meanDepth += f.depth;
    meanTables += f.tables;
}

void FeatureMix::finish()
{
    if (statements > 0) {
        meanDepth /= double(statements);
        meanTables /= double(statements);
    }
}

QJsonObject FeatureMix::kindsJson() const
{
    QJsonObject out;
    for (StatementKind k : AllKinds)
        out.insert(statementKindName(k), kinds.value(k));
    return out;
}

QJsonObject FeatureMix::featuresJson() const
{
    return QJsonObject{{QStringLiteral("with_joins"), withJoins},
                       {QStringLiteral("with_subqueries_or_ctes"), withSubqueries},
                       {QStringLiteral("with_aggregates"), withAggregates},
                       {QStringLiteral("with_sorts"), withSorts},
                       {QStringLiteral("with_windows"), withWindows},
                       {QStringLiteral("with_limit"), withLimit},
                       {QStringLiteral("mean_depth"), meanDepth},
                       {QStringLiteral("mean_tables"), meanTables}};
}

QJsonObject WorkloadSummary::summaryJson(int top) const
{
    QJsonArray windowList;
    for (const WorkloadWindow& w : windows)
        windowList.append(QJsonObject{{QStringLiteral("start"), iso(w.startMs)},
                                      {QStringLiteral("end"), iso(w.endMs)},
                                      {QStringLiteral("statements"), w.statements},
                                      {QStringLiteral("statements_per_s"), w.statementsPerS},
                                      {QStringLiteral("active_sessions"), w.activeSessions},
                                      {QStringLiteral("mean_concurrency"), w.meanConcurrency},
                                      {QStringLiteral("reads"), w.reads},
                                      {QStringLiteral("writes"), w.writes},
                                      {QStringLiteral("read_ratio"), number(w.readRatio)},
                                      {QStringLiteral("errors"), w.errors}});
    QJsonArray topList;
    for (const FingerprintSummary& f : byFingerprint.mid(0, std::max(top, 0)))
        topList.append(QJsonObject{{QStringLiteral("fingerprint"), f.fingerprint},
                                   {QStringLiteral("query"), f.query},
                                   {QStringLiteral("kind"), statementKindName(f.kind)},
                                   {QStringLiteral("read_only"), f.readOnly},
                                   {QStringLiteral("calls"), f.calls},
                                   {QStringLiteral("total_ms"), f.totalMs},
                                   {QStringLiteral("mean_ms"), f.meanMs},
                                   {QStringLiteral("rows"), f.rows},
                                   {QStringLiteral("errors"), f.errors}});
    return QJsonObject{{QStringLiteral("capture"), capture},
                       {QStringLiteral("window_s"), double(windowMs) / 1000.0},
                       {QStringLiteral("first"), iso(firstMs)},
                       {QStringLiteral("last"), iso(lastMs)},
                       {QStringLiteral("statements"), statements},
                       {QStringLiteral("errors"), errors},
                       {QStringLiteral("sessions"), sessions},
                       {QStringLiteral("dropped"), dropped},
                       {QStringLiteral("damaged"), damaged},
                       {QStringLiteral("statements_per_s"), statementsPerS},
                       {QStringLiteral("mean_concurrency"), meanConcurrency},
                       {QStringLiteral("reads"), reads},
                       {QStringLiteral("writes"), writes},
                       {QStringLiteral("read_ratio"), number(readRatio)},
                       {QStringLiteral("kinds"), mix.kindsJson()},
                       {QStringLiteral("features"), mix.featuresJson()},
                       {QStringLiteral("windows"), windowList},
                       {QStringLiteral("top"), topList}};
}

QJsonObject WorkloadSummary::featuresJson() const
{
    QJsonArray list;
    for (const FingerprintSummary& f : byFingerprint) {
        const StatementFeatures& x = f.features;
        list.append(QJsonObject{{QStringLiteral("fingerprint"), f.fingerprint},
                                {QStringLiteral("query"), f.query},
                                {QStringLiteral("kind"), statementKindName(f.kind)},
                                {QStringLiteral("read_only"), f.readOnly},
                                {QStringLiteral("calls"), f.calls},
                                {QStringLiteral("depth"), x.depth},
                                {QStringLiteral("joins"), x.joins},
                                {QStringLiteral("subqueries"), x.subqueries},
                                {QStringLiteral("ctes"), x.ctes},
                                {QStringLiteral("tables"), x.tables},
                                {QStringLiteral("aggregates"), x.aggregates},
                                {QStringLiteral("sorts"), x.sorts},
                                {QStringLiteral("windows"), x.windows},
                                {QStringLiteral("limit"), x.limit}});
    }
    return QJsonObject{{QStringLiteral("statements"), statements},
                       {QStringLiteral("kinds"), mix.kindsJson()},
                       {QStringLiteral("features"), mix.featuresJson()},
                       {QStringLiteral("fingerprints"), list}};
}

Result<WorkloadSummary> summarizeWorkload(const QString& dir, qint64 windowMs)
{
    if (windowMs <= 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("The window must be longer than zero"));
    const qint64 windowUs = windowMs * 1000;
    WorkloadSummary out;
    out.capture = dir;
    out.windowMs = windowMs;
    StatementModel model;
    QHash<QString, int> byFingerprint;
    std::map<qint64, WindowAcc> windows;
    std::unordered_set<std::uint64_t> sessions;
    qint64 firstUs = std::numeric_limits<qint64>::max();
    qint64 lastUs = std::numeric_limits<qint64>::min();
    qint64 busyUs = 0;

    CaptureReader reader(dir);
    auto st = reader.read([&](const CaptureRecord& r) {
        if (r.kind == CaptureRecord::Kind::Dropped) {
            out.dropped += qint64(r.droppedCount);
            return;
        }
        const auto analysis = model.analyze(r.statement);
        const StatementAnalysis& a = *analysis;
        auto f = byFingerprint.find(a.fingerprint);
        if (f == byFingerprint.end()) {
            FingerprintSummary s;
            s.fingerprint = a.fingerprint;
            s.query = a.normalized;
            s.kind = a.kind;
            s.readOnly = a.readOnly;
            s.features = a.features;
            f = byFingerprint.insert(a.fingerprint, int(out.byFingerprint.size()));
            out.byFingerprint.append(s);
        }
        FingerprintSummary& s = out.byFingerprint[*f];
        const bool failed = !r.sqlState.empty();
        const qint64 durationUs = std::max<qint64>(r.durationUs, 0);
        ++s.calls;
        s.totalMs += double(durationUs) / 1000.0;
        s.rows += std::max<qint64>(r.rows, 0);
        s.errors += failed;
        out.mix.add(a);
        ++out.statements;
        out.errors += failed;
        const bool read = a.readOnly;
        const bool write = writes(a);
        out.reads += read;
        out.writes += write;
        sessions.insert(r.sessionId);

        const qint64 start = r.timestampUs;
        const qint64 end = start + durationUs;
        firstUs = std::min(firstUs, start);
        lastUs = std::max(lastUs, end);
        busyUs += durationUs;
        WindowAcc& w = windows[floorDiv(start, windowUs)];
        ++w.statements;
        w.reads += read;
        w.writes += write;
        w.errors += failed;
        // The running time goes to every window the statement overlaps.
        for (qint64 k = floorDiv(start, windowUs);
             k <= floorDiv(std::max(start, end - 1), windowUs); ++k) {
            WindowAcc& o = windows[k];
            o.busyUs += std::min(end, (k + 1) * windowUs) - std::max(start, k * windowUs);
            o.sessions.insert(r.sessionId);
        }
    });
    if (!st)
        return st.error();
    out.damaged = reader.damaged();
    out.issues = reader.issues();
    if (out.statements == 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("No statement in the capture %1").arg(dir));
    out.distinctTexts = model.misses();
    out.sessions = qint64(sessions.size());
    out.firstMs = firstUs / 1000;
    out.lastMs = lastUs / 1000;
    const qint64 spanUs = std::max(lastUs - firstUs, MinimumSpanUs);
    out.statementsPerS = double(out.statements) / (double(spanUs) / 1e6);
    out.meanConcurrency = double(busyUs) / double(spanUs);
    out.readRatio = ratio(out.reads, out.writes);
    out.mix.finish();

    const qint64 firstWindow = floorDiv(firstUs, windowUs);
    const qint64 lastWindow = floorDiv(std::max(firstUs, lastUs - 1), windowUs);
    for (qint64 k = firstWindow; k <= lastWindow; ++k) {
        const auto it = windows.find(k);
        const WindowAcc empty;
        const WindowAcc& acc = it == windows.end() ? empty : it->second;
        const qint64 from = std::max(k * windowUs, firstUs);
        const qint64 to = std::min((k + 1) * windowUs, lastUs);
        const qint64 span = std::max(to - from, MinimumSpanUs);
        WorkloadWindow w;
        w.startMs = from / 1000;
        w.endMs = to / 1000;
        w.statements = acc.statements;
        w.statementsPerS = double(acc.statements) / (double(span) / 1e6);
        w.activeSessions = qint64(acc.sessions.size());
        w.meanConcurrency = double(acc.busyUs) / double(span);
        w.reads = acc.reads;
        w.writes = acc.writes;
        w.readRatio = ratio(acc.reads, acc.writes);
        w.errors = acc.errors;
        out.windows.append(w);
    }

    for (FingerprintSummary& s : out.byFingerprint)
        s.meanMs = s.calls ? s.totalMs / double(s.calls) : 0;
    sortByTotalTime(out.byFingerprint);
    return out;
}

} // namespace doppel
