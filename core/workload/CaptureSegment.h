// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

// The on-disk layout of a capture directory, shared by writer and reader:
//   capture-<seq, 8 digits>.dcap  segments, appended to and rotated by size and time.
//   Segment header (32 bytes): magic "DPLCAPT\0", u32 version, u32 header size, i64 created µs,
//   u64 sequence number. Then frames: u32 payload length, u32 CRC-32C of the payload, payload.
//   Integers are little-endian.
namespace doppel::capture {

constexpr char kMagic[8] = {'D', 'P', 'L', 'C', 'A', 'P', 'T', '\0'};
// Version 2 adds the shadow section to statement records, version 3 the result-check section
// (result hashes, WAL synchronisation); readers take 1 to 3.
constexpr std::uint32_t kFormatVersion = 3;
constexpr std::uint32_t kOldestFormatVersion = 1;
constexpr std::uint32_t kHeaderSize = 32;
constexpr std::uint32_t kFrameHeaderSize = 8;
// A record larger than this is not a record but a damaged length word.
constexpr std::uint32_t kMaxRecordSize = 1u << 30;

QString segmentFileName(std::uint64_t sequence);
// The sequence number of a segment file name, or -1 when the name is not one.
qint64 segmentSequence(const QString& fileName);

std::string segmentHeader(std::int64_t createdUs, std::uint64_t sequence);
// Appends a framed payload to `out`.
void appendFrame(std::string& out, std::string_view payload);

} // namespace doppel::capture
