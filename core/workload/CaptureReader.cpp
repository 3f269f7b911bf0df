// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureReader.h"

#include "CaptureSegment.h"
#include "Crc32c.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cstring>

namespace doppel {

QString CaptureIssue::toString() const
{
    return QStringLiteral("%1 at offset %2: %3").arg(segment).arg(offset).arg(message);
}

namespace {

std::uint32_t le32(const char* p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// A frame that starts at `pos`, fits in the segment and whose checksum holds.
bool validFrameAt(const QByteArray& d, qint64 pos)
{
    if (pos + qint64(capture::kFrameHeaderSize) > d.size())
        return false;
    const std::uint32_t len = le32(d.constData() + pos);
    if (len == 0 || qint64(len) > d.size() - pos - qint64(capture::kFrameHeaderSize))
        return false;
    return crc32c(d.constData() + pos + capture::kFrameHeaderSize, len) ==
           le32(d.constData() + pos + 4);
}

// The next offset after `from` where a valid frame starts, or -1.
qint64 resync(const QByteArray& d, qint64 from)
{
    for (qint64 p = from; p + qint64(capture::kFrameHeaderSize) < d.size(); ++p)
        if (validFrameAt(d, p))
            return p;
    return -1;
}

} // namespace

Status CaptureReader::read(const std::function<void(const CaptureRecord&)>& visit)
{
    QDir dir(m_dir);
    if (!dir.exists())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("capture directory %1 does not exist").arg(m_dir));
    QList<std::pair<qint64, QString>> segments;
    for (const QString& name : dir.entryList(QDir::Files)) {
        const qint64 seq = capture::segmentSequence(name);
        if (seq >= 0)
            segments.append({seq, name});
    }
    std::sort(segments.begin(), segments.end());
    for (const auto& [seq, name] : segments) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            m_issues.append({name, 0, false, QStringLiteral("cannot open: ") + file.errorString()});
            ++m_damaged;
            continue;
        }
        readSegment(name, file.readAll(), visit);
        ++m_segments;
    }
    return Ok{};
}

void CaptureReader::readSegment(const QString& name, const QByteArray& d,
                                const std::function<void(const CaptureRecord&)>& visit)
{
    if (d.size() < qint64(capture::kHeaderSize)) {
        // The writer died before finishing the header: nothing was recorded in it.
        m_issues.append({name, 0, true, QStringLiteral("segment header is incomplete")});
        return;
    }
    if (std::memcmp(d.constData(), capture::kMagic, sizeof(capture::kMagic)) != 0) {
        m_issues.append({name, 0, false, QStringLiteral("not a Doppel capture segment")});
        ++m_damaged;
        return;
    }
    const std::uint32_t version = le32(d.constData() + 8);
    const std::uint32_t headerSize = le32(d.constData() + 12);
    if (version < capture::kOldestFormatVersion || version > capture::kFormatVersion ||
        headerSize < capture::kHeaderSize || headerSize > std::uint32_t(d.size())) {
        m_issues.append(
            {name, 8, false, QStringLiteral("unsupported capture format version %1").arg(version)});
        ++m_damaged;
        return;
    }
    qint64 pos = headerSize;
    while (pos < d.size()) {
        const qint64 remaining = d.size() - pos;
        bool good = validFrameAt(d, pos);
        std::uint32_t len = remaining >= 4 ? le32(d.constData() + pos) : 0;
        if (good) {
            const std::string_view payload(d.constData() + pos + capture::kFrameHeaderSize, len);
            if (auto rec = CaptureRecord::deserialize(payload)) {
                visit(*rec);
                pos += capture::kFrameHeaderSize + len;
                continue;
            }
            m_issues.append({name, pos, false, QStringLiteral("record does not decode")});
            ++m_damaged;
            pos += capture::kFrameHeaderSize + len;
            continue;
        }
        const qint64 next = resync(d, pos + 1);
        const bool runsPastEnd = remaining < qint64(capture::kFrameHeaderSize) ||
                                 qint64(len) > remaining - qint64(capture::kFrameHeaderSize);
        if (next < 0 && runsPastEnd) {
            m_issues.append(
                {name, pos, true,
                 QStringLiteral("torn tail of %1 bytes skipped (incomplete last record)")
                     .arg(remaining)});
            return;
        }
        m_issues.append({name, pos, false,
                         QStringLiteral("damaged record (checksum mismatch), %1 bytes skipped")
                             .arg((next < 0 ? d.size() : next) - pos)});
        ++m_damaged;
        if (next < 0)
            return;
        pos = next;
    }
}

} // namespace doppel
