// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowTypes.h"

#include <QJsonArray>

namespace doppel {

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return QStringLiteral("ok");
    case Verdict::Warn:
        return QStringLiteral("warn");
    case Verdict::Fail:
        return QStringLiteral("fail");
    }
    return QStringLiteral("fail");
}

QJsonObject ShadowCheck::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("verdict"), verdictName(verdict)},
            {QStringLiteral("message"), message},
            {QStringLiteral("objects"), QJsonArray::fromStringList(objects)},
            {QStringLiteral("fix"), fix}};
}

QJsonObject ShadowStatus::toJson() const
{
    QJsonArray tableArray;
    for (const auto& t : tables)
        tableArray.append(
            QJsonObject{{QStringLiteral("table"), t.table}, {QStringLiteral("state"), t.state}});
    QJsonArray slotArray;
    for (const auto& s : slots)
        slotArray.append(QJsonObject{{QStringLiteral("name"), s.name},
                                     {QStringLiteral("active"), s.active},
                                     {QStringLiteral("retained_bytes"), double(s.retainedBytes)}});
    return {{QStringLiteral("publication"), publicationExists},
            {QStringLiteral("subscription"), subscriptionExists},
            {QStringLiteral("enabled"), subscriptionEnabled},
            {QStringLiteral("lag_bytes"), double(lagBytes)},
            {QStringLiteral("lag_seconds"), lagSeconds},
            {QStringLiteral("apply_errors"), double(applyErrors)},
            {QStringLiteral("sync_errors"), double(syncErrors)},
            {QStringLiteral("tables"), tableArray},
            {QStringLiteral("slots"), slotArray}};
}

QJsonObject TableVerification::toJson() const
{
    QJsonObject o{{QStringLiteral("table"), table},
                  {QStringLiteral("rows_prod"), double(rowsProd)},
                  {QStringLiteral("rows_shadow"), double(rowsShadow)},
                  {QStringLiteral("checksum_match"), checksumMatch},
                  {QStringLiteral("identical"), identical()},
                  {QStringLiteral("chunks"), chunks},
                  {QStringLiteral("chunks_differing"), chunksDiffering}};
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

} // namespace doppel
