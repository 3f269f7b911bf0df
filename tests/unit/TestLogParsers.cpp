// SPDX-License-Identifier: GPL-3.0-or-later
// The pieces of the log importer on hand-made log text: times, session ids, logged parameters,
// csvlog records split anywhere and holding quoted newlines, stderr prefixes and continuation
// lines, bytes that are not UTF-8, and the statement mapper's pairing of log_statement and
// duration lines.
#include "logimport/CsvLogParser.h"
#include "logimport/LogStatementMapper.h"
#include "logimport/LogTime.h"
#include "logimport/StderrLogParser.h"

#include <QtTest>

using namespace doppel;

namespace {

struct Collected
{
    std::vector<LogEntry> entries;
    std::vector<std::pair<std::int64_t, std::string>> problems;
    LogParser::EntrySink entrySink()
    {
        return [this](LogEntry&& e) { entries.push_back(std::move(e)); };
    }
    LogParser::ProblemSink problemSink()
    {
        return [this](std::int64_t line, const std::string& what) {
            problems.emplace_back(line, what);
        };
    }
};

std::string csvRecord(const std::string& time, const std::string& session,
                      const std::string& severity, const std::string& message,
                      const std::string& detail = {}, const std::string& query = {})
{
    auto q = [](const std::string& s) {
        std::string out = "\"";
        for (char c : s)
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    };
    return time + "," + q("alice") + "," + q("shop") + ",4242," + q("127.0.0.1:5000") + "," +
           q(session) + ",1," + q("SELECT") + "," + time + "," + q("3/7") + ",0," + severity +
           ",00000," + q(message) + "," + q(detail) + ",,,," + "," + q(query) + ",,," + q("app") +
           "," + q("client backend") + ",,0\n";
}

std::vector<CaptureRecord> mapAll(const std::vector<LogEntry>& entries)
{
    std::vector<CaptureRecord> out;
    LogStatementMapper mapper([&](CaptureRecord&& r) { out.push_back(std::move(r)); });
    for (const LogEntry& e : entries)
        mapper.add(e);
    mapper.finish();
    return out;
}

} // namespace

class TestLogParsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedUs");
        QTest::newRow("%m UTC") << "2026-11-23 05:12:26.123 UTC" << qint64(1795410746123000);
        QTest::newRow("%t UTC") << "2026-11-23 05:12:26 UTC" << qint64(1795410746000000);
        QTest::newRow("offset +01") << "2026-11-23 06:12:26.123 +01" << qint64(1795410746123000);
        QTest::newRow("offset -05:30")
            << "2026-11-22 23:42:26.123 -05:30" << qint64(1795410746123000);
    }
    void logTimes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expectedUs);
        const std::string s = text.toStdString();
        auto t = parseLogTime(s);
        QVERIFY(t);
        QCOMPARE(qint64(*t), expectedUs);
    }

    void badTimesAreRefused()
    {
        QVERIFY(!parseLogTime("yesterday"));
        QVERIFY(!parseLogTime("2026-13-45 05:12:26 UTC"));
        bool named = false;
        QVERIFY(parseLogTime("2026-11-23 05:12:26 CET", &named));
        QVERIFY(named);
    }

    void sessionIds()
    {
        QCOMPARE(parseSessionId("65d3a8f1.2b0c"), (std::uint64_t(0x65d3a8f1) << 32) ^ 0x2b0c);
        QVERIFY(parseSessionId("65d3a8f1.2b0c") != parseSessionId("65d3a8f1.2b0d"));
        QCOMPARE(parseSessionId("4242"), std::uint64_t(0x4242));
    }

    void loggedParameters()
    {
        auto p = parseLoggedParameters("parameters: $1 = '5', $2 = NULL, $3 = 'it''s, ok'");
        QCOMPARE(p.size(), size_t(3));
        QCOMPARE(*p[0].value, std::string("5"));
        QVERIFY(!p[1].value);
        QCOMPARE(*p[2].value, std::string("it's, ok"));
    }

    void csvRecordsSplitAnywhere()
    {
        const std::string text =
            csvRecord("2026-11-23 05:00:00.000 UTC", "ab.cd", "LOG",
                      "duration: 1.500 ms  statement: SELECT 'a\nb', \"x\"") +
            csvRecord("2026-11-23 05:00:01.000 UTC", "ab.cd", "LOG",
                      "duration: 0.250 ms  execute S_1: SELECT $1", "parameters: $1 = '7'");
        for (size_t step : {size_t(1), size_t(7), text.size()}) {
            Collected c;
            CsvLogParser parser(c.entrySink(), c.problemSink());
            for (size_t i = 0; i < text.size(); i += step)
                parser.feed(std::string_view(text).substr(i, step));
            parser.finish();
            QCOMPARE(c.problems.size(), size_t(0));
            QCOMPARE(c.entries.size(), size_t(2));
            QCOMPARE(c.entries[0].message,
                     std::string("duration: 1.500 ms  statement: SELECT 'a\nb', \"x\""));
            QCOMPARE(c.entries[1].line, std::int64_t(3)); // the quoted newline counts
            const auto records = mapAll(c.entries);
            QCOMPARE(records.size(), size_t(2));
            QCOMPARE(records[0].statement, std::string("SELECT 'a\nb', \"x\""));
            QCOMPARE(records[0].durationUs, std::int64_t(1500));
            QCOMPARE(records[0].timestampUs, std::int64_t(1795410000000000 - 1500));
            QCOMPARE(records[1].protocol, CaptureRecord::Protocol::Extended);
            QCOMPARE(records[1].statementName, std::string("S_1"));
            QCOMPARE(*records[1].parameters.at(0).value, std::string("7"));
        }
    }

    void nonUtf8BytesAreKept()
    {
        const std::string text = csvRecord("2026-11-23 05:00:00.000 UTC", "ab.cd", "LOG",
                                           "duration: 1.0 ms  statement: SELECT '\xe9t\xe9'");
        Collected c;
        CsvLogParser parser(c.entrySink(), c.problemSink());
        parser.feed(text);
        parser.finish();
        const auto records = mapAll(c.entries);
        QCOMPARE(records.size(), size_t(1));
        QCOMPARE(records[0].statement, std::string("SELECT '\xe9t\xe9'"));
    }

    void stderrContinuationDetailAndStatement()
    {
        Collected c;
        auto parser = StderrLogParser::create(QStringLiteral("%m [%p] %q%c %u@%d "), c.entrySink(),
                                              c.problemSink());
        QVERIFY(parser);
        const std::string text =
            "2026-11-23 05:00:00.000 UTC [42] ab.cd alice@shop LOG:  duration: 2.000 ms  "
            "statement: SELECT 1,\n"
            "\t2\n"
            "2026-11-23 05:00:01.000 UTC [42] ab.cd alice@shop LOG:  duration: 0.5 ms  execute "
            "<unnamed>: SELECT $1\n"
            "2026-11-23 05:00:01.000 UTC [42] ab.cd alice@shop DETAIL:  parameters: $1 = 'x'\n"
            "garbage that is no log line\n"
            "2026-11-23 05:00:02.000 UTC [42] ab.cd alice@shop ERROR:  relation \"nope\" does not "
            "exist at character 15\n"
            "2026-11-23 05:00:02.000 UTC [42] ab.cd alice@shop STATEMENT:  SELECT * FROM nope\n"
            "2026-11-23 05:00:03.000 UTC [7] LOG:  checkpoint starting: time\n";
        (*parser)->feed(text);
        (*parser)->finish();
        QCOMPARE(c.problems.size(), size_t(1));
        QCOMPARE(c.problems[0].first, std::int64_t(5));
        const auto records = mapAll(c.entries);
        QCOMPARE(records.size(), size_t(3));
        QCOMPARE(records[0].statement, std::string("SELECT 1,\n2"));
        QCOMPARE(records[0].user, std::string("alice"));
        QCOMPARE(records[0].database, std::string("shop"));
        QCOMPARE(*records[1].parameters.at(0).value, std::string("x"));
        QCOMPARE(records[2].statement, std::string("SELECT * FROM nope"));
        QCOMPARE(records[2].sqlState, std::string("XX000")); // no %e: failed, code unknown
    }

    void logStatementAndDurationGiveOneRecord()
    {
        LogEntry statement;
        statement.severity = "LOG";
        statement.session = 1;
        statement.timeUs = 1000;
        statement.message = "statement: UPDATE t SET x = 1";
        LogEntry duration = statement;
        duration.timeUs = 3000;
        duration.message = "duration: 2.000 ms  statement: UPDATE t SET x = 1";
        LogEntry failing = statement;
        failing.timeUs = 5000;
        failing.message = "statement: SELECT 1/0";
        LogEntry error = statement;
        error.timeUs = 5100;
        error.severity = "ERROR";
        error.sqlState = "22012";
        error.query = "SELECT 1/0";
        const auto records = mapAll({statement, duration, failing, error});
        QCOMPARE(records.size(), size_t(2));
        QCOMPARE(records[0].durationUs, std::int64_t(2000));
        QCOMPARE(records[1].sqlState, std::string("22012"));
    }

    void stderrPrefixMustCarryTimeAndSession()
    {
        Collected c;
        QVERIFY(!StderrLogParser::create(QStringLiteral("[%p] "), c.entrySink(), c.problemSink()));
        QVERIFY(!StderrLogParser::create(QStringLiteral("%m %u "), c.entrySink(), c.problemSink()));
        QVERIFY(StderrLogParser::create(
            QStringLiteral("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "), c.entrySink(),
            c.problemSink()));
    }
};

QTEST_GUILESS_MAIN(TestLogParsers)
#include "TestLogParsers.moc"
