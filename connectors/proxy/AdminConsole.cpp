// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminConsole.h"

#include "MirrorEngine.h"
#include "MirrorSession.h"
#include "pgwire/PgWireBackend.h"
#include "workload/CaptureWriter.h"

#include <QDateTime>

#include <csignal>
#include <unistd.h>

namespace doppel::proxy {

namespace {

QByteArray table(const QList<QByteArray>& columns, const QList<QList<QByteArray>>& rows,
                 const QByteArray& tag)
{
    pgwire::RowDescription desc;
    for (const QByteArray& c : columns)
        desc.fields.append(pgwire::FieldDescription{c, 0, 0, 25, -1, -1, 0}); // text
    QByteArray out = desc.encode();
    for (const auto& row : rows) {
        pgwire::DataRow d;
        for (const QByteArray& v : row)
            d.values.append(v);
        out += d.encode();
    }
    return out + pgwire::CommandComplete{tag + ' ' + QByteArray::number(rows.size())}.encode();
}

QByteArray error(const QByteArray& sqlState, const QByteArray& message)
{
    pgwire::ErrorResponse e;
    e.fields = {{'S', "ERROR"}, {'V', "ERROR"}, {'C', sqlState}, {'M', message}};
    return e.encode();
}

QByteArray stats(const ProxyShared& shared)
{
    const ProxyCounters& c = shared.counters;
    QList<QList<QByteArray>> rows = {
        {"sessions_total", QByteArray::number(c.sessionsTotal.load())},
        {"sessions_active", QByteArray::number(c.sessionsActive.load())},
        {"bytes_to_server", QByteArray::number(c.bytesToServer.load())},
        {"bytes_to_client", QByteArray::number(c.bytesToClient.load())},
        {"statements_captured", QByteArray::number(c.statementsCaptured.load())},
        {"protocol_errors", QByteArray::number(c.protocolErrors.load())},
        {"upstream_failures", QByteArray::number(c.upstreamFailures.load())},
        {"tls_sessions", QByteArray::number(c.tlsClients.load())},
        {"tls_handshake_failures", QByteArray::number(c.tlsFailures.load())},
        {"cancels_forwarded", QByteArray::number(c.cancelsForwarded.load())},
        {"paused", shared.paused.load() ? "1" : "0"},
        {"busy_sessions", QByteArray::number(shared.busySessions.load())},
    };
    if (shared.mirror) {
        const MirrorCounters& m = shared.mirror->counters;
        rows.append({"mirror_rate", QByteArray::number(shared.mirror->rate())});
        rows.append({"mirror_sessions", QByteArray::number(m.sessions.load())});
        rows.append({"mirror_statements", QByteArray::number(m.statements.load())});
        rows.append(
            {"mirror_dropped_transactions", QByteArray::number(m.droppedTransactions.load())});
        rows.append({"mirror_critical_kept", QByteArray::number(m.criticalKept.load())});
        rows.append(
            {"mirror_evicted_transactions", QByteArray::number(m.evictedTransactions.load())});
        rows.append({"mirror_shadow_errors", QByteArray::number(m.shadowErrors.load())});
        rows.append({"mirror_results_compared", QByteArray::number(m.resultsCompared.load())});
        rows.append({"mirror_results_diverged", QByteArray::number(m.resultsDiverged.load())});
        rows.append({"mirror_unsynchronized", QByteArray::number(m.unsynchronized.load())});
        rows.append({"mirror_queue_depth", QByteArray::number(shared.mirror->queueDepth())});
    }
    if (shared.capture) {
        rows.append({"capture_written", QByteArray::number(shared.capture->written())});
        rows.append({"capture_dropped", QByteArray::number(shared.capture->dropped())});
    }
    return table({"name", "value"}, rows, "SHOW");
}

QByteArray sessions(const ProxyShared& shared)
{
    QList<QList<QByteArray>> rows;
    for (const auto& s : shared.sessions.list())
        rows.append({QByteArray::number(s.id), s.user, s.database, s.applicationName,
                     s.client.toUtf8(),
                     QDateTime::fromMSecsSinceEpoch(s.connectedUs / 1000, Qt::UTC)
                         .toString(Qt::ISODateWithMs)
                         .toUtf8(),
                     s.admin ? "t" : "f"});
    return table(
        {"id", "user", "database", "application_name", "client_addr", "connected_at", "admin"},
        rows, "SHOW");
}

QByteArray mirror(const ProxyShared& shared)
{
    QList<QList<QByteArray>> rows;
    for (const auto& session : shared.mirror->sessions()) {
        const MirrorSession::Snapshot s = session->snapshot();
        rows.append({QByteArray::number(s.sessionId), s.user, s.database, s.state,
                     QByteArray::number(qulonglong(s.queueDepth)), QByteArray::number(s.mirrored),
                     QByteArray::number(s.droppedTransactions),
                     QByteArray::number(s.shadowErrors)});
    }
    return table({"session", "user", "database", "state", "queue_depth", "mirrored",
                  "dropped_transactions", "shadow_errors"},
                 rows, "SHOW");
}

// SET mirror_rate = R (also TO, quotes and spaces as psql users write them).
QByteArray setMirrorRate(const QByteArray& command, ProxyShared& shared)
{
    QByteArray value = command.mid(qsizetype(sizeof("SET MIRROR_RATE") - 1)).trimmed();
    if (value.startsWith('='))
        value = value.mid(1).trimmed();
    else if (value.startsWith("TO "))
        value = value.mid(3).trimmed();
    if (value.size() >= 2 && value.startsWith('\'') && value.endsWith('\''))
        value = value.mid(1, value.size() - 2);
    bool ok = false;
    const double rate = value.toDouble(&ok);
    if (!ok || rate < 0 || rate > 1)
        return error("22023", "mirror_rate takes a number from 0 to 1, not \"" + value + "\"");
    shared.mirror->setRate(rate);
    return pgwire::CommandComplete{"SET"}.encode();
}

} // namespace

QByteArray adminResponse(const QByteArray& query, ProxyShared& shared)
{
    QByteArray command = query.simplified().toUpper();
    while (command.endsWith(';'))
        command.chop(1);
    command = command.trimmed();
    QByteArray out;
    if (command.isEmpty()) {
        out = pgwire::EmptyQueryResponse{}.encode();
    } else if (command == "SHOW STATS") {
        out = stats(shared);
    } else if (command == "SHOW SESSIONS") {
        out = sessions(shared);
    } else if (command == "RELOAD") {
        ::kill(::getpid(), SIGHUP); // the server thread reloads, as for an external SIGHUP
        out = pgwire::CommandComplete{"RELOAD"}.encode();
    } else if (command == "SHUTDOWN") {
        ::kill(::getpid(), SIGTERM);
        out = pgwire::CommandComplete{"SHUTDOWN"}.encode();
    } else if ((command == "SHOW MIRROR" || command.startsWith("SET MIRROR_RATE")) &&
               !shared.mirror) {
        out = error("55000", "mirroring is off: doppel-proxy was started without --shadow");
    } else if (command == "SHOW MIRROR") {
        out = mirror(shared);
    } else if (command.startsWith("SET MIRROR_RATE")) {
        out = setMirrorRate(command, shared);
    } else {
        out = error("42601", "unknown admin command \"" + query.simplified() +
                                 "\"; the console knows SHOW STATS, SHOW SESSIONS, SHOW MIRROR, "
                                 "SET mirror_rate, PAUSE, RESUME, RELOAD, SHUTDOWN");
    }
    return out + pgwire::ReadyForQuery{'I'}.encode();
}

} // namespace doppel::proxy
