// SPDX-License-Identifier: GPL-3.0-or-later
#include "PgWireFrame.h"

#include <cstring>

namespace doppel::pgwire {

Error protocolError(const QString& message)
{
    return makeError(ErrorCode::Protocol, message);
}

Status checkHeader(char type, std::uint32_t length, std::uint32_t maxMessageSize)
{
    if (length < 4)
        return protocolError(QStringLiteral("malformed message length %1 for message type '%2'")
                                 .arg(length)
                                 .arg(QLatin1Char(type)));
    if (length - 4 > maxMessageSize)
        return protocolError(
            QStringLiteral("message of type '%1' is %2 bytes, over the limit of %3 bytes")
                .arg(QLatin1Char(type))
                .arg(length - 4)
                .arg(maxMessageSize));
    return Ok{};
}

Status checkStartupLength(std::uint32_t length)
{
    if (length < 8 || length > kMaxStartupPacketSize)
        return protocolError(QStringLiteral("invalid startup packet length %1").arg(length));
    return Ok{};
}

Result<std::optional<Frame>> FrameDecoder::next()
{
    const qsizetype avail = m_buffer.size() - m_offset;
    const char* p = m_buffer.constData() + m_offset;
    const qsizetype headerSize = m_phase == Phase::Startup ? 4 : 5;
    if (avail < headerSize)
        return std::optional<Frame>{};
    Frame frame;
    std::uint32_t length = 0;
    if (m_phase == Phase::Startup) {
        length = readBe32(p);
        if (auto st = checkStartupLength(length); !st)
            return st.error();
    } else {
        frame.type = p[0];
        length = readBe32(p + 1);
        if (auto st = checkHeader(frame.type, length, m_max); !st)
            return st.error();
    }
    const qsizetype total = headerSize - 4 + qsizetype(length);
    if (avail < total)
        return std::optional<Frame>{};
    frame.body = QByteArray(p + headerSize, total - headerSize);
    m_offset += total;
    // Compact once the consumed prefix dominates, so a long stream does not grow the buffer.
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > 65536 && m_offset * 2 > m_buffer.size()) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    return std::optional<Frame>(std::move(frame));
}

std::int8_t BodyReader::int8()
{
    if (m_pos + 1 > m_data.size()) {
        m_failed = true;
        return 0;
    }
    return std::int8_t(m_data[m_pos++]);
}

std::int16_t BodyReader::int16()
{
    if (m_pos + 2 > m_data.size()) {
        m_failed = true;
        return 0;
    }
    const auto* u = reinterpret_cast<const unsigned char*>(m_data.constData() + m_pos);
    m_pos += 2;
    return std::int16_t((u[0] << 8) | u[1]);
}

std::int32_t BodyReader::int32()
{
    if (m_pos + 4 > m_data.size()) {
        m_failed = true;
        return 0;
    }
    const std::int32_t v = std::int32_t(readBe32(m_data.constData() + m_pos));
    m_pos += 4;
    return v;
}

QByteArray BodyReader::cstring()
{
    const qsizetype end = m_data.indexOf('\0', m_pos);
    if (end < 0) {
        m_failed = true;
        m_pos = m_data.size();
        return {};
    }
    QByteArray s = m_data.mid(m_pos, end - m_pos);
    m_pos = end + 1;
    return s;
}

QByteArray BodyReader::bytes(qsizetype n)
{
    if (n < 0 || m_pos + n > m_data.size()) {
        m_failed = true;
        m_pos = m_data.size();
        return {};
    }
    QByteArray b = m_data.mid(m_pos, n);
    m_pos += n;
    return b;
}

QByteArray BodyReader::rest()
{
    QByteArray b = m_data.mid(m_pos);
    m_pos = m_data.size();
    return b;
}

std::optional<QByteArray> BodyReader::nullableBytes()
{
    const std::int32_t n = int32();
    if (m_failed)
        return std::nullopt;
    if (n == -1)
        return std::nullopt;
    if (n < -1) {
        m_failed = true;
        return std::nullopt;
    }
    return bytes(n);
}

Status BodyReader::finish(const char* what) const
{
    if (m_failed)
        return protocolError(QStringLiteral("truncated %1 message").arg(QLatin1String(what)));
    if (m_pos != m_data.size())
        return protocolError(QStringLiteral("%1 bytes of trailing garbage in %2 message")
                                 .arg(m_data.size() - m_pos)
                                 .arg(QLatin1String(what)));
    return Ok{};
}

BodyWriter& BodyWriter::int8(std::int8_t v)
{
    m_body.append(char(v));
    return *this;
}

BodyWriter& BodyWriter::int16(std::int16_t v)
{
    m_body.append(char((std::uint16_t(v) >> 8) & 0xff));
    m_body.append(char(std::uint16_t(v) & 0xff));
    return *this;
}

BodyWriter& BodyWriter::int32(std::int32_t v)
{
    char b[4];
    writeBe32(b, std::uint32_t(v));
    m_body.append(b, 4);
    return *this;
}

BodyWriter& BodyWriter::cstring(const QByteArray& s)
{
    m_body.append(s);
    m_body.append('\0');
    return *this;
}

BodyWriter& BodyWriter::bytes(const QByteArray& b)
{
    m_body.append(b);
    return *this;
}

BodyWriter& BodyWriter::nullableBytes(const std::optional<QByteArray>& b)
{
    if (!b)
        return int32(-1);
    int32(std::int32_t(b->size()));
    return bytes(*b);
}

QByteArray BodyWriter::frame(char type) const
{
    QByteArray out(5 + m_body.size(), Qt::Uninitialized);
    out[0] = type;
    writeBe32(out.data() + 1, std::uint32_t(4 + m_body.size()));
    std::memcpy(out.data() + 5, m_body.constData(), size_t(m_body.size()));
    return out;
}

QByteArray BodyWriter::startupFrame() const
{
    QByteArray out(4 + m_body.size(), Qt::Uninitialized);
    writeBe32(out.data(), std::uint32_t(4 + m_body.size()));
    std::memcpy(out.data() + 4, m_body.constData(), size_t(m_body.size()));
    return out;
}

} // namespace doppel::pgwire
