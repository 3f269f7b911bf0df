// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSession.h"

#include "ssh/SshSessionImpl.h"

#include <poll.h>

namespace doppel::ssh {

SshSession::SshSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{}

SshSession::~SshSession() = default;

Result<std::unique_ptr<SshSession>> SshSession::connect(const SshOptions& options,
                                                        const CancelToken& cancel)
{
    auto impl = openSession(options, cancel);
    if (!impl)
        return impl.error();
    return std::unique_ptr<SshSession>(new SshSession(std::move(impl.value())));
}

Status SshSession::keepalive()
{
    Impl& d = *m_impl;
    if (!d.m_alive)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("the SSH session to %1 is closed").arg(d.target()));
    d.setTimeout(d.m_timeout);
    int secondsToNext = 0;
    if (libssh2_keepalive_send(d.session(), &secondsToNext) != 0) {
        Error error = d.lastError(ErrorCode::Unavailable,
                                  QStringLiteral("SSH keepalive to %1 failed").arg(d.target()));
        d.m_alive = false;
        return error;
    }
    return Ok{};
}

bool SshSession::isAlive() const
{
    const Impl& d = *m_impl;
    if (!d.m_alive || !d.m_socket.isValid())
        return false;
    // The peer closing (sshd restarted, host rebooted) shows as a hang-up on the socket even
    // before libssh2 tries to read; pending data (keepalive replies) is fine.
    pollfd p{d.m_socket.get(), POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
        return false;
    return true;
}

QString SshSession::hostKeyType() const
{
    return m_impl->m_hostKeyType;
}

QString SshSession::hostKeyFingerprint() const
{
    return m_impl->m_fingerprint;
}

} // namespace doppel::ssh
