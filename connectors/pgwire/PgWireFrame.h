// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <optional>

namespace doppel::pgwire {

// Protocol v3 constants (PostgreSQL "Message Formats").
constexpr std::int32_t kProtocolV3 = 196608; // 3.0
constexpr std::int32_t kCancelRequestCode = 80877102;
constexpr std::int32_t kSslRequestCode = 80877103;
constexpr std::int32_t kGssEncRequestCode = 80877104;
// The server's own limit for a message (PQ_LARGE_MESSAGE_LIMIT is 1 GiB - 1 in the backend).
constexpr std::uint32_t kDefaultMaxMessageSize = 1u << 30;
// A startup packet is never large (the server caps it at 10000 bytes).
constexpr std::uint32_t kMaxStartupPacketSize = 10000;

// One framed message. `type` is 0 for startup-phase packets, whose body starts with the
// protocol/request code; otherwise it is the message type byte. `body` excludes the length word.
struct Frame
{
    char type = 0;
    QByteArray body;
    bool operator==(const Frame&) const = default;
};

inline std::uint32_t readBe32(const char* p)
{
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return (std::uint32_t(u[0]) << 24) | (std::uint32_t(u[1]) << 16) | (std::uint32_t(u[2]) << 8) |
           std::uint32_t(u[3]);
}
inline void writeBe32(char* p, std::uint32_t v)
{
    p[0] = char(v >> 24);
    p[1] = char(v >> 16);
    p[2] = char(v >> 8);
    p[3] = char(v);
}

// Incremental decoder for one direction of a connection: bytes go in as they arrive from the
// socket (any split, any coalescing), whole frames come out. Not thread-safe; one per stream.
class FrameDecoder
{
public:
    enum class Phase { Startup, Regular };
    explicit FrameDecoder(Phase phase = Phase::Regular,
                          std::uint32_t maxMessageSize = kDefaultMaxMessageSize)
        : m_phase(phase), m_max(maxMessageSize)
    {}
    void setPhase(Phase phase) { m_phase = phase; }
    Phase phase() const { return m_phase; }
    void setMaxMessageSize(std::uint32_t max) { m_max = max; }

    void feed(const char* data, qsizetype size) { m_buffer.append(data, size); }
    void feed(const QByteArray& data) { m_buffer.append(data); }
    // The next complete frame, nothing if more bytes are needed, or an error naming a malformed
    // length or an over-size message. After an error the stream is unusable.
    Result<std::optional<Frame>> next();
    qsizetype buffered() const { return m_buffer.size() - m_offset; }

private:
    Phase m_phase;
    std::uint32_t m_max;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
};

// Validates a regular message header (type byte + length word including itself); shared by
// the decoder and the proxy's header-only scanner so both refuse the same input.
Status checkHeader(char type, std::uint32_t length, std::uint32_t maxMessageSize);
Status checkStartupLength(std::uint32_t length);

// Reads the fields of a message body; a read past the end sets failed() and returns zeros.
class BodyReader
{
public:
    explicit BodyReader(const QByteArray& body) : m_data(body) {}
    std::int8_t int8();
    std::int16_t int16();
    std::int32_t int32();
    QByteArray cstring();
    QByteArray bytes(qsizetype n);
    QByteArray rest();
    // A length-prefixed value where -1 means NULL (Bind parameters, DataRow columns).
    std::optional<QByteArray> nullableBytes();
    bool atEnd() const { return m_pos >= m_data.size(); }
    bool failed() const { return m_failed; }
    // Ok when every byte was consumed without over-read; otherwise an error naming `what`.
    Status finish(const char* what) const;

private:
    const QByteArray& m_data;
    qsizetype m_pos = 0;
    bool m_failed = false;
};

// Builds a message body and frames it.
class BodyWriter
{
public:
    BodyWriter& int8(std::int8_t v);
    BodyWriter& int16(std::int16_t v);
    BodyWriter& int32(std::int32_t v);
    BodyWriter& cstring(const QByteArray& s);
    BodyWriter& bytes(const QByteArray& b);
    BodyWriter& nullableBytes(const std::optional<QByteArray>& b);
    // Regular message: type + length + body.
    QByteArray frame(char type) const;
    // Startup-phase packet: length + body.
    QByteArray startupFrame() const;

private:
    QByteArray m_body;
};

Error protocolError(const QString& message);

} // namespace doppel::pgwire
