// SPDX-License-Identifier: GPL-3.0-or-later
#include "PgConnection.h"

#include "Conninfo.h"

#include <poll.h>

namespace doppel::pg {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

ErrorCode classifyConnectError(const QString& message)
{
    const QString m = message.toLower();
    if (m.contains(QLatin1String("password authentication failed")) ||
        m.contains(QLatin1String("no password supplied")) ||
        m.contains(QLatin1String("authentication failed")) ||
        m.contains(QLatin1String("pg_hba.conf rejects")))
        return ErrorCode::Auth;
    if (m.contains(QLatin1String("connection refused")))
        return ErrorCode::Refused;
    if (m.contains(QLatin1String("timeout expired")) || m.contains(QLatin1String("timed out")))
        return ErrorCode::Timeout;
    if (m.contains(QLatin1String("invalid connection option")) ||
        m.contains(QLatin1String("missing \"=\"")) || m.contains(QLatin1String("invalid uri")) ||
        m.contains(QLatin1String("definition of service")))
        return ErrorCode::InvalidInput;
    return ErrorCode::Unavailable;
}

PgConnection::PgConnection(PgConnPtr conn, std::chrono::milliseconds timeout, QString description)
    : m_conn(std::move(conn)), m_timeout(timeout), m_description(std::move(description)),
      m_cancel(PQgetCancel(m_conn.get()))
{}

PgConnection::~PgConnection() = default;

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const Options& options,
                                                            const CancelToken& cancel)
{
    auto parsed = Conninfo::parse(options.conninfo);
    if (!parsed)
        return parsed.error();
    QString description = Conninfo::describe(options.conninfo);
    if (!options.database.isEmpty())
        description =
            description.left(description.lastIndexOf(QLatin1Char('/')) + 1) + options.database;
    // dbname first with expand_dbname: libpq expands the conninfo/URI there, and keywords after
    // it override the string; so only what the string leaves unset is given after it.
    const QByteArray conninfo = options.conninfo.toUtf8();
    const QByteArray password = options.password.toUtf8();
    const QByteArray appName = options.applicationName.toUtf8();
    const QByteArray timeoutSeconds = QByteArray::number(
        std::max<qint64>(1, std::chrono::ceil<std::chrono::seconds>(options.timeout).count()));
    std::vector<const char*> keys{"dbname"};
    std::vector<const char*> values{conninfo.constData()};
    if (!options.password.isEmpty()) {
        keys.push_back("password");
        values.push_back(password.constData());
    }
    auto has = [&](const char* key) {
        for (const auto& kv : *parsed)
            if (kv.first == QLatin1String(key))
                return true;
        return false;
    };
    const QByteArray database = options.database.toUtf8();
    if (!options.database.isEmpty()) {
        // A dbname after the expanded conninfo is a plain database name that overrides it.
        keys.push_back("dbname");
        values.push_back(database.constData());
    }
    if (!has("application_name")) {
        keys.push_back("application_name");
        values.push_back(appName.constData());
    }
    if (!has("connect_timeout")) {
        keys.push_back("connect_timeout");
        values.push_back(timeoutSeconds.constData());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);

    PgConnPtr conn(PQconnectStartParams(keys.data(), values.data(), 1));
    if (!conn)
        return makeError(ErrorCode::Unknown, QStringLiteral("libpq is out of memory"));
    if (PQstatus(conn.get()) == CONNECTION_BAD) {
        const QString why = QString::fromUtf8(PQerrorMessage(conn.get())).trimmed();
        return makeError(classifyConnectError(why),
                         QStringLiteral("PostgreSQL %1: %2").arg(description, why));
    }
    const auto deadline = Clock::now() + options.timeout;
    std::unique_ptr<PgConnection> self(new PgConnection(nullptr, options.timeout, description));
    self->m_conn = std::move(conn);
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (state != PGRES_POLLING_OK) {
        if (state == PGRES_POLLING_FAILED) {
            const QString why = QString::fromUtf8(PQerrorMessage(self->m_conn.get())).trimmed();
            return makeError(classifyConnectError(why),
                             QStringLiteral("PostgreSQL %1: %2").arg(description, why));
        }
        const Wait wait = state == PGRES_POLLING_READING ? Wait::Read : Wait::Write;
        if (auto st = self->waitSocket(wait, deadline, cancel, "connecting"); !st)
            return st.error();
        state = PQconnectPoll(self->m_conn.get());
    }
    // Notices (e.g. "created replication slot") would go to stderr, mixed into a CLI's output
    // or a console's terminal; results and errors carry what callers need.
    PQsetNoticeProcessor(
        self->m_conn.get(), [](void*, const char*) {}, nullptr);
    if (PQsetnonblocking(self->m_conn.get(), 1) != 0)
        return self->connectionError(QStringLiteral("Cannot switch to non-blocking mode"));
    self->m_cancel.reset(PQgetCancel(self->m_conn.get()));
    return self;
}

Status PgConnection::waitSocket(Wait wait, Clock::time_point deadline, const CancelToken& cancel,
                                const char* what)
{
    const int fd = PQsocket(m_conn.get());
    if (fd < 0)
        return connectionError(QStringLiteral("No socket while %1").arg(QLatin1String(what)));
    pollfd pfd{fd, short(wait == Wait::Read ? POLLIN : POLLOUT), 0};
    for (;;) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled,
                             QStringLiteral("PostgreSQL %1: cancelled while %2")
                                 .arg(m_description, QLatin1String(what)));
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            return makeError(ErrorCode::Timeout,
                             QStringLiteral("PostgreSQL %1: no answer within %2 s while %3")
                                 .arg(m_description)
                                 .arg(double(m_timeout.count()) / 1000.0, 0, 'f', 1)
                                 .arg(QLatin1String(what)));
        // Short slices so cancellation is noticed quickly.
        const int rc = ::poll(&pfd, 1, int(std::min<qint64>(left.count(), 50)));
        if (rc > 0)
            return Ok{};
        if (rc < 0 && errno != EINTR)
            return makeError(
                ErrorCode::Io,
                QStringLiteral("poll() failed: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    }
}

Error PgConnection::connectionError(const QString& what) const
{
    const QString why = QString::fromUtf8(PQerrorMessage(m_conn.get())).trimmed();
    return makeError(classifyConnectError(why),
                     QStringLiteral("PostgreSQL %1: %2: %3").arg(m_description, what, why));
}

Result<QueryResult> PgConnection::exec(const QString& sql, const QStringList& params,
                                       std::optional<std::chrono::milliseconds> timeout,
                                       const CancelToken& cancel)
{
    std::vector<Parameter> typed;
    typed.reserve(size_t(params.size()));
    for (const auto& p : params)
        typed.push_back({p.isNull() ? std::nullopt : std::optional<QByteArray>(p.toUtf8())});
    return execParams(sql, typed, timeout, cancel);
}

Result<QueryResult> PgConnection::execParams(const QString& sql,
                                             const std::vector<Parameter>& params,
                                             std::optional<std::chrono::milliseconds> timeout,
                                             const CancelToken& cancel)
{
    PGconn* c = m_conn.get();
    if (!c)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("PostgreSQL %1: the connection was closed because a "
                                        "cancelled query did not end")
                             .arg(m_description));
    if (PQstatus(c) != CONNECTION_OK)
        return connectionError(QStringLiteral("Connection is not usable"));
    const QByteArray query = sql.toUtf8();
    std::vector<const char*> values;
    std::vector<Oid> types;
    std::vector<int> lengths, formats;
    for (const auto& p : params) {
        values.push_back(p.value ? p.value->constData() : nullptr);
        types.push_back(Oid(p.typeOid));
        lengths.push_back(p.value ? int(p.value->size()) : 0);
        formats.push_back(p.format);
    }
    if (!PQsendQueryParams(c, query.constData(), int(values.size()), types.data(), values.data(),
                           lengths.data(), formats.data(), 0))
        return connectionError(QStringLiteral("Sending the query failed"));

    const auto limit = timeout.value_or(m_timeout);
    const auto deadline = Clock::now() + limit;
    int flush;
    while ((flush = PQflush(c)) == 1) {
        if (auto st = waitSocket(Wait::Write, deadline, cancel, "sending a query"); !st) {
            this->cancel();
            return st.error();
        }
    }
    if (flush < 0)
        return connectionError(QStringLiteral("Sending the query failed"));

    PgResultPtr last;
    std::optional<Error> failure;
    for (;;) {
        while (PQisBusy(c)) {
            if (auto st = waitSocket(Wait::Read, deadline, cancel, "waiting for a result"); !st) {
                // Cancel on the server, then drain so the connection stays usable.
                this->cancel();
                drainAfterCancel();
                return st.error();
            }
            if (!PQconsumeInput(c))
                return connectionError(QStringLiteral("Reading the result failed"));
        }
        PgResultPtr r(PQgetResult(c));
        if (!r)
            break;
        const auto status = PQresultStatus(r.get());
        if (status == PGRES_FATAL_ERROR && !failure) {
            const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
            failure = makeError(
                ErrorCode::Query,
                QStringLiteral("PostgreSQL %1: %2")
                    .arg(m_description, QString::fromUtf8(PQresultErrorMessage(r.get())).trimmed()),
                QString::fromLatin1(state ? state : ""));
        }
        last = std::move(r);
    }
    if (failure)
        return *failure;
    if (!last)
        return connectionError(QStringLiteral("No result"));

    QueryResult out;
    PGresult* r = last.get();
    out.commandTag = QString::fromUtf8(PQcmdStatus(r));
    const int cols = PQnfields(r);
    for (int col = 0; col < cols; ++col)
        out.columns << QString::fromUtf8(PQfname(r, col));
    const int rows = PQntuples(r);
    out.rows.reserve(size_t(rows));
    for (int row = 0; row < rows; ++row) {
        std::vector<QString> values;
        values.reserve(size_t(cols));
        for (int col = 0; col < cols; ++col)
            values.push_back(
                PQgetisnull(r, row, col)
                    ? QString()
                    : QString::fromUtf8(PQgetvalue(r, row, col), PQgetlength(r, row, col)));
        out.rows.push_back(std::move(values));
    }
    return out;
}

void PgConnection::drainAfterCancel()
{
    // Every result up to the end of the command, ReadyForQuery included: the error result of
    // the cancelled query can arrive in a packet before ReadyForQuery, and until that one is
    // read libpq refuses the next query as "another command is already in progress".
    PGconn* c = m_conn.get();
    const auto deadline = Clock::now() + 5s;
    for (;;) {
        while (PQisBusy(c)) {
            if (!waitSocket(Wait::Read, deadline, {}, "cancelling") || !PQconsumeInput(c)) {
                // The server did not end the command in time: this connection cannot be
                // trusted again, and a blocking PQreset() would stall this thread.
                std::lock_guard lock(m_cancelMutex);
                m_cancel.reset();
                m_conn.reset();
                return;
            }
        }
        PgResultPtr r(PQgetResult(c));
        if (!r)
            return;
    }
}

void PgConnection::cancel()
{
    std::lock_guard lock(m_cancelMutex);
    if (!m_cancel)
        return;
    char err[256];
    PQcancel(m_cancel.get(), err, sizeof err);
}

bool PgConnection::isOk() const
{
    return m_conn && PQstatus(m_conn.get()) == CONNECTION_OK;
}

int PgConnection::serverVersion() const
{
    return PQserverVersion(m_conn.get());
}

QString PgConnection::describe() const
{
    return m_description;
}

QList<QPair<QString, QString>> PgConnection::usedOptions() const
{
    QList<QPair<QString, QString>> out;
    if (!m_conn)
        return out;
    PgConninfoPtr options(PQconninfo(m_conn.get()));
    for (auto* o = options.get(); o && o->keyword; ++o)
        if (o->val && *o->val && qstrcmp(o->keyword, "password") != 0)
            out.append({QString::fromUtf8(o->keyword), QString::fromUtf8(o->val)});
    // PQpass also knows a password libpq read from .pgpass, which PQconninfo does not list.
    if (const char* password = PQpass(m_conn.get()); password && *password)
        out.append({QStringLiteral("password"), QString::fromUtf8(password)});
    return out;
}

Result<QString> PgConnection::quoteIdentifier(const QString& identifier) const
{
    const QByteArray utf8 = identifier.toUtf8();
    char* q = PQescapeIdentifier(m_conn.get(), utf8.constData(), size_t(utf8.size()));
    if (!q)
        return connectionError(QStringLiteral("Cannot quote identifier"));
    QString out = QString::fromUtf8(q);
    PQfreemem(q);
    return out;
}

Result<QString> PgConnection::quoteLiteral(const QString& literal) const
{
    const QByteArray utf8 = literal.toUtf8();
    char* q = PQescapeLiteral(m_conn.get(), utf8.constData(), size_t(utf8.size()));
    if (!q)
        return connectionError(QStringLiteral("Cannot quote literal"));
    QString out = QString::fromUtf8(q);
    PQfreemem(q);
    return out;
}

} // namespace doppel::pg
