// SPDX-License-Identifier: GPL-3.0-or-later
// --critical-fingerprint: how doppel-proxy parses it (command line, INI, comma lists, bad hex),
// and what a full mirror queue does with it. The queue is exercised on a real MirrorSession
// whose shadow is a loopback socket that listens but never answers: the mirror thread takes the
// first transaction and waits in its connection attempt, so the queue holds exactly what the
// test offers next, and finish() hands back what it still held, in order.
#include "LabFixture.h"
#include "proxy/MirrorEngine.h"
#include "proxy/MirrorSession.h"
#include "proxy/ProxyConfig.h"
#include "proxy/ProxyShared.h"
#include "workload/CaptureStats.h"

#include <QTemporaryDir>
#include <QtTest>

#include <optional>

using namespace doppel;
using namespace doppel::proxy;

namespace {

const std::string kCritical = "SELECT abalance FROM pgbench_accounts WHERE aid = 7";

QString fingerprintOf(const std::string& sql)
{
    return fingerprintStatement(sql).fingerprint;
}

QStringList baseArgs()
{
    return {QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--upstream"), QStringLiteral("host=127.0.0.1 port=5432"),
            QStringLiteral("--shadow"),   QStringLiteral("host=127.0.0.1 port=5433")};
}

// One statement production finished; status 'I' ends its transaction.
CaptureRecord statement(const std::string& sql, char status = 'I')
{
    CaptureRecord r;
    r.statement = sql;
    r.transactionStatus = status;
    return r;
}

std::vector<std::string> texts(const std::vector<CaptureRecord>& records)
{
    std::vector<std::string> out;
    for (const CaptureRecord& r : records)
        out.push_back(r.statement);
    return out;
}

// A mirrored session with a queue of `capacity` statements whose mirror thread is stuck on the
// silent shadow with a first transaction of its own.
struct StalledMirror
{
    StalledMirror(std::size_t capacity, const QStringList& critical)
    {
        ProxyConfig config;
        config.shadow = QStringLiteral("host=127.0.0.1 port=%1 user=u dbname=d connect_timeout=10")
                            .arg(listener->port());
        config.mirrorRate = 1;
        config.mirrorQueue = int(capacity);
        config.criticalFingerprints = critical;
        engine = std::make_unique<MirrorEngine>(config, shared);
        session = engine->openSession(1, "u", "d");
    }
    ~StalledMirror()
    {
        listener.reset(); // the mirror thread's connection attempt fails at once
        if (engine)
            engine->stop();
    }
    // The first transaction goes to the mirror thread, which then waits on the shadow.
    bool stall()
    {
        offer(statement("SELECT 'running'"));
        return QTest::qWaitFor(
            [this] {
                const MirrorSession::Snapshot s = session->snapshot();
                return s.state == "connecting" && s.queueDepth == 0;
            },
            5000);
    }
    // Offers a statement; returns what came back unmirrored (dropped or evicted).
    std::vector<std::string> offer(CaptureRecord record)
    {
        std::vector<CaptureRecord> capture;
        session->offer(std::move(record), capture);
        return texts(capture);
    }
    // What the queue still held, oldest first.
    std::vector<std::string> queued()
    {
        std::vector<CaptureRecord> capture;
        session->finish(capture, false);
        return texts(capture);
    }

    std::optional<test::SilentListener> listener{std::in_place};
    ProxyShared shared;
    std::unique_ptr<MirrorEngine> engine;
    std::shared_ptr<MirrorSession> session;
};

using Texts = std::vector<std::string>;

} // namespace

class TestMirrorPriority : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesFingerprints_data()
    {
        const QString fp = fingerprintOf(kCritical);
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("one") << QStringList{QStringLiteral("--critical-fingerprint"), fp}
                             << QStringList{fp};
        QTest::newRow("upper case is folded")
            << QStringList{QStringLiteral("--critical-fingerprint=") + fp.toUpper()}
            << QStringList{fp};
        QTest::newRow("repeated, duplicates once")
            << QStringList{QStringLiteral("--critical-fingerprint"),
                           fp,
                           QStringLiteral("--critical-fingerprint"),
                           QStringLiteral("00000000000000ff"),
                           QStringLiteral("--critical-fingerprint"),
                           fp}
            << QStringList{fp, QStringLiteral("00000000000000ff")};
        QTest::newRow("comma list") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                   fp + QStringLiteral(", 00000000000000ff")}
                                    << QStringList{fp, QStringLiteral("00000000000000ff")};
        QTest::newRow("none") << QStringList{} << QStringList{};
    }
    void parsesFingerprints()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, expected);
        const auto config = parseProxyArguments(baseArgs() + args);
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        QCOMPARE(config->criticalFingerprints, expected);
    }

    void rejectsBadFingerprints_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString hex = QStringLiteral("16 hex digits");
        QTest::newRow("15 digits") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                  QStringLiteral("0123456789abcde")}
                                   << hex;
        QTest::newRow("17 digits") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                  QStringLiteral("0123456789abcdef0")}
                                   << hex;
        QTest::newRow("not hex") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                QStringLiteral("0123456789abcdeg")}
                                 << QStringLiteral("not '0123456789abcdeg'");
        QTest::newRow("0x prefix") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                  QStringLiteral("0x0123456789abcdef")}
                                   << hex;
        QTest::newRow("empty in a list")
            << QStringList{QStringLiteral("--critical-fingerprint"),
                           QStringLiteral("0123456789abcdef,,00000000000000ff")}
            << hex;
        QTest::newRow("unparsed text") << QStringList{QStringLiteral("--critical-fingerprint"),
                                                      QStringLiteral("unparsed-1a2b3c4d")}
                                       << hex;
        QTest::newRow("no value") << QStringList{QStringLiteral("--critical-fingerprint")}
                                  << QStringLiteral("needs a value");
    }
    void rejectsBadFingerprints()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto config = parseProxyArguments(baseArgs() + args);
        QVERIFY(!config);
        QVERIFY2(config.error().message.contains(message), qPrintable(config.error().message));
    }

    void needsShadow()
    {
        const auto config = parseProxyArguments(
            {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--upstream"), QStringLiteral("host=127.0.0.1"),
             QStringLiteral("--critical-fingerprint"), QStringLiteral("0123456789abcdef")});
        QVERIFY(!config);
        QVERIFY2(config.error().message.contains(QStringLiteral("needs --shadow")),
                 qPrintable(config.error().message));
    }

    void iniListAndCommandLineOverride()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("proxy.ini"));
        QFile ini(path);
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write("[proxy]\ncritical-fingerprint = 0123456789ABCDEF, 00000000000000ff\n");
        ini.close();
        auto config =
            parseProxyArguments(baseArgs() + QStringList{QStringLiteral("--config"), path});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        QCOMPARE(config->criticalFingerprints, (QStringList{QStringLiteral("0123456789abcdef"),
                                                            QStringLiteral("00000000000000ff")}));
        // The command line's list replaces the file's.
        config =
            parseProxyArguments(baseArgs() + QStringList{QStringLiteral("--config"), path,
                                                         QStringLiteral("--critical-fingerprint"),
                                                         QStringLiteral("1111111111111111")});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        QCOMPARE(config->criticalFingerprints, QStringList{QStringLiteral("1111111111111111")});

        QVERIFY(ini.open(QIODevice::WriteOnly | QIODevice::Truncate));
        ini.write("critical-fingerprint = 0123456789abcdef, nothex\n");
        ini.close();
        config = parseProxyArguments(baseArgs() + QStringList{QStringLiteral("--config"), path});
        QVERIFY(!config);
        QVERIFY2(config.error().message.startsWith(path) &&
                     config.error().message.contains(QStringLiteral("not 'nothex'")),
                 qPrintable(config.error().message));
    }

    void criticalEvictsOldestOthers()
    {
        StalledMirror m(4, {fingerprintOf(kCritical)});
        QVERIFY(m.stall());
        for (const char* sql : {"SELECT 'a1'", "SELECT 'a2'", "SELECT 'a3'", "SELECT 'a4'"})
            QCOMPARE(m.offer(statement(sql)), Texts{});
        // Full: a read without a critical statement is dropped and evicts nothing.
        QCOMPARE(m.offer(statement("SELECT 'b'")), Texts{"SELECT 'b'"});
        QCOMPARE(m.engine->counters.evictedTransactions.load(), std::uint64_t(0));
        // The critical one (other literals, same fingerprint) takes the oldest one's place.
        const std::string critical = "SELECT abalance FROM pgbench_accounts WHERE aid = 99";
        QCOMPARE(m.offer(statement(critical)), Texts{"SELECT 'a1'"});
        // A transaction of two statements, the critical one inside: two more evicted, in order.
        QCOMPARE(m.offer(statement("SELECT 'c-begin'", 'T')), Texts{});
        QCOMPARE(m.offer(statement(kCritical, 'I')), (Texts{"SELECT 'a2'", "SELECT 'a3'"}));
        const MirrorCounters& c = m.engine->counters;
        QCOMPARE(c.criticalKept.load(), std::uint64_t(2));
        QCOMPARE(c.evictedTransactions.load(), std::uint64_t(3));
        QCOMPARE(c.droppedTransactions.load(), std::uint64_t(4)); // b and the three evicted
        QCOMPARE(c.droppedStatements.load(), std::uint64_t(4));
        QCOMPARE(m.session->snapshot().droppedTransactions, std::uint64_t(4));
        QCOMPARE(m.session->snapshot().queueDepth, std::uint64_t(4));
        QCOMPARE(m.queued(), (Texts{"SELECT 'a4'", critical, "SELECT 'c-begin'", kCritical}));
    }

    void criticalDroppedWhenEvictingIsNotEnough()
    {
        StalledMirror m(3, {fingerprintOf(kCritical)});
        QVERIFY(m.stall());
        QCOMPARE(m.offer(statement(kCritical)), Texts{});
        QCOMPARE(m.offer(statement("SELECT 'a'")), Texts{});
        QCOMPARE(m.offer(statement(kCritical)), Texts{});
        // Needs two places, one could be freed: dropped whole, and nothing evicted for it.
        QCOMPARE(m.offer(statement(kCritical, 'T')), Texts{});
        QCOMPARE(m.offer(statement("SELECT 'd'", 'I')), (Texts{kCritical, "SELECT 'd'"}));
        // A single critical statement fits by evicting the one other transaction.
        QCOMPARE(m.offer(statement(kCritical)), Texts{"SELECT 'a'"});
        // Now only critical transactions wait: the next critical one is dropped.
        QCOMPARE(m.offer(statement(kCritical)), Texts{kCritical});
        const MirrorCounters& c = m.engine->counters;
        QCOMPARE(c.criticalKept.load(), std::uint64_t(1));
        QCOMPARE(c.evictedTransactions.load(), std::uint64_t(1));
        QCOMPARE(c.droppedTransactions.load(), std::uint64_t(3));
        QCOMPARE(c.droppedStatements.load(), std::uint64_t(4));
        QCOMPARE(m.queued(), (Texts{kCritical, kCritical, kCritical}));
    }

    void criticalLongerThanTheQueueIsDropped()
    {
        StalledMirror m(2, {fingerprintOf(kCritical)});
        QVERIFY(m.stall());
        QCOMPARE(m.offer(statement("SELECT 'a'")), Texts{});
        QCOMPARE(m.offer(statement(kCritical, 'T')), Texts{});
        QCOMPARE(m.offer(statement(kCritical, 'T')), Texts{});
        QCOMPARE(m.offer(statement(kCritical, 'T')), (Texts{kCritical, kCritical, kCritical}));
        QCOMPARE(m.offer(statement("SELECT 'end'", 'I')), Texts{"SELECT 'end'"});
        QCOMPARE(m.engine->counters.evictedTransactions.load(), std::uint64_t(0));
        QCOMPARE(m.queued(), Texts{"SELECT 'a'"});
    }

    void withoutCriticalFingerprintsNothingIsEvicted()
    {
        StalledMirror m(2, {});
        QVERIFY(m.stall());
        QCOMPARE(m.offer(statement("SELECT 'a'")), Texts{});
        QCOMPARE(m.offer(statement("SELECT 'b'")), Texts{});
        QCOMPARE(m.offer(statement(kCritical)), Texts{kCritical});
        QCOMPARE(m.engine->counters.criticalKept.load(), std::uint64_t(0));
        QCOMPARE(m.engine->counters.evictedTransactions.load(), std::uint64_t(0));
        QCOMPARE(m.engine->counters.droppedTransactions.load(), std::uint64_t(1));
        QCOMPARE(m.queued(), (Texts{"SELECT 'a'", "SELECT 'b'"}));
    }

    void classifiesByFingerprint()
    {
        ProxyShared shared;
        ProxyConfig config;
        config.shadow = QStringLiteral("host=127.0.0.1 port=1");
        config.criticalFingerprints = {fingerprintOf(kCritical)};
        MirrorEngine engine(config, shared);
        QVERIFY(engine.hasCriticalFingerprints());
        QVERIFY(engine.isCritical(kCritical));
        QVERIFY(engine.isCritical("select abalance from pgbench_accounts where aid = 12345"));
        QVERIFY(engine.isCritical("SELECT abalance FROM pgbench_accounts WHERE aid = $1"));
        QVERIFY(!engine.isCritical("SELECT bbalance FROM pgbench_branches WHERE bid = 7"));
        QVERIFY(!engine.isCritical("not sql at all"));
        config.criticalFingerprints.clear();
        MirrorEngine none(config, shared);
        QVERIFY(!none.hasCriticalFingerprints());
        QVERIFY(!none.isCritical(kCritical));
    }
};

QTEST_GUILESS_MAIN(TestMirrorPriority)
#include "TestMirrorPriority.moc"
