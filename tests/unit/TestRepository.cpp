// SPDX-License-Identifier: GPL-3.0-or-later
// The local repository: migrations (fresh, upgrade, refusal of newer and foreign files, which
// must stay byte-for-byte untouched), inventory, samples, events and workload summaries.
#include "store/Migrations.h"
#include "store/Repository.h"
#include "workload/WorkloadSummary.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <chrono>
#include <thread>

using namespace doppel;

namespace {

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

qint64 pragma(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    qint64 value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

void execSql(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

Host makeHost(const QString& name, HostRole role = HostRole::Production)
{
    Host h;
    h.name = name;
    h.role = role;
    h.conninfo = QStringLiteral("host=127.0.0.1 port=5432 dbname=app");
    return h;
}

} // namespace

class TestRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshRepositoryHasSchemaWalAndForeignKeys()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/folder/repo.sqlite"));
        auto repo = Repository::open(path);
        QVERIFY2(repo.ok(), qPrintable(repo.ok() ? QString() : repo.error().toString()));
        QCOMPARE((*repo)->schemaVersion(), Repository::CurrentSchemaVersion);
        repo->reset();
        QCOMPARE(pragma(path, "PRAGMA application_id"), qint64(DoppelApplicationId));
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                              "('hosts','samples','events','metrics')"),
                 4);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        // WAL mode is persistent in the file header.
        QCOMPARE(pragma(path, "PRAGMA journal_mode") >= 0, true);
        sqlite3* db = nullptr;
        sqlite3_open(path.toUtf8().constData(), &db);
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
        QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))),
                 QByteArray("wal"));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
    }

    void foreignKeysAreEnforced()
    {
        QTemporaryDir dir;
        auto repo = Repository::open(dir.filePath(QStringLiteral("r.sqlite")));
        QVERIFY(repo.ok());
        // Samples of a host that does not exist violate the foreign key.
        auto st = (*repo)->appendSamples(999, {MetricSample{QStringLiteral("pg_tps"), 1, 1.0}});
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, ErrorCode::Storage);
    }

    void upgradeFromVersionOneKeepsData()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        {
            auto v1 = Repository::open(path, 1);
            QVERIFY(v1.ok());
            QCOMPARE((*v1)->schemaVersion(), 1);
            QVERIFY((*v1)->addHost(makeHost(QStringLiteral("db1"))).ok());
        }
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_time'"),
                 0);
        auto v2 = Repository::open(path);
        QVERIFY(v2.ok());
        QCOMPARE((*v2)->schemaVersion(), Repository::CurrentSchemaVersion);
        auto hosts = (*v2)->hosts();
        QVERIFY(hosts.ok());
        QCOMPARE(hosts->size(), size_t(1));
        QCOMPARE(hosts->front().name, QStringLiteral("db1"));
        v2->reset();
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_time'"),
                 1);
    }

    void upgradeFromVersionThreeAddsWorkloadTables()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        {
            auto v3 = Repository::open(path, 3);
            QVERIFY(v3.ok());
            auto id = (*v3)->addHost(makeHost(QStringLiteral("db1")));
            QVERIFY(id.ok());
            QVERIFY(
                (*v3)->appendSamples(*id, {MetricSample{QStringLiteral("pg_tps"), 5, 1.0}}).ok());
        }
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'workload_%'"),
                 0);
        auto v4 = Repository::open(path, 4);
        QVERIFY(v4.ok());
        QCOMPARE((*v4)->schemaVersion(), 4);
        auto host = (*v4)->host(QStringLiteral("db1"));
        QVERIFY(host.ok());
        QCOMPARE((*v4)->samples(host->id, QStringLiteral("pg_tps"), 0, 10)->size(), 1);
        v4->reset();
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                              "('workload_captures','workload_windows','workload_fingerprints')"),
                 3);
    }

    // 4 -> 5: a threshold stored before floors existed reads back as a ceiling.
    void upgradeFromVersionFourKeepsThresholdsAsCeilings()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        {
            auto v4 = Repository::open(path, 4);
            QVERIFY(v4.ok());
            execSql(path, "INSERT INTO forecast_thresholds (host, metric, value, horizon_ms, "
                          "probability) VALUES (NULL, 'cpu_percent', 80, 86400000, 0.8)");
        }
        auto v5 = Repository::open(path);
        QVERIFY(v5.ok());
        QCOMPARE((*v5)->schemaVersion(), Repository::CurrentSchemaVersion);
        auto list = (*v5)->thresholds();
        QVERIFY(list.ok());
        QCOMPARE(list->size(), size_t(1));
        QCOMPARE(list->front().value, 80.0);
        QVERIFY(!list->front().below);
    }

    // 5 -> 6: a threshold added before creation times were kept reads back as unknown (0); one
    // added after is stamped.
    void upgradeFromVersionFiveLeavesCreationUnknown()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        {
            auto v5 = Repository::open(path, 5);
            QVERIFY(v5.ok());
            execSql(path, "INSERT INTO forecast_thresholds (host, metric, value, horizon_ms, "
                          "probability, below) VALUES (NULL, 'cpu_percent', 80, 86400000, 0.8, 0)");
        }
        auto v6 = Repository::open(path);
        QVERIFY(v6.ok());
        QCOMPARE((*v6)->schemaVersion(), 6);
        ForecastThreshold later;
        later.metric = QStringLiteral("pg_tps");
        later.value = 100;
        later.horizonMs = 3600000;
        QVERIFY((*v6)->addThreshold(later).ok());
        auto list = (*v6)->thresholds();
        QVERIFY(list.ok());
        QCOMPARE(list->size(), size_t(2));
        QCOMPARE(list->front().metric, QStringLiteral("cpu_percent"));
        QCOMPARE(list->front().createdMs, qint64(0));
        QVERIFY(list->back().createdMs > 0);
    }

    // Another connection holding the file's lock for a moment (a writer committing, the last
    // connection of the console's many workers checkpointing as it closes) makes an open wait,
    // not fail with "database is locked".
    void openWaitsForAMomentaryLock()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        QVERIFY(Repository::open(path).ok());
        sqlite3* holder = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &holder), SQLITE_OK);
        QCOMPARE(sqlite3_exec(holder,
                              "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
                              "INSERT INTO metrics (name) VALUES ('lock_probe'); COMMIT;",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        std::thread release([holder] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            sqlite3_close(holder);
        });
        auto repo = Repository::open(path);
        release.join();
        QVERIFY2(repo.ok(), qPrintable(repo ? QString() : repo.error().message));
    }

    void failedMigrationChangesNothing()
    {
        // A version 3 file that already has a table the migration to 4 creates: the migration
        // fails, and rolls back what it had done before (workload_captures) and the version.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        QVERIFY(Repository::open(path, 3).ok());
        execSql(path, "CREATE TABLE workload_windows (x INTEGER)");
        auto repo = Repository::open(path);
        QVERIFY(!repo.ok());
        QCOMPARE(repo.error().code, ErrorCode::Storage);
        QVERIFY2(repo.error().message.contains(QLatin1String("nothing was changed")),
                 qPrintable(repo.error().message));
        QCOMPARE(pragma(path, "PRAGMA user_version"), 3);
        QCOMPARE(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name = "
                              "'workload_captures'"),
                 0);
    }

    void workloadStoreIsAtomic()
    {
        QTemporaryDir dir;
        auto repo = Repository::open(dir.filePath(QStringLiteral("r.sqlite")));
        auto id = (*repo)->addHost(makeHost(QStringLiteral("db1")));
        QVERIFY(id.ok());
        WorkloadSummary s;
        s.capture = QStringLiteral("/captures/monday");
        s.windowMs = 60000;
        s.firstMs = 120000;
        s.lastMs = 240000;
        s.statements = 10;
        WorkloadWindow good;
        good.startMs = 120000;
        good.endMs = 180000;
        good.statements = 10;
        good.statementsPerS = 10.0 / 60.0;
        good.activeSessions = 2;
        good.readRatio = std::numeric_limits<double>::quiet_NaN();
        WorkloadWindow bad = good; // ends before it starts: refused by the schema
        bad.startMs = 180000;
        bad.endMs = 170000;
        s.windows = {good, bad};
        auto failed = (*repo)->storeWorkloadSummary(QStringLiteral("db1"), s);
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, ErrorCode::Storage);
        QCOMPARE((*repo)->workloadCaptures(QStringLiteral("db1"))->size(), size_t(0));
        QCOMPARE((*repo)->metricsWithData(*id)->size(), 0);

        s.windows = {good};
        FingerprintSummary f;
        f.fingerprint = QStringLiteral("abc");
        f.query = QStringLiteral("SELECT $1");
        f.kind = StatementKind::Select;
        f.readOnly = true;
        f.calls = 10;
        f.features.depth = 3;
        f.features.limit = true;
        s.byFingerprint = {f};
        auto stored = (*repo)->storeWorkloadSummary(QStringLiteral("db1"), s);
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().message));
        auto windows = (*repo)->workloadWindows(*stored);
        QCOMPARE(windows->size(), 1);
        QVERIFY(std::isnan(windows->front().readRatio));
        auto fps = (*repo)->workloadFingerprints(*stored);
        QCOMPARE(fps->size(), 1);
        QCOMPARE(fps->front().kind, StatementKind::Select);
        QCOMPARE(fps->front().features, f.features);
        // No ratio, no read_ratio sample; the others are there.
        QCOMPARE(*(*repo)->metricsWithData(*id),
                 (QStringList{QStringLiteral("workload.active_sessions"),
                              QStringLiteral("workload.statements_per_s")}));
        QVERIFY(!(*repo)->storeWorkloadSummary(QStringLiteral("nope"), s).ok());
        // Removing the host removes its workload.
        QVERIFY((*repo)->removeHost(QStringLiteral("db1")).ok());
        QCOMPARE((*repo)->workloadWindows(*stored)->size(), 0);
    }

    void refusesNewerVersionUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        QVERIFY(Repository::open(path).ok());
        execSql(path, "PRAGMA user_version = 99");
        execSql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        const QByteArray before = fileHash(path);
        auto repo = Repository::open(path);
        QVERIFY(!repo.ok());
        QCOMPARE(repo.error().code, ErrorCode::NewerVersion);
        QVERIFY2(repo.error().message.contains(QLatin1String("newer Doppel")),
                 qPrintable(repo.error().message));
        QCOMPARE(fileHash(path), before);
    }

    void refusesForeignFilesUntouched_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<bool>("sqlite");
        QTest::newRow("text file") << QByteArray("host=db1 port=5432\nnot a database\n") << false;
        QTest::newRow("short binary") << QByteArray("\x00\x01\x02", 3) << false;
        QTest::newRow("sqlite of another app") << QByteArray() << true;
    }

    void refusesForeignFilesUntouched()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, sqlite);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.db"));
        if (sqlite) {
            execSql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO "
                          "notes VALUES (1, 'x')");
        } else {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const QByteArray before = fileHash(path);
        auto repo = Repository::open(path);
        QVERIFY(!repo.ok());
        QCOMPARE(repo.error().code, ErrorCode::NotARepository);
        QVERIFY2(repo.error().message.contains(path), qPrintable(repo.error().message));
        QVERIFY2(repo.error().message.contains(QLatin1String("untouched")),
                 qPrintable(repo.error().message));
        QCOMPARE(fileHash(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    void inventoryRoundTrip()
    {
        QTemporaryDir dir;
        auto repo = Repository::open(dir.filePath(QStringLiteral("r.sqlite")));
        QVERIFY(repo.ok());
        Host h = makeHost(QStringLiteral("prod-1"));
        SshEndpoint ssh;
        ssh.host = QStringLiteral("db.example");
        ssh.port = 2222;
        ssh.user = QStringLiteral("alice");
        ssh.auth = SshAuth::Key;
        ssh.keyFile = QStringLiteral("/home/alice/.ssh/id_ed25519");
        h.ssh = ssh;
        auto id = (*repo)->addHost(h);
        QVERIFY(id.ok());
        auto dup = (*repo)->addHost(h);
        QVERIFY(!dup.ok());
        QVERIFY2(dup.error().message.contains(QLatin1String("already exists")),
                 qPrintable(dup.error().message));
        QVERIFY((*repo)->addHost(makeHost(QStringLiteral("shadow-1"), HostRole::Shadow)).ok());

        auto back = (*repo)->host(QStringLiteral("prod-1"));
        QVERIFY(back.ok());
        QCOMPARE(back->id, *id);
        QVERIFY(back->ssh.has_value());
        QCOMPARE(back->ssh->port, 2222);
        QCOMPARE(back->ssh->auth, SshAuth::Key);
        QCOMPARE(back->ssh->keyFile, ssh.keyFile);

        back->role = HostRole::Target;
        back->ssh.reset();
        QVERIFY((*repo)->updateHost(*back).ok());
        auto updated = (*repo)->host(QStringLiteral("prod-1"));
        QCOMPARE(updated->role, HostRole::Target);
        QVERIFY(!updated->ssh.has_value());

        QVERIFY((*repo)->removeHost(QStringLiteral("prod-1")).ok());
        auto missing = (*repo)->removeHost(QStringLiteral("prod-1"));
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE((*repo)->hosts()->size(), size_t(1));
    }

    void samplesRangeAndCascade()
    {
        QTemporaryDir dir;
        auto repo = Repository::open(dir.filePath(QStringLiteral("r.sqlite")));
        auto id = (*repo)->addHost(makeHost(QStringLiteral("h")));
        MetricSamples samples;
        for (int i = 0; i < 100; ++i) {
            samples.append(MetricSample{QStringLiteral("pg_tps"), 1000 + i * 10, double(i)});
            samples.append(MetricSample{QStringLiteral("cpu_percent"), 1000 + i * 10, 50.0});
        }
        QVERIFY((*repo)->appendSamples(*id, samples).ok());
        auto range = (*repo)->samples(*id, QStringLiteral("pg_tps"), 1100, 1190);
        QVERIFY(range.ok());
        QCOMPARE(range->size(), 10);
        QCOMPARE(range->first().value, 10.0);
        QCOMPARE(range->last().timestampMs, qint64(1190));
        QCOMPARE(*(*repo)->metricsWithData(*id),
                 (QStringList{QStringLiteral("cpu_percent"), QStringLiteral("pg_tps")}));
        // Same (host, metric, ts) replaces, never duplicates.
        QVERIFY(
            (*repo)->appendSamples(*id, {MetricSample{QStringLiteral("pg_tps"), 1000, 42.0}}).ok());
        auto first = (*repo)->samples(*id, QStringLiteral("pg_tps"), 1000, 1000);
        QCOMPARE(first->size(), 1);
        QCOMPARE(first->first().value, 42.0);
        QVERIFY((*repo)->removeHost(QStringLiteral("h")).ok());
        QCOMPARE((*repo)->samples(*id, QStringLiteral("pg_tps"), 0, 1 << 30)->size(), 0);
    }

    void eventsFilterBySeverity()
    {
        QTemporaryDir dir;
        auto repo = Repository::open(dir.filePath(QStringLiteral("r.sqlite")));
        QVERIFY((*repo)
                    ->appendEvent(
                        Event{0, 1, Severity::Info, QStringLiteral("t"), {}, QStringLiteral("a")})
                    .ok());
        QVERIFY((*repo)
                    ->appendEvent(Event{0, 2, Severity::Warning, QStringLiteral("t"),
                                        QStringLiteral("h"), QStringLiteral("b")})
                    .ok());
        QVERIFY((*repo)
                    ->appendEvent(
                        Event{0, 3, Severity::Error, QStringLiteral("t"), {}, QStringLiteral("c")})
                    .ok());
        QCOMPARE((*repo)->events(10)->size(), size_t(3));
        QCOMPARE((*repo)->events(10, Severity::Warning)->size(), size_t(2));
        auto errors = (*repo)->events(10, Severity::Error);
        QCOMPARE(errors->size(), size_t(1));
        QCOMPARE(errors->front().message, QStringLiteral("c"));
        QCOMPARE((*repo)->events(10)->front().message, QStringLiteral("c")); // newest first
    }
};

QTEST_GUILESS_MAIN(TestRepository)
#include "TestRepository.moc"
