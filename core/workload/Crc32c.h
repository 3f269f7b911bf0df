// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace doppel {

// CRC-32C (Castagnoli), the checksum of capture records. Table-driven, slicing by 8;
// reentrant, any thread. `crc` continues a previous call (start with 0).
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

} // namespace doppel
