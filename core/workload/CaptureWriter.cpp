// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaptureWriter.h"

#include "CaptureSegment.h"
#include "CaptureStats.h"
#include "common/ThreadRole.h"

#include <QDateTime>
#include <QDir>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace doppel {

Result<FsyncPolicy> parseFsyncPolicy(const QString& text)
{
    if (text == QLatin1String("none"))
        return FsyncPolicy::None;
    if (text == QLatin1String("interval"))
        return FsyncPolicy::Interval;
    if (text == QLatin1String("always"))
        return FsyncPolicy::Always;
    return makeError(
        ErrorCode::InvalidInput,
        QStringLiteral("fsync policy must be none, interval or always, not '%1'").arg(text));
}

static std::int64_t nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

CaptureWriter::CaptureWriter(CaptureWriterOptions options) : m_options(std::move(options))
{}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::open(const CaptureWriterOptions& options)
{
    if (options.dir.isEmpty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("no capture directory given"));
    if (options.maxSegmentBytes < 4096)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("segment size must be at least 4096 bytes"));
    QDir dir(options.dir);
    if (!dir.exists()) {
        if (!QDir().mkpath(options.dir))
            return makeError(ErrorCode::Io,
                             QStringLiteral("cannot create capture directory %1").arg(options.dir));
        ::chmod(QFile::encodeName(options.dir).constData(), 0700);
    }
    std::unique_ptr<CaptureWriter> w(new CaptureWriter(options));
    // Continue after the newest segment so a restarted proxy never appends to a torn file.
    for (const QString& name : dir.entryList(QDir::Files)) {
        const qint64 seq = capture::segmentSequence(name);
        if (seq >= 0 && std::uint64_t(seq) >= w->m_sequence)
            w->m_sequence = std::uint64_t(seq) + 1;
    }
    if (auto st = w->openSegment(); !st)
        return st.error();
    w->m_queue.reserve(1024);
    w->m_thread = std::thread([p = w.get()] { p->run(); });
    return w;
}

CaptureWriter::~CaptureWriter()
{
    close();
}

bool CaptureWriter::submit(CaptureRecord&& record)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping && m_queue.size() < m_options.queueCapacity) {
            m_queue.push_back(std::move(record));
            ++m_submitted;
            if (m_queue.size() == 1)
                m_wake.notify_one();
            return true;
        }
    }
    m_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
}

std::size_t CaptureWriter::submitBatch(std::vector<CaptureRecord>& records)
{
    std::size_t accepted = 0;
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_queue.empty();
        if (!m_stopping) {
            const std::size_t room = m_options.queueCapacity > m_queue.size()
                                         ? m_options.queueCapacity - m_queue.size()
                                         : 0;
            accepted = std::min(room, records.size());
            for (std::size_t i = 0; i < accepted; ++i)
                m_queue.push_back(std::move(records[i]));
            m_submitted += accepted;
        }
        if (wasEmpty && accepted > 0)
            m_wake.notify_one();
    }
    if (accepted < records.size())
        m_dropped.fetch_add(records.size() - accepted, std::memory_order_relaxed);
    records.clear();
    return accepted;
}

void CaptureWriter::flush()
{
    std::unique_lock lock(m_mutex);
    const std::uint64_t target = m_submitted;
    m_wake.notify_one();
    m_idle.wait(lock, [&] { return m_done >= target || !m_thread.joinable(); });
}

void CaptureWriter::close()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
    m_idle.notify_all();
    if (m_fd >= 0) {
        if (m_options.fsync != FsyncPolicy::None)
            ::fdatasync(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
}

QString CaptureWriter::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void CaptureWriter::run()
{
    setThisThreadRole(ThreadRole::Background, "dp-capture");
    std::vector<CaptureRecord> batch;
    batch.reserve(1024);
    while (true) {
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            const auto timeout = std::chrono::milliseconds(
                m_options.fsync == FsyncPolicy::Interval ? m_options.fsyncIntervalMs : 1000);
            m_wake.wait_for(lock, timeout, [&] { return !m_queue.empty() || m_stopping; });
            batch.swap(m_queue);
            stopping = m_stopping;
        }
        const std::uint64_t dropped = m_dropped.load(std::memory_order_relaxed);
        const std::uint64_t delta = dropped - m_droppedNoted;
        m_droppedNoted = dropped;
        const std::size_t n = batch.size();
        Status st = writeBatch(batch, delta);
        batch.clear();
        {
            std::lock_guard lock(m_mutex);
            m_done += n;
            if (!st)
                m_lastError = st.error().message;
        }
        m_idle.notify_all();
        if (stopping) {
            std::lock_guard lock(m_mutex);
            if (m_queue.empty())
                break;
        } else if (n < 1024) {
            // A trickle: let records gather for a moment instead of waking for each one, which
            // would cost the client path more CPU than the writing itself.
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
}

Status CaptureWriter::writeBatch(std::vector<CaptureRecord>& batch, std::uint64_t droppedDelta)
{
    const std::int64_t now = nowMs();
    if (m_segmentBytes > std::int64_t(capture::kHeaderSize) &&
        now - m_segmentCreatedMs >= std::int64_t(m_options.maxSegmentSeconds) * 1000) {
        if (auto st = openSegment(); !st)
            return st;
    }
    m_buffer.clear();
    auto append = [&](const CaptureRecord& r) -> Status {
        m_payload.clear();
        r.serialize(m_payload);
        const std::int64_t frame = capture::kFrameHeaderSize + std::int64_t(m_payload.size());
        if (m_segmentBytes + std::int64_t(m_buffer.size()) + frame > m_options.maxSegmentBytes &&
            m_segmentBytes + std::int64_t(m_buffer.size()) > std::int64_t(capture::kHeaderSize)) {
            if (auto st = writeAll(m_buffer); !st)
                return st;
            m_buffer.clear();
            if (auto st = openSegment(); !st)
                return st;
        }
        capture::appendFrame(m_buffer, m_payload);
        return Ok{};
    };
    if (droppedDelta > 0) {
        CaptureRecord note;
        note.kind = CaptureRecord::Kind::Dropped;
        note.timestampUs = now * 1000;
        note.droppedCount = droppedDelta;
        if (auto st = append(note); !st)
            return st;
    }
    for (CaptureRecord& r : batch) {
        if (m_options.redact)
            redact(r);
        if (auto st = append(r); !st)
            return st;
        // Bound the staging buffer so a huge batch does not double its memory.
        if (m_buffer.size() > (4u << 20)) {
            if (auto st = writeAll(m_buffer); !st)
                return st;
            m_buffer.clear();
        }
    }
    if (auto st = writeAll(m_buffer); !st)
        return st;
    m_written.fetch_add(batch.size(), std::memory_order_relaxed);
    sync(m_options.fsync == FsyncPolicy::Always);
    return Ok{};
}

void CaptureWriter::redact(CaptureRecord& record)
{
    if (record.kind != CaptureRecord::Kind::Statement)
        return;
    auto it = m_normalized.find(record.statement);
    if (it == m_normalized.end()) {
        if (m_normalized.size() > 100000)
            m_normalized.clear(); // texts with inlined literals can be endless
        it = m_normalized.emplace(record.statement, normalizeStatement(record.statement)).first;
    }
    record.statement = it->second;
    for (CaptureParameter& p : record.parameters)
        p.value.reset();
}

Status CaptureWriter::writeAll(const std::string& bytes)
{
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(m_fd, bytes.data() + off, bytes.size() - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return makeError(ErrorCode::Io, QStringLiteral("writing capture segment: %1")
                                                .arg(QString::fromLocal8Bit(strerror(errno))));
        }
        off += std::size_t(n);
    }
    m_segmentBytes += std::int64_t(bytes.size());
    m_unsynced = m_unsynced || !bytes.empty();
    return Ok{};
}

void CaptureWriter::sync(bool force)
{
    if (!m_unsynced || m_fd < 0 || m_options.fsync == FsyncPolicy::None)
        return;
    const std::int64_t now = nowMs();
    if (force || now - m_lastSyncMs >= m_options.fsyncIntervalMs) {
        ::fdatasync(m_fd);
        m_lastSyncMs = now;
        m_unsynced = false;
    }
}

Status CaptureWriter::openSegment()
{
    if (m_fd >= 0) {
        if (m_options.fsync != FsyncPolicy::None)
            ::fdatasync(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
    const QString path = QDir(m_options.dir).filePath(capture::segmentFileName(m_sequence));
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return makeError(ErrorCode::Io, QStringLiteral("cannot create capture segment %1: %2")
                                            .arg(path, QString::fromLocal8Bit(strerror(errno))));
    ::fchmod(fd, 0600);
    m_fd = fd;
    m_segmentBytes = 0;
    m_segmentCreatedMs = nowMs();
    m_segments.fetch_add(1, std::memory_order_relaxed);
    const std::string header = capture::segmentHeader(m_segmentCreatedMs * 1000, m_sequence);
    ++m_sequence;
    return writeAll(header);
}

} // namespace doppel
