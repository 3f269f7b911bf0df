// SPDX-License-Identifier: GPL-3.0-or-later
#include "Conninfo.h"

#include "PgHandles.h"

#include <QStringList>

namespace doppel::pg {

Result<QList<QPair<QString, QString>>> Conninfo::parse(const QString& conninfo)
{
    char* err = nullptr;
    const QByteArray utf8 = conninfo.toUtf8();
    PgConninfoPtr options(PQconninfoParse(utf8.constData(), &err));
    if (!options) {
        QString why = err ? QString::fromUtf8(err).trimmed() : QStringLiteral("out of memory");
        PQfreemem(err);
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("Invalid PostgreSQL connection string: %1").arg(why));
    }
    QList<QPair<QString, QString>> out;
    for (auto* o = options.get(); o->keyword; ++o)
        if (o->val)
            out.append({QString::fromUtf8(o->keyword), QString::fromUtf8(o->val)});
    return out;
}

QString Conninfo::quoteValue(const QString& value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

Result<QString> Conninfo::withoutPassword(const QString& conninfo, QString* password)
{
    auto parsed = parse(conninfo);
    if (!parsed)
        return parsed.error();
    QStringList parts;
    for (const auto& [key, value] : *parsed) {
        if (key == QLatin1String("password")) {
            if (password)
                *password = value;
            continue;
        }
        parts << key + QLatin1Char('=') + quoteValue(value);
    }
    return parts.join(QLatin1Char(' '));
}

Result<QList<QPair<QString, QString>>> Conninfo::effective(const QString& conninfo)
{
    auto parsed = parse(conninfo);
    if (!parsed)
        return parsed.error();
    // Explicit values over libpq's defaults (which include PGHOST, PGPORT, PGUSER, ...).
    // service= entries are expanded by libpq only when it connects, so they are not applied here.
    QList<QPair<QString, QString>> out;
    PgConninfoPtr defaults(PQconndefaults());
    for (auto* o = defaults.get(); o && o->keyword; ++o) {
        const QString key = QString::fromUtf8(o->keyword);
        if (key == QLatin1String("password"))
            continue;
        QString value = o->val ? QString::fromUtf8(o->val) : QString();
        for (const auto& [k, v] : *parsed)
            if (k == key)
                value = v;
        if (!value.isEmpty())
            out.append({key, value});
    }
    return out;
}

QString Conninfo::describe(const QString& conninfo)
{
    auto eff = effective(conninfo);
    if (!eff)
        return conninfo;
    QString host, port, db, user;
    for (const auto& [k, v] : *eff) {
        if (k == QLatin1String("host") || (k == QLatin1String("hostaddr") && host.isEmpty()))
            host = v;
        else if (k == QLatin1String("port"))
            port = v;
        else if (k == QLatin1String("dbname"))
            db = v;
        else if (k == QLatin1String("user"))
            user = v;
    }
    return QStringLiteral("%1@%2:%3/%4").arg(user, host, port, db);
}

} // namespace doppel::pg
