// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QList>
#include <QPair>
#include <QString>

namespace doppel::pg {

// libpq connection strings as libpq itself reads them: key=value strings and postgresql://
// URIs, with service= looked up in pg_service.conf (PGSERVICEFILE, ~/.pg_service.conf,
// PGSYSCONFDIR) by libpq, never by us. Stateless; any thread.
class Conninfo
{
public:
    // The keywords the string sets explicitly, in libpq's order; an error names what is wrong.
    static Result<QList<QPair<QString, QString>>> parse(const QString& conninfo);
    // The same connection without its password, as a key=value string quoted by libpq's rules.
    static Result<QString> withoutPassword(const QString& conninfo, QString* password = nullptr);
    // The explicit values over libpq's defaults and environment (PGHOST, PGPORT, ...), without
    // any network I/O; service= is expanded by libpq when it connects.
    static Result<QList<QPair<QString, QString>>> effective(const QString& conninfo);
    // "user@host:port/dbname" for messages.
    static QString describe(const QString& conninfo);
    // Quotes a value for a key=value conninfo (single quotes, backslash-escaped).
    static QString quoteValue(const QString& value);
};

} // namespace doppel::pg
