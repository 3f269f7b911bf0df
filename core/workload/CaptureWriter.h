// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CaptureRecord.h"
#include "common/Result.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace doppel {

enum class FsyncPolicy { None, Interval, Always };
Result<FsyncPolicy> parseFsyncPolicy(const QString& text);

struct CaptureWriterOptions
{
    QString dir;
    std::int64_t maxSegmentBytes = 64ll << 20;
    int maxSegmentSeconds = 3600;
    FsyncPolicy fsync = FsyncPolicy::Interval;
    int fsyncIntervalMs = 1000;
    std::size_t queueCapacity = 1 << 16; // records waiting for the disk
    // PII redaction: keep only the normalized statement (literals replaced) and no parameter
    // values. Done on the writer thread, so the client path pays nothing for it.
    bool redact = false;
};

// Appends records to the segment files of a capture directory on its own thread. submit() never
// blocks on the disk: when the bounded queue is full the record is dropped and counted, and a
// Dropped record notes the loss in the capture. submit() and the counters: any thread.
class CaptureWriter
{
public:
    static Result<std::unique_ptr<CaptureWriter>> open(const CaptureWriterOptions& options);
    ~CaptureWriter();
    CaptureWriter(const CaptureWriter&) = delete;
    CaptureWriter& operator=(const CaptureWriter&) = delete;

    // False when the record was dropped.
    bool submit(CaptureRecord&& record);
    // Moves a batch in under one lock (what does not fit is dropped); clears `records`.
    // Returns how many were accepted.
    std::size_t submitBatch(std::vector<CaptureRecord>& records);
    // Waits until everything queued so far is written (and synced under Always/Interval).
    void flush();
    // Writes what is queued, then stops the thread; further submits are dropped.
    void close();

    std::uint64_t written() const { return m_written.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    std::uint64_t segments() const { return m_segments.load(std::memory_order_relaxed); }
    // The last write error, empty while the disk is fine.
    QString lastError() const;

private:
    explicit CaptureWriter(CaptureWriterOptions options);
    void run();
    Status writeBatch(std::vector<CaptureRecord>& batch, std::uint64_t droppedDelta);
    void redact(CaptureRecord& record);
    Status openSegment();
    Status writeAll(const std::string& bytes);
    void sync(bool force);

    CaptureWriterOptions m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::vector<CaptureRecord> m_queue;
    bool m_stopping = false;
    bool m_busy = false;
    std::uint64_t m_submitted = 0;
    std::uint64_t m_done = 0;
    QString m_lastError;
    std::thread m_thread;

    std::atomic<std::uint64_t> m_written{0};
    std::atomic<std::uint64_t> m_dropped{0};
    std::atomic<std::uint64_t> m_segments{0};
    std::uint64_t m_droppedNoted = 0;

    // Writer-thread state.
    int m_fd = -1;
    std::uint64_t m_sequence = 0;
    std::int64_t m_segmentBytes = 0;
    std::int64_t m_segmentCreatedMs = 0;
    std::int64_t m_lastSyncMs = 0;
    bool m_unsynced = false;
    std::string m_buffer;
    std::string m_payload;
    std::unordered_map<std::string, std::string> m_normalized; // redaction cache
};

} // namespace doppel
