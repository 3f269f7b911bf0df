// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LogEntry.h"
#include "workload/CaptureRecord.h"

#include <functional>
#include <unordered_map>

namespace doppel {

// Turns server-log entries into capture records: "duration: … statement:" and "duration: …
// execute NAME:" lines (log_min_duration_statement = 0) with their "parameters:" detail,
// "statement:" / "execute NAME:" lines (log_statement = 'all', kept pending until the next
// entry of the session says whether it failed or how long it took), and errors with their
// statement. When both settings are on, the pair of lines of one statement gives one record.
// One instance per import; not thread-safe.
class LogStatementMapper
{
public:
    using Emit = std::function<void(CaptureRecord&&)>;
    explicit LogStatementMapper(Emit emit) : m_emit(std::move(emit)) {}

    void add(const LogEntry& entry);
    // Emits what is still pending; call at the end of the import.
    void finish();
    std::int64_t statements() const { return m_statements; }

private:
    void emit(CaptureRecord&& record);
    void flushPending(std::uint64_t session);
    CaptureRecord recordFor(const LogEntry& entry, std::string_view statementPart);

    Emit m_emit;
    std::unordered_map<std::uint64_t, CaptureRecord> m_pending;
    std::int64_t m_statements = 0;
};

// "$1 = '5', $2 = NULL, $3 = 'it''s'" (the DETAIL of an execute line) as parameter values.
std::vector<CaptureParameter> parseLoggedParameters(std::string_view detail);

} // namespace doppel
