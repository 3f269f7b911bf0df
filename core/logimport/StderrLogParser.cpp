// SPDX-License-Identifier: GPL-3.0-or-later
#include "StderrLogParser.h"

#include "LogTime.h"

namespace doppel {

QString prefixPattern(const QString& prefix, QStringList* groups)
{
    QString out = QStringLiteral("^");
    QString rest; // after %q: optional for lines of processes without a session
    bool optional = false;
    QString* target = &out;
    for (qsizetype i = 0; i < prefix.size(); ++i) {
        const QChar c = prefix[i];
        if (c != QLatin1Char('%') || i + 1 >= prefix.size()) {
            *target += QRegularExpression::escape(QString(c));
            continue;
        }
        ++i;
        while (i < prefix.size() && (prefix[i].isDigit() || prefix[i] == QLatin1Char('-')))
            ++i; // padding such as %-10u
        if (i >= prefix.size())
            break;
        const char e = prefix[i].toLatin1();
        auto group = [&](const char* name, const char* regex) {
            groups->append(QLatin1String(name));
            *target += QLatin1Char('(') + QLatin1String(regex) + QLatin1Char(')');
        };
        switch (e) {
        case 'm':
            group("time", "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+(?: [^ \\]|@]+)?");
            break;
        case 't':
            group("time", "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?: [^ \\]|@]+)?");
            break;
        case 'n':
            group("epoch", "\\d+\\.\\d+");
            break;
        case 'c':
            group("session", "[0-9a-f]+\\.[0-9a-f]+");
            break;
        case 'p':
            group("pid", "\\d+");
            break;
        case 'u':
            group("user", ".*?");
            break;
        case 'd':
            group("database", ".*?");
            break;
        case 'a':
            group("application", ".*?");
            break;
        case 'h':
            group("client", "\\S*?");
            break;
        case 'r':
            group("client", "\\S*?");
            break;
        case 'l':
        case 'x':
        case 'P':
            group("", "\\d*");
            break;
        case 'e':
            group("", "[0-9A-Z]{5}");
            break;
        case 'Q':
            group("", "-?\\d*");
            break;
        case 'i':
        case 'b':
        case 'v':
            group("", ".*?");
            break;
        case 's':
            group("", "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+");
            break;
        case 'q':
            optional = true;
            target = &rest;
            break;
        case '%':
            *target += QStringLiteral("%");
            break;
        default:
            *target += QRegularExpression::escape(QStringLiteral("%") + QChar::fromLatin1(e));
        }
    }
    if (optional)
        out += QStringLiteral("(?:") + rest + QStringLiteral(")?");
    groups->append(QStringLiteral("severity"));
    groups->append(QStringLiteral("text"));
    return out + QStringLiteral("([A-Z]+\\d?):  (.*)$");
}

Result<std::unique_ptr<StderrLogParser>>
StderrLogParser::create(const QString& prefix, EntrySink entry, ProblemSink problem)
{
    QStringList groups;
    const QString pattern = prefixPattern(prefix, &groups);
    Fields f;
    for (qsizetype i = 0; i < groups.size(); ++i) {
        const QString& g = groups[i];
        const int index = int(i) + 1;
        if (g == QLatin1String("time") || g == QLatin1String("epoch"))
            f.time = g == QLatin1String("epoch") ? -index : index;
        else if (g == QLatin1String("session"))
            f.session = index;
        else if (g == QLatin1String("pid"))
            f.pid = index;
        else if (g == QLatin1String("user"))
            f.user = index;
        else if (g == QLatin1String("database"))
            f.database = index;
        else if (g == QLatin1String("application"))
            f.application = index;
        else if (g == QLatin1String("client"))
            f.client = index;
        else if (g == QLatin1String("severity"))
            f.severity = index;
        else if (g == QLatin1String("text"))
            f.text = index;
    }
    if (f.time == -1)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("log_line_prefix '%1' has no time (%m, %t or %n): a stderr "
                                        "log without times cannot be replayed")
                             .arg(prefix));
    if (f.session == -1 && f.pid == -1)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("log_line_prefix '%1' has no session (%c or %p): "
                                        "statements cannot be told apart by session")
                             .arg(prefix));
    QRegularExpression re(pattern);
    if (!re.isValid())
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("cannot read log_line_prefix '%1': %2").arg(prefix, re.errorString()));
    re.optimize();
    return std::unique_ptr<StderrLogParser>(
        new StderrLogParser(std::move(re), f, std::move(entry), std::move(problem)));
}

StderrLogParser::StderrLogParser(QRegularExpression pattern, Fields fields, EntrySink entry,
                                 ProblemSink problem)
    : m_pattern(std::move(pattern)), m_fields(fields), m_entry(std::move(entry)),
      m_problem(std::move(problem))
{}

void StderrLogParser::feed(std::string_view bytes)
{
    while (!bytes.empty()) {
        const size_t nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            m_partial.append(bytes);
            return;
        }
        if (m_partial.empty()) {
            line(bytes.substr(0, nl));
        } else {
            m_partial.append(bytes.substr(0, nl));
            line(m_partial);
            m_partial.clear();
        }
        bytes.remove_prefix(nl + 1);
    }
}

void StderrLogParser::finish()
{
    if (!m_partial.empty()) {
        ++m_line;
        m_problem(m_line, "the file ends inside a line (a torn last line); it is skipped");
        m_partial.clear();
    }
    completePiece();
    flushEntry();
}

void StderrLogParser::line(std::string_view text)
{
    ++m_line;
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    if (!text.empty() && text.front() == '\t') {
        if (m_piece) // a continuation of a multi-line message
            m_piece->message.append("\n").append(text.substr(1));
        return;
    }
    if (text.empty())
        return;
    // Qt's regex works on UTF-16, where bytes that are not UTF-8 become U+FFFD.
    const QString decoded = QString::fromUtf8(text.data(), qsizetype(text.size()));
    const QRegularExpressionMatch m = m_pattern.match(decoded);
    if (!m.hasMatch()) {
        m_problem(m_line, "does not start with the log_line_prefix; skipped");
        return;
    }
    completePiece();
    auto captured = [&](int index) {
        return index > 0 ? m.captured(index).toStdString() : std::string();
    };
    LogEntry e;
    e.line = m_line;
    // The message from the original bytes (a non-UTF-8 byte in it survives as it was).
    const qsizetype byteStart = decoded.left(m.capturedStart(m_fields.text)).toUtf8().size();
    e.message = byteStart <= qsizetype(text.size()) ? std::string(text.substr(size_t(byteStart)))
                                                    : captured(m_fields.text);
    e.severity = captured(m_fields.severity);
    if (m_fields.time < 0) {
        e.timeUs = std::int64_t(m.captured(-m_fields.time).toDouble() * 1e6);
    } else {
        bool named = false;
        const std::string time = captured(m_fields.time);
        auto t = parseLogTime(time, &named);
        if (!t) {
            m_problem(m_line, "unreadable time '" + time + "'; skipped");
            return;
        }
        if (named && !m_namedZoneWarned) {
            m_namedZoneWarned = true;
            m_problem(m_line, "log times carry a named time zone; they are read as UTC (set "
                              "log_timezone = 'UTC' for exact times)");
        }
        e.timeUs = *t;
    }
    e.session = m_fields.session > 0 ? parseSessionId(captured(m_fields.session))
                                     : std::uint64_t(m.captured(m_fields.pid).toULongLong());
    e.user = captured(m_fields.user);
    e.database = captured(m_fields.database);
    e.application = captured(m_fields.application);
    e.client = captured(m_fields.client);
    m_piece = std::move(e);
}

void StderrLogParser::completePiece()
{
    if (!m_piece)
        return;
    LogEntry piece = std::move(*m_piece);
    m_piece.reset();
    const bool attached = piece.severity == "DETAIL" || piece.severity == "STATEMENT" ||
                          piece.severity == "HINT" || piece.severity == "CONTEXT" ||
                          piece.severity == "QUERY" || piece.severity == "LOCATION";
    if (attached) {
        if (m_current && m_current->session == piece.session) {
            if (piece.severity == "DETAIL")
                m_current->detail = std::move(piece.message);
            else if (piece.severity == "STATEMENT")
                m_current->query = std::move(piece.message);
        }
        return;
    }
    flushEntry();
    m_current = std::move(piece);
}

void StderrLogParser::flushEntry()
{
    if (m_current) {
        m_entry(std::move(*m_current));
        m_current.reset();
    }
}

} // namespace doppel
