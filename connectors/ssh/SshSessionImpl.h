// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ssh/LibSsh2Handles.h"
#include "ssh/SshSession.h"
#include "ssh/SshSocket.h"

namespace doppel::ssh {

// The state behind one SshSession (and behind an SshTunnel's session): socket, libssh2
// session, lazily opened SFTP channel, and what the handshake learned. Used by one thread at a
// time, like libssh2 itself. Members are ordered so the SFTP channel goes before the session
// and the session before its socket.
struct SshSession::Impl
{
    SshEndpoint m_endpoint;
    std::chrono::milliseconds m_timeout{10000};
    UniqueFd m_socket;
    SessionPtr m_session;
    SftpPtr m_sftp;
    QString m_hostKeyType;
    QString m_fingerprint;
    QByteArray m_hostKeyBlob;
    bool m_handshaken = false;
    bool m_alive = true;
    const QByteArray* m_kbdPassword = nullptr; // during keyboard-interactive authentication

    Impl() = default;
    ~Impl();
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    LIBSSH2_SESSION* session() const { return m_session.get(); }
    // "127.0.0.1:2222"
    QString target() const { return hostPortLabel(m_endpoint.host, m_endpoint.port); }
    // "alice@127.0.0.1:2222"
    QString userAtTarget() const { return m_endpoint.user + QLatin1Char('@') + target(); }
    // Limits each following blocking libssh2 call.
    void setTimeout(std::chrono::milliseconds timeout);
    void setTimeoutUntil(Clock::time_point deadline);
    // An Error for the last libssh2 failure: "<what>: <libssh2 message>", detail
    // "libssh2 error N". Timeouts read as Timeout, a lost connection as Unavailable (and marks
    // the session dead), anything else as `fallback`.
    Error lastError(ErrorCode fallback, const QString& what);
};

// libssh2's error code and text of the last failure on a session.
int lastErrorCode(LIBSSH2_SESSION* session, QString* message = nullptr);
// The connection itself is gone (socket error, peer disconnected).
bool isConnectionLost(int libssh2Error);

// TCP connect and SSH handshake within options.timeout, host key taken (not yet verified).
Result<std::unique_ptr<SshSession::Impl>>
handshake(const SshOptions& options, Clock::time_point deadline, const CancelToken& cancel);
// Agent, key or password authentication as options.endpoint says, before the deadline.
Status authenticate(SshSession::Impl& impl, const SshOptions& options, Clock::time_point deadline,
                    const CancelToken& cancel);
// Handshake, host key verification against known_hosts, authentication; blocking mode with
// options.timeout per later call.
Result<std::unique_ptr<SshSession::Impl>> openSession(const SshOptions& options,
                                                      const CancelToken& cancel);

} // namespace doppel::ssh
