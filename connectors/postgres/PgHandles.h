// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace doppel::pg {

// RAII owners so no PGconn, PGresult or PGcancel leaks on an early return.
struct PgConnDeleter
{
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter
{
    void operator()(PGresult* r) const { PQclear(r); }
};
struct PgCancelDeleter
{
    void operator()(PGcancel* c) const { PQfreeCancel(c); }
};
struct PgConninfoDeleter
{
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;
using PgCancelPtr = std::unique_ptr<PGcancel, PgCancelDeleter>;
using PgConninfoPtr = std::unique_ptr<PQconninfoOption, PgConninfoDeleter>;

} // namespace doppel::pg
