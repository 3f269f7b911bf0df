// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>

#include <sys/socket.h>

namespace doppel::proxy {

// A resolved socket address (TCP or Unix-domain) to connect to.
struct SocketAddress
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    QString display;
};

// Resolves a libpq-style host (name, address, or a Unix socket directory starting with '/').
Result<SocketAddress> resolveAddress(const QString& host, int port);
// A non-blocking listening TCP socket.
Result<int> listenTcp(const QString& host, int port);
// Starts a non-blocking connect; the socket becomes writable when it completes.
Result<int> connectNonBlocking(const SocketAddress& address);
// Blocking connect with a timeout, for the rare side channel (CancelRequest).
Result<int> connectBlocking(const SocketAddress& address, int timeoutMs);
void tuneSocket(int fd);
QString describePeer(const sockaddr_storage& addr);
QString errnoText(int err);

} // namespace doppel::proxy
