// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ShadowConnections.h"

#include <functional>

namespace doppel::shadow {

using Progress = std::function<void(const QString& step)>;

// Sets a shadow up: prechecks (refused when one fails), schema copy with pg_dump --schema-only
// piped into psql (skipped when the shadow already has the tables), a publication on
// production and a subscription on the shadow with its own slot. A setup that fails half-way
// removes what it created and says so. Idempotent: an existing subscription is left as it is.
// Blocking; any worker thread.
Result<QStringList> setupShadow(const ShadowSpec& spec, const Progress& progress = {});

// Removes subscription, replication slots (the subscription's and its table-sync slots) and
// publication, each if present, so it also cleans up after an interrupted setup; with the
// shadow unreachable it still frees production's slot. Returns what it removed.
Result<QStringList> teardownShadow(const ShadowSpec& spec, const Progress& progress = {});

// The conninfo the shadow server uses to reach production.
Result<QString> publisherConninfo(pg::PgConnection& prod, const ShadowSpec& spec);

} // namespace doppel::shadow
