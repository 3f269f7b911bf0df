// SPDX-License-Identifier: GPL-3.0-or-later
// TLS on either side of a ProxySession: the handshakes and the byte I/O that goes through
// OpenSSL when a side is encrypted. Worker thread only, like the rest of the session.
#include "ProxySession.h"

#include "pgwire/PgWireFrame.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace doppel::proxy {

ssize_t ProxySession::ioRead(bool client, char* data, std::size_t size)
{
    if (TlsStream* tls = client ? m_clientTls.get() : m_serverTls.get())
        return tls->read(data, size);
    return ::read(client ? m_clientFd : m_serverFd, data, size);
}

ssize_t ProxySession::ioWrite(bool client, const char* data, std::size_t size)
{
    if (TlsStream* tls = client ? m_clientTls.get() : m_serverTls.get())
        return tls->write(data, size);
    return ::send(client ? m_clientFd : m_serverFd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
}

Status ProxySession::startClientTls()
{
    if (m_clientTls)
        return pgwire::protocolError(QStringLiteral("SSLRequest on a connection already in TLS"));
    // Bytes after SSLRequest and before 'S' would be plain text the client never meant to
    // trust (CVE-2021-23214): the client must wait for the answer.
    if (m_up.end > m_up.parsed)
        return pgwire::protocolError(QStringLiteral("received unencrypted data after SSLRequest"));
    sendRaw(true, "S", 1);
    m_up.begin = m_up.parsed = m_up.end = 0;
    m_clientTls = std::make_unique<TlsStream>(*m_tls.clients, m_clientFd, true);
    if (!m_clientTls->valid()) {
        const QString why = m_clientTls->error();
        m_clientTls.reset();
        close();
        return pgwire::protocolError(QStringLiteral("cannot start TLS: ") + why);
    }
    m_clientHandshake = true;
    m_shared.counters.tlsClients.fetch_add(1, std::memory_order_relaxed);
    return Ok{};
}

void ProxySession::continueClientTls()
{
    switch (m_clientTls->handshake()) {
    case TlsStream::Handshake::Pending:
        return;
    case TlsStream::Handshake::Failed:
        // Nothing readable can reach a client whose handshake failed: just close.
        m_shared.counters.tlsFailures.fetch_add(1, std::memory_order_relaxed);
        m_clientTls.reset();
        close();
        return;
    case TlsStream::Handshake::Done:
        m_clientHandshake = false;
        readFrom(true); // the startup packet may have come with the handshake's last flight
        return;
    }
}

void ProxySession::continueUpstreamTls()
{
    if (!m_upstreamAnswered) {
        char answer = 0;
        const ssize_t n = ::read(m_serverFd, &answer, 1); // exactly one byte, then TLS
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            m_shared.counters.upstreamFailures.fetch_add(1, std::memory_order_relaxed);
            fail("08006", QStringLiteral("upstream %1 closed the connection after SSLRequest")
                              .arg(m_upstream.display));
            return;
        }
        if (answer == 'N') {
            if (m_tls.upstream->upstream().required()) {
                m_shared.counters.upstreamFailures.fetch_add(1, std::memory_order_relaxed);
                fail("08006", QStringLiteral("upstream %1 does not support TLS, and the upstream "
                                             "conninfo's sslmode requires it")
                                  .arg(m_upstream.display));
                return;
            }
            m_state = State::Active; // sslmode=prefer: plain text
            return;
        }
        if (answer != 'S') {
            fail("08006", QStringLiteral("upstream %1 answered SSLRequest with '%2'")
                              .arg(m_upstream.display, QChar::fromLatin1(answer)));
            return;
        }
        m_upstreamAnswered = true;
        m_serverTls = std::make_unique<TlsStream>(*m_tls.upstream, m_serverFd, false);
        if (!m_serverTls->valid()) {
            fail("08006", QStringLiteral("cannot start TLS to upstream: ") + m_serverTls->error());
            return;
        }
    }
    switch (m_serverTls->handshake()) {
    case TlsStream::Handshake::Pending:
        return;
    case TlsStream::Handshake::Failed:
        m_shared.counters.upstreamFailures.fetch_add(1, std::memory_order_relaxed);
        fail("08006", QStringLiteral("TLS with upstream %1 failed: %2")
                          .arg(m_upstream.display, m_serverTls->error()));
        return;
    case TlsStream::Handshake::Done:
        m_state = State::Active; // the startup packet waiting in m_up goes out now
        return;
    }
}

void ProxySession::drainTls()
{
    // OpenSSL may hold the rest of a record it decrypted after the buffer filled; epoll cannot
    // announce those bytes, so they are taken whenever the buffer has room again. One record
    // at most waits (no read-ahead), so this ends.
    const std::size_t maxFrame = std::size_t(m_maxMessage) + 5;
    bool progress = true;
    while (progress && m_state != State::Closed) {
        progress = false;
        if (m_clientTls && !m_clientHandshake && m_clientTls->pending() && m_up.hasRoom(maxFrame)) {
            readFrom(true);
            progress = true;
        }
        if (m_state == State::Active && m_serverTls && m_serverTls->pending() &&
            m_down.hasRoom(maxFrame)) {
            readFrom(false);
            progress = true;
        }
        if (progress && m_state != State::Closed)
            pump();
    }
}

void ProxySession::stripChannelBinding(Pipe& pipe, std::size_t& total)
{
    // AuthenticationSASL lists the mechanisms. Over TLS the server offers SCRAM-SHA-256-PLUS,
    // which a client in plain text takes for a downgrade attack and refuses to go on: it gets
    // only the unbound mechanisms, as a direct plain-text connection would.
    char* msg = pipe.data.data() + pipe.parsed;
    const char* body = msg + 5;
    const std::size_t size = total - 5;
    if (size < 5 || pgwire::readBe32(body) != 10)
        return;
    QByteArray kept;
    std::size_t at = 4;
    while (at < size && body[at] != '\0') {
        const std::size_t n = ::strnlen(body + at, size - at);
        const QByteArray name(body + at, qsizetype(n));
        if (!name.endsWith("-PLUS"))
            kept += name + '\0';
        at += n + 1;
    }
    kept += '\0';
    const std::size_t newTotal = 5 + 4 + std::size_t(kept.size());
    if (newTotal >= total)
        return;
    pgwire::writeBe32(msg + 1, std::uint32_t(newTotal - 1));
    std::memcpy(msg + 9, kept.constData(), std::size_t(kept.size()));
    std::memmove(msg + newTotal, msg + total, pipe.end - pipe.parsed - total);
    pipe.end -= total - newTotal;
    total = newTotal;
}

void ProxySession::checkChannelBinding(const char* body, std::size_t size)
{
    // SCRAM channel binding (tls-server-end-point) hashes the certificate the client saw. It
    // holds through the proxy only when the proxy presents the upstream's own certificate;
    // otherwise the server refuses the login with a message that does not name the proxy, so
    // the proxy says what to change. A client that binds ('p') or could ('y') is affected.
    if (m_clientTls->presents(*m_serverTls))
        return;
    const std::size_t nameLength = ::strnlen(body, size);
    if (nameLength + 1 + 4 >= size)
        return;
    const QByteArray mechanism(body, qsizetype(nameLength));
    const char flag = body[nameLength + 1 + 4];
    if (!mechanism.endsWith("-PLUS") && flag != 'y')
        return;
    fail("28000",
         QStringLiteral("SCRAM channel binding cannot pass doppel-proxy: it presents another "
                        "certificate than upstream %1. Give the proxy the server's certificate "
                        "and key (--tls-cert/--tls-key), connect with channel_binding=disable, "
                        "or use sslmode=disable in the upstream conninfo")
             .arg(m_upstream.display));
}

} // namespace doppel::proxy
