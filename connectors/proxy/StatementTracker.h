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
// stays in step through pipelining. A portal run with a row limit (JDBC's setFetchSize, a
// cursor-like fetch) is one statement however many Executes fetch it: its rows and server time
// add up until it completes, is closed, or its transaction ends. Owned by one session on one
// worker thread.
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
        int slot = -1;    // index into m_slots for Query/Execute (and failing Parse/Bind)
        std::string text; // Parse, Bind: the statement text; Execute, Close: the portal name
        std::int32_t maxRows = 0;  // Execute: its row limit, 0 for none
        std::int64_t sentMono = 0; // Execute: when the client sent it
    };
    struct Slot
    {
        CaptureRecord record;
        std::int64_t startMono = 0;
        bool finished = false;
        bool discarded = false;
        int executesOut = 0;                // Executes sent and not answered yet
        std::int64_t rowsBefore = 0;        // rows its earlier Executes sent (a row-limited portal)
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
    Slot* slotAt(int slot);
    // Adds the server time of one Query statement or Execute sent at `sentMono`.
    void addServerTime(Slot& s, std::int64_t sentMono);
    void finish(int slot, std::int64_t rows, std::string sqlState, std::int64_t sentMono);
    // The reply to the Execute at the head of the queue: PortalSuspended, or a completion
    // (`tagRows` from its tag) or an error.
    void onExecuteSuspended();
    void onExecuteDone(std::int64_t tagRows, std::string sqlState);
    // The portal will not be fetched again (closed, bound anew, its transaction over): if it is
    // suspended, its statement ends with the rows sent so far.
    void endPortal(const std::string& portal);
    void endSuspendedPortals();
    void forgetPortal(const std::string& portal, int slot);
    // Ends the statement of a row-limited portal with the rows it sent.
    static void endFetched(Slot& s);
    void onError(const char* body, std::size_t size);
    void onReady(char status);

    CaptureRecord m_identity;
    Sink m_sink;
    std::deque<Entry> m_queue;
    std::deque<Slot> m_slots; // statements since the last ReadyForQuery
    int m_slotBase = 0;       // index of m_slots.front()
    std::unordered_map<std::string, Prepared> m_prepared;
    std::unordered_map<std::string, Portal> m_portals;
    // Portals with an Execute out under a row limit: portal name → slot of their statement.
    std::unordered_map<std::string, int> m_limitedPortals;
    // Portals suspended by a row limit: their statement waits here, out of m_slots, so that
    // the statements run between two fetches are recorded without waiting for the portal's end
    // (a client may iterate a cursor for a whole transaction, writing row by row).
    std::unordered_map<std::string, Slot> m_parked;
    bool m_skipUntilSync = false;
    std::int64_t m_lastCompletionMono = 0;
    std::int64_t m_queryRows = -1;
    char m_lastStatus = 'I';
    const double m_checkRate;
};

} // namespace doppel::proxy
