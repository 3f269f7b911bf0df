// SPDX-License-Identifier: GPL-3.0-or-later
// StatementTracker turns a session's messages into capture records: simple and extended
// protocol, pipelines, errors that make the server skip until Sync, failed Parse, portals
// fetched by several row-limited Executes (one statement, as JDBC's setFetchSize runs it), and
// the transaction status after each statement; with result checking on, the hash of a
// statement's rows (none for binary results, errors and partial results).
#include "pgwire/PgWireBackend.h"
#include "proxy/StatementTracker.h"

#include <QtTest>

using namespace doppel;
using namespace doppel::pgwire;
using namespace doppel::proxy;

namespace {

class Session
{
public:
    explicit Session(double checkRate = 0)
    {
        CaptureRecord id;
        id.sessionId = 9;
        id.user = "alice";
        id.database = "app";
        id.applicationName = "unit";
        id.clientAddress = "127.0.0.1:4000";
        tracker = std::make_unique<StatementTracker>(
            id, [this](CaptureRecord&& r) { records.push_back(std::move(r)); }, checkRate);
    }
    // Feeds messages as the proxy does: a body only for types the tracker reads.
    void client(const QByteArray& wire)
    {
        const char t = wire[0];
        const QByteArray body = wire.mid(5);
        tracker->onClientMessage(
            t, StatementTracker::clientNeedsBody(t) ? body.constData() : nullptr,
            StatementTracker::clientNeedsBody(t) ? std::size_t(body.size()) : 0);
    }
    void server(const QByteArray& wire)
    {
        const char t = wire[0];
        const QByteArray body = wire.mid(5);
        tracker->onServerMessage(t, tracker->serverNeedsBody(t) ? body.constData() : nullptr,
                                 tracker->serverNeedsBody(t) ? std::size_t(body.size()) : 0);
    }
    std::unique_ptr<StatementTracker> tracker;
    std::vector<CaptureRecord> records;
};

QByteArray error(const QByteArray& code)
{
    ErrorResponse e;
    e.fields = {{'S', "ERROR"}, {'C', code}, {'M', "boom"}};
    return e.encode();
}

Bind bind(const QByteArray& statement, const QList<std::optional<QByteArray>>& params,
          QList<std::int16_t> formats = {})
{
    Bind b;
    b.statement = statement;
    b.parameters = params;
    b.parameterFormats = formats;
    return b;
}

} // namespace

class TestCaptureTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultRowsAreHashedWhenChecked()
    {
        auto rows = [](Session& s, const QList<QByteArray>& values) {
            for (const QByteArray& v : values)
                s.server(DataRow{{v, QByteArray("x")}}.encode());
        };
        Session s(1.0);
        QVERIFY(!s.tracker->serverNeedsBody('D')); // nothing is running yet
        s.client(Query{"SELECT a, b FROM t"}.encode());
        QVERIFY(s.tracker->serverNeedsBody('D'));
        s.server(RowDescription{}.encode());
        rows(s, {"1", "2", "3"});
        s.server(CommandComplete{"SELECT 3"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        // The same rows in another order: the same hash; another row: another.
        s.client(Query{"SELECT a, b FROM t ORDER BY a DESC"}.encode());
        rows(s, {"3", "2", "1"});
        s.server(CommandComplete{"SELECT 3"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        s.client(Query{"SELECT a, b FROM t"}.encode());
        rows(s, {"1", "2", "4"});
        s.server(CommandComplete{"SELECT 3"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        // A failed statement has no result to compare.
        s.client(Query{"SELECT a/0 FROM t"}.encode());
        rows(s, {"1"});
        s.server(error("22012"));
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(4));
        QVERIFY(s.records[0].resultHash && s.records[1].resultHash && s.records[2].resultHash);
        QCOMPARE(*s.records[0].resultHash, *s.records[1].resultHash);
        QVERIFY(*s.records[0].resultHash != *s.records[2].resultHash);
        QVERIFY(!s.records[3].resultHash);

        // Extended protocol: text results are hashed; binary ones (the shadow answers in text)
        // and a portal suspended by a row limit (the shadow returns every row) are not.
        auto extended = [&](QList<std::int16_t> resultFormats, std::int32_t maxRows,
                            const QByteArray& end) {
            Bind b = bind("", {});
            b.resultFormats = resultFormats;
            s.client(Parse{"", "SELECT a, b FROM t", {}}.encode());
            s.client(b.encode());
            s.client(Execute{"", maxRows}.encode());
            s.client(Sync{}.encode());
            s.server(ParseComplete{}.encode());
            s.server(BindComplete{}.encode());
            rows(s, {"1", "2", "3"});
            s.server(end);
            s.server(ReadyForQuery{'I'}.encode());
        };
        extended({0}, 0, CommandComplete{"SELECT 3"}.encode());
        extended({1}, 0, CommandComplete{"SELECT 3"}.encode());
        extended({}, 3, PortalSuspended{}.encode());
        QCOMPARE(s.records.size(), std::size_t(7));
        QVERIFY(s.records[4].resultHash);
        QCOMPARE(*s.records[4].resultHash, *s.records[0].resultHash);
        QVERIFY(!s.records[5].resultHash);
        QVERIFY(!s.records[6].resultHash);

        // Without result checking no DataRow body is asked for.
        Session off;
        off.client(Query{"SELECT a, b FROM t"}.encode());
        QVERIFY(!off.tracker->serverNeedsBody('D'));
    }

    void simpleQuery()
    {
        Session s;
        s.client(Query{"SELECT 1"}.encode());
        s.server(RowDescription{}.encode());
        s.server(DataRow{{QByteArray("1")}}.encode());
        QCOMPARE(s.records.size(), std::size_t(0)); // not before ReadyForQuery
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(1));
        const CaptureRecord& r = s.records[0];
        QCOMPARE(r.statement, std::string("SELECT 1"));
        QCOMPARE(r.protocol, CaptureRecord::Protocol::Simple);
        QCOMPARE(r.rows, std::int64_t(1));
        QCOMPARE(r.transactionStatus, 'I');
        QCOMPARE(r.user, std::string("alice"));
        QCOMPARE(r.sessionId, std::uint64_t(9));
        QVERIFY(r.sqlState.empty());
        QVERIFY(r.timestampUs > 0);
    }

    void simpleQueryErrorAndTransactionStatus()
    {
        Session s;
        s.client(Query{"BEGIN"}.encode());
        s.server(CommandComplete{"BEGIN"}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        s.client(Query{"SELECT 1/0"}.encode());
        s.server(error("22012"));
        s.server(ReadyForQuery{'E'}.encode());
        s.client(Query{""}.encode());
        s.server(EmptyQueryResponse{}.encode());
        s.server(ReadyForQuery{'E'}.encode());
        QCOMPARE(s.records.size(), std::size_t(3));
        QCOMPARE(s.records[0].transactionStatus, 'T');
        QCOMPARE(s.records[0].rows, std::int64_t(-1));
        QCOMPARE(s.records[1].sqlState, std::string("22012"));
        QCOMPARE(s.records[1].transactionStatus, 'E');
        QCOMPARE(s.records[2].rows, std::int64_t(0));
    }

    void extendedPipeline()
    {
        Session s;
        s.client(Parse{"s1", "SELECT $1::int", {23}}.encode());
        s.client(bind("s1", {QByteArray("5")}).encode());
        s.client(Describe{'P', ""}.encode());
        s.client(Execute{"", 0}.encode());
        s.client(bind("s1", {QByteArray("\x00\x00\x00\x06", 4)}, {1}).encode());
        s.client(Execute{"", 0}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(RowDescription{}.encode());
        s.server(DataRow{{QByteArray("5")}}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(BindComplete{}.encode());
        s.server(DataRow{{QByteArray("6")}}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(2));
        QCOMPARE(s.records[0].protocol, CaptureRecord::Protocol::Extended);
        QCOMPARE(s.records[0].statement, std::string("SELECT $1::int"));
        QCOMPARE(s.records[0].statementName, std::string("s1"));
        QCOMPARE(s.records[0].parameters.size(), std::size_t(1));
        QCOMPARE(s.records[0].parameters[0].typeOid, 23u);
        QCOMPARE(s.records[0].parameters[0].format, std::int16_t(0));
        QCOMPARE(*s.records[0].parameters[0].value, std::string("5"));
        QCOMPARE(s.records[1].parameters[0].format, std::int16_t(1));
        QCOMPARE(*s.records[1].parameters[0].value, std::string("\x00\x00\x00\x06", 4));
        QCOMPARE(s.tracker->pending(), std::size_t(0));
    }

    // After an error the server skips to Sync: the skipped Execute is not a statement.
    void errorSkipsUntilSync()
    {
        Session s;
        s.client(Parse{"", "UPDATE t SET x = $1", {}}.encode());
        s.client(bind("", {QByteArray("1")}).encode());
        s.client(Execute{}.encode());
        s.client(bind("", {QByteArray("2")}).encode());
        s.client(Execute{}.encode());
        s.client(Sync{}.encode());
        s.client(Parse{"", "SELECT 2", {}}.encode());
        s.client(bind("", {}).encode());
        s.client(Execute{}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(error("23505"));
        s.server(ReadyForQuery{'I'}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(2));
        QCOMPARE(s.records[0].sqlState, std::string("23505"));
        QCOMPARE(*s.records[0].parameters[0].value, std::string("1"));
        QCOMPARE(s.records[1].statement, std::string("SELECT 2"));
        QVERIFY(s.records[1].sqlState.empty());
    }

    // The error arrives before the client sends the rest of its batch.
    void errorBeforeRestOfBatch()
    {
        Session s;
        s.client(Parse{"", "SELECT x", {}}.encode());
        s.server(error("42703"));
        s.client(bind("", {}).encode());
        s.client(Execute{}.encode());
        s.client(Sync{}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(1));
        QCOMPARE(s.records[0].statement, std::string("SELECT x"));
        QCOMPARE(s.records[0].sqlState, std::string("42703"));
        s.client(Query{"SELECT 3"}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(2));
    }

    void portalSuspendedAndClose()
    {
        Session s;
        s.client(Parse{"big", "SELECT * FROM t", {}}.encode());
        Bind b = bind("big", {});
        b.portal = "c1";
        s.client(b.encode());
        s.client(Execute{"c1", 100}.encode());
        s.client(Flush{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(PortalSuspended{}.encode());
        s.client(Execute{"c1", 100}.encode());
        s.client(Close{'P', "c1"}.encode());
        s.client(Close{'S', "big"}.encode());
        s.client(Sync{}.encode());
        s.server(CommandComplete{"SELECT 40"}.encode());
        s.server(CloseComplete{}.encode());
        s.server(CloseComplete{}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        // One statement fetched by two Executes: 100 rows, then the last 40.
        QCOMPARE(s.records.size(), std::size_t(1));
        QCOMPARE(s.records[0].rows, std::int64_t(140));
        QCOMPARE(s.records[0].statement, std::string("SELECT * FROM t"));
        QCOMPARE(s.tracker->pending(), std::size_t(0));
    }

    // JDBC's setFetchSize in a transaction: each fetch is an Execute with a row limit and a
    // Sync. The statements run between two fetches are recorded at once, the fetched one when
    // its portal completes, with the rows of every fetch.
    void fetchedPortalAcrossSyncs()
    {
        Session s;
        const auto rows = [&s](int n) {
            for (int i = 0; i < n; ++i)
                s.server(DataRow{{QByteArray::number(i)}}.encode());
        };
        s.client(Query{"BEGIN"}.encode());
        s.server(CommandComplete{"BEGIN"}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        s.client(Parse{"", "SELECT g FROM big", {}}.encode());
        Bind b = bind("", {});
        b.portal = "C_1";
        s.client(b.encode());
        s.client(Describe{'P', "C_1"}.encode());
        s.client(Execute{"C_1", 10}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(RowDescription{}.encode());
        rows(10);
        s.server(PortalSuspended{}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        QCOMPARE(s.records.size(), std::size_t(1)); // BEGIN
        s.client(Query{"SELECT 50"}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        QCOMPARE(s.records.size(), std::size_t(2)); // not held behind the open portal
        QCOMPARE(s.records[1].statement, std::string("SELECT 50"));
        s.client(Execute{"C_1", 10}.encode());
        s.client(Sync{}.encode());
        rows(10);
        s.server(PortalSuspended{}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        s.client(Execute{"C_1", 10}.encode());
        s.client(Sync{}.encode());
        rows(5);
        s.server(CommandComplete{"SELECT 5"}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        QCOMPARE(s.records.size(), std::size_t(3));
        const CaptureRecord& fetched = s.records[2];
        QCOMPARE(fetched.statement, std::string("SELECT g FROM big"));
        QCOMPARE(fetched.rows, std::int64_t(25));
        QVERIFY(fetched.sqlState.empty());
        QCOMPARE(fetched.transactionStatus, 'T');
        QVERIFY(fetched.timestampUs <= s.records[1].timestampUs); // it started first
        QVERIFY(fetched.durationUs >= 0);
        s.client(Query{"COMMIT"}.encode());
        s.server(CommandComplete{"COMMIT"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(4));
        QCOMPARE(s.tracker->pending(), std::size_t(0));
    }

    // A fetched portal that is never fetched to its end: closed (a ResultSet closed early),
    // dropped with its transaction, or left when the client goes. Its statement is recorded
    // once, with the rows sent, and no error.
    void fetchedPortalEndsEarly()
    {
        Session s;
        const auto suspend = [&s](const QByteArray& portal, char status) {
            s.client(Parse{"", "SELECT g FROM big", {}}.encode());
            Bind b = bind("", {});
            b.portal = portal;
            s.client(b.encode());
            s.client(Execute{portal, 10}.encode());
            s.client(Sync{}.encode());
            s.server(ParseComplete{}.encode());
            s.server(BindComplete{}.encode());
            s.server(PortalSuspended{}.encode());
            s.server(ReadyForQuery{status}.encode());
        };
        suspend("C_1", 'T');
        QCOMPARE(s.records.size(), std::size_t(0));
        s.client(Close{'P', "C_1"}.encode());
        s.client(Sync{}.encode());
        s.server(CloseComplete{}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        QCOMPARE(s.records.size(), std::size_t(1));
        QCOMPARE(s.records[0].rows, std::int64_t(10));
        QVERIFY(s.records[0].sqlState.empty());

        suspend("C_2", 'T');
        s.client(Query{"ROLLBACK"}.encode());
        s.server(CommandComplete{"ROLLBACK"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.size(), std::size_t(3));
        QCOMPARE(s.records[1].statement, std::string("ROLLBACK"));
        QCOMPARE(s.records[2].rows, std::int64_t(10));
        QCOMPARE(s.records[2].transactionStatus, 'I');

        // The unnamed portal bound anew: the suspended one is gone.
        suspend("", 'T');
        s.client(Parse{"", "SELECT 1", {}}.encode());
        s.client(bind("", {}).encode());
        s.client(Execute{}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        QCOMPARE(s.records.size(), std::size_t(5));
        QCOMPARE(s.records[3].statement, std::string("SELECT g FROM big"));
        QCOMPARE(s.records[4].statement, std::string("SELECT 1"));

        suspend("C_3", 'T');
        s.tracker->endSession();
        QCOMPARE(s.records.size(), std::size_t(6));
        QCOMPARE(s.records[5].rows, std::int64_t(10));
        QVERIFY(s.records[5].sqlState.empty());
    }

    // An error on a later fetch: the statement failed after sending its first rows.
    void fetchedPortalFails()
    {
        Session s;
        s.client(Parse{"", "SELECT 1/(g - 15) FROM big", {}}.encode());
        Bind b = bind("", {});
        b.portal = "C_1";
        s.client(b.encode());
        s.client(Execute{"C_1", 10}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(PortalSuspended{}.encode());
        s.server(ReadyForQuery{'T'}.encode());
        s.client(Execute{"C_1", 10}.encode());
        s.client(Sync{}.encode());
        s.server(error("22012"));
        s.server(ReadyForQuery{'E'}.encode());
        QCOMPARE(s.records.size(), std::size_t(1));
        QCOMPARE(s.records[0].rows, std::int64_t(10));
        QCOMPARE(s.records[0].sqlState, std::string("22012"));
        QCOMPARE(s.records[0].transactionStatus, 'E');
    }

    // A client that leaves right after its results: completed statements still count.
    void sessionEndsBeforeReadyForQuery()
    {
        Session s;
        s.client(Parse{"", "SELECT 1", {}}.encode());
        s.client(bind("", {}).encode());
        s.client(Execute{}.encode());
        s.client(bind("", {}).encode());
        s.client(Execute{}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(BindComplete{}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.tracker->endSession();
        QCOMPARE(s.records.size(), std::size_t(2));
        QVERIFY(s.records[0].sqlState.empty());
        QCOMPARE(s.records[0].rows, std::int64_t(1));
        QCOMPARE(s.records[1].sqlState, std::string("08006"));
        s.tracker->endSession();
        QCOMPARE(s.records.size(), std::size_t(2));
    }

    void describeStatementAndApplicationName()
    {
        Session s;
        s.client(Parse{"q", "SELECT $1", {}}.encode());
        s.client(Describe{'S', "q"}.encode());
        s.client(Sync{}.encode());
        s.server(ParseComplete{}.encode());
        s.server(ParameterDescription{{25}}.encode());
        s.server(RowDescription{}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.tracker->pending(), std::size_t(0));
        QCOMPARE(s.records.size(), std::size_t(0));
        s.tracker->setApplicationName("renamed");
        s.client(Query{"SELECT 1"}.encode());
        s.server(CommandComplete{"SELECT 1"}.encode());
        s.server(ReadyForQuery{'I'}.encode());
        QCOMPARE(s.records.back().applicationName, std::string("renamed"));
    }
};

QTEST_GUILESS_MAIN(TestCaptureTracker)
#include "TestCaptureTracker.moc"
