// SPDX-License-Identifier: GPL-3.0-or-later
#include "Repository.h"

#include "Migrations.h"
#include "SqliteStatement.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <sqlite3.h>

namespace doppel {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

static Severity severityFromName(const QString& name)
{
    if (name == QLatin1String("error"))
        return Severity::Error;
    if (name == QLatin1String("warning"))
        return Severity::Warning;
    return Severity::Info;
}

namespace {

// Reads the header and Doppel's markers without writing a byte, so a refused file stays as it
// was. Returns the schema version found (0 for an empty new file).
Result<int> inspectExisting(const QString& path)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0)
        return 0;
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io,
                         QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray header = file.read(16);
    if (header != QByteArray("SQLite format 3\0", 16))
        return makeError(ErrorCode::NotARepository,
                         QStringLiteral("%1 is not a SQLite database, so not a Doppel repository; "
                                        "it was left untouched")
                             .arg(path));
    file.close();

    sqlite3* raw = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int rc = sqlite3_open_v2(native.constData(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    if (rc != SQLITE_OK)
        return makeError(
            ErrorCode::NotARepository,
            QStringLiteral("Cannot open %1: %2").arg(path, QString::fromUtf8(sqlite3_errstr(rc))));
    // As long as the connection open() makes next: another thread's or process's connection may
    // hold the lock for a moment (a commit, the checkpoint of the last connection closing).
    sqlite3_busy_timeout(db.get(), 5000);
    auto pragmaInt = [&](const char* sql) -> Result<qint64> {
        SqliteStatement stmt(db.get(), sql);
        if (!stmt.valid() || stmt.step() != SQLITE_ROW)
            return makeError(ErrorCode::NotARepository,
                             QStringLiteral("%1 cannot be read as SQLite: %2")
                                 .arg(path, QString::fromUtf8(sqlite3_errmsg(db.get()))));
        return stmt.int64(0);
    };
    auto appId = pragmaInt("PRAGMA application_id");
    if (!appId)
        return appId.error();
    auto version = pragmaInt("PRAGMA user_version");
    if (!version)
        return version.error();
    auto tables = pragmaInt("SELECT count(*) FROM sqlite_master");
    if (!tables)
        return tables.error();
    if (*appId != DoppelApplicationId && (*appId != 0 || *tables > 0))
        return makeError(ErrorCode::NotARepository,
                         QStringLiteral("%1 is a SQLite database of another application, not a "
                                        "Doppel repository; it was left untouched")
                             .arg(path));
    if (*version > Repository::CurrentSchemaVersion)
        return makeError(ErrorCode::NewerVersion,
                         QStringLiteral("%1 was written by a newer Doppel (schema version %2, this "
                                        "Doppel knows up to %3); upgrade Doppel to open it. The "
                                        "file was left untouched")
                             .arg(path)
                             .arg(*version)
                             .arg(Repository::CurrentSchemaVersion));
    return static_cast<int>(*version);
}

} // namespace

QString Repository::defaultPath()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("doppel/doppel.sqlite"));
}

Result<std::unique_ptr<Repository>> Repository::open(const QString& path, int targetVersion)
{
    if (targetVersion < 1 || targetVersion > CurrentSchemaVersion)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("No schema version %1").arg(targetVersion));
    auto existing = inspectExisting(path);
    if (!existing)
        return existing.error();

    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(ErrorCode::Io,
                         QStringLiteral("Cannot create folder %1").arg(info.absolutePath()));
    const bool isNew = !info.exists();

    sqlite3* raw = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int rc =
        sqlite3_open_v2(native.constData(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString why = QString::fromUtf8(raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        sqlite3_close(raw);
        return makeError(ErrorCode::Storage, QStringLiteral("Cannot open %1: %2").arg(path, why));
    }
    std::unique_ptr<Repository> repo(new Repository(raw, path));
    if (isNew)
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    // busy_timeout first: switching to WAL and migrating take locks another connection (another
    // thread's, such as the forecast service's tasks) may hold for a moment.
    for (const char* pragma : {"PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL",
                               "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
        if (auto st = repo->exec(pragma); !st)
            return st.error();
    }
    if (auto st = repo->migrate(targetVersion); !st)
        return st.error();
    return repo;
}

Repository::Repository(sqlite3* db, QString path) : m_db(db), m_path(std::move(path))
{}

Repository::~Repository()
{
    sqlite3_close(m_db);
}

Error Repository::sqliteError(const QString& what) const
{
    return makeError(
        ErrorCode::Storage,
        QStringLiteral("%1 in %2: %3").arg(what, m_path, QString::fromUtf8(sqlite3_errmsg(m_db))),
        QString::number(sqlite3_extended_errcode(m_db)));
}

Status Repository::exec(const char* sql) const
{
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error error = sqliteError(QStringLiteral("Statement failed"));
        sqlite3_free(message);
        return error;
    }
    return Ok{};
}

void Repository::rollback() const
{
    // Only ever called after a failure that is already being reported; a failed rollback
    // leaves SQLite to roll back when the connection closes.
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

int Repository::schemaVersion() const
{
    SqliteStatement stmt(m_db, "PRAGMA user_version");
    return stmt.step() == SQLITE_ROW ? static_cast<int>(stmt.int64(0)) : -1;
}

Status Repository::migrate(int targetVersion)
{
    // IMMEDIATE takes the write lock first, so two processes opening a fresh file do not both
    // apply migration 1.
    if (auto st = exec("BEGIN IMMEDIATE"); !st)
        return st;
    const int from = schemaVersion();
    const auto& migrations = schemaMigrations();
    for (int v = from; v < targetVersion; ++v) {
        if (auto st = exec(migrations[static_cast<size_t>(v)]); !st) {
            rollback();
            return makeError(ErrorCode::Storage,
                             QStringLiteral("Migration of %1 to schema version %2 failed, nothing "
                                            "was changed: %3")
                                 .arg(m_path)
                                 .arg(v + 1)
                                 .arg(st.error().message));
        }
    }
    const QByteArray marks = QStringLiteral("PRAGMA application_id=%1; PRAGMA user_version=%2;")
                                 .arg(DoppelApplicationId)
                                 .arg(std::max(from, targetVersion))
                                 .toUtf8();
    if (auto st = exec(marks.constData()); !st) {
        rollback();
        return st;
    }
    return exec("COMMIT");
}

static Host hostFromRow(SqliteStatement& s)
{
    Host h;
    h.id = s.int64(0);
    h.name = s.text(1);
    h.role = roleFromName(s.text(2)).value_or(HostRole::Production);
    h.conninfo = s.text(3);
    if (!s.isNull(4)) {
        SshEndpoint ssh;
        ssh.host = s.text(4);
        ssh.port = static_cast<int>(s.int64(5));
        ssh.user = s.text(6);
        ssh.auth = sshAuthFromName(s.text(7)).value_or(SshAuth::Agent);
        ssh.keyFile = s.text(8);
        ssh.knownHostsFile = s.text(9);
        h.ssh = ssh;
    }
    return h;
}

static void bindHost(SqliteStatement& s, const Host& h)
{
    s.bind(1, h.name);
    s.bind(2, roleName(h.role));
    s.bind(3, h.conninfo);
    if (h.ssh) {
        s.bind(4, h.ssh->host);
        s.bind(5, qint64(h.ssh->port));
        s.bind(6, h.ssh->user);
        s.bind(7, sshAuthName(h.ssh->auth));
        s.bind(8, h.ssh->keyFile);
        s.bind(9, h.ssh->knownHostsFile);
    } else {
        for (int i = 4; i <= 9; ++i)
            s.bindNull(i);
    }
}

Result<qint64> Repository::addHost(const Host& host)
{
    if (host.name.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("A host needs a name"));
    SqliteStatement s(m_db,
                      "INSERT INTO hosts (name, role, conninfo, ssh_host, ssh_port, ssh_user, "
                      "ssh_auth, ssh_key_file, known_hosts_file) VALUES (?,?,?,?,?,?,?,?,?)");
    bindHost(s, host);
    if (s.step() != SQLITE_DONE) {
        if (sqlite3_extended_errcode(m_db) == SQLITE_CONSTRAINT_UNIQUE)
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("A host named '%1' already exists").arg(host.name));
        return sqliteError(QStringLiteral("Adding host %1 failed").arg(host.name));
    }
    return static_cast<qint64>(sqlite3_last_insert_rowid(m_db));
}

Status Repository::updateHost(const Host& host)
{
    SqliteStatement s(m_db,
                      "UPDATE hosts SET name=?, role=?, conninfo=?, ssh_host=?, ssh_port=?, "
                      "ssh_user=?, ssh_auth=?, ssh_key_file=?, known_hosts_file=? WHERE id=?");
    bindHost(s, host);
    s.bind(10, host.id);
    if (s.step() != SQLITE_DONE)
        return sqliteError(QStringLiteral("Updating host %1 failed").arg(host.name));
    if (sqlite3_changes(m_db) == 0)
        return makeError(ErrorCode::NotFound, QStringLiteral("No host with id %1").arg(host.id));
    return Ok{};
}

Status Repository::removeHost(const QString& name)
{
    SqliteStatement s(m_db, "DELETE FROM hosts WHERE name=?");
    s.bind(1, name);
    if (s.step() != SQLITE_DONE)
        return sqliteError(QStringLiteral("Removing host %1 failed").arg(name));
    if (sqlite3_changes(m_db) == 0)
        return makeError(ErrorCode::NotFound, QStringLiteral("No host named '%1'").arg(name));
    return Ok{};
}

static constexpr const char* HostColumns =
    "SELECT id, name, role, conninfo, ssh_host, ssh_port, ssh_user, ssh_auth, ssh_key_file, "
    "known_hosts_file FROM hosts ";

Result<std::vector<Host>> Repository::hosts() const
{
    SqliteStatement s(m_db, QByteArray(HostColumns) + "ORDER BY role, name");
    std::vector<Host> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(hostFromRow(s));
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Listing hosts failed"));
    return out;
}

Result<Host> Repository::host(const QString& name) const
{
    SqliteStatement s(m_db, QByteArray(HostColumns) + "WHERE name=?");
    s.bind(1, name);
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        return hostFromRow(s);
    if (rc == SQLITE_DONE)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("No host named '%1' in %2").arg(name, m_path));
    return sqliteError(QStringLiteral("Reading host %1 failed").arg(name));
}

Result<qint64> Repository::metricId(const QString& name)
{
    if (auto it = m_metricIds.constFind(name); it != m_metricIds.constEnd())
        return *it;
    SqliteStatement ins(m_db, "INSERT OR IGNORE INTO metrics (name) VALUES (?)");
    ins.bind(1, name);
    if (ins.step() != SQLITE_DONE)
        return sqliteError(QStringLiteral("Registering metric %1 failed").arg(name));
    SqliteStatement sel(m_db, "SELECT id FROM metrics WHERE name=?");
    sel.bind(1, name);
    if (sel.step() != SQLITE_ROW)
        return sqliteError(QStringLiteral("Reading metric %1 failed").arg(name));
    const qint64 id = sel.int64(0);
    m_metricIds.insert(name, id);
    return id;
}

Status Repository::appendSamples(qint64 hostId, const MetricSamples& samples)
{
    if (samples.isEmpty())
        return Ok{};
    if (auto st = exec("BEGIN"); !st)
        return st;
    if (auto st = insertSamples(hostId, samples); !st) {
        rollback();
        m_metricIds.clear(); // a metric registered in the rolled back transaction is gone
        return st;
    }
    return exec("COMMIT");
}

Status Repository::insertSamples(qint64 hostId, const MetricSamples& samples)
{
    SqliteStatement s(
        m_db, "INSERT OR REPLACE INTO samples (host_id, metric_id, ts, value) VALUES (?,?,?,?)");
    for (const auto& sample : samples) {
        auto id = metricId(sample.metric);
        if (!id)
            return id.error();
        s.reset();
        s.bind(1, hostId);
        s.bind(2, *id);
        s.bind(3, sample.timestampMs);
        s.bind(4, sample.value);
        if (s.step() != SQLITE_DONE)
            return sqliteError(QStringLiteral("Storing samples failed"));
    }
    return Ok{};
}

Result<MetricSamples> Repository::samples(qint64 hostId, const QString& metric, qint64 fromMs,
                                          qint64 toMs) const
{
    SqliteStatement s(m_db,
                      "SELECT s.ts, s.value FROM samples s JOIN metrics m ON m.id = s.metric_id "
                      "WHERE s.host_id=? AND m.name=? AND s.ts >= ? AND s.ts <= ? ORDER BY s.ts");
    s.bind(1, hostId);
    s.bind(2, metric);
    s.bind(3, fromMs);
    s.bind(4, toMs);
    MetricSamples out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.append(MetricSample{metric, s.int64(0), s.real(1)});
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading samples failed"));
    return out;
}

Result<QStringList> Repository::metricsWithData(qint64 hostId) const
{
    SqliteStatement s(m_db, "SELECT m.name FROM metrics m WHERE EXISTS (SELECT 1 FROM samples s "
                            "WHERE s.host_id=? AND s.metric_id=m.id) ORDER BY m.name");
    s.bind(1, hostId);
    QStringList out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out << s.text(0);
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Listing metrics failed"));
    return out;
}

Status Repository::appendEvent(const Event& event)
{
    SqliteStatement s(
        m_db, "INSERT INTO events (ts, severity, source, host, message) VALUES (?,?,?,?,?)");
    s.bind(1, event.timestampMs ? event.timestampMs : QDateTime::currentMSecsSinceEpoch());
    s.bind(2, severityName(event.severity));
    s.bind(3, event.source);
    if (event.host.isEmpty())
        s.bindNull(4);
    else
        s.bind(4, event.host);
    s.bind(5, event.message);
    if (s.step() != SQLITE_DONE)
        return sqliteError(QStringLiteral("Logging an event failed"));
    return Ok{};
}

Result<std::vector<Event>> Repository::events(int limit, Severity minimum) const
{
    const char* filter = minimum == Severity::Error     ? "WHERE severity = 'error' "
                         : minimum == Severity::Warning ? "WHERE severity IN ('warning','error') "
                                                        : "";
    SqliteStatement s(m_db,
                      QByteArray("SELECT id, ts, severity, source, host, message FROM events ") +
                          filter + "ORDER BY ts DESC, id DESC LIMIT ?");
    s.bind(1, qint64(limit));
    std::vector<Event> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(Event{s.int64(0), s.int64(1), severityFromName(s.text(2)), s.text(3),
                            s.text(4), s.text(5)});
    if (rc != SQLITE_DONE)
        return sqliteError(QStringLiteral("Reading events failed"));
    return out;
}

} // namespace doppel
