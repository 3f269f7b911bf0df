// SPDX-License-Identifier: GPL-3.0-or-later
#include "ReplaySession.h"

#include <thread>

namespace doppel::replay {

void ReplayShared::targetLost(const QString& why)
{
    std::lock_guard lock(m_mutex);
    if (!m_lost.exchange(true))
        m_reason = why;
}

QString ReplayShared::lostReason() const
{
    std::lock_guard lock(m_mutex);
    return m_reason;
}

ReplaySession::ReplaySession(const PlannedSession& planned, const ReplayTarget& target,
                             Clock::time_point start, ReplayShared& shared)
    : m_planned(planned), m_target(target), m_start(start), m_shared(shared)
{
    m_measurements.reserve(planned.statements.size());
}

bool ReplaySession::connect()
{
    const QByteArray conninfo = m_target.conninfo.toUtf8();
    const QByteArray password = m_target.password.toUtf8();
    std::vector<const char*> keys{"dbname", "application_name"};
    std::vector<const char*> values{conninfo.constData(), "doppel-replay"};
    if (!password.isEmpty()) {
        keys.push_back("password");
        values.push_back(password.constData());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    m_conn.reset(PQconnectdbParams(keys.data(), values.data(), 1));
    if (!m_conn || PQstatus(m_conn.get()) != CONNECTION_OK) {
        m_shared.targetLost(QStringLiteral("cannot connect to the target: %1")
                                .arg(QString::fromUtf8(PQerrorMessage(m_conn.get())).trimmed()));
        return false;
    }
    PQsetNoticeProcessor(
        m_conn.get(), [](void*, const char*) {}, nullptr);
    std::lock_guard lock(m_cancelMutex);
    m_cancel.reset(PQgetCancel(m_conn.get()));
    return true;
}

void ReplaySession::run()
{
    if (!m_shared.stopping() && connect()) {
        for (const PlannedStatement& s : m_planned.statements) {
            if (m_shared.stopping())
                break;
            if (!execute(s))
                break;
        }
    }
    {
        std::lock_guard lock(m_cancelMutex);
        m_cancel.reset();
    }
    m_conn.reset();
    m_shared.finished.fetch_add(1);
}

void ReplaySession::cancelRunning()
{
    std::lock_guard lock(m_cancelMutex);
    if (m_cancel) {
        char err[256];
        PQcancel(m_cancel.get(), err, sizeof err);
    }
}

pg::PgResultPtr ReplaySession::prepare(const CaptureRecord& record)
{
    auto known = m_prepared.find(record.statementName);
    if (known != m_prepared.end() && known->second == record.statement)
        return nullptr;
    if (known != m_prepared.end()) {
        // The client re-used the name for another text: do as it did.
        if (char* name = PQescapeIdentifier(m_conn.get(), record.statementName.data(),
                                            record.statementName.size())) {
            const std::string deallocate = std::string("DEALLOCATE ") + name;
            PQfreemem(name);
            pg::PgResultPtr(PQexec(m_conn.get(), deallocate.c_str()));
        }
    }
    std::vector<Oid> types;
    for (const CaptureParameter& p : record.parameters)
        types.push_back(p.typeOid);
    pg::PgResultPtr r(PQprepare(m_conn.get(), record.statementName.c_str(),
                                record.statement.c_str(), int(types.size()), types.data()));
    if (r && PQresultStatus(r.get()) == PGRES_COMMAND_OK) {
        m_prepared[record.statementName] = record.statement;
        return nullptr;
    }
    return r; // the error result, reported as this statement's outcome
}

pg::PgResultPtr ReplaySession::send(const CaptureRecord& record)
{
    PGconn* c = m_conn.get();
    if (record.protocol == CaptureRecord::Protocol::Simple)
        return pg::PgResultPtr(PQexec(c, record.statement.c_str()));
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;
    for (const CaptureParameter& p : record.parameters) {
        values.push_back(p.value ? p.value->data() : nullptr);
        lengths.push_back(p.value ? int(p.value->size()) : 0);
        formats.push_back(p.format);
        types.push_back(p.typeOid);
    }
    const int n = int(values.size());
    if (record.statementName.empty())
        return pg::PgResultPtr(PQexecParams(c, record.statement.c_str(), n, types.data(),
                                            values.data(), lengths.data(), formats.data(), 0));
    if (pg::PgResultPtr failed = prepare(record))
        return failed;
    return pg::PgResultPtr(PQexecPrepared(c, record.statementName.c_str(), n, values.data(),
                                          lengths.data(), formats.data(), 0));
}

bool ReplaySession::execute(const PlannedStatement& statement)
{
    const auto planned = m_start + std::chrono::microseconds(statement.offsetUs);
    if (Clock::now() < planned)
        std::this_thread::sleep_until(planned);
    const auto begin = Clock::now();
    pg::PgResultPtr result = send(statement.record);
    const auto end = Clock::now();

    ReplayMeasurement m;
    m.fingerprint = statement.fingerprint;
    m.latencyUs = std::chrono::duration_cast<std::chrono::microseconds>(end - begin).count();
    m.scheduleLagUs =
        m_shared.measureLag
            ? std::max<std::int64_t>(
                  0, std::chrono::duration_cast<std::chrono::microseconds>(begin - planned).count())
            : 0;
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
        const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
        m.sqlState = QString::fromLatin1(state ? state : "08006");
    } else if (status == PGRES_TUPLES_OK) {
        m.rows = PQntuples(result.get());
    } else if (const char* tuples = PQcmdTuples(result.get()); tuples && *tuples) {
        m.rows = std::atoll(tuples);
    }
    if (PQstatus(m_conn.get()) != CONNECTION_OK) {
        m_shared.targetLost(QStringLiteral("the target went away: %1")
                                .arg(QString::fromUtf8(PQerrorMessage(m_conn.get())).trimmed()));
        return false;
    }
    // A cancel by the user is not the target's error: it is not measured.
    if (m.sqlState == QLatin1String("57014") && m_shared.stopping())
        return false;
    if (!m.sqlState.isEmpty())
        m_shared.errors.fetch_add(1);
    std::int64_t seen = m_shared.maxLagUs.load();
    while (m.scheduleLagUs > seen &&
           !m_shared.maxLagUs.compare_exchange_weak(seen, m.scheduleLagUs)) {
    }
    m_measurements.push_back(std::move(m));
    m_shared.done.fetch_add(1);
    return true;
}

} // namespace doppel::replay
