// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ShadowConnections.h"

#include <vector>

namespace doppel::shadow {

// Where replication stands: per-table initial-copy state, lag in bytes (production's current
// LSN against the slot's confirmed LSN) and seconds (the walsender's replay lag), apply and
// sync errors, and every doppel_* slot on production with the WAL it holds. The shadow side is
// optional: without it, production's view alone (slots, lag) is reported. Blocking.
Result<ShadowStatus> readShadowStatus(pg::PgConnection& prod, pg::PgConnection* shadow,
                                      const ShadowSpec& spec);

// Sets every sequence of production on the shadow to production's value plus `margin`
// increments, so the shadow never hands out a value production already used. Blocking.
Result<std::vector<SequenceSync>> syncSequences(ShadowConnections& conns, qint64 margin);

} // namespace doppel::shadow
