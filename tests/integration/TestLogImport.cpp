// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl capture import` on real logs: the shared lab's shadow cluster logs every statement
// of database "importtest" (log_min_duration_statement = 0, set for that database only) while
// pgbench runs in simple, extended and prepared mode; the csvlog and the stderr log (with the
// lab's log_line_prefix) must each give exactly pgbench's statements. A copy with garbage lines
// and a torn last line imports with warnings, and a gzip-compressed copy imports the same.
// `--host lab-shadow` fetches the same logs over SSH/SFTP from the directory the server names.
#include "CtlRunner.h"
#include "LabFixture.h"

#include "lab/Lab.h"
#include "postgres/PgConnection.h"
#include "store/Repository.h"
#include "workload/CaptureReader.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

constexpr int Clients = 2;
constexpr int Transactions = 40;
constexpr int StatementsPerTransaction = 7; // BEGIN, 3 UPDATEs, SELECT, INSERT, END
constexpr int Modes = 3;
constexpr int Expected = Clients * Transactions * StatementsPerTransaction * Modes;

struct Tally
{
    int pgbench = 0;
    int extended = 0;
    int withParameters = 0;
    int errors = 0;
};

// pgbench's statements in database importtest, less the two it runs before each benchmark
// (its partition check and the count of branches): what the transactions themselves ran.
// Only this run's statements: the lab's log holds earlier runs too.
std::int64_t s_startUs = 0;

Tally tally(const QString& captureDir)
{
    Tally t;
    CaptureReader reader(captureDir);
    (void)reader.read([&](const CaptureRecord& r) {
        // csvlog names the application; the lab's stderr prefix has no %a.
        if (r.timestampUs < s_startUs || r.database != "importtest" ||
            (!r.applicationName.empty() && r.applicationName != "pgbench"))
            return;
        if (r.statement.rfind("select o.n", 0) == 0 ||
            r.statement == "select count(*) from pgbench_branches")
            return;
        ++t.pgbench;
        t.extended += r.protocol == CaptureRecord::Protocol::Extended;
        t.withParameters += !r.parameters.empty();
        t.errors += !r.sqlState.empty();
    });
    return t;
}

} // namespace

class TestLogImport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_logDir;

    int import(const QStringList& files, const QString& format, const QString& out,
               QString* err = nullptr, QStringList extra = {})
    {
        QStringList args{QStringLiteral("capture"),  QStringLiteral("import"),
                         QStringLiteral("--format"), format,
                         QStringLiteral("--out"),    out,
                         QStringLiteral("--quiet")};
        args << extra << QStringLiteral("--log") << files;
        return test::runCtl(args, nullptr, err);
    }

    QStringList logs(const char* suffix) const
    {
        QStringList out;
        for (const QString& f : QDir(m_logDir).entryList(
                 {QLatin1String("*") + QLatin1String(suffix)}, QDir::Files, QDir::Name))
            out << m_logDir + QLatin1Char('/') + f;
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        s_startUs = QDateTime::currentMSecsSinceEpoch() * 1000;
        m_logDir = lab.shadow.dataDir + QStringLiteral("/log");
        pg::PgConnection::Options options;
        options.conninfo = lab.shadow.conninfo;
        auto admin = pg::PgConnection::connect(options);
        QVERIFY(admin);
        QVERIFY((*admin)->exec(QStringLiteral("DROP DATABASE IF EXISTS importtest WITH (FORCE)")));
        QVERIFY((*admin)->exec(QStringLiteral("CREATE DATABASE importtest")));
        const QString conninfo = lab.shadow.conninfo + QStringLiteral(" dbname=importtest");
        QProcess init;
        init.start(QStringLiteral("pgbench"),
                   {QStringLiteral("-i"), QStringLiteral("-s"), QStringLiteral("1"),
                    QStringLiteral("-q"), conninfo});
        QVERIFY(init.waitForFinished(120000));
        QCOMPARE(init.exitCode(), 0);
        QVERIFY((*admin)->exec(
            QStringLiteral("ALTER DATABASE importtest SET log_min_duration_statement = 0")));
        for (const char* mode : {"simple", "extended", "prepared"}) {
            QProcess run;
            run.start(QStringLiteral("pgbench"),
                      {QStringLiteral("-n"), QStringLiteral("-M"), QLatin1String(mode),
                       QStringLiteral("-c"), QString::number(Clients), QStringLiteral("-t"),
                       QString::number(Transactions), conninfo});
            QVERIFY(run.waitForFinished(120000));
            QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
            QVERIFY(run.readAllStandardOutput().contains("number of failed transactions: 0"));
        }
        QVERIFY((*admin)->exec(
            QStringLiteral("ALTER DATABASE importtest RESET log_min_duration_statement")));
        QVERIFY2(!logs(".csv").isEmpty(), qPrintable(m_logDir));
    }

    void csvlogGivesPgbenchStatements()
    {
        // The logging collector writes on its own time: import until everything has arrived.
        Tally t;
        for (int attempt = 0; attempt < 20 && t.pgbench < Expected; ++attempt) {
            const QString out = m_dir.filePath(QStringLiteral("csv-%1").arg(attempt));
            QString err;
            QVERIFY2(import(logs(".csv"), QStringLiteral("csvlog"), out, &err) == 0,
                     qPrintable(err));
            t = tally(out);
            if (t.pgbench < Expected)
                QTest::qWait(250);
        }
        QCOMPARE(t.pgbench, Expected);
        QCOMPARE(t.errors, 0);
        // Extended and prepared mode: two thirds, each with its parameters from the DETAIL.
        const int extendedStatements = Expected * 2 / 3;
        QCOMPARE(t.extended, extendedStatements);
        QCOMPARE(t.withParameters, Clients * Transactions * 5 * 2); // 5 of 7 take parameters
    }

    void hostLogsOverSshGiveTheSame()
    {
        const QString repoPath = m_dir.filePath(QStringLiteral("repo.sqlite"));
        {
            auto repo = Repository::open(repoPath);
            QVERIFY(repo);
            QVERIFY(Lab::registerHosts(test::sharedLab(), **repo));
        }
        const QString out = m_dir.filePath(QStringLiteral("over-ssh"));
        QString err;
        const int rc = test::runCtl({QStringLiteral("--repo"), repoPath, QStringLiteral("capture"),
                                     QStringLiteral("import"), QStringLiteral("--host"),
                                     QStringLiteral("lab-shadow"), QStringLiteral("--format"),
                                     QStringLiteral("csvlog"), QStringLiteral("--out"), out,
                                     QStringLiteral("--quiet")},
                                    nullptr, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        QVERIFY2(err.contains(m_logDir), qPrintable(err)); // the directory the server named
        const Tally t = tally(out);
        QCOMPARE(t.pgbench, Expected);
        QCOMPARE(t.extended, Expected * 2 / 3);

        // A host that is not in the inventory, and a directory without logs, are named.
        QCOMPARE(test::runCtl({QStringLiteral("--repo"), repoPath, QStringLiteral("capture"),
                               QStringLiteral("import"), QStringLiteral("--host"),
                               QStringLiteral("nohost"), QStringLiteral("--format"),
                               QStringLiteral("csvlog"), QStringLiteral("--out"), out},
                              nullptr, &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("no host named 'nohost'")), qPrintable(err));
        QCOMPARE(test::runCtl({QStringLiteral("--repo"), repoPath, QStringLiteral("capture"),
                               QStringLiteral("import"), QStringLiteral("--host"),
                               QStringLiteral("lab-shadow"), QStringLiteral("--remote-dir"),
                               m_dir.path(), QStringLiteral("--format"), QStringLiteral("csvlog"),
                               QStringLiteral("--out"), out},
                              nullptr, &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("no .csv log file")), qPrintable(err));
    }

    void stderrLogGivesTheSame()
    {
        const QString out = m_dir.filePath(QStringLiteral("stderr"));
        QString err;
        QVERIFY2(import(logs(".log"), QStringLiteral("stderr"), out, &err,
                        {QStringLiteral("--log-line-prefix"),
                         QStringLiteral("%m [%p] %q%c %u@%d ")}) == 0,
                 qPrintable(err));
        const Tally t = tally(out);
        QCOMPARE(t.pgbench, Expected);
        QCOMPARE(t.extended, Expected * 2 / 3);
    }

    void garbageAndTornTailAreReportedAndSkipped()
    {
        const QString damaged = m_dir.filePath(QStringLiteral("damaged.csv"));
        {
            QFile out(damaged);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write("this is not,a csvlog line\n");
            for (const QString& f : logs(".csv")) {
                QFile in(f);
                QVERIFY(in.open(QIODevice::ReadOnly));
                out.write(in.readAll());
            }
            out.write("2026-11-23 05:00:00.000 "
                      "UTC,\"doppel\",\"importtest\",1,\"127.0.0.1:1\",\"ab.cd\",1,"
                      "\"SELECT\",2026-11-23 05:00:00 UTC,\"3/1\",0,LOG,00000,\"duration: 1.0 ms  "
                      "statement: "
                      "SELECT 'torn");
        }
        const QString out = m_dir.filePath(QStringLiteral("damaged"));
        QString err;
        QVERIFY2(import({damaged}, QStringLiteral("csvlog"), out, &err) == 0, qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("damaged.csv:1: not a csvlog record")),
                 qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("torn last line")), qPrintable(err));
        QCOMPARE(tally(out).pgbench, Expected);
    }

    void gzipLogsAreReadDirectly()
    {
        const QString gz = m_dir.filePath(QStringLiteral("all.csv.gz"));
        QProcess gzip;
        gzip.setStandardOutputFile(gz);
        gzip.start(QStringLiteral("gzip"), QStringList{QStringLiteral("-c")} + logs(".csv"));
        QVERIFY(gzip.waitForFinished(60000));
        QCOMPARE(gzip.exitCode(), 0);
        const QString out = m_dir.filePath(QStringLiteral("gz"));
        QString err;
        QVERIFY2(import({gz}, QStringLiteral("csvlog"), out, &err) == 0, qPrintable(err));
        QCOMPARE(tally(out).pgbench, Expected);
    }

    void badInputIsNamed()
    {
        QString err;
        QCOMPARE(import({m_dir.filePath(QStringLiteral("missing.csv"))}, QStringLiteral("csvlog"),
                        m_dir.filePath(QStringLiteral("x")), &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("cannot read log file")), qPrintable(err));
        QCOMPARE(import(logs(".csv"), QStringLiteral("jsonlog"),
                        m_dir.filePath(QStringLiteral("y")), &err),
                 2);
        QVERIFY(err.contains(QLatin1String("--format takes csvlog or stderr")));
        QCOMPARE(import(logs(".log"), QStringLiteral("stderr"), m_dir.filePath(QStringLiteral("z")),
                        &err, {QStringLiteral("--log-line-prefix"), QStringLiteral("[%p] ")}),
                 1);
        QVERIFY2(err.contains(QLatin1String("has no time")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestLogImport)
#include "TestLogImport.moc"
