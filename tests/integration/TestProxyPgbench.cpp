// SPDX-License-Identifier: GPL-3.0-or-later
// pgbench through doppel-proxy with capture on: select-only and TPC-B-like, in the simple,
// extended and prepared protocols, must finish with zero failed transactions, and the capture
// must hold exactly the statements pgbench ran, with their parameters.
#include "TestProxySupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace doppel;
using namespace doppel::test;

class TestProxyPgbench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sharedLab().production.pid > 0); }

    void pgbenchModes_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<bool>("selectOnly");
        for (const char* mode : {"simple", "extended", "prepared"}) {
            QTest::newRow(qPrintable(QStringLiteral("select-only %1").arg(QLatin1String(mode))))
                << QString::fromLatin1(mode) << true;
            QTest::newRow(qPrintable(QStringLiteral("tpcb %1").arg(QLatin1String(mode))))
                << QString::fromLatin1(mode) << false;
        }
    }
    void pgbenchModes()
    {
        QFETCH(QString, mode);
        QFETCH(bool, selectOnly);
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("capture"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start({QStringLiteral("--capture-dir"), capture}), qPrintable(proxy.log()));
        const int clients = 4;
        const int perClient = 150;
        QStringList args{
            QStringLiteral("-n"),       QStringLiteral("-h"),          QStringLiteral("127.0.0.1"),
            QStringLiteral("-p"),       QString::number(proxy.port()), QStringLiteral("-U"),
            QStringLiteral("doppel"),   QStringLiteral("-c"),          QString::number(clients),
            QStringLiteral("-j"),       QStringLiteral("2"),           QStringLiteral("-t"),
            QString::number(perClient), QStringLiteral("-M"),          mode};
        if (selectOnly)
            args << QStringLiteral("-S");
        args << QStringLiteral("pgbench");
        auto run = runClient(QStringLiteral("pgbench"), args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const int transactions = clients * perClient;
        QVERIFY2(run.out.contains(QStringLiteral("number of transactions actually processed: %1/%1")
                                      .arg(transactions)),
                 qPrintable(run.out));
        const auto failed =
            QRegularExpression(QStringLiteral("number of failed transactions: (\\d+)"))
                .match(run.out);
        QVERIFY2(failed.hasMatch(), qPrintable(run.out));
        QCOMPARE(failed.captured(1), QStringLiteral("0"));
        QCOMPARE(proxy.stop(), 0); // drains and flushes the capture

        CaptureReader reader(capture);
        QList<CaptureRecord> records;
        QVERIFY(reader.read([&](const CaptureRecord& r) { records.append(r); }).ok());
        QVERIFY(reader.issues().isEmpty());
        // pgbench's own set-up queries are lower case; the benchmark's statements are not.
        qint64 statements = 0;
        qint64 withParameters = 0;
        for (const CaptureRecord& r : records) {
            QCOMPARE(r.kind, CaptureRecord::Kind::Statement);
            if (QString::fromStdString(r.statement).startsWith(QLatin1String("select ")))
                continue;
            ++statements;
            QVERIFY2(r.sqlState.empty(), r.statement.c_str());
            QCOMPARE(r.applicationName, std::string("pgbench"));
            QCOMPARE(r.protocol, mode == QLatin1String("simple")
                                     ? CaptureRecord::Protocol::Simple
                                     : CaptureRecord::Protocol::Extended);
            if (!r.parameters.empty())
                ++withParameters;
            if (mode == QLatin1String("prepared"))
                QVERIFY(!r.statementName.empty());
            if (r.statement.rfind("SELECT abalance", 0) == 0) {
                QCOMPARE(r.rows, std::int64_t(1));
                if (mode != QLatin1String("simple")) {
                    QCOMPARE(r.parameters.size(), std::size_t(1));
                    QVERIFY(r.parameters.front().value.has_value());
                    QVERIFY(std::stoi(*r.parameters.front().value) > 0);
                }
            }
        }
        const int perTransaction = selectOnly ? 1 : 7; // BEGIN, 3 UPDATE, SELECT, INSERT, END
        QCOMPARE(statements, qint64(transactions) * perTransaction);
        if (mode == QLatin1String("simple"))
            QCOMPARE(withParameters, qint64(0));
        else
            QCOMPARE(withParameters, qint64(transactions) * (selectOnly ? 1 : 5));
    }

    // libpq pipeline mode (pgbench \\startpipeline): many Parse/Bind/Execute before one Sync;
    // with an error inside, the server skips to the Sync and so must the capture.
    void pipelineMode_data()
    {
        QTest::addColumn<bool>("withError");
        QTest::newRow("clean pipeline") << false;
        QTest::newRow("error inside the pipeline") << true;
    }
    void pipelineMode()
    {
        QFETCH(bool, withError);
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("capture"));
        const QString script = tmp.filePath(QStringLiteral("pipeline.sql"));
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("\\set aid random(1, 100000)\n"
                           "\\startpipeline\n"
                           "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n") +
                (withError ? "SELECT 1/0;\n" : "") +
                "SELECT 2;\n"
                "\\endpipeline\n");
        f.close();
        ProxyProcess proxy;
        QVERIFY(proxy.start({QStringLiteral("--capture-dir"), capture}));
        auto run =
            runClient(QStringLiteral("pgbench"),
                      {QStringLiteral("-n"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("-p"), QString::number(proxy.port()), QStringLiteral("-U"),
                       QStringLiteral("doppel"), QStringLiteral("-c"),
                       withError ? QStringLiteral("1") : QStringLiteral("2"), QStringLiteral("-t"),
                       QStringLiteral("50"), QStringLiteral("-M"), QStringLiteral("extended"),
                       QStringLiteral("-f"), script, QStringLiteral("pgbench")});
        QCOMPARE(proxy.stop(), 0);
        int first = 0, failed = 0, last = 0;
        for (const CaptureRecord& r : readCapture(capture)) {
            if (r.statement.rfind("SELECT abalance", 0) == 0) {
                ++first;
                QVERIFY(r.sqlState.empty());
                QCOMPARE(r.rows, std::int64_t(1));
                QCOMPARE(r.transactionStatus, 'I');
            } else if (r.statement == "SELECT 1/0;") {
                ++failed;
                QCOMPARE(r.sqlState, std::string("22012"));
            } else if (r.statement == "SELECT 2;") {
                ++last;
            }
        }
        if (!withError) {
            QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
            QCOMPARE(first, 100);
            QCOMPARE(last, 100);
            QCOMPARE(failed, 0);
        } else {
            // pgbench aborts the run at the first error (one client here, so exactly one
            // pipeline ran): the statement after the error, which the server skipped, must not
            // be in the capture.
            QCOMPARE(first, 1);
            QCOMPARE(failed, 1);
            QCOMPARE(last, 0);
        }
    }

    // --redact keeps statements and types but no values.
    void redactedCapture()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("capture"));
        ProxyProcess proxy;
        QVERIFY(
            proxy.start({QStringLiteral("--capture-dir"), capture, QStringLiteral("--redact")}));
        auto run = runClient(QStringLiteral("pgbench"),
                             {QStringLiteral("-n"), QStringLiteral("-S"), QStringLiteral("-h"),
                              QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                              QString::number(proxy.port()), QStringLiteral("-U"),
                              QStringLiteral("doppel"), QStringLiteral("-t"), QStringLiteral("50"),
                              QStringLiteral("-M"), QStringLiteral("extended"),
                              QStringLiteral("pgbench")});
        QCOMPARE(run.exitCode, 0);
        auto lit = psql(proxy.conninfo(), {QStringLiteral("-c"),
                                           QStringLiteral("SELECT 'secret@example.com' AS email")});
        QCOMPARE(lit.exitCode, 0);
        QCOMPARE(proxy.stop(), 0);
        int selects = 0;
        for (const CaptureRecord& r : readCapture(capture)) {
            QVERIFY2(r.statement.find("secret@example.com") == std::string::npos,
                     r.statement.c_str());
            for (const CaptureParameter& p : r.parameters)
                QVERIFY(!p.value.has_value());
            if (r.statement.rfind("SELECT abalance", 0) == 0) {
                ++selects;
                QCOMPARE(r.parameters.size(), std::size_t(1));
            }
        }
        QCOMPARE(selects, 50);
    }

    // The same capture through `doppelctl capture stats --json`.
    void statsCommand()
    {
        QTemporaryDir tmp;
        const QString capture = tmp.filePath(QStringLiteral("capture"));
        ProxyProcess proxy;
        QVERIFY(proxy.start({QStringLiteral("--capture-dir"), capture}));
        auto run = runClient(QStringLiteral("pgbench"),
                             {QStringLiteral("-n"), QStringLiteral("-S"), QStringLiteral("-h"),
                              QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                              QString::number(proxy.port()), QStringLiteral("-U"),
                              QStringLiteral("doppel"), QStringLiteral("-t"), QStringLiteral("300"),
                              QStringLiteral("-M"), QStringLiteral("prepared"),
                              QStringLiteral("pgbench")});
        QCOMPARE(run.exitCode, 0);
        auto bad = psql(proxy.conninfo(), {QStringLiteral("-c"), QStringLiteral("SELECT 1/0")});
        QVERIFY(bad.exitCode != 0);
        QCOMPARE(proxy.stop(), 0);
        auto stats = runClient(binDir() + QStringLiteral("/doppelctl"),
                               {QStringLiteral("capture"), QStringLiteral("stats"), capture,
                                QStringLiteral("--json")});
        QVERIFY2(stats.exitCode == 0, qPrintable(stats.err));
        const QJsonObject json = QJsonDocument::fromJson(stats.out.toUtf8()).object();
        const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("errors")).toInt(), 1);
        QCOMPARE(totals.value(QStringLiteral("dropped")).toInt(), 0);
        QCOMPARE(totals.value(QStringLiteral("damaged")).toInt(), 0);
        bool found = false;
        for (const QJsonValue& v : json.value(QStringLiteral("statements")).toArray()) {
            const QJsonObject s = v.toObject();
            for (const char* key : {"fingerprint", "query", "calls", "total_ms", "mean_ms",
                                    "p95_ms", "rows", "errors"})
                QVERIFY2(s.contains(QLatin1String(key)), key);
            if (s.value(QStringLiteral("query"))
                    .toString()
                    .startsWith(QLatin1String("SELECT abalance"))) {
                found = true;
                QCOMPARE(s.value(QStringLiteral("calls")).toInt(), 300);
                QCOMPARE(s.value(QStringLiteral("rows")).toInt(), 300);
                QVERIFY(s.value(QStringLiteral("p95_ms")).toDouble() >=
                        s.value(QStringLiteral("mean_ms")).toDouble() * 0.1);
                QVERIFY(s.value(QStringLiteral("total_ms")).toDouble() > 0);
            }
        }
        QVERIFY(found);
        QCOMPARE(totals.value(QStringLiteral("statements")).toInt() >= 301, true);
    }
};

QTEST_GUILESS_MAIN(TestProxyPgbench)
#include "TestProxyPgbench.moc"
