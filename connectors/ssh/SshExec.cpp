// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSession.h"

#include "ssh/SshSessionImpl.h"

#include <poll.h>

#include <algorithm>

namespace doppel::ssh {

namespace {

// Switches a session to non-blocking mode for one scope. Reading stdout and stderr in
// blocking mode could deadlock: a command filling stderr while we wait on stdout.
class NonBlockingScope
{
public:
    explicit NonBlockingScope(LIBSSH2_SESSION* session) : m_session(session)
    {
        libssh2_session_set_blocking(m_session, 0);
    }
    ~NonBlockingScope() { libssh2_session_set_blocking(m_session, 1); }
    NonBlockingScope(const NonBlockingScope&) = delete;
    NonBlockingScope& operator=(const NonBlockingScope&) = delete;

private:
    LIBSSH2_SESSION* m_session;
};

// Waits until libssh2 can make progress on the socket or the deadline passes.
void waitForSocket(const SshSession::Impl& d, Clock::time_point deadline)
{
    const int directions = libssh2_session_block_directions(d.session());
    short events = 0;
    if (directions & LIBSSH2_SESSION_BLOCK_INBOUND)
        events |= POLLIN;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        events |= POLLOUT;
    pollfd p{d.m_socket.get(), events ? events : short(POLLIN), 0};
    ::poll(&p, 1, std::min(remainingMs(deadline), 1000));
}

} // namespace

Result<ExecResult> SshSession::exec(const QString& command)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SSH to %1: %2").arg(d.target(), command);
    if (!d.m_alive)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("the SSH session to %1 is closed").arg(d.target()));
    const Clock::time_point deadline = Clock::now() + d.m_timeout;
    d.setTimeout(d.m_timeout);
    ChannelPtr channel(libssh2_channel_open_session(d.session()));
    if (!channel)
        return d.lastError(ErrorCode::Protocol,
                           QStringLiteral("SSH to %1: cannot open a channel").arg(d.target()));
    const QByteArray cmd = command.toUtf8();
    if (libssh2_channel_exec(channel.get(), cmd.constData()) != 0)
        return d.lastError(ErrorCode::Protocol, what);
    // Nothing comes on stdin: a command that reads it ends instead of waiting.
    libssh2_channel_send_eof(channel.get());

    ExecResult result;
    {
        NonBlockingScope nonBlocking(d.session());
        char buffer[32768];
        for (;;) {
            bool progress = false;
            for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
                const ssize_t n =
                    libssh2_channel_read_ex(channel.get(), stream, buffer, sizeof buffer);
                if (n > 0) {
                    (stream == 0 ? result.out : result.err).append(buffer, n);
                    progress = true;
                } else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                    return d.lastError(ErrorCode::Protocol, what);
                }
            }
            if (progress)
                continue;
            if (libssh2_channel_eof(channel.get()))
                break;
            if (remainingMs(deadline) == 0)
                return makeError(
                    ErrorCode::Timeout,
                    QStringLiteral("%1: not finished within %2 s")
                        .arg(what, QString::number(d.m_timeout.count() / 1000.0, 'f', 1)));
            waitForSocket(d, deadline);
        }
    }
    d.setTimeoutUntil(deadline);
    // The exit status arrives with the close; wait for it.
    if (libssh2_channel_close(channel.get()) != 0 ||
        libssh2_channel_wait_closed(channel.get()) != 0)
        return d.lastError(ErrorCode::Protocol, what);
    result.exitCode = libssh2_channel_get_exit_status(channel.get());
    char* signal = nullptr;
    libssh2_channel_get_exit_signal(channel.get(), &signal, nullptr, nullptr, nullptr, nullptr,
                                    nullptr);
    if (signal) {
        // Killed: no exit status to report.
        result.exitCode = -1;
        result.err.append(QByteArray("killed by signal SIG") + signal + '\n');
        libssh2_free(d.session(), signal);
    }
    d.setTimeout(d.m_timeout);
    return result;
}

} // namespace doppel::ssh
