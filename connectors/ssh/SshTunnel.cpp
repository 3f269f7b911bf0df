// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshTunnel.h"

#include "ssh/SshSessionImpl.h"
#include "ssh/TunnelConnection.h"

#include <QList>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace doppel::ssh {

// The tunnel's state. m_ssh, m_listen and m_connections belong to the tunnel thread while it
// runs (libssh2 sessions are not thread-safe); the atomics and the mutex-guarded error are
// shared with the owner.
struct SshTunnel::Impl
{
    std::unique_ptr<SshSession::Impl> m_ssh;
    UniqueFd m_listen;
    UniqueFd m_wake; // eventfd: the destructor wakes poll() with it
    QByteArray m_remoteHost;
    int m_remotePort = 0;
    int m_localPort = 0;
    std::vector<UniqueFd> m_waiting; // accepted, channel not open yet
    std::vector<std::unique_ptr<TunnelConnection>> m_connections;
    std::atomic_bool m_alive{true};
    std::atomic_bool m_stop{false};
    mutable std::mutex m_errorMutex;
    QString m_lastError;
    Clock::time_point m_nextKeepalive;
    std::thread m_thread;

    void run();
    bool step();
    bool acceptClients();
    bool openChannels();
    bool pumpConnections();
    void keepalive();
    void waitForEvents(bool progress);
    void setError(const QString& message);
    void die(const QString& message);
    void shutdown();
};

void SshTunnel::Impl::setError(const QString& message)
{
    std::lock_guard lock(m_errorMutex);
    m_lastError = message;
}

void SshTunnel::Impl::die(const QString& message)
{
    setError(message);
    m_ssh->m_alive = false;
    m_alive = false;
}

bool SshTunnel::Impl::acceptClients()
{
    bool progress = false;
    while (m_listen.isValid()) {
        UniqueFd client(::accept4(m_listen.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!client.isValid())
            break;
        m_waiting.push_back(std::move(client));
        progress = true;
    }
    return progress;
}

bool SshTunnel::Impl::openChannels()
{
    bool progress = false;
    LIBSSH2_SESSION* session = m_ssh->session();
    while (!m_waiting.empty() && m_alive) {
        // Blocking: the open waits for sshd to reach the remote end (quick for a database on
        // the SSH host itself), and no half-open state is left for other calls to trip on.
        BlockingScope blocking(session);
        ChannelPtr channel(libssh2_channel_direct_tcpip_ex(session, m_remoteHost.constData(),
                                                           m_remotePort, "127.0.0.1", 0));
        if (!channel) {
            QString text;
            const int code = lastErrorCode(session, &text);
            if (code == LIBSSH2_ERROR_BAD_USE || code == LIBSSH2_ERROR_EAGAIN)
                break; // another packet is half sent: retry on the next round
            const QString target =
                QStringLiteral("%1:%2").arg(QString::fromUtf8(m_remoteHost)).arg(m_remotePort);
            if (isConnectionLost(code) || code == LIBSSH2_ERROR_TIMEOUT) {
                die(QStringLiteral("SSH tunnel via %1 to %2: the SSH connection was lost (%3)")
                        .arg(m_ssh->target(), target, text));
                break;
            }
            setError(QStringLiteral("SSH tunnel via %1: sshd could not open a connection to "
                                    "%2: %3")
                         .arg(m_ssh->target(), target, text));
            m_waiting.erase(m_waiting.begin()); // the client sees the connection close
            progress = true;
            continue;
        }
        m_connections.push_back(
            std::make_unique<TunnelConnection>(std::move(m_waiting.front()), std::move(channel)));
        m_waiting.erase(m_waiting.begin());
        progress = true;
    }
    return progress;
}

bool SshTunnel::Impl::pumpConnections()
{
    bool progress = false;
    LIBSSH2_SESSION* session = m_ssh->session();
    for (auto& connection : m_connections) {
        int sessionError = 0;
        progress |= connection->pump(session, &sessionError);
        if (sessionError != 0) {
            QString text;
            lastErrorCode(session, &text);
            die(QStringLiteral("SSH tunnel via %1: the SSH connection was lost (%2)")
                    .arg(m_ssh->target(), text));
            return progress;
        }
    }
    const auto done = std::remove_if(m_connections.begin(), m_connections.end(),
                                     [](const auto& c) { return c->finished(); });
    if (done != m_connections.end()) {
        BlockingScope blocking(session); // channel_free sends its close
        m_connections.erase(done, m_connections.end());
        progress = true;
    }
    return progress;
}

void SshTunnel::Impl::keepalive()
{
    if (Clock::now() < m_nextKeepalive)
        return;
    LIBSSH2_SESSION* session = m_ssh->session();
    BlockingScope blocking(session);
    int secondsToNext = 0;
    const int rc = libssh2_keepalive_send(session, &secondsToNext);
    if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN && rc != LIBSSH2_ERROR_BAD_USE) {
        QString text;
        lastErrorCode(session, &text);
        die(QStringLiteral("SSH tunnel via %1: keepalive failed (%2)").arg(m_ssh->target(), text));
        return;
    }
    m_nextKeepalive = Clock::now() + std::chrono::seconds(std::max(secondsToNext, 1));
}

bool SshTunnel::Impl::step()
{
    bool progress = acceptClients();
    progress |= openChannels();
    if (m_alive)
        progress |= pumpConnections();
    if (m_alive)
        keepalive();
    return progress;
}

void SshTunnel::Impl::waitForEvents(bool progress)
{
    std::vector<pollfd> fds;
    fds.push_back({m_wake.get(), POLLIN, 0});
    const int directions = libssh2_session_block_directions(m_ssh->session());
    short sessionEvents = POLLRDHUP;
    if (!m_connections.empty())
        sessionEvents |= POLLIN;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        sessionEvents |= POLLOUT;
    fds.push_back({m_ssh->m_socket.get(), sessionEvents, 0});
    if (m_listen.isValid())
        fds.push_back({m_listen.get(), POLLIN, 0});
    for (const auto& connection : m_connections)
        fds.push_back({connection->clientFd(), connection->clientEvents(), 0});
    // A round that moved data may have left more inside libssh2's buffers: look again at once.
    const int timeout = progress ? 0 : std::clamp(remainingMs(m_nextKeepalive), 10, 1000);
    if (::poll(fds.data(), fds.size(), timeout) <= 0)
        return;
    if (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        // sshd never half-closes a live session: it went away (restart, reboot, kill).
        die(QStringLiteral("SSH tunnel via %1: sshd closed the connection").arg(m_ssh->target()));
    }
}

void SshTunnel::Impl::shutdown()
{
    m_listen.reset(); // later clients are refused rather than left hanging
    m_waiting.clear();
    {
        LIBSSH2_SESSION* session = m_ssh->session();
        m_ssh->setTimeout(std::chrono::milliseconds(1000));
        BlockingScope blocking(session);
        m_connections.clear();
    }
    m_ssh.reset(); // on this thread, the only one that used the session
    m_alive = false;
}

void SshTunnel::Impl::run()
{
    libssh2_session_set_blocking(m_ssh->session(), 0);
    m_nextKeepalive = Clock::now();
    while (!m_stop && m_alive) {
        const bool progress = step();
        if (m_stop || !m_alive)
            break;
        waitForEvents(progress);
    }
    shutdown();
}

SshTunnel::SshTunnel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{}

SshTunnel::~SshTunnel()
{
    m_impl->m_stop = true;
    const uint64_t one = 1;
    if (::write(m_impl->m_wake.get(), &one, sizeof one) < 0) {
        // Cannot fail for an eventfd below its maximum; the poll timeout would cover it anyway.
    }
    if (m_impl->m_thread.joinable())
        m_impl->m_thread.join();
}

Result<std::unique_ptr<SshTunnel>>
SshTunnel::open(const SshOptions& options, const QString& remoteHost, int remotePort, int localPort)
{
    if (remoteHost.isEmpty() || remotePort <= 0 || remotePort > 65535 || localPort < 0 ||
        localPort > 65535)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("invalid SSH tunnel to %1:%2 from local port %3")
                             .arg(remoteHost)
                             .arg(remotePort)
                             .arg(localPort));
    auto impl = std::make_unique<Impl>();
    auto session = openSession(options, CancelToken());
    if (!session)
        return session.error();
    impl->m_ssh = std::move(session.value());
    auto listener = listenLoopback(localPort);
    if (!listener)
        return listener.error();
    impl->m_listen = std::move(listener.value());
    impl->m_localPort = boundPort(impl->m_listen.get());
    impl->m_wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!impl->m_wake.isValid())
        return makeError(ErrorCode::Io, QStringLiteral("cannot create an eventfd"));
    impl->m_remoteHost = remoteHost.toUtf8();
    impl->m_remotePort = remotePort;
    // From here on only the tunnel thread touches the session.
    impl->m_thread = std::thread([d = impl.get()] { d->run(); });
    return std::unique_ptr<SshTunnel>(new SshTunnel(std::move(impl)));
}

int SshTunnel::localPort() const
{
    return m_impl->m_localPort;
}

bool SshTunnel::isAlive() const
{
    return m_impl->m_alive;
}

QString SshTunnel::lastError() const
{
    std::lock_guard lock(m_impl->m_errorMutex);
    return m_impl->m_lastError;
}

} // namespace doppel::ssh
