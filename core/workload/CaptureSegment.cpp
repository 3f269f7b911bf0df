// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureSegment.h"

#include "Crc32c.h"

#include <QRegularExpression>

#include <cstring>

namespace doppel::capture {

QString segmentFileName(std::uint64_t sequence)
{
    return QStringLiteral("capture-%1.dcap").arg(sequence, 8, 10, QLatin1Char('0'));
}

qint64 segmentSequence(const QString& fileName)
{
    static const QRegularExpression re(QStringLiteral("^capture-(\\d{8,})\\.dcap$"));
    const auto m = re.match(fileName);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

template <typename T> static void put(std::string& out, T v)
{
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

std::string segmentHeader(std::int64_t createdUs, std::uint64_t sequence)
{
    std::string h(kMagic, sizeof(kMagic));
    put<std::uint32_t>(h, kFormatVersion);
    put<std::uint32_t>(h, kHeaderSize);
    put<std::int64_t>(h, createdUs);
    put<std::uint64_t>(h, sequence);
    return h;
}

void appendFrame(std::string& out, std::string_view payload)
{
    put<std::uint32_t>(out, std::uint32_t(payload.size()));
    put<std::uint32_t>(out, crc32c(payload.data(), payload.size()));
    out.append(payload);
}

} // namespace doppel::capture
