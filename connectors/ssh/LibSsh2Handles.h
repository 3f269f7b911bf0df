// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <unistd.h>

#include <memory>
#include <utility>

namespace doppel::ssh {

// RAII owners so no libssh2 object or socket leaks on an early return. Each is used only by the
// thread that owns the session it belongs to. Declare the socket before the session and the
// session before its channels, so members are destroyed children first.

struct SessionDeleter
{
    void operator()(LIBSSH2_SESSION* s) const { libssh2_session_free(s); }
};
struct ChannelDeleter
{
    void operator()(LIBSSH2_CHANNEL* c) const { libssh2_channel_free(c); }
};
struct SftpDeleter
{
    void operator()(LIBSSH2_SFTP* s) const { libssh2_sftp_shutdown(s); }
};
struct SftpHandleDeleter
{
    void operator()(LIBSSH2_SFTP_HANDLE* h) const { libssh2_sftp_close_handle(h); }
};
struct KnownHostsDeleter
{
    void operator()(LIBSSH2_KNOWNHOSTS* k) const { libssh2_knownhost_free(k); }
};
struct AgentDeleter
{
    void operator()(LIBSSH2_AGENT* a) const
    {
        libssh2_agent_disconnect(a);
        libssh2_agent_free(a);
    }
};

using SessionPtr = std::unique_ptr<LIBSSH2_SESSION, SessionDeleter>;
using ChannelPtr = std::unique_ptr<LIBSSH2_CHANNEL, ChannelDeleter>;
using SftpPtr = std::unique_ptr<LIBSSH2_SFTP, SftpDeleter>;
using SftpHandlePtr = std::unique_ptr<LIBSSH2_SFTP_HANDLE, SftpHandleDeleter>;
using KnownHostsPtr = std::unique_ptr<LIBSSH2_KNOWNHOSTS, KnownHostsDeleter>;
using AgentPtr = std::unique_ptr<LIBSSH2_AGENT, AgentDeleter>;

// Owns a file descriptor (socket, eventfd); closes it once.
class UniqueFd
{
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other)
            reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return m_fd; }
    bool isValid() const { return m_fd >= 0; }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

// libssh2_init exactly once per process, thread-safe; returns false when it failed.
bool ensureLibssh2();

} // namespace doppel::ssh
