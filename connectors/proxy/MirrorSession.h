// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LsnWatcher.h"
#include "workload/CaptureRecord.h"

#include <QByteArray>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

typedef struct pg_conn PGconn;

namespace doppel::proxy {

class MirrorEngine;

// The mirror side of one client session: a bounded queue of finished production transactions
// and a thread of its own that replays their eligible statements, in order, on one shadow
// connection, then hands every record (with the shadow's result where it ran) to the capture.
// offer() and finish() are called by the session's worker thread and never wait on the shadow;
// snapshot() and interrupt() by any thread. With --critical-fingerprint, a transaction that
// does not fit is classified (on the worker, through MirrorEngine::isCritical) and, when it holds
// a critical statement, makes room by evicting queued transactions that hold none; a queue with
// room never classifies anything.
class MirrorSession
{
public:
    struct Snapshot
    {
        std::uint64_t sessionId = 0;
        QByteArray user;
        QByteArray database;
        QByteArray state;
        std::size_t queueDepth = 0; // statements waiting
        std::uint64_t mirrored = 0;
        std::uint64_t droppedTransactions = 0;
        std::uint64_t shadowErrors = 0;
    };

    MirrorSession(MirrorEngine& engine, std::uint64_t sessionId, std::string user,
                  std::string database);
    ~MirrorSession();
    MirrorSession(const MirrorSession&) = delete;
    MirrorSession& operator=(const MirrorSession&) = delete;

    // A statement production finished, in the session's order. Records that will not be
    // mirrored (a dropped transaction) are appended to `capture`.
    void offer(CaptureRecord&& record, std::vector<CaptureRecord>& capture);
    // The client left. With `drain` the thread still runs what waits (the queue is bounded),
    // then ends; without, what waits goes to `capture` unmirrored and the thread ends after the
    // transaction it is running.
    void finish(std::vector<CaptureRecord>& capture, bool drain);
    Snapshot snapshot() const;
    // Breaks a statement stuck on a stalled shadow (the proxy is stopping).
    void interrupt();
    // The session is over and its thread (if it ever started) has ended: join() will not wait.
    bool done() const;
    void join();

private:
    using Transaction = std::vector<CaptureRecord>;
    // Whether a transaction holds a --critical-fingerprint statement; found out only when it
    // matters (a full queue).
    enum class Priority : std::uint8_t { Unknown, Normal, Critical };
    struct Queued
    {
        Transaction records;
        Priority priority = Priority::Unknown;
    };
    void enqueue(std::vector<CaptureRecord>& capture, bool last = false);
    bool makeRoom(std::vector<CaptureRecord>& capture);
    bool holdsCritical(const Transaction& tx) const;
    void dropPending(std::vector<CaptureRecord>& capture);
    void run();
    void runTransaction(Transaction& tx);
    bool readOnly(const std::string& sql);
    bool connect();
    void disconnect();
    void execute(CaptureRecord& record);
    // Before a checked read: production's WAL position its read saw, once the shadow has it
    // (waiting a bounded time); nothing when the read cannot be placed (writes around it, the
    // shadow too far behind, the slot not watched).
    std::optional<std::uint64_t> waitForProductionWal(const CaptureRecord& record);
    // After it: whether the shadow had applied nothing committed past that position; nothing
    // when the slot is not watched.
    std::optional<bool> nothingNewerApplied(std::optional<std::uint64_t> position);
    void countCheck(const CaptureRecord& record);
    void setState(const char* state);

    MirrorEngine& m_engine;
    const std::uint64_t m_sessionId;
    const std::string m_user;
    const std::string m_database;

    // Worker thread: the transaction being gathered until its ReadyForQuery says idle.
    Transaction m_pending;
    bool m_overflow = false; // the open transaction outgrew the queue: it is not mirrored

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Queued> m_queue;
    std::size_t m_queued = 0; // statements in m_queue
    bool m_closing = false;
    const char* m_state = "idle";
    std::thread m_thread;
    std::atomic<bool> m_done{false};

    std::atomic<std::uint64_t> m_mirrored{0};
    std::atomic<std::uint64_t> m_dropped{0};
    std::atomic<std::uint64_t> m_errors{0};

    // Mirror thread; m_connMutex lets interrupt() reach the socket without racing PQfinish.
    std::mutex m_connMutex;
    PGconn* m_conn = nullptr;
    bool m_interrupted = false;
    std::int64_t m_retryAtMs = 0;
    std::unordered_map<std::string, bool> m_readOnly;
};

} // namespace doppel::proxy
