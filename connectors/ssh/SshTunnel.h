// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "ssh/SshSession.h"

#include <memory>

namespace doppel::ssh {

// Local port forwarding (ssh -L): listens on 127.0.0.1:localPort and carries each accepted
// connection to remoteHost:remotePort through its own SSH session, on its own thread, with
// keepalives. Destroying the tunnel closes every forwarded connection and joins the thread.
// The object itself belongs to the thread that opened it; its accessors are thread-safe.
class SshTunnel
{
public:
    static Result<std::unique_ptr<SshTunnel>>
    open(const SshOptions& options, const QString& remoteHost, int remotePort, int localPort = 0);
    ~SshTunnel();
    int localPort() const;
    bool isAlive() const;
    // Why the session died or the last forwarded connection could not be opened; empty if none.
    // Any thread.
    QString lastError() const;

    struct Impl;

private:
    explicit SshTunnel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace doppel::ssh
