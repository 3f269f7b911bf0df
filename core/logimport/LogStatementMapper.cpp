// SPDX-License-Identifier: GPL-3.0-or-later
#include "LogStatementMapper.h"

#include <charconv>

namespace doppel {

namespace {

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

// A stderr prefix without %e logs no SQLSTATE: the statement still failed, recorded as
// XX000 (internal_error, PostgreSQL's own "no better code") rather than as a success.
std::string errorState(const LogEntry& e)
{
    return e.sqlState.empty() ? std::string("XX000") : e.sqlState;
}

bool isError(const std::string& severity)
{
    return severity == "ERROR" || severity == "FATAL" || severity == "PANIC";
}

// "12.345 ms  statement: ..." after "duration: ": the milliseconds, and the rest after the unit.
bool parseDuration(std::string_view& rest, double& ms)
{
    const char* end = rest.data() + rest.size();
    auto [ptr, ec] = std::from_chars(rest.data(), end, ms);
    if (ec != std::errc() || std::string_view(ptr, size_t(end - ptr)).substr(0, 3) != " ms")
        return false;
    rest = std::string_view(ptr + 3, size_t(end - ptr - 3));
    while (!rest.empty() && rest.front() == ' ')
        rest.remove_prefix(1);
    return true;
}

} // namespace

std::vector<CaptureParameter> parseLoggedParameters(std::string_view detail)
{
    std::vector<CaptureParameter> out;
    if (startsWith(detail, "parameters: "))
        detail.remove_prefix(12);
    size_t pos = 0;
    while (pos < detail.size()) {
        if (detail[pos] != '$')
            break;
        const size_t eq = detail.find(" = ", pos);
        if (eq == std::string_view::npos)
            break;
        pos = eq + 3;
        CaptureParameter p;
        if (detail.substr(pos, 4) == "NULL") {
            pos += 4;
        } else if (pos < detail.size() && detail[pos] == '\'') {
            std::string value;
            ++pos;
            while (pos < detail.size()) {
                if (detail[pos] == '\'') {
                    if (pos + 1 < detail.size() && detail[pos + 1] == '\'') {
                        value += '\'';
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    break;
                }
                value += detail[pos++];
            }
            p.value = std::move(value);
        } else {
            break;
        }
        out.push_back(std::move(p));
        if (detail.substr(pos, 2) != ", ")
            break;
        pos += 2;
    }
    return out;
}

CaptureRecord LogStatementMapper::recordFor(const LogEntry& e, std::string_view part)
{
    CaptureRecord r;
    r.timestampUs = e.timeUs;
    r.sessionId = e.session;
    r.user = e.user;
    r.database = e.database;
    r.applicationName = e.application;
    r.clientAddress = e.client;
    if (startsWith(part, "statement: ")) {
        r.statement = std::string(part.substr(11));
        return r;
    }
    // "execute <unnamed>: SQL", "execute S_1: SQL", "execute S_1/C_2: SQL" (portal after /).
    part.remove_prefix(8);
    const size_t colon = part.find(": ");
    std::string_view name = part.substr(0, colon);
    if (const size_t slash = name.find('/'); slash != std::string_view::npos)
        name = name.substr(0, slash);
    r.protocol = CaptureRecord::Protocol::Extended;
    r.statementName = name == "<unnamed>" ? std::string() : std::string(name);
    r.statement =
        colon == std::string_view::npos ? std::string() : std::string(part.substr(colon + 2));
    r.parameters = parseLoggedParameters(e.detail);
    return r;
}

void LogStatementMapper::add(const LogEntry& e)
{
    if (isError(e.severity)) {
        if (e.query.empty())
            return; // not about a statement (authentication, connection)
        auto pending = m_pending.find(e.session);
        if (pending != m_pending.end() && pending->second.statement == e.query) {
            pending->second.sqlState = errorState(e);
            flushPending(e.session);
            return;
        }
        flushPending(e.session);
        CaptureRecord r = recordFor(e, "statement: ");
        r.statement = e.query;
        r.sqlState = errorState(e);
        emit(std::move(r));
        return;
    }
    if (e.severity != "LOG")
        return;
    std::string_view msg = e.message;
    if (startsWith(msg, "duration: ")) {
        msg.remove_prefix(10);
        double ms = 0;
        if (!parseDuration(msg, ms))
            return;
        const auto durationUs = std::int64_t(ms * 1000.0);
        if (msg.empty()) { // log_duration: the duration of the pending statement
            if (auto p = m_pending.find(e.session); p != m_pending.end()) {
                p->second.durationUs = durationUs;
                flushPending(e.session);
            }
            return;
        }
        if (!startsWith(msg, "statement: ") && !startsWith(msg, "execute "))
            return; // parse and bind steps are part of the execute that follows
        CaptureRecord r = recordFor(e, msg);
        r.durationUs = durationUs;
        r.timestampUs = e.timeUs - durationUs; // the line is written when the statement ends
        auto pending = m_pending.find(e.session);
        if (pending != m_pending.end() && pending->second.statement == r.statement)
            m_pending.erase(pending); // log_statement logged it too: one statement, one record
        else
            flushPending(e.session);
        emit(std::move(r));
        return;
    }
    if (startsWith(msg, "statement: ") || startsWith(msg, "execute ")) {
        flushPending(e.session);
        m_pending.emplace(e.session, recordFor(e, msg));
    }
}

void LogStatementMapper::flushPending(std::uint64_t session)
{
    auto it = m_pending.find(session);
    if (it == m_pending.end())
        return;
    CaptureRecord r = std::move(it->second);
    m_pending.erase(it);
    emit(std::move(r));
}

void LogStatementMapper::finish()
{
    std::vector<std::uint64_t> sessions;
    for (const auto& [session, record] : m_pending)
        sessions.push_back(session);
    for (std::uint64_t s : sessions)
        flushPending(s);
}

void LogStatementMapper::emit(CaptureRecord&& record)
{
    ++m_statements;
    m_emit(std::move(record));
}

} // namespace doppel
