// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ResultHash.h"
#include "workload/CaptureRecord.h"

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace doppel::proxy {

// Follows one session's conversation message by message and turns it into capture records:
// each simple Query and each extended-protocol Execute becomes a statement with its text,
// bound parameters, duration until CommandComplete/ErrorResponse, rows, SQLSTATE and the
// transaction status of the ReadyForQuery after it. It mirrors the server's own bookkeeping
// (a queue of messages awaiting their reply, the skip-until-Sync rule after an error), so it
// stays in step through pipelining. Owned by one session on one worker thread.
class StatementTracker
{
public:
    using Sink = std::function<void(CaptureRecord&&)>;
    // `checkRate`: the share of statements whose result rows are hashed (CaptureRecord::
    // resultHash) so the mirror can compare the shadow's; 0 in sessions that are not mirrored.
    StatementTracker(CaptureRecord identity, Sink sink, double checkRate = 0);

    // Whether the tracker needs the body of a message of this type (others: header only).
    static bool clientNeedsBody(char type);
    // DataRow bodies only while the statement being answered has its rows hashed.
    bool serverNeedsBody(char type) const;
    // `body` is the message body for types that need it, otherwise null.
    void onClientMessage(char type, const char* body, std::size_t size);
    void onServerMessage(char type, const char* body, std::size_t size);
    void setApplicationName(std::string name) { m_identity.applicationName = std::move(name); }
    // The session is over: statements that completed but whose ReadyForQuery never came (a
    // client that left at once) are recorded with the last known transaction status; those
    // still running get SQLSTATE 08006, the connection having gone under them.
    void endSession();
    std::size_t pending() const { return m_queue.size(); }

private:
    enum class Kind { Parse, Bind, Describe, Execute, Close, Sync, Query, FunctionCall };
    struct Entry
    {
        Kind kind;
        int slot = -1; // index into m_slots for Query/Execute (and failing Parse/Bind)
        std::string text;
    };
    struct Slot
    {
        CaptureRecord record;
        std::int64_t startMono = 0;
        bool finished = false;
        bool discarded = false;
        std::optional<ResultHasher> hasher; // sampled for result checking
    };
    struct Prepared
    {
        std::string text;
        std::vector<std::uint32_t> types;
    };
    struct Portal
    {
        std::string statementName;
        std::string text;
        std::vector<CaptureParameter> parameters;
        bool textResults = true; // no column asked in binary: the shadow's text rows compare
    };

    int openSlot(CaptureRecord::Protocol protocol, std::string text, std::string name,
                 std::vector<CaptureParameter> params, bool textResults = false);
    Slot* headSlot();
    void finish(int slot, std::int64_t rows, std::string sqlState);
    void onError(const char* body, std::size_t size);
    void onReady(char status);

    CaptureRecord m_identity;
    Sink m_sink;
    std::deque<Entry> m_queue;
    std::deque<Slot> m_slots; // statements since the last ReadyForQuery
    int m_slotBase = 0;       // index of m_slots.front()
    std::unordered_map<std::string, Prepared> m_prepared;
    std::unordered_map<std::string, Portal> m_portals;
    bool m_skipUntilSync = false;
    std::int64_t m_lastCompletionMono = 0;
    std::int64_t m_queryRows = -1;
    char m_lastStatus = 'I';
    const double m_checkRate;
};

} // namespace doppel::proxy
