// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/TunnelConnection.h"

#include "ssh/SshSessionImpl.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace doppel::ssh {

namespace {

// Per direction: enough for PostgreSQL result sets to stream, small enough that a slow reader
// holds back its writer instead of filling memory.
constexpr qsizetype maxBuffered = 256 * 1024;
constexpr size_t chunk = 32 * 1024;

bool wouldBlock(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

} // namespace

TunnelConnection::TunnelConnection(UniqueFd client, ChannelPtr channel)
    : m_client(std::move(client)), m_channel(std::move(channel))
{}

TunnelConnection::~TunnelConnection() = default;

short TunnelConnection::clientEvents() const
{
    short events = 0;
    if (!m_clientEof && m_toRemote.size() < maxBuffered)
        events |= POLLIN;
    if (!m_toClient.isEmpty())
        events |= POLLOUT;
    return events;
}

bool TunnelConnection::finished() const
{
    return m_failed || (m_clientEof && m_eofSent && m_remoteEof && m_toClient.isEmpty());
}

bool TunnelConnection::pump(LIBSSH2_SESSION* session, int* sessionError)
{
    bool progress = readClient();
    if (!m_failed)
        progress |= writeRemote(session, sessionError);
    if (!m_failed)
        progress |= readRemote(sessionError);
    if (!m_failed)
        progress |= writeClient();
    return progress;
}

void TunnelConnection::onLibssh2Error(int rc, int* sessionError)
{
    // EAGAIN: nothing to do now. BAD_USE: another channel's packet is half sent; it finishes
    // when that channel is pumped again, then this call can go.
    if (rc == LIBSSH2_ERROR_EAGAIN || rc == LIBSSH2_ERROR_BAD_USE)
        return;
    m_failed = true;
    if (isConnectionLost(rc) || rc == LIBSSH2_ERROR_TIMEOUT)
        *sessionError = rc;
}

bool TunnelConnection::readClient()
{
    if (m_clientEof || m_toRemote.size() >= maxBuffered)
        return false;
    char buffer[chunk];
    const size_t room = std::min<size_t>(chunk, size_t(maxBuffered - m_toRemote.size()));
    const ssize_t n = ::recv(m_client.get(), buffer, room, 0);
    if (n > 0) {
        m_toRemote.append(buffer, n);
        return true;
    }
    if (n == 0) {
        m_clientEof = true;
        return true;
    }
    if (!wouldBlock(errno))
        m_failed = true; // reset by the client
    return m_failed;
}

bool TunnelConnection::writeRemote(LIBSSH2_SESSION* session, int* sessionError)
{
    const bool eofDue = m_clientEof && !m_eofSent;
    if (m_toRemote.isEmpty() && !eofDue)
        return false;
    bool progress = false;
    BlockingScope blocking(session);
    while (!m_toRemote.isEmpty()) {
        // Never more than the window: a blocking write would otherwise wait for the server to
        // read, which may itself wait for us to read (a deadlock until the timeout).
        const unsigned long window = libssh2_channel_window_write_ex(m_channel.get(), nullptr);
        if (window == 0)
            break;
        const size_t size = std::min<size_t>(size_t(m_toRemote.size()), window);
        const ssize_t n = libssh2_channel_write(m_channel.get(), m_toRemote.constData(), size);
        if (n < 0) {
            onLibssh2Error(int(n), sessionError);
            return progress;
        }
        if (n == 0)
            break;
        m_toRemote.remove(0, n);
        progress = true;
    }
    if (m_clientEof && !m_eofSent && m_toRemote.isEmpty()) {
        const int rc = libssh2_channel_send_eof(m_channel.get());
        if (rc == 0) {
            m_eofSent = true;
            progress = true;
        } else {
            onLibssh2Error(rc, sessionError);
        }
    }
    return progress;
}

bool TunnelConnection::readRemote(int* sessionError)
{
    bool progress = false;
    char buffer[chunk];
    while (!m_remoteEof && m_toClient.size() < maxBuffered) {
        const ssize_t n = libssh2_channel_read(m_channel.get(), buffer, sizeof buffer);
        if (n > 0) {
            m_toClient.append(buffer, n);
            progress = true;
            continue;
        }
        if (n == 0) {
            if (libssh2_channel_eof(m_channel.get())) {
                m_remoteEof = true;
                progress = true;
            }
            break;
        }
        onLibssh2Error(int(n), sessionError);
        break;
    }
    return progress;
}

bool TunnelConnection::writeClient()
{
    bool progress = false;
    while (!m_toClient.isEmpty()) {
        const ssize_t n =
            ::send(m_client.get(), m_toClient.constData(), size_t(m_toClient.size()), MSG_NOSIGNAL);
        if (n < 0) {
            if (!wouldBlock(errno))
                m_failed = true; // the client went away
            break;
        }
        m_toClient.remove(0, n);
        progress = true;
    }
    if (m_remoteEof && m_toClient.isEmpty() && !m_clientShut) {
        // The server finished: tell the client, which then closes its side.
        ::shutdown(m_client.get(), SHUT_WR);
        m_clientShut = true;
        progress = true;
    }
    return progress;
}

} // namespace doppel::ssh
