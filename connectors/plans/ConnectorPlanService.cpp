// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorPlanService.h"

#include "postgres/PgConnection.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace doppel::plans {

using namespace std::chrono_literals;

Result<QJsonObject> ConnectorPlanService::explain(const QString& conninfo, const QString& password,
                                                  const SampleStatement& sample,
                                                  const CancelToken& cancel)
{
    if (!sample.isValid())
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("no captured statement to explain for %1").arg(sample.fingerprint));
    pg::PgConnection::Options options;
    options.conninfo = conninfo;
    options.password = password;
    options.database = sample.database;
    options.timeout = 15s;
    options.applicationName = QStringLiteral("doppel plans");
    auto conn = pg::PgConnection::connect(options, cancel);
    if (!conn)
        return conn.error();
    // EXPLAIN without ANALYZE plans and does not run; a read-only session makes sure nothing
    // evaluated while planning (a function folded into a constant) can write either.
    if (auto set = (*conn)->exec(
            QStringLiteral("SELECT set_config('default_transaction_read_only', 'on', false), "
                           "set_config('statement_timeout', '30s', false)"),
            {}, std::nullopt, cancel);
        !set)
        return set.error();
    std::vector<pg::PgConnection::Parameter> params;
    if (sample.protocol == CaptureRecord::Protocol::Extended)
        for (const CaptureParameter& p : sample.parameters)
            params.push_back({p.value
                                  ? std::optional<QByteArray>(QByteArray::fromStdString(*p.value))
                                  : std::nullopt,
                              p.typeOid, p.format});
    // One statement only: the extended protocol refuses a text that holds several.
    const QString sql =
        QStringLiteral("EXPLAIN (FORMAT JSON) ") + QString::fromStdString(sample.text);
    auto result = (*conn)->execParams(sql, params, 40s, cancel);
    if (!result)
        return result.error();
    if (result->rows.empty() || result->rows.front().empty())
        return makeError(ErrorCode::Protocol,
                         QStringLiteral("%1 returned no plan").arg((*conn)->describe()));
    const QJsonDocument doc = QJsonDocument::fromJson(result->value(0, 0).toUtf8());
    const QJsonObject plan = doc.array().first().toObject();
    if (!plan.contains(QLatin1String("Plan")))
        return makeError(ErrorCode::Protocol, QStringLiteral("%1 returned a plan Doppel cannot "
                                                             "read")
                                                  .arg((*conn)->describe()));
    return plan;
}

} // namespace doppel::plans
