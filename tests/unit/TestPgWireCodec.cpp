// SPDX-License-Identifier: GPL-3.0-or-later
// The protocol v3 codec: every frontend and backend message round-trips through the encoder,
// the incremental decoder (whole, byte by byte, coalesced) and the typed decoder.
#include "pgwire/PgWireBackend.h"
#include "pgwire/PgWireFrontend.h"

#include <QtTest>

#include <functional>

using namespace doppel;
using namespace doppel::pgwire;

namespace {

struct Case
{
    const char* name;
    QByteArray wire;
    std::function<Result<QByteArray>(const Frame&)> reencode;
};

template <typename T> std::function<Result<QByteArray>(const Frame&)> via()
{
    return [](const Frame& f) -> Result<QByteArray> {
        auto m = T::decode(f);
        if (!m)
            return m.error();
        return m->encode();
    };
}

QList<Case> regularCases()
{
    Bind bind;
    bind.portal = "p1";
    bind.statement = "s1";
    bind.parameterFormats = {0, 1};
    bind.parameters = {QByteArray("42"), std::nullopt, QByteArray("\x00\x01", 2)};
    bind.resultFormats = {1};
    FunctionCall call;
    call.functionOid = 1598;
    call.argumentFormats = {1};
    call.arguments = {QByteArray("\x00\x00\x00\x07", 4), std::nullopt};
    call.resultFormat = 1;
    RowDescription rows;
    rows.fields = {FieldDescription{"aid", 16384, 1, 23, 4, -1, 0},
                   FieldDescription{"abalance", 16384, 3, 23, 4, -1, 1}};
    CopyResponse copyIn{'G', 0, {0, 0, 0}};
    CopyResponse copyOut{'H', 1, {1}};
    CopyResponse copyBoth{'W', 0, {}};
    NoticeResponse notice;
    notice.fields = {{'S', "NOTICE"}, {'C', "00000"}, {'M', "hello"}};
    return {
        {"Query", Query{"SELECT 1"}.encode(), via<Query>()},
        {"Query empty", Query{""}.encode(), via<Query>()},
        {"Parse", Parse{"s1", "SELECT $1::int", {23, 0}}.encode(), via<Parse>()},
        {"Parse unnamed", Parse{"", "SELECT 1", {}}.encode(), via<Parse>()},
        {"Bind", bind.encode(), via<Bind>()},
        {"Bind empty", Bind{}.encode(), via<Bind>()},
        {"Describe statement", Describe{'S', "s1"}.encode(), via<Describe>()},
        {"Describe portal", Describe{'P', ""}.encode(), via<Describe>()},
        {"Execute", Execute{"p1", 100}.encode(), via<Execute>()},
        {"Close", Close{'P', "p1"}.encode(), via<Close>()},
        {"Sync", Sync{}.encode(), via<Sync>()},
        {"Flush", Flush{}.encode(), via<Flush>()},
        {"CopyData", CopyData{"1\tone\n"}.encode(), via<CopyData>()},
        {"CopyDone", CopyDone{}.encode(), via<CopyDone>()},
        {"CopyFail", CopyFail{"client gave up"}.encode(), via<CopyFail>()},
        {"PasswordMessage", PasswordMessage{"md5abcdef"}.encode(), via<PasswordMessage>()},
        {"SASLInitialResponse",
         SaslInitialResponse{"SCRAM-SHA-256", QByteArray("n,,n=,r=abc")}.encode(),
         via<SaslInitialResponse>()},
        {"SASLInitialResponse no data", SaslInitialResponse{"SCRAM-SHA-256", std::nullopt}.encode(),
         via<SaslInitialResponse>()},
        {"SASLResponse", SaslResponse{"c=biws,r=abc,p=xyz"}.encode(), via<SaslResponse>()},
        {"Terminate", Terminate{}.encode(), via<Terminate>()},
        {"FunctionCall", call.encode(), via<FunctionCall>()},
        {"AuthenticationOk", Authentication{}.encode(), via<Authentication>()},
        {"AuthenticationCleartextPassword",
         Authentication{Authentication::CleartextPassword, {}}.encode(), via<Authentication>()},
        {"AuthenticationMD5Password", Authentication{Authentication::Md5Password, "salt"}.encode(),
         via<Authentication>()},
        {"AuthenticationSASL",
         Authentication::sasl({"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}).encode(),
         via<Authentication>()},
        {"AuthenticationSASLContinue",
         Authentication{Authentication::SaslContinue, "r=abc,s=c2FsdA==,i=4096"}.encode(),
         via<Authentication>()},
        {"AuthenticationSASLFinal", Authentication{Authentication::SaslFinal, "v=c2ln"}.encode(),
         via<Authentication>()},
        {"ParameterStatus", ParameterStatus{"application_name", "pgbench"}.encode(),
         via<ParameterStatus>()},
        {"BackendKeyData", BackendKeyData{4242, -17}.encode(), via<BackendKeyData>()},
        {"ReadyForQuery idle", ReadyForQuery{'I'}.encode(), via<ReadyForQuery>()},
        {"ReadyForQuery in transaction", ReadyForQuery{'T'}.encode(), via<ReadyForQuery>()},
        {"ReadyForQuery failed", ReadyForQuery{'E'}.encode(), via<ReadyForQuery>()},
        {"RowDescription", rows.encode(), via<RowDescription>()},
        {"DataRow", DataRow{{QByteArray("1"), std::nullopt, QByteArray("")}}.encode(),
         via<DataRow>()},
        {"CommandComplete", CommandComplete{"INSERT 0 3"}.encode(), via<CommandComplete>()},
        {"EmptyQueryResponse", EmptyQueryResponse{}.encode(), via<EmptyQueryResponse>()},
        {"ErrorResponse", ErrorResponse::fatal("08P01", "bad").encode(), via<ErrorResponse>()},
        {"NoticeResponse", notice.encode(), via<NoticeResponse>()},
        {"NotificationResponse", NotificationResponse{77, "jobs", "42"}.encode(),
         via<NotificationResponse>()},
        {"ParseComplete", ParseComplete{}.encode(), via<ParseComplete>()},
        {"BindComplete", BindComplete{}.encode(), via<BindComplete>()},
        {"CloseComplete", CloseComplete{}.encode(), via<CloseComplete>()},
        {"NoData", NoData{}.encode(), via<NoData>()},
        {"PortalSuspended", PortalSuspended{}.encode(), via<PortalSuspended>()},
        {"ParameterDescription", ParameterDescription{{23, 25, 1700}}.encode(),
         via<ParameterDescription>()},
        {"CopyInResponse", copyIn.encode(), via<CopyResponse>()},
        {"CopyOutResponse", copyOut.encode(), via<CopyResponse>()},
        {"CopyBothResponse", copyBoth.encode(), via<CopyResponse>()},
        {"NegotiateProtocolVersion", NegotiateProtocolVersion{0, {"_pq_.compression"}}.encode(),
         via<NegotiateProtocolVersion>()},
        {"FunctionCallResponse", FunctionCallResponse{QByteArray("\x00\x01", 2)}.encode(),
         via<FunctionCallResponse>()},
        {"FunctionCallResponse null", FunctionCallResponse{std::nullopt}.encode(),
         via<FunctionCallResponse>()},
    };
}

QList<Case> startupCases()
{
    StartupMessage startup;
    startup.parameters = {{"user", "doppel"}, {"database", "app"}, {"application_name", "psql"}};
    return {
        {"StartupMessage", startup.encode(), via<StartupMessage>()},
        {"SSLRequest", SslRequest{}.encode(),
         [](const Frame& f) -> Result<QByteArray> {
             auto k = startupKind(f);
             if (!k || *k != StartupKind::Ssl)
                 return protocolError(QStringLiteral("not SSLRequest"));
             return SslRequest{}.encode();
         }},
        {"GSSENCRequest", GssEncRequest{}.encode(),
         [](const Frame& f) -> Result<QByteArray> {
             auto k = startupKind(f);
             if (!k || *k != StartupKind::GssEnc)
                 return protocolError(QStringLiteral("not GSSENCRequest"));
             return GssEncRequest{}.encode();
         }},
        {"CancelRequest", CancelRequest{1234, 987654}.encode(), via<CancelRequest>()},
    };
}

QList<Frame> decodeAll(FrameDecoder& d)
{
    QList<Frame> frames;
    while (true) {
        auto f = d.next();
        if (!f) {
            qWarning() << f.error().message;
            return {};
        }
        if (!*f)
            return frames;
        frames.append(**f);
    }
}

} // namespace

class TestPgWireCodec : public QObject
{
    Q_OBJECT

private:
    void addRows(const QList<Case>& cases, bool startup)
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("startup");
        for (int i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i].name) << cases[i].wire << i << startup;
    }
    void allRows()
    {
        addRows(regularCases(), false);
        const auto s = startupCases();
        for (int i = 0; i < s.size(); ++i)
            QTest::newRow(s[i].name) << s[i].wire << i << true;
    }
    static const Case& caseAt(int index, bool startup)
    {
        static const QList<Case> regular = regularCases();
        static const QList<Case> start = startupCases();
        return startup ? start[index] : regular[index];
    }

private Q_SLOTS:
    void wholeMessage_data() { allRows(); }
    void wholeMessage()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, index);
        QFETCH(bool, startup);
        FrameDecoder d(startup ? FrameDecoder::Phase::Startup : FrameDecoder::Phase::Regular);
        d.feed(wire);
        const QList<Frame> frames = decodeAll(d);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(d.buffered(), 0);
        auto again = caseAt(index, startup).reencode(frames.first());
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
        QCOMPARE(*again, wire);
    }

    void byteByByte_data() { allRows(); }
    void byteByByte()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, index);
        QFETCH(bool, startup);
        FrameDecoder d(startup ? FrameDecoder::Phase::Startup : FrameDecoder::Phase::Regular);
        for (qsizetype i = 0; i + 1 < wire.size(); ++i) {
            d.feed(wire.constData() + i, 1);
            auto f = d.next();
            QVERIFY(f.ok());
            QVERIFY2(!f->has_value(), "frame came out before its last byte");
        }
        d.feed(wire.constData() + wire.size() - 1, 1);
        const QList<Frame> frames = decodeAll(d);
        QCOMPARE(frames.size(), 1);
        auto again = caseAt(index, startup).reencode(frames.first());
        QVERIFY(again.ok());
        QCOMPARE(*again, wire);
    }

    // Every message in one read, then the same stream in uneven chunks that cut headers apart.
    void coalesced_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("one read") << 1;
        for (int chunk : {2, 3, 7, 13, 64})
            QTest::newRow(qPrintable(QStringLiteral("chunks of %1").arg(chunk))) << chunk;
    }
    void coalesced()
    {
        QFETCH(int, chunk);
        const QList<Case> cases = regularCases();
        QByteArray stream;
        for (const Case& c : cases)
            stream += c.wire;
        FrameDecoder d;
        QList<Frame> frames;
        const qsizetype step = chunk == 1 ? stream.size() : chunk;
        for (qsizetype i = 0; i < stream.size(); i += step) {
            d.feed(stream.mid(i, step));
            frames += decodeAll(d);
        }
        QCOMPARE(frames.size(), cases.size());
        for (int i = 0; i < cases.size(); ++i) {
            auto again = cases[i].reencode(frames[i]);
            QVERIFY2(again.ok(), cases[i].name);
            QCOMPARE(*again, cases[i].wire);
        }
    }

    // A startup packet followed at once by the first regular messages in the same read.
    void startupThenRegular()
    {
        StartupMessage s;
        s.parameters = {{"user", "u"}};
        FrameDecoder d(FrameDecoder::Phase::Startup);
        d.feed(s.encode() + Query{"SELECT 1"}.encode() + Terminate{}.encode());
        auto first = d.next();
        QVERIFY(first.ok() && first->has_value());
        auto decoded = StartupMessage::decode(**first);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->parameter("user"), QByteArray("u"));
        d.setPhase(FrameDecoder::Phase::Regular);
        const QList<Frame> rest = decodeAll(d);
        QCOMPARE(rest.size(), 2);
        QCOMPARE(Query::decode(rest[0])->sql, QByteArray("SELECT 1"));
        QCOMPARE(rest[1].type, 'X');
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("startup");
        QTest::addColumn<QString>("expected");
        QTest::newRow("length below 4")
            << QByteArray("Q\x00\x00\x00\x02", 5) << false << "malformed message length 2";
        QTest::newRow("over-size")
            << QByteArray("Q\x00\x10\x00\x00", 5) << false << "over the limit of 1024 bytes";
        QTest::newRow("startup too short")
            << QByteArray("\x00\x00\x00\x04", 4) << true << "invalid startup packet length 4";
        QTest::newRow("startup too long")
            << QByteArray("\x00\x01\x00\x00", 4) << true << "invalid startup packet length 65536";
    }
    void badInput()
    {
        QFETCH(QByteArray, wire);
        QFETCH(bool, startup);
        QFETCH(QString, expected);
        FrameDecoder d(startup ? FrameDecoder::Phase::Startup : FrameDecoder::Phase::Regular, 1024);
        d.feed(wire);
        auto f = d.next();
        QVERIFY(!f.ok());
        QCOMPARE(f.error().code, ErrorCode::Protocol);
        QVERIFY2(f.error().message.contains(expected), qPrintable(f.error().message));
    }

    void defaultLimitIsOneGiB()
    {
        FrameDecoder d;
        d.feed(QByteArray("d\x40\x00\x00\x04", 5)); // exactly 1 GiB of body: allowed
        auto ok = d.next();
        QVERIFY(ok.ok());
        QVERIFY(!ok->has_value());
        FrameDecoder over;
        over.feed(QByteArray("d\x40\x00\x00\x05", 5));
        QVERIFY(!over.next().ok());
    }

    void truncatedBodies_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("startup");
        const QList<Case> cases = regularCases();
        for (int i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            // Messages whose body is free-form bytes cannot be truncated meaningfully.
            if (c.wire.size() <= 5 || c.wire[0] == 'd' || c.wire[0] == 'R' ||
                (c.wire[0] == 'p' && QByteArray(c.name) == "SASLResponse"))
                continue;
            QByteArray cut = c.wire.left(c.wire.size() - 1);
            writeBe32(cut.data() + 1, std::uint32_t(cut.size() - 1));
            QTest::newRow(c.name) << cut << i << false;
        }
    }
    void truncatedBodies()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, index);
        FrameDecoder d;
        d.feed(wire);
        auto f = d.next();
        QVERIFY(f.ok() && f->has_value());
        auto again = caseAt(index, false).reencode(**f);
        QVERIFY2(!again.ok() || *again != caseAt(index, false).wire, "truncation went unnoticed");
    }

    void trailingGarbage()
    {
        QByteArray wire = Execute{"p", 0}.encode() + "zz";
        writeBe32(wire.data() + 1, std::uint32_t(wire.size() - 1));
        FrameDecoder d;
        d.feed(wire);
        auto f = d.next();
        QVERIFY(f.ok() && f->has_value());
        auto m = Execute::decode(**f);
        QVERIFY(!m.ok());
        QVERIFY(m.error().message.contains(QStringLiteral("trailing garbage")));
    }

    void typeTables()
    {
        for (char t : QByteArray("QPBDECSHXdcfpF"))
            QVERIFY2(isFrontendType(t), &t);
        for (char t : QByteArray("RSKZTDCIENA123nts GHWdcvV").replace(" ", ""))
            QVERIFY2(isBackendType(t), &t);
        QVERIFY(!isFrontendType('z'));
        QVERIFY(!isFrontendType('\0'));
        QVERIFY(!isBackendType('q'));
    }

    void wrongTypeIsRefused()
    {
        FrameDecoder d;
        d.feed(Sync{}.encode());
        auto f = d.next();
        QVERIFY(f.ok() && f->has_value());
        QVERIFY(!Query::decode(**f).ok());
    }

    void protocolTwoIsRefused()
    {
        QByteArray wire = BodyWriter().int32(0x00020000).int8(0).startupFrame();
        FrameDecoder d(FrameDecoder::Phase::Startup);
        d.feed(wire);
        auto f = d.next();
        QVERIFY(f.ok() && f->has_value());
        auto m = StartupMessage::decode(**f);
        QVERIFY(!m.ok());
        QVERIFY(m.error().message.contains(QStringLiteral("protocol 2.0")));
    }

    void fieldHelpers()
    {
        Bind b;
        b.parameters = {QByteArray("1"), QByteArray("2")};
        QCOMPARE(b.parameterFormat(1), std::int16_t(0));
        b.parameterFormats = {1};
        QCOMPARE(b.parameterFormat(1), std::int16_t(1));
        QCOMPARE(CommandComplete{"INSERT 0 7"}.rows(), qint64(7));
        QCOMPARE(CommandComplete{"SELECT 12"}.rows(), qint64(12));
        QCOMPARE(CommandComplete{"BEGIN"}.rows(), qint64(-1));
        QCOMPARE(Authentication::sasl({"SCRAM-SHA-256"}).mechanisms(),
                 QList<QByteArray>{"SCRAM-SHA-256"});
        const auto e = ErrorResponse::fatal("57014", "canceled");
        QCOMPARE(e.sqlState(), QByteArray("57014"));
        QCOMPARE(e.message(), QByteArray("canceled"));
        QVERIFY(
            !Authentication::decode(Frame{'R', BodyWriter().int32(5).bytes("ab").frame('R').mid(5)})
                 .ok());
    }
};

QTEST_GUILESS_MAIN(TestPgWireCodec)
#include "TestPgWireCodec.moc"
