// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyShared.h"

#include <QByteArray>

namespace doppel::proxy {

// The admin console: what a client connected to the virtual database `doppel` gets for each
// simple Query, as complete backend messages ending with ReadyForQuery. SHOW STATS,
// SHOW SESSIONS, SHOW MIRROR, SET mirror_rate, RELOAD and SHUTDOWN (the last two signal the
// proxy itself). PAUSE and RESUME act on sessions and are handled by
// ProxySession. Any thread.
QByteArray adminResponse(const QByteArray& query, ProxyShared& shared);

} // namespace doppel::proxy
