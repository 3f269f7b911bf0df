// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LogParser.h"
#include "common/Result.h"

#include <QRegularExpression>

#include <optional>

namespace doppel {

// PostgreSQL's stderr log with a known log_line_prefix: each message starts with the prefix
// and "SEVERITY:  ", continuation lines of a multi-line statement start with a tab, and DETAIL
// and STATEMENT lines belong to the message before them. The prefix must carry the time (%m,
// %t or %n) and a session (%c, or %p); %u, %d, %a and %h/%r are used when present.
class StderrLogParser : public LogParser
{
public:
    // Fails when the prefix lacks what an import needs; the message names it.
    static Result<std::unique_ptr<StderrLogParser>> create(const QString& logLinePrefix,
                                                           EntrySink entry, ProblemSink problem);
    void feed(std::string_view bytes) override;
    void finish() override;

private:
    struct Fields
    {
        int time = -1, session = -1, pid = -1, user = -1, database = -1, application = -1,
            client = -1, severity = -1, text = -1;
    };
    StderrLogParser(QRegularExpression pattern, Fields fields, EntrySink entry,
                    ProblemSink problem);
    void line(std::string_view text);
    void completePiece();
    void flushEntry();

    QRegularExpression m_pattern;
    Fields m_fields;
    EntrySink m_entry;
    ProblemSink m_problem;
    std::string m_partial;             // a line cut by the chunk boundary
    std::optional<LogEntry> m_piece;   // the message being read (continuation lines append)
    std::optional<LogEntry> m_current; // the message its DETAIL/STATEMENT lines belong to
    std::int64_t m_line = 0;
    bool m_namedZoneWarned = false;
};

// The regular expression that matches a log_line_prefix, and which capture group holds what.
QString prefixPattern(const QString& logLinePrefix, QStringList* groups);

} // namespace doppel
