// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace doppel {

// One message of a PostgreSQL server log, whichever format it came in: what the statement
// mapper needs. Byte strings: logs may hold bytes that are not UTF-8, and they are kept as they
// are. Plain value.
struct LogEntry
{
    std::int64_t timeUs = 0; // when the line was written, µs since the epoch
    std::uint64_t session = 0;
    std::string user;
    std::string database;
    std::string application;
    std::string client;
    std::string severity; // LOG, ERROR, FATAL, DETAIL (stderr continuation), STATEMENT, ...
    std::string sqlState;
    std::string message;
    std::string detail;
    std::string query;     // csvlog's query column (the statement of an error)
    std::int64_t line = 0; // where the entry starts in its file, for messages
};

} // namespace doppel
