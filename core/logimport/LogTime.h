// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace doppel {

// "2026-11-23 05:12:26.123 UTC" (%m) or without milliseconds (%t), zone UTC/GMT or a numeric
// offset (+01, -0530, +05:30), as µs since the epoch. Nothing when it is not such a time; a
// named zone other than UTC/GMT is read as UTC and `*namedZone` set, so the caller can warn.
std::optional<std::int64_t> parseLogTime(std::string_view text, bool* namedZone = nullptr);

// csvlog's session id "65d3a8f1.2b0c" (start time and pid in hex) as one number.
std::uint64_t parseSessionId(std::string_view text);

} // namespace doppel
