// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Result.h"

#include <chrono>

namespace doppel {

// "500ms", "10s", "5m", "1h", "2d", "1w", or a bare number of seconds, as the CLI takes them.
Result<std::chrono::milliseconds> parseDuration(const QString& text);
QString formatDuration(std::chrono::milliseconds duration);

} // namespace doppel
