// SPDX-License-Identifier: GPL-3.0-or-later
#include "MirrorSession.h"

#include "LsnWatcher.h"
#include "MirrorEngine.h"
#include "ProxyShared.h"
#include "ResultHash.h"
#include "common/ThreadRole.h"
#include "workload/CaptureWriter.h"
#include "workload/StatementKind.h"

#include <libpq-fe.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace doppel::proxy {

namespace {

std::int64_t monoUs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// After a failed connection the shadow is left alone this long; transactions meanwhile are
// recorded as not reaching it.
constexpr std::int64_t kRetryMs = 1000;
// SQLSTATE connection_failure: what a statement gets when the shadow connection is not there.
const std::string kConnectionFailure = "08006";
// Statement texts whose read-only verdict a session remembers.
constexpr std::size_t kReadOnlyCacheSize = 1024;

std::int64_t rowsOf(PGresult* result)
{
    const char* tuples = PQcmdTuples(result);
    if (tuples && *tuples)
        return std::strtoll(tuples, nullptr, 10);
    return PQresultStatus(result) == PGRES_TUPLES_OK ? PQntuples(result) : -1;
}

// Whether the conninfo names `keyword` itself (then the client's value does not replace it).
bool conninfoHas(const std::string& conninfo, const char* keyword)
{
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
    bool has = false;
    for (PQconninfoOption* o = options; o && o->keyword; ++o)
        if (std::strcmp(o->keyword, keyword) == 0 && o->val && *o->val)
            has = true;
    PQconninfoFree(options);
    return has;
}

} // namespace

MirrorSession::MirrorSession(MirrorEngine& engine, std::uint64_t sessionId, std::string user,
                             std::string database)
    : m_engine(engine), m_sessionId(sessionId), m_user(std::move(user)),
      m_database(std::move(database))
{}

MirrorSession::~MirrorSession()
{
    interrupt();
    join();
}

void MirrorSession::offer(CaptureRecord&& record, std::vector<CaptureRecord>& capture)
{
    const bool ends = record.transactionStatus == 'I';
    if (m_overflow) {
        capture.push_back(std::move(record));
    } else {
        m_pending.push_back(std::move(record));
        if (m_pending.size() > m_engine.queueCapacity()) {
            // Longer than the whole queue: never mirrored, and never in part.
            dropPending(capture);
            m_overflow = true;
        }
    }
    if (ends) {
        if (!m_pending.empty())
            enqueue(capture);
        m_overflow = false;
    }
}

void MirrorSession::dropPending(std::vector<CaptureRecord>& capture)
{
    m_dropped.fetch_add(1, std::memory_order_relaxed);
    m_engine.counters.droppedTransactions.fetch_add(1, std::memory_order_relaxed);
    m_engine.counters.droppedStatements.fetch_add(m_pending.size(), std::memory_order_relaxed);
    for (auto& r : m_pending)
        capture.push_back(std::move(r));
    m_pending.clear();
}

void MirrorSession::enqueue(std::vector<CaptureRecord>& capture, bool last)
{
    bool start = false;
    {
        // Held by the mirror thread only to pop: the worker never waits on the shadow here.
        std::lock_guard lock(m_mutex);
        const bool fits = m_queued + m_pending.size() <= m_engine.queueCapacity();
        if (!m_closing && (fits || makeRoom(capture))) {
            m_queued += m_pending.size();
            m_queue.push_back(
                {std::move(m_pending), fits ? Priority::Unknown : Priority::Critical});
            m_pending = {};
            start = !m_thread.joinable();
            if (start)
                m_thread = std::thread([this] { run(); });
        }
        if (last)
            m_closing = true;
    }
    if (!m_pending.empty()) {
        dropPending(capture);
        return;
    }
    if (!start)
        m_wake.notify_one();
}

bool MirrorSession::holdsCritical(const Transaction& tx) const
{
    for (const CaptureRecord& r : tx)
        if (m_engine.isCritical(r.statement))
            return true;
    return false;
}

bool MirrorSession::makeRoom(std::vector<CaptureRecord>& capture)
{
    // Epoll worker thread, m_mutex held: the mirror thread can only be waiting to pop, and every
    // transaction still in m_queue is not running. Only a full queue with critical fingerprints
    // configured gets here; a statement shape the engine's cache has seen costs well under a
    // microsecond, a new shape one parse (tens of µs, once per shape the application uses).
    if (!m_engine.hasCriticalFingerprints() || !holdsCritical(m_pending))
        return false; // a transaction without a critical statement never evicts anything
    const std::size_t capacity = m_engine.queueCapacity();
    if (m_pending.size() > capacity)
        return false;
    const std::size_t need = m_queued + m_pending.size() - capacity;
    std::size_t evictable = 0;
    for (Queued& q : m_queue) {
        if (evictable >= need)
            break; // enough found: the newer ones need not be classified
        if (q.priority == Priority::Unknown)
            q.priority = holdsCritical(q.records) ? Priority::Critical : Priority::Normal;
        if (q.priority == Priority::Normal)
            evictable += q.records.size();
    }
    if (evictable < need)
        return false; // evicting every other transaction would not do: this one is dropped
    std::uint64_t evicted = 0;
    std::size_t statements = 0;
    for (auto it = m_queue.begin();
         it != m_queue.end() && m_queued + m_pending.size() > capacity;) {
        if (it->priority != Priority::Normal) {
            ++it;
            continue;
        }
        // Oldest first, whole transactions: what stays keeps its order.
        statements += it->records.size();
        m_queued -= it->records.size();
        for (CaptureRecord& r : it->records)
            capture.push_back(std::move(r));
        it = m_queue.erase(it);
        ++evicted;
    }
    m_dropped.fetch_add(evicted, std::memory_order_relaxed);
    MirrorCounters& counters = m_engine.counters;
    counters.droppedTransactions.fetch_add(evicted, std::memory_order_relaxed);
    counters.droppedStatements.fetch_add(statements, std::memory_order_relaxed);
    counters.evictedTransactions.fetch_add(evicted, std::memory_order_relaxed);
    counters.criticalKept.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void MirrorSession::finish(std::vector<CaptureRecord>& capture, bool drain)
{
    if (drain) {
        // The open transaction too: the thread rolls it back on the shadow after running it.
        if (!m_pending.empty())
            enqueue(capture, true);
        std::lock_guard lock(m_mutex);
        m_closing = true;
        m_wake.notify_one();
        return;
    }
    for (auto& r : m_pending)
        capture.push_back(std::move(r));
    m_pending.clear();
    std::lock_guard lock(m_mutex);
    m_closing = true;
    for (auto& tx : m_queue)
        for (auto& r : tx.records)
            capture.push_back(std::move(r));
    m_queue.clear();
    m_queued = 0;
    m_wake.notify_one();
}

MirrorSession::Snapshot MirrorSession::snapshot() const
{
    Snapshot s;
    s.sessionId = m_sessionId;
    s.user = QByteArray::fromStdString(m_user);
    s.database = QByteArray::fromStdString(m_database);
    {
        std::lock_guard lock(m_mutex);
        s.state = m_state;
        s.queueDepth = m_queued;
    }
    s.mirrored = m_mirrored.load();
    s.droppedTransactions = m_dropped.load();
    s.shadowErrors = m_errors.load();
    return s;
}

void MirrorSession::setState(const char* state)
{
    std::lock_guard lock(m_mutex);
    m_state = state;
}

void MirrorSession::interrupt()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_wake.notify_one();
    std::lock_guard lock(m_connMutex);
    m_interrupted = true;
    if (m_conn && PQsocket(m_conn) >= 0)
        ::shutdown(PQsocket(m_conn), SHUT_RDWR);
}

bool MirrorSession::done() const
{
    std::lock_guard lock(m_mutex);
    return m_done.load() || (m_closing && !m_thread.joinable());
}

void MirrorSession::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void MirrorSession::run()
{
    setThisThreadRole(ThreadRole::Background, "dp-mirror");
    for (;;) {
        Transaction tx;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty())
                break;
            tx = std::move(m_queue.front().records);
            m_queue.pop_front();
            m_queued -= tx.size();
            m_state = "running";
        }
        runTransaction(tx);
        if (m_engine.shared.capture)
            m_engine.shared.counters.statementsCaptured.fetch_add(
                m_engine.shared.capture->submitBatch(tx), std::memory_order_relaxed);
        std::lock_guard lock(m_mutex);
        if (std::strcmp(m_state, "running") == 0)
            m_state = "idle";
    }
    disconnect();
    setState("closed");
    m_done.store(true);
}

void MirrorSession::runTransaction(Transaction& tx)
{
    // Under --mirror-writes the transaction is the unit, so the shadow sees all of it or none.
    const bool writes = m_engine.mirrorWrites();
    const bool txPicked = writes && m_engine.pickStatement();
    for (CaptureRecord& r : tx) {
        // Results are compared only for reads outside a transaction block: inside one,
        // production may see its own uncommitted writes, which the shadow never gets.
        if (r.resultHash && (r.transactionStatus != 'I' || !readOnly(r.statement)))
            r.resultHash.reset();
        // The cheap draw first: parsing is the mirror thread's main cost. A read sampled for
        // result checking always runs.
        const bool run =
            writes ? txPicked : (r.resultHash || m_engine.pickStatement()) && readOnly(r.statement);
        if (run)
            execute(r);
        else
            r.resultHash.reset();
    }
    std::lock_guard lock(m_connMutex);
    if (m_conn && PQstatus(m_conn) == CONNECTION_OK &&
        PQtransactionStatus(m_conn) != PQTRANS_IDLE) {
        // Production's transaction ended (or its client left): the shadow's must not stay open.
        PQclear(PQexec(m_conn, "ROLLBACK"));
    }
}

bool MirrorSession::readOnly(const std::string& sql)
{
    // Prepared and extended-protocol statements repeat the same text: parse each once.
    if (const auto it = m_readOnly.find(sql); it != m_readOnly.end())
        return it->second;
    const bool readOnly = isReadOnlyStatement(sql);
    if (m_readOnly.size() >= kReadOnlyCacheSize)
        m_readOnly.clear();
    m_readOnly.emplace(sql, readOnly);
    return readOnly;
}

bool MirrorSession::connect()
{
    {
        std::lock_guard lock(m_connMutex);
        if (m_interrupted)
            return false;
        if (m_conn && PQstatus(m_conn) == CONNECTION_OK)
            return true;
    }
    disconnect();
    const std::int64_t nowMs = monoUs() / 1000;
    if (nowMs < m_retryAtMs)
        return false;
    setState("connecting");
    const std::string& shadow = m_engine.shadowConninfo();
    const std::string appName = "doppel-mirror-" + std::to_string(m_sessionId);
    std::vector<const char*> keys = {"dbname"};
    std::vector<const char*> values = {shadow.c_str()};
    if (!conninfoHas(shadow, "user")) {
        keys.push_back("user");
        values.push_back(m_user.c_str());
    }
    if (!conninfoHas(shadow, "dbname")) {
        keys.push_back("dbname"); // after the expanded conninfo: a plain database name
        values.push_back(m_database.c_str());
    }
    keys.push_back("application_name");
    values.push_back(appName.c_str());
    if (!conninfoHas(shadow, "connect_timeout")) {
        keys.push_back("connect_timeout");
        values.push_back("5");
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        m_engine.counters.connectFailures.fetch_add(1, std::memory_order_relaxed);
        m_retryAtMs = nowMs + kRetryMs;
        setState("down");
        return false;
    }
    std::lock_guard lock(m_connMutex);
    m_conn = conn;
    if (m_interrupted)
        ::shutdown(PQsocket(m_conn), SHUT_RDWR);
    setState("running");
    return true;
}

void MirrorSession::disconnect()
{
    std::lock_guard lock(m_connMutex);
    if (m_conn)
        PQfinish(m_conn);
    m_conn = nullptr;
}

void MirrorSession::execute(CaptureRecord& record)
{
    ShadowResult shadow;
    if (!connect()) {
        shadow.sqlState = kConnectionFailure;
        record.shadow = shadow;
        m_errors.fetch_add(1, std::memory_order_relaxed);
        m_engine.counters.shadowErrors.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    // Only this thread frees m_conn, so it is used here without m_connMutex.
    PGconn* conn = m_conn;
    const bool check = record.resultHash.has_value();
    std::optional<std::uint64_t> position;
    if (check)
        position = waitForProductionWal(record);
    ResultHasher hasher;
    const std::int64_t start = monoUs();
    int sent = 0;
    if (record.protocol == CaptureRecord::Protocol::Simple) {
        sent = PQsendQuery(conn, record.statement.c_str());
    } else {
        const std::size_t n = record.parameters.size();
        std::vector<Oid> types(n);
        std::vector<const char*> values(n);
        std::vector<int> lengths(n), formats(n);
        for (std::size_t i = 0; i < n; ++i) {
            const CaptureParameter& p = record.parameters[i];
            types[i] = p.typeOid;
            values[i] = p.value ? p.value->data() : nullptr;
            lengths[i] = p.value ? int(p.value->size()) : 0;
            formats[i] = p.format;
        }
        sent = PQsendQueryParams(conn, record.statement.c_str(), int(n), types.data(),
                                 values.data(), lengths.data(), formats.data(), 0);
    }
    std::string sqlState;
    std::int64_t rows = -1;
    if (!sent) {
        sqlState = kConnectionFailure;
    } else {
        while (PGresult* result = PQgetResult(conn)) {
            const ExecStatusType status = PQresultStatus(result);
            if (status == PGRES_COPY_IN) {
                PQputCopyEnd(conn, "doppel-proxy does not mirror COPY FROM STDIN");
            } else if (status == PGRES_COPY_OUT) {
                char* buffer = nullptr;
                while (PQgetCopyData(conn, &buffer, 0) > 0)
                    PQfreemem(buffer);
            } else if (status == PGRES_FATAL_ERROR) {
                const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
                sqlState = state ? state : kConnectionFailure;
            } else if (sqlState.empty()) {
                rows = rowsOf(result);
                if (check && status == PGRES_TUPLES_OK)
                    hasher.addResult(result);
            }
            PQclear(result);
        }
        if (PQstatus(conn) != CONNECTION_OK && sqlState.empty())
            sqlState = kConnectionFailure;
    }
    shadow.durationUs = monoUs() - start;
    if (check)
        shadow.synchronized = nothingNewerApplied(position);
    shadow.rows = sqlState.empty() ? rows : -1;
    shadow.sqlState = sqlState;
    if (check && sqlState.empty())
        shadow.resultHash = hasher.value();
    record.shadow = shadow;
    if (check)
        countCheck(record);
    m_mirrored.fetch_add(1, std::memory_order_relaxed);
    m_engine.counters.statements.fetch_add(1, std::memory_order_relaxed);
    if (!sqlState.empty()) {
        m_errors.fetch_add(1, std::memory_order_relaxed);
        m_engine.counters.shadowErrors.fetch_add(1, std::memory_order_relaxed);
    }
}

std::optional<std::uint64_t> MirrorSession::waitForProductionWal(const CaptureRecord& record)
{
    LsnWatcher* lsn = m_engine.lsnWatcher();
    if (!lsn)
        return std::nullopt;
    // (1) No write transaction started or ended on production around its read.
    const auto before = lsn->answeredBefore(record.timestampUs);
    if (!before)
        return std::nullopt;
    setState("waiting for wal");
    const auto after =
        lsn->sentAfter(record.timestampUs + record.durationUs, std::chrono::milliseconds(200));
    // (2) The shadow has every commit the read saw. Bounded: a lagging shadow delays this
    // session's mirror queue, never production.
    const bool ready = after && after->snapshot == before->snapshot &&
                       lsn->waitApplied(before->insertLsn, std::chrono::milliseconds(1000));
    setState("running");
    return ready ? std::optional(before->insertLsn) : std::nullopt;
}

std::optional<bool> MirrorSession::nothingNewerApplied(std::optional<std::uint64_t> position)
{
    LsnWatcher* lsn = m_engine.lsnWatcher();
    if (!lsn)
        return std::nullopt; // not watched: the report says so
    if (!position)
        return false;
    // (3) And nothing committed later: no commit past the read's position had been applied.
    const auto after = lsn->sentAfter(wallClockUs(), std::chrono::milliseconds(200));
    return after && after->shadowCommitLsn && *after->shadowCommitLsn <= *position;
}

void MirrorSession::countCheck(const CaptureRecord& record)
{
    const ShadowResult& shadow = *record.shadow;
    if (!shadow.resultHash)
        return;
    if (shadow.synchronized == false) {
        m_engine.counters.unsynchronized.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    m_engine.counters.resultsCompared.fetch_add(1, std::memory_order_relaxed);
    if (*shadow.resultHash != *record.resultHash)
        m_engine.counters.resultsDiverged.fetch_add(1, std::memory_order_relaxed);
}

} // namespace doppel::proxy
