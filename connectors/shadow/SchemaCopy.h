// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "shadow/ShadowTypes.h"

#include <QString>

#include <chrono>

namespace doppel::shadow {

// Finds a client program (pg_dump, psql): in `binDir` when given, else the one of the server's
// major version under /usr/lib/postgresql/<major>/bin (pg_dump must not be older than the
// server), else on PATH.
Result<QString> findPgProgram(const QString& program, const QString& binDir, int serverVersion);

// Copies production's schema to the shadow: pg_dump --schema-only (no owners, privileges,
// publications or subscriptions) piped into psql with ON_ERROR_STOP. Passwords travel in the
// child's environment, never on its command line. Blocking; any worker thread.
Status copySchema(const ShadowSpec& spec, int prodServerVersion, std::chrono::milliseconds timeout);

} // namespace doppel::shadow
