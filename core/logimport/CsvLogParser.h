// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LogParser.h"

#include <vector>

namespace doppel {

// PostgreSQL's csvlog: one record per message, fields quoted with "" escapes, newlines inside
// quoted fields (multi-line statements). Records with too few fields or an unreadable time are
// reported and skipped; a record cut by the end of the file (a torn tail) is reported too.
class CsvLogParser : public LogParser
{
public:
    CsvLogParser(EntrySink entry, ProblemSink problem);
    void feed(std::string_view bytes) override;
    void finish() override;

private:
    void endField();
    void endRecord();

    EntrySink m_entry;
    ProblemSink m_problem;
    std::vector<std::string> m_fields;
    std::string m_field;
    bool m_quoted = false;    // inside a quoted field
    bool m_quoteSeen = false; // a quote just closed (or is the first of "")
    bool m_recordStarted = false;
    std::int64_t m_line = 1;       // current line
    std::int64_t m_recordLine = 1; // where the current record started
    bool m_namedZoneWarned = false;
};

} // namespace doppel
