// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace doppel {

// One bound parameter of an extended-protocol statement, typed by OID (0 when the client left
// the type to the server).
struct CaptureParameter
{
    std::uint32_t typeOid = 0;
    std::int16_t format = 0; // 0 text, 1 binary
    std::optional<std::string> value;
    bool operator==(const CaptureParameter&) const = default;
};

// What the shadow answered to a mirrored statement, kept next to production's result.
struct ShadowResult
{
    std::int64_t durationUs = 0;
    std::int64_t rows = -1;
    std::string sqlState; // empty on success; 08006 when the shadow connection failed under it
    // Order-insensitive hash of the shadow's result rows (resultRowsHash), for the sample of
    // reads whose results are checked; compared with CaptureRecord::resultHash.
    std::optional<std::uint64_t> resultHash;
    // Whether the shadow had applied production's WAL position of the moment the statement
    // ended on production; unknown when the proxy does not watch the replication slot.
    std::optional<bool> synchronized;
    bool operator==(const ShadowResult&) const = default;
};

// One entry of a capture: a statement with its metadata, or a note that the writer had to drop
// records. Written by the proxy (and the log importer), read by stats and replay. Plain value.
struct CaptureRecord
{
    enum class Kind : std::uint8_t { Statement = 1, Dropped = 2 };
    enum class Protocol : std::uint8_t { Simple = 0, Extended = 1 };

    Kind kind = Kind::Statement;
    std::int64_t timestampUs = 0; // wall clock, µs since the epoch, when the statement started
    std::uint64_t sessionId = 0;
    std::string user;
    std::string database;
    std::string applicationName;
    std::string clientAddress;
    Protocol protocol = Protocol::Simple;
    std::string statement;     // the query text (for extended protocol: the prepared text)
    std::string statementName; // prepared statement name, empty for unnamed/simple
    std::vector<CaptureParameter> parameters;
    std::int64_t durationUs = 0;             // until CommandComplete / ErrorResponse
    std::int64_t rows = -1;                  // from the command tag, -1 when it carries none
    std::string sqlState;                    // empty on success
    char transactionStatus = 'I';            // from the ReadyForQuery that followed: I, T or E
    std::uint64_t droppedCount = 0;          // Kind::Dropped: how many records were lost here
    std::optional<ShadowResult> shadow;      // set when the statement was mirrored to the shadow
    std::optional<std::uint64_t> resultHash; // production's result rows, when results are checked

    bool operator==(const CaptureRecord&) const = default;

    // Record payload, appended to `out`. Format version 2 adds an optional shadow section after
    // the version 1 fields, version 3 an optional result-check section after that; a record
    // without either is byte-identical to version 1.
    void serialize(std::string& out) const;
    // Reads version 1, 2 and 3 payloads; nothing when the payload is malformed.
    static std::optional<CaptureRecord> deserialize(std::string_view payload);
};

} // namespace doppel
