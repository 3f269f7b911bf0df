// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "ssh/LibSsh2Handles.h"

#include <QString>

#include <chrono>

namespace doppel::ssh {

using Clock = std::chrono::steady_clock;

// TCP helpers for the SSH code: connecting with a deadline and waiting on sockets. Free
// functions without shared state: any thread.

// "127.0.0.1:2222" (IPv6 literals in brackets).
QString hostPortLabel(const QString& host, int port);
// "SSH to 127.0.0.1:2222: no answer within 2.0 s"
QString noAnswerMessage(const QString& host, int port, std::chrono::milliseconds timeout);
// Milliseconds left until the deadline, at least 0.
int remainingMs(Clock::time_point deadline);

// Connects a non-blocking TCP socket to host:port before the deadline, checking `cancel` every
// 100 ms. Fails with Refused, Timeout (message names `timeout`), NotFound (name does not
// resolve) or Cancelled. The socket stays non-blocking (libssh2 needs that for its timeouts).
Result<UniqueFd> connectTcp(const QString& host, int port, Clock::time_point deadline,
                            std::chrono::milliseconds timeout, const CancelToken& cancel);

// Lets the kernel fail the connection when sent data (keepalives) stays unacknowledged that long,
// so a vanished peer is noticed without waiting for minutes of TCP retransmissions.
void setUnackedTimeout(int fd, std::chrono::milliseconds timeout);

// A listening TCP socket on 127.0.0.1:port (0: a free port), non-blocking.
Result<UniqueFd> listenLoopback(int port);
// The local port a socket is bound to, or -1.
int boundPort(int fd);

} // namespace doppel::ssh
