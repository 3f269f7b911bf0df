// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyShared.h"

#include <QByteArray>

namespace doppel::proxy {

// The proxy's counters in Prometheus text exposition format (version 0.0.4).
QByteArray prometheusText(const ProxyShared& shared);

// Answers one scrape on an accepted connection: reads the request (briefly), writes an HTTP
// response with prometheusText() and closes. Called on the server thread.
void serveMetrics(int fd, const ProxyShared& shared);

} // namespace doppel::proxy
