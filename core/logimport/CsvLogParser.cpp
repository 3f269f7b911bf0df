// SPDX-License-Identifier: GPL-3.0-or-later
#include "CsvLogParser.h"

#include "LogTime.h"

namespace doppel {

namespace {

// Columns of csvlog (PostgreSQL 13 to 15 share the first 23).
enum Column {
    LogTime = 0,
    UserName = 1,
    DatabaseName = 2,
    ConnectionFrom = 4,
    SessionId = 5,
    Severity = 11,
    SqlState = 12,
    Message = 13,
    Detail = 14,
    Query = 19,
    ApplicationName = 22,
    MinimumColumns = 23,
};

} // namespace

CsvLogParser::CsvLogParser(EntrySink entry, ProblemSink problem)
    : m_entry(std::move(entry)), m_problem(std::move(problem))
{
    m_field.reserve(4096);
}

void CsvLogParser::feed(std::string_view bytes)
{
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p < end) {
        if (m_quoted) {
            // Copy up to the next quote (or newline, for line counting) in one go.
            const char* stop = p;
            while (stop < end && *stop != '"' && *stop != '\n')
                ++stop;
            m_field.append(p, size_t(stop - p));
            p = stop;
            if (p == end)
                break;
            if (*p == '\n') {
                ++m_line;
                m_field += '\n';
            } else {
                m_quoted = false;
                m_quoteSeen = true;
            }
            ++p;
            continue;
        }
        const char c = *p++;
        if (!m_recordStarted) {
            m_recordStarted = true;
            m_recordLine = m_line;
        }
        if (c == '"') {
            if (m_quoteSeen)
                m_field += '"'; // "" inside a quoted field
            m_quoted = true;
            m_quoteSeen = false;
        } else if (c == ',') {
            m_quoteSeen = false;
            endField();
        } else if (c == '\n') {
            m_quoteSeen = false;
            endField();
            endRecord();
            ++m_line;
        } else if (c != '\r') {
            m_quoteSeen = false;
            m_field += c;
        }
    }
}

void CsvLogParser::finish()
{
    if (m_recordStarted) {
        m_problem(m_recordLine, "the file ends inside a record (a torn last line); it is skipped");
        m_fields.clear();
        m_field.clear();
        m_recordStarted = false;
    }
}

void CsvLogParser::endField()
{
    m_fields.push_back(std::move(m_field));
    m_field.clear();
}

void CsvLogParser::endRecord()
{
    m_recordStarted = false;
    if (m_fields.size() < MinimumColumns) {
        if (!(m_fields.size() == 1 && m_fields[0].empty())) // blank line
            m_problem(m_recordLine, "not a csvlog record (" + std::to_string(m_fields.size()) +
                                        " fields, csvlog has at least 23); skipped");
        m_fields.clear();
        return;
    }
    bool named = false;
    auto time = parseLogTime(m_fields[LogTime], &named);
    if (!time) {
        m_problem(m_recordLine,
                  "unreadable log_time '" + m_fields[LogTime].substr(0, 40) + "'; skipped");
        m_fields.clear();
        return;
    }
    if (named && !m_namedZoneWarned) {
        m_namedZoneWarned = true;
        m_problem(m_recordLine, "log times carry a named time zone; they are read as UTC (set "
                                "log_timezone = 'UTC' for exact times)");
    }
    LogEntry e;
    e.timeUs = *time;
    e.session = parseSessionId(m_fields[SessionId]);
    e.user = std::move(m_fields[UserName]);
    e.database = std::move(m_fields[DatabaseName]);
    e.client = std::move(m_fields[ConnectionFrom]);
    e.severity = std::move(m_fields[Severity]);
    e.sqlState = std::move(m_fields[SqlState]);
    e.message = std::move(m_fields[Message]);
    e.detail = std::move(m_fields[Detail]);
    e.query = std::move(m_fields[Query]);
    e.application = std::move(m_fields[ApplicationName]);
    e.line = m_recordLine;
    m_fields.clear();
    m_entry(std::move(e));
}

} // namespace doppel
