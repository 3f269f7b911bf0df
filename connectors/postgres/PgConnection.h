// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PgHandles.h"
#include "common/CancelToken.h"
#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace doppel::pg {

// A query's rows as text (NULL is a null QString), with the command tag.
struct QueryResult
{
    QStringList columns;
    std::vector<std::vector<QString>> rows;
    QString commandTag;

    QString value(size_t row, int col) const { return rows.at(row).at(size_t(col)); }
    double number(size_t row, int col) const { return value(row, col).toDouble(); }
};

// One libpq connection used in non-blocking mode: connect and every query wait in poll() in
// short slices, so a deadline or a CancelToken is honoured even when the server is silent.
// Owned by one thread at a time; cancel() may be called from any other thread (PQcancel).
class PgConnection
{
public:
    struct Options
    {
        QString conninfo; // key=value or URI; service=, passfile, sslmode as libpq reads them
        QString password; // from the SecretStore; empty: .pgpass / PGPASSFILE / trust
        std::chrono::milliseconds timeout{10000};
        QString applicationName = QStringLiteral("doppel");
        QString database; // when set, in place of the conninfo's dbname
    };

    // A bound parameter as the extended protocol carries it: text or binary, typed by OID (0:
    // the server infers the type), null when there is no value.
    struct Parameter
    {
        std::optional<QByteArray> value;
        unsigned typeOid = 0;
        int format = 0; // 0 text, 1 binary
    };

    static Result<std::unique_ptr<PgConnection>> connect(const Options& options,
                                                         const CancelToken& cancel = {});
    ~PgConnection();

    // Runs one statement with text parameters ($1, $2, ...). Times out after `timeout` (or the
    // connection's default) and then cancels the query on the server.
    Result<QueryResult> exec(const QString& sql, const QStringList& params = {},
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                             const CancelToken& cancel = {});
    // The same with parameters as a client bound them.
    Result<QueryResult> execParams(const QString& sql, const std::vector<Parameter>& params,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                                   const CancelToken& cancel = {});
    // Asks the server to cancel the running query. Any thread.
    void cancel();
    bool isOk() const;

    int serverVersion() const;
    QString describe() const; // user@host:port/db
    // The options libpq actually used (host, port, dbname, user, password from .pgpass, sslmode,
    // ...), non-empty ones only; for handing the same connection to another program or server.
    QList<QPair<QString, QString>> usedOptions() const;
    // Quoting with libpq's escaping functions (encoding-aware), never by hand.
    Result<QString> quoteIdentifier(const QString& identifier) const;
    Result<QString> quoteLiteral(const QString& literal) const;

private:
    PgConnection(PgConnPtr conn, std::chrono::milliseconds timeout, QString description);
    enum class Wait { Read, Write };
    Status waitSocket(Wait wait, std::chrono::steady_clock::time_point deadline,
                      const CancelToken& cancel, const char* what);
    Error connectionError(const QString& what) const;
    void drainAfterCancel();

    PgConnPtr m_conn;
    std::chrono::milliseconds m_timeout;
    QString m_description;
    std::mutex m_cancelMutex;
    PgCancelPtr m_cancel;
};

// Sorts a libpq failure message into an ErrorCode (auth, refused, timeout, ...).
ErrorCode classifyConnectError(const QString& message);

} // namespace doppel::pg
