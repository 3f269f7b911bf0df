// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatementTracker.h"

#include <cstring>
#include <ctime>
#include <random>

namespace doppel::proxy {

namespace {

std::int64_t monoUs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

std::int64_t wallUs()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Bounds-checked reads over a message body; a short body yields empty values.
class Raw
{
public:
    Raw(const char* p, std::size_t n) : m_p(p), m_n(p ? n : 0) {}
    std::string cstring()
    {
        const void* z = m_pos < m_n ? std::memchr(m_p + m_pos, 0, m_n - m_pos) : nullptr;
        if (!z) {
            m_pos = m_n;
            return {};
        }
        const std::size_t len = std::size_t(static_cast<const char*>(z) - (m_p + m_pos));
        std::string s(m_p + m_pos, len);
        m_pos += len + 1;
        return s;
    }
    std::int32_t int32()
    {
        if (m_pos + 4 > m_n) {
            m_pos = m_n;
            return 0;
        }
        const auto* u = reinterpret_cast<const unsigned char*>(m_p + m_pos);
        m_pos += 4;
        return std::int32_t((std::uint32_t(u[0]) << 24) | (std::uint32_t(u[1]) << 16) |
                            (std::uint32_t(u[2]) << 8) | u[3]);
    }
    std::int16_t int16()
    {
        if (m_pos + 2 > m_n) {
            m_pos = m_n;
            return 0;
        }
        const auto* u = reinterpret_cast<const unsigned char*>(m_p + m_pos);
        m_pos += 2;
        return std::int16_t((u[0] << 8) | u[1]);
    }
    std::optional<std::string> value()
    {
        const std::int32_t len = int32();
        if (len < 0 || std::size_t(len) > m_n - m_pos)
            return std::nullopt;
        std::string s(m_p + m_pos, std::size_t(len));
        m_pos += std::size_t(len);
        return s;
    }
    bool more() const { return m_pos < m_n; }

private:
    const char* m_p;
    std::size_t m_n;
    std::size_t m_pos = 0;
};

std::int64_t rowsFromTag(const std::string& tag)
{
    const auto space = tag.rfind(' ');
    if (space == std::string::npos || space + 1 >= tag.size())
        return -1;
    std::int64_t n = 0;
    for (std::size_t i = space + 1; i < tag.size(); ++i) {
        if (tag[i] < '0' || tag[i] > '9')
            return -1;
        n = n * 10 + (tag[i] - '0');
    }
    return n;
}

} // namespace

StatementTracker::StatementTracker(CaptureRecord identity, Sink sink, double checkRate)
    : m_identity(std::move(identity)), m_sink(std::move(sink)), m_checkRate(checkRate)
{}

bool StatementTracker::clientNeedsBody(char type)
{
    return type == 'Q' || type == 'P' || type == 'B' || type == 'E' || type == 'C';
}

bool StatementTracker::serverNeedsBody(char type) const
{
    if (type == 'D') {
        if (m_checkRate <= 0 || m_queue.empty())
            return false;
        const int slot = m_queue.front().slot;
        return slot >= m_slotBase && slot < m_slotBase + int(m_slots.size()) &&
               m_slots[std::size_t(slot - m_slotBase)].hasher.has_value();
    }
    return type == 'C' || type == 'E' || type == 'Z';
}

StatementTracker::Slot* StatementTracker::slotAt(int slot)
{
    if (slot < m_slotBase || slot >= m_slotBase + int(m_slots.size()))
        return nullptr;
    return &m_slots[std::size_t(slot - m_slotBase)];
}

StatementTracker::Slot* StatementTracker::headSlot()
{
    return m_queue.empty() ? nullptr : slotAt(m_queue.front().slot);
}

int StatementTracker::openSlot(CaptureRecord::Protocol protocol, std::string text, std::string name,
                               std::vector<CaptureParameter> params, bool textResults)
{
    Slot s;
    s.record = m_identity;
    s.record.timestampUs = wallUs();
    s.record.protocol = protocol;
    s.record.statement = std::move(text);
    s.record.statementName = std::move(name);
    s.record.parameters = std::move(params);
    s.startMono = monoUs();
    if (textResults && m_checkRate > 0) {
        thread_local std::mt19937_64 generator{std::random_device{}()};
        if (m_checkRate >= 1 ||
            std::uniform_real_distribution<double>(0, 1)(generator) < m_checkRate)
            s.hasher.emplace();
    }
    m_slots.push_back(std::move(s));
    return m_slotBase + int(m_slots.size()) - 1;
}

void StatementTracker::addServerTime(Slot& s, std::int64_t sentMono)
{
    const std::int64_t now = monoUs();
    // In a pipeline the server starts a statement when the previous one completes, not when
    // the client sent it. A Query string's statements and a portal's Executes add up; the time
    // a client spends between two fetches of a portal is not the server's.
    const std::int64_t start = std::max(sentMono, m_lastCompletionMono);
    s.record.durationUs += std::max<std::int64_t>(0, now - start);
    m_lastCompletionMono = now;
}

void StatementTracker::finish(int slot, std::int64_t rows, std::string sqlState,
                              std::int64_t sentMono)
{
    Slot* found = slotAt(slot);
    if (!found)
        return;
    Slot& s = *found;
    addServerTime(s, sentMono);
    s.record.rows = rows;
    s.record.sqlState = std::move(sqlState);
    // A failed statement has no result to compare; a Query string's later statements add to
    // the hash of its earlier ones, as the shadow's results do.
    if (s.hasher && s.record.sqlState.empty())
        s.record.resultHash = s.hasher->value();
    else
        s.record.resultHash.reset();
    s.finished = true;
}

void StatementTracker::onExecuteSuspended()
{
    const Entry& head = m_queue.front();
    Slot* s = headSlot();
    if (!s)
        return;
    --s->executesOut;
    // Its hash is not kept: the shadow returns every row, not what the client fetched.
    s->hasher.reset();
    addServerTime(*s, head.sentMono);
    s->rowsBefore += head.maxRows; // a row limit is reached exactly when the server suspends
    const auto it = m_limitedPortals.find(head.text);
    if (it == m_limitedPortals.end() || it->second != head.slot) {
        endFetched(*s); // closed or bound anew meanwhile: no Execute will continue it
    } else if (s->executesOut == 0) {
        m_parked[head.text] = std::move(*s);
        s->discarded = true; // moved out; the portal's next Execute brings it back
        m_limitedPortals.erase(it);
    }
}

void StatementTracker::onExecuteDone(std::int64_t tagRows, std::string sqlState)
{
    const Entry& head = m_queue.front();
    Slot* s = headSlot();
    if (!s)
        return;
    --s->executesOut;
    // A fetched portal's statement has the rows of all its Executes (the tag counts only the
    // last one's); a portal completed twice by pipelined Executes adds no rows the second time.
    std::int64_t rows = tagRows;
    if (s->rowsBefore > 0 || tagRows > 0) {
        s->rowsBefore += std::max<std::int64_t>(0, tagRows);
        rows = s->rowsBefore;
    }
    finish(head.slot, rows, std::move(sqlState), head.sentMono);
    forgetPortal(head.text, head.slot);
}

void StatementTracker::forgetPortal(const std::string& portal, int slot)
{
    if (const auto it = m_limitedPortals.find(portal);
        it != m_limitedPortals.end() && it->second == slot)
        m_limitedPortals.erase(it);
}

void StatementTracker::endFetched(Slot& s)
{
    s.finished = true;
    s.record.rows = s.rowsBefore;
    s.record.resultHash.reset();
}

void StatementTracker::endPortal(const std::string& portal)
{
    // An Execute still out: its reply ends the statement, no longer continued by later ones.
    m_limitedPortals.erase(portal);
    const auto parked = m_parked.find(portal);
    if (parked == m_parked.end())
        return;
    Slot s = std::move(parked->second);
    m_parked.erase(parked);
    endFetched(s);
    m_slots.push_back(std::move(s)); // recorded at the next ReadyForQuery
}

void StatementTracker::endSuspendedPortals()
{
    std::vector<std::string> portals;
    portals.reserve(m_parked.size());
    for (const auto& [portal, slot] : m_parked)
        portals.push_back(portal);
    for (const std::string& portal : portals)
        endPortal(portal);
}

void StatementTracker::onClientMessage(char type, const char* body, std::size_t size)
{
    if (m_skipUntilSync && type != 'S')
        return;
    Raw r(body, size);
    switch (type) {
    case 'Q': {
        std::string sql = r.cstring();
        const int slot =
            openSlot(CaptureRecord::Protocol::Simple, std::move(sql), {}, {}, /*textResults*/ true);
        m_queue.push_back({Kind::Query, slot, {}});
        m_queryRows = -1;
        break;
    }
    case 'P': {
        std::string name = r.cstring();
        Prepared p;
        p.text = r.cstring();
        const int n = r.int16();
        for (int i = 0; i < n && r.more(); ++i)
            p.types.push_back(std::uint32_t(r.int32()));
        m_queue.push_back({Kind::Parse, -1, p.text});
        m_prepared[std::move(name)] = std::move(p);
        break;
    }
    case 'B': {
        Portal portal;
        std::string portalName = r.cstring();
        portal.statementName = r.cstring();
        const auto it = m_prepared.find(portal.statementName);
        const Prepared* prepared = it == m_prepared.end() ? nullptr : &it->second;
        if (prepared)
            portal.text = prepared->text;
        std::vector<std::int16_t> formats(std::size_t(std::max<std::int16_t>(0, r.int16())));
        for (auto& f : formats)
            f = r.int16();
        const int n = r.int16();
        for (int i = 0; i < n; ++i) {
            CaptureParameter p;
            p.format = formats.empty() ? 0
                       : formats.size() == 1
                           ? formats[0]
                           : formats[std::size_t(i) < formats.size() ? std::size_t(i) : 0];
            if (prepared && std::size_t(i) < prepared->types.size())
                p.typeOid = prepared->types[std::size_t(i)];
            p.value = r.value();
            portal.parameters.push_back(std::move(p));
        }
        const int resultFormats = r.int16();
        for (int i = 0; i < resultFormats; ++i)
            if (r.int16() != 0)
                portal.textResults = false;
        endPortal(portalName); // binding a portal name anew drops the portal it named
        m_queue.push_back({Kind::Bind, -1, portal.text});
        m_portals[std::move(portalName)] = std::move(portal);
        break;
    }
    case 'E': {
        std::string portalName = r.cstring();
        const std::int32_t maxRows = r.int32();
        int slot = -1;
        if (const auto parked = m_parked.find(portalName); parked != m_parked.end()) {
            // The next rows of a suspended portal: the same statement goes on.
            m_slots.push_back(std::move(parked->second));
            m_parked.erase(parked);
            slot = m_slotBase + int(m_slots.size()) - 1;
            m_slots.back().finished = false;
            m_limitedPortals[portalName] = slot;
        } else if (const auto limited = m_limitedPortals.find(portalName);
                   limited != m_limitedPortals.end() && slotAt(limited->second)) {
            slot = limited->second; // pipelined behind an Execute that may suspend
        } else if (const auto it = m_portals.find(portalName); it != m_portals.end()) {
            slot =
                openSlot(CaptureRecord::Protocol::Extended, it->second.text,
                         it->second.statementName, it->second.parameters, it->second.textResults);
            if (maxRows > 0)
                m_limitedPortals[portalName] = slot;
        }
        if (Slot* s = slotAt(slot))
            ++s->executesOut;
        m_queue.push_back({Kind::Execute, slot, std::move(portalName), maxRows, monoUs()});
        break;
    }
    case 'C': {
        const char kind = size > 0 ? body[0] : 0;
        Raw n(body ? body + 1 : nullptr, size > 0 ? size - 1 : 0);
        const std::string name = n.cstring();
        if (kind == 'S') {
            m_prepared.erase(name);
        } else if (kind == 'P') {
            m_portals.erase(name);
            endPortal(name);
        }
        m_queue.push_back({Kind::Close, -1, {}});
        break;
    }
    case 'D':
        m_queue.push_back({Kind::Describe, -1, {}});
        break;
    case 'S':
        m_skipUntilSync = false;
        m_queue.push_back({Kind::Sync, -1, {}});
        break;
    case 'F':
        m_queue.push_back({Kind::FunctionCall, -1, {}});
        break;
    default:
        break; // Flush, CopyData/Done/Fail, password messages, Terminate: no reply to wait for
    }
}

void StatementTracker::onServerMessage(char type, const char* body, std::size_t size)
{
    if (m_queue.empty()) {
        if (type == 'Z')
            onReady(size > 0 ? body[0] : 'I');
        return; // startup, asynchronous notices and notifications
    }
    Entry& head = m_queue.front();
    switch (type) {
    case 'D':
        if (body)
            if (Slot* s = headSlot(); s && s->hasher)
                s->hasher->addRow(body, size);
        break;
    case '1':
    case '2':
    case '3':
        if (head.kind == Kind::Parse || head.kind == Kind::Bind || head.kind == Kind::Close)
            m_queue.pop_front();
        break;
    case 'T':
    case 'n':
        if (head.kind == Kind::Describe)
            m_queue.pop_front();
        break;
    case 'C':
    case 'I':
    case 's': {
        std::int64_t rows = -1;
        if (type == 'C') {
            Raw r(body, size);
            rows = rowsFromTag(r.cstring());
        } else if (type == 'I') {
            rows = 0;
        }
        if (head.kind == Kind::Execute) {
            if (type == 's')
                onExecuteSuspended(); // row limit reached: the portal's next Execute goes on
            else
                onExecuteDone(rows, {});
            m_queue.pop_front();
        } else if (head.kind == Kind::Query) {
            // One Query string may hold several statements; the last tag's rows are kept.
            m_queryRows = rows;
            if (Slot* s = headSlot())
                finish(head.slot, rows, {}, s->startMono);
        }
        break;
    }
    case 'E':
        onError(body, size);
        break;
    case 'Z':
        if (head.kind == Kind::Sync || head.kind == Kind::Query || head.kind == Kind::FunctionCall)
            m_queue.pop_front();
        onReady(size > 0 ? body[0] : 'I');
        break;
    default:
        break;
    }
}

void StatementTracker::onError(const char* body, std::size_t size)
{
    std::string sqlState;
    Raw r(body, size);
    while (r.more()) {
        const std::string field = r.cstring();
        if (field.empty())
            break;
        if (field[0] == 'C') {
            sqlState = field.substr(1);
            break;
        }
    }
    Entry& head = m_queue.front();
    switch (head.kind) {
    case Kind::Query:
        if (Slot* s = headSlot())
            finish(head.slot, m_queryRows, sqlState, s->startMono);
        return; // the Query ends at its ReadyForQuery
    case Kind::Sync:
    case Kind::FunctionCall:
        return;
    case Kind::Execute:
        onExecuteDone(-1, sqlState);
        break;
    case Kind::Parse:
    case Kind::Bind: {
        // A statement that fails to parse or bind is still a statement the application ran.
        const int slot = openSlot(CaptureRecord::Protocol::Extended, std::move(head.text), {}, {});
        finish(slot, -1, sqlState, slotAt(slot)->startMono);
        break;
    }
    case Kind::Describe:
    case Kind::Close:
        break;
    }
    m_queue.pop_front();
    // The server now skips every message until Sync.
    while (!m_queue.empty() && m_queue.front().kind != Kind::Sync) {
        const Entry& skipped = m_queue.front();
        if (Slot* s = headSlot()) {
            if (skipped.kind == Kind::Execute)
                --s->executesOut;
            if (s->rowsBefore > 0)
                endFetched(*s); // a portal that sent rows ran, though this fetch never will
            else
                s->discarded = true;
        }
        if (skipped.kind == Kind::Execute)
            forgetPortal(skipped.text, skipped.slot);
        m_queue.pop_front();
    }
    if (m_queue.empty())
        m_skipUntilSync = true;
}

void StatementTracker::endSession()
{
    endSuspendedPortals();
    for (Slot& s : m_slots) {
        if (s.discarded)
            continue;
        if (!s.finished) {
            s.record.durationUs = 0;
            s.record.sqlState = "08006";
        }
        s.record.transactionStatus = m_lastStatus;
        m_sink(std::move(s.record));
    }
    m_slotBase += int(m_slots.size());
    m_slots.clear();
    m_queue.clear();
    m_limitedPortals.clear();
}

void StatementTracker::onReady(char status)
{
    m_lastStatus = status;
    // Out of a transaction block, the server has dropped every portal: a suspended one will
    // not be fetched again. Other portals are not dropped here: a pipelined Bind may already
    // name the next one.
    if (status != 'T')
        endSuspendedPortals();
    while (!m_slots.empty()) {
        Slot& s = m_slots.front();
        if (!s.finished && !s.discarded)
            break; // still running (a pipeline past this Sync)
        if (s.finished && !s.discarded) {
            s.record.transactionStatus = status;
            m_sink(std::move(s.record));
        }
        m_slots.pop_front();
        ++m_slotBase;
    }
}

} // namespace doppel::proxy
