// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureRecord.h"

#include <cstring>

namespace doppel {

namespace {

// Tags the optional section of format version 2 that follows the version 1 fields.
constexpr std::uint8_t kShadowSection = 1;
// Tags the optional section of format version 3: result hashes and WAL synchronisation.
constexpr std::uint8_t kCheckSection = 2;
enum CheckFlags : std::uint8_t {
    ProdHash = 1,
    ShadowHash = 2,
    SyncKnown = 4,
    Synchronized = 8,
};

template <typename T> void put(std::string& out, T v)
{
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T)); // little-endian on every supported host
    out.append(b, sizeof(T));
}

void putString(std::string& out, std::string_view s)
{
    put<std::uint32_t>(out, std::uint32_t(s.size()));
    out.append(s);
}

class Cursor
{
public:
    explicit Cursor(std::string_view d) : m_d(d) {}
    template <typename T> T get()
    {
        T v{};
        if (m_pos + sizeof(T) > m_d.size()) {
            m_bad = true;
            return v;
        }
        std::memcpy(&v, m_d.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    std::string string()
    {
        const auto n = get<std::uint32_t>();
        if (m_bad || n > m_d.size() - m_pos) {
            m_bad = true;
            return {};
        }
        std::string s(m_d.substr(m_pos, n));
        m_pos += n;
        return s;
    }
    bool good() const { return !m_bad && m_pos == m_d.size(); }
    bool atEnd() const { return m_pos >= m_d.size(); }
    bool bad() const { return m_bad; }

private:
    std::string_view m_d;
    std::size_t m_pos = 0;
    bool m_bad = false;
};

} // namespace

void CaptureRecord::serialize(std::string& out) const
{
    put<std::uint8_t>(out, std::uint8_t(kind));
    put<std::int64_t>(out, timestampUs);
    put<std::uint64_t>(out, sessionId);
    if (kind == Kind::Dropped) {
        put<std::uint64_t>(out, droppedCount);
        return;
    }
    putString(out, user);
    putString(out, database);
    putString(out, applicationName);
    putString(out, clientAddress);
    put<std::uint8_t>(out, std::uint8_t(protocol));
    putString(out, statement);
    putString(out, statementName);
    put<std::uint32_t>(out, std::uint32_t(parameters.size()));
    for (const auto& p : parameters) {
        put<std::uint32_t>(out, p.typeOid);
        put<std::int16_t>(out, p.format);
        put<std::uint8_t>(out, p.value ? 1 : 0);
        if (p.value)
            putString(out, *p.value);
    }
    put<std::int64_t>(out, durationUs);
    put<std::int64_t>(out, rows);
    putString(out, sqlState);
    put<char>(out, transactionStatus);
    if (shadow) {
        put<std::uint8_t>(out, kShadowSection);
        put<std::int64_t>(out, shadow->durationUs);
        put<std::int64_t>(out, shadow->rows);
        putString(out, shadow->sqlState);
    }
    const bool shadowCheck = shadow && (shadow->resultHash || shadow->synchronized);
    if (resultHash || shadowCheck) {
        std::uint8_t flags = resultHash ? ProdHash : 0;
        if (shadow && shadow->resultHash)
            flags |= ShadowHash;
        if (shadow && shadow->synchronized)
            flags |= SyncKnown | (*shadow->synchronized ? Synchronized : 0);
        put<std::uint8_t>(out, kCheckSection);
        put<std::uint8_t>(out, flags);
        if (resultHash)
            put<std::uint64_t>(out, *resultHash);
        if (flags & ShadowHash)
            put<std::uint64_t>(out, *shadow->resultHash);
    }
}

std::optional<CaptureRecord> CaptureRecord::deserialize(std::string_view payload)
{
    Cursor c(payload);
    CaptureRecord r;
    const auto kind = c.get<std::uint8_t>();
    if (kind != std::uint8_t(Kind::Statement) && kind != std::uint8_t(Kind::Dropped))
        return std::nullopt;
    r.kind = Kind(kind);
    r.timestampUs = c.get<std::int64_t>();
    r.sessionId = c.get<std::uint64_t>();
    if (r.kind == Kind::Dropped) {
        r.droppedCount = c.get<std::uint64_t>();
        return c.good() ? std::optional(r) : std::nullopt;
    }
    r.user = c.string();
    r.database = c.string();
    r.applicationName = c.string();
    r.clientAddress = c.string();
    const auto protocol = c.get<std::uint8_t>();
    if (protocol > 1)
        return std::nullopt;
    r.protocol = Protocol(protocol);
    r.statement = c.string();
    r.statementName = c.string();
    const auto n = c.get<std::uint32_t>();
    if (n > payload.size())
        return std::nullopt;
    for (std::uint32_t i = 0; i < n && !c.bad(); ++i) {
        CaptureParameter p;
        p.typeOid = c.get<std::uint32_t>();
        p.format = c.get<std::int16_t>();
        if (c.get<std::uint8_t>())
            p.value = c.string();
        r.parameters.push_back(std::move(p));
    }
    r.durationUs = c.get<std::int64_t>();
    r.rows = c.get<std::int64_t>();
    r.sqlState = c.string();
    r.transactionStatus = c.get<char>();
    std::uint8_t lastTag = 0;
    while (!c.bad() && !c.atEnd()) {
        const auto tag = c.get<std::uint8_t>();
        if (tag <= lastTag) // each section once, in order
            return std::nullopt;
        lastTag = tag;
        if (tag == kShadowSection) {
            ShadowResult shadow;
            shadow.durationUs = c.get<std::int64_t>();
            shadow.rows = c.get<std::int64_t>();
            shadow.sqlState = c.string();
            r.shadow = std::move(shadow);
        } else if (tag == kCheckSection) {
            const auto flags = c.get<std::uint8_t>();
            if ((flags & (ShadowHash | SyncKnown)) && !r.shadow)
                return std::nullopt;
            if (flags & ProdHash)
                r.resultHash = c.get<std::uint64_t>();
            if (flags & ShadowHash)
                r.shadow->resultHash = c.get<std::uint64_t>();
            if (flags & SyncKnown)
                r.shadow->synchronized = (flags & Synchronized) != 0;
        } else {
            return std::nullopt;
        }
    }
    if (!c.good())
        return std::nullopt;
    return r;
}

} // namespace doppel
