// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ssh/LibSsh2Handles.h"

#include <QByteArray>

namespace doppel::ssh {

// Switches a session to blocking mode for one scope (and back to non-blocking). The tunnel
// sends in blocking mode: libssh2 refuses to start a packet on one channel while another
// channel's packet is half sent (LIBSSH2_ERROR_BAD_USE), and a blocking send always finishes
// its packet.
class BlockingScope
{
public:
    explicit BlockingScope(LIBSSH2_SESSION* session) : m_session(session)
    {
        libssh2_session_set_blocking(m_session, 1);
    }
    ~BlockingScope() { libssh2_session_set_blocking(m_session, 0); }
    BlockingScope(const BlockingScope&) = delete;
    BlockingScope& operator=(const BlockingScope&) = delete;

private:
    LIBSSH2_SESSION* m_session;
};

// One forwarded connection of an SshTunnel: a local client socket and its direct-tcpip channel,
// with a bounded buffer each way and EOF carried in both directions. Tunnel thread only.
class TunnelConnection
{
public:
    TunnelConnection(UniqueFd client, ChannelPtr channel);
    ~TunnelConnection();
    TunnelConnection(const TunnelConnection&) = delete;
    TunnelConnection& operator=(const TunnelConnection&) = delete;

    int clientFd() const { return m_client.get(); }
    // poll() events the client socket is waited on for.
    short clientEvents() const;
    // Moves whatever can move without waiting; true when some byte or EOF moved. A failure of
    // the whole session (lost connection, timeout) is stored in *sessionError.
    bool pump(LIBSSH2_SESSION* session, int* sessionError);
    // Both directions ended, or the connection failed: ready to be dropped.
    bool finished() const;

private:
    bool readClient();
    bool writeRemote(LIBSSH2_SESSION* session, int* sessionError);
    bool readRemote(int* sessionError);
    bool writeClient();
    // Sorts a libssh2 failure: retry later, this connection failed, or the session failed.
    void onLibssh2Error(int rc, int* sessionError);

    UniqueFd m_client;
    ChannelPtr m_channel;
    QByteArray m_toRemote;
    QByteArray m_toClient;
    bool m_clientEof = false;
    bool m_eofSent = false;
    bool m_remoteEof = false;
    bool m_clientShut = false;
    bool m_failed = false;
};

} // namespace doppel::ssh
