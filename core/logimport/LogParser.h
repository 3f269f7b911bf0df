// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LogEntry.h"

#include <functional>
#include <string>
#include <string_view>

namespace doppel {

// Incremental parser of one log file: feed() takes the file's bytes in chunks of any size,
// finish() the end of the file. Complete entries go to `entry`; a line or record that cannot be
// read goes to `problem` with its line number and is skipped. Not thread-safe.
class LogParser
{
public:
    using EntrySink = std::function<void(LogEntry&&)>;
    using ProblemSink = std::function<void(std::int64_t line, const std::string& what)>;
    virtual ~LogParser() = default;
    virtual void feed(std::string_view bytes) = 0;
    virtual void finish() = 0;
};

} // namespace doppel
