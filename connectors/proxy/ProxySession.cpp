// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxySession.h"

#include "MirrorEngine.h"
#include "MirrorSession.h"

#include "pgwire/PgWireBackend.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <unistd.h>

namespace doppel::proxy {

namespace {
constexpr std::size_t kInitialBuffer = 32 * 1024;
}

bool Pipe::hasRoom(std::size_t maxFrame)
{
    if (data.empty())
        data.resize(kInitialBuffer);
    if (begin == end) {
        begin = parsed = end = 0;
        if (data.size() > 1024 * 1024 && need == 0) {
            data.resize(kInitialBuffer); // give back what one huge message needed
            data.shrink_to_fit();
        }
    }
    if (end < data.size())
        return true;
    if (begin > 0) {
        std::memmove(data.data(), data.data() + begin, end - begin);
        parsed -= begin;
        end -= begin;
        begin = 0;
        return true;
    }
    if (need > data.size() && need <= maxFrame) {
        data.resize(std::max(need, std::min(maxFrame, data.size() * 2)));
        return true;
    }
    return false;
}

ProxySession::ProxySession(ProxyShared& shared, int epollFd, int clientFd,
                           const sockaddr_storage& peer, std::vector<CaptureRecord>* captureBatch,
                           std::set<ProxySession*>* ticking)
    : m_shared(shared), m_epoll(epollFd), m_clientFd(clientFd),
      m_maxMessage(shared.maxMessageSize.load()), m_peer(describePeer(peer)),
      m_sessionId(shared.nextSessionId.fetch_add(1)), m_tls(shared.tls()),
      m_captureBatch(captureBatch), m_ticking(ticking)
{
    m_shared.counters.sessionsTotal.fetch_add(1, std::memory_order_relaxed);
    m_shared.counters.sessionsActive.fetch_add(1, std::memory_order_relaxed);
    epoll_event ev{};
    ev.events = m_clientEvents = EPOLLIN;
    ev.data.ptr = &m_clientTag;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_clientFd, &ev) != 0)
        close();
}

ProxySession::~ProxySession()
{
    close();
}

void ProxySession::close()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_clientTls.reset(); // sends close_notify while the sockets are still open
    m_serverTls.reset();
    if (m_clientFd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_clientFd, nullptr);
        ::close(m_clientFd);
        m_clientFd = -1;
    }
    if (m_serverFd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_serverFd, nullptr);
        ::close(m_serverFd);
        m_serverFd = -1;
    }
    if (m_keyRegistered)
        m_shared.cancels.remove(m_proxyKey.first, m_proxyKey.second);
    if (m_tracker)
        m_tracker->endSession();
    if (m_mirror) {
        m_mirror->finish(*m_captureBatch, m_shared.mirror->mayDrain());
        m_shared.mirror->closeSession(m_mirror);
        m_mirror.reset();
    }
    if (m_registered)
        m_shared.sessions.remove(m_sessionId);
    setBusy(false);
    m_ticking->erase(this);
    m_registered = false;
    m_keyRegistered = false;
    m_shared.counters.sessionsActive.fetch_sub(1, std::memory_order_relaxed);
}

void ProxySession::onEvent(bool client, std::uint32_t events)
{
    if (m_state == State::Closed)
        return;
    if (!client && m_state == State::Connecting) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            finishConnect();
    } else if (!client && m_state == State::UpstreamTls) {
        continueUpstreamTls();
    } else if (client && m_clientHandshake) {
        continueClientTls();
    } else {
        TlsStream* tls = client ? m_clientTls.get() : m_serverTls.get();
        // A TLS read may wait for the socket to take a record, and a write for one to arrive.
        if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ||
            (tls && (events & EPOLLOUT) && tls->readWantsWrite()))
            readFrom(client);
        if (m_state != State::Closed &&
            ((events & EPOLLOUT) || (tls && (events & EPOLLIN) && tls->writeWantsRead()))) {
            if (client)
                flush(m_down, true);
            else
                flush(m_up, false);
        }
    }
    if (m_state == State::Closed)
        return;
    pump();
    drainTls();
    if (m_state != State::Closed)
        updateInterest();
}

void ProxySession::readFrom(bool client)
{
    Pipe& pipe = client ? m_up : m_down;
    if (!pipe.hasRoom(std::size_t(m_maxMessage) + 5))
        return;
    const ssize_t n = ioRead(client, pipe.data.data() + pipe.end, pipe.data.size() - pipe.end);
    if (n > 0) {
        pipe.end += std::size_t(n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (client)
        clientGone();
    else
        serverGone();
}

void ProxySession::pump()
{
    if (m_state == State::Startup) {
        if (auto st = scanStartup(); !st) {
            m_shared.counters.protocolErrors.fetch_add(1, std::memory_order_relaxed);
            fail("08P01", st.error().message);
            return;
        }
    }
    if (m_state == State::Closed)
        return;
    // While paused, a session outside any transaction keeps its next query back.
    const bool held = m_state == State::Active && !m_busy && !m_admin &&
                      m_shared.paused.load(std::memory_order_relaxed);
    if (m_state != State::Startup && m_state != State::Admin && !held) {
        if (auto st = scanRegular(m_up, true); !st) {
            m_shared.counters.protocolErrors.fetch_add(1, std::memory_order_relaxed);
            fail("08P01", st.error().message);
            return;
        }
    }
    if (m_state == State::Admin) {
        scanAdmin();
    } else if (m_state == State::Active) {
        if (auto st = scanRegular(m_down, false); !st) {
            fail("08P01", QStringLiteral("upstream: ") + st.error().message);
            return;
        }
        flush(m_up, false);
        if (m_adminReady)
            enterAdmin();
    }
    if (m_state != State::Closed)
        flush(m_down, true);
}

void ProxySession::resume()
{
    if (m_state == State::Closed)
        return;
    pump();
    drainTls();
    if (m_state != State::Closed)
        updateInterest();
}

void ProxySession::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    m_shared.busySessions.fetch_add(busy ? 1 : -1, std::memory_order_relaxed);
}

void ProxySession::flush(Pipe& pipe, bool toClient)
{
    while (pipe.begin < pipe.parsed && (toClient ? m_clientFd : m_serverFd) >= 0) {
        const ssize_t n =
            ioWrite(toClient, pipe.data.data() + pipe.begin, pipe.parsed - pipe.begin);
        if (n > 0) {
            pipe.begin += std::size_t(n);
            (toClient ? m_shared.counters.bytesToClient : m_shared.counters.bytesToServer)
                .fetch_add(std::uint64_t(n), std::memory_order_relaxed);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (toClient)
            clientGone();
        else
            serverGone();
        return;
    }
}

void ProxySession::updateInterest()
{
    const std::size_t maxFrame = std::size_t(m_maxMessage) + 5;
    std::uint32_t client = 0;
    if (m_clientHandshake) {
        client = EPOLLIN | (m_clientTls->handshakeWantsWrite() ? std::uint32_t(EPOLLOUT) : 0u);
    } else {
        if (m_up.hasRoom(maxFrame) || (m_clientTls && m_clientTls->writeWantsRead()))
            client |= EPOLLIN;
        if (m_down.unsent() || (m_clientTls && m_clientTls->readWantsWrite()))
            client |= EPOLLOUT;
    }
    if (client != m_clientEvents) {
        epoll_event ev{};
        ev.events = client;
        ev.data.ptr = &m_clientTag;
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_clientFd, &ev);
        m_clientEvents = client;
    }
    if (m_serverFd < 0)
        return;
    std::uint32_t server = 0;
    if (m_state == State::Connecting) {
        server = EPOLLOUT;
    } else if (m_state == State::UpstreamTls) {
        server = EPOLLIN |
                 (m_serverTls && m_serverTls->handshakeWantsWrite() ? std::uint32_t(EPOLLOUT) : 0u);
    } else {
        if (m_down.hasRoom(maxFrame) || (m_serverTls && m_serverTls->writeWantsRead()))
            server |= EPOLLIN;
        if (m_up.unsent() || (m_serverTls && m_serverTls->readWantsWrite()))
            server |= EPOLLOUT;
    }
    if (server != m_serverEvents) {
        epoll_event ev{};
        ev.events = server;
        ev.data.ptr = &m_serverTag;
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_serverFd, &ev);
        m_serverEvents = server;
    }
}

void ProxySession::startUpstream()
{
    m_upstream = m_shared.upstream();
    auto fd = connectNonBlocking(m_upstream);
    if (!fd) {
        m_shared.counters.upstreamFailures.fetch_add(1, std::memory_order_relaxed);
        fail("08006", fd.error().message);
        return;
    }
    m_serverFd = *fd;
    m_state = State::Connecting;
    epoll_event ev{};
    ev.events = m_serverEvents = EPOLLOUT;
    ev.data.ptr = &m_serverTag;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_serverFd, &ev) != 0)
        fail("08006", QStringLiteral("cannot watch the upstream socket: ") + errnoText(errno));
}

void ProxySession::finishConnect()
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(m_serverFd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0) {
        m_shared.counters.upstreamFailures.fetch_add(1, std::memory_order_relaxed);
        fail("08006", QStringLiteral("could not connect to upstream %1: %2")
                          .arg(m_upstream.display, errnoText(err)));
        return;
    }
    if (m_tls.upstream && m_upstream.storage.ss_family != AF_UNIX) {
        // libpq's order: SSLRequest first, the startup packet only after 'S' and a handshake
        // (or 'N', when sslmode allows plain text).
        const QByteArray request = pgwire::SslRequest{}.encode();
        sendRaw(false, request.constData(), std::size_t(request.size()));
        m_state = State::UpstreamTls;
        return;
    }
    m_state = State::Active;
}

void ProxySession::sendRaw(bool toClient, const char* data, std::size_t size)
{
    // Best effort on a socket about to close: what does not fit in the kernel buffer is lost.
    while ((toClient ? m_clientFd : m_serverFd) >= 0 && size > 0) {
        const ssize_t n = ioWrite(toClient, data, size);
        if (n <= 0)
            return;
        data += n;
        size -= std::size_t(n);
    }
}

void ProxySession::fail(const QByteArray& sqlState, const QString& message)
{
    if (m_state == State::Closed)
        return;
    // The error may only follow whole messages, or the client would read it as part of one.
    flush(m_down, true);
    if (m_state != State::Closed && m_down.atBoundary() && !m_down.unsent()) {
        const QByteArray err = pgwire::ErrorResponse::fatal(sqlState, message.toUtf8()).encode();
        sendRaw(true, err.constData(), std::size_t(err.size()));
    }
    close();
}

void ProxySession::terminate(const QByteArray& sqlState, const QByteArray& message)
{
    fail(sqlState, QString::fromUtf8(message));
}

void ProxySession::clientGone()
{
    if (m_state == State::Closed)
        return;
    if (m_serverFd >= 0 && m_state == State::Active && m_up.atBoundary()) {
        // Complete messages still buffered go first; a COPY the client abandoned is failed
        // explicitly so the server logs why, then the upstream session ends cleanly.
        m_up.end = m_up.parsed;
        flush(m_up, false);
        QByteArray tail;
        if (m_copyIn)
            tail += pgwire::CopyFail{"client connection lost during COPY"}.encode();
        if (!m_clientTerminated)
            tail += pgwire::Terminate{}.encode();
        if (!m_up.unsent())
            sendRaw(false, tail.constData(), std::size_t(tail.size()));
    }
    close();
}

void ProxySession::serverGone()
{
    if (m_state == State::Closed)
        return;
    flush(m_down, true);
    if (m_state == State::Closed)
        return;
    if (!m_clientTerminated && m_lastServerType != 'E')
        fail("08006", QStringLiteral("upstream server closed the connection"));
    else
        close();
}

} // namespace doppel::proxy
