// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>

#include <cstddef>
#include <memory>
#include <sys/types.h>

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;

namespace doppel::proxy {

// What the upstream conninfo says about TLS, by libpq's rules (sslmode, sslrootcert, sslcert,
// sslkey). `allow` is taken as `disable`: libpq tries plain text first and so does the proxy.
struct UpstreamTls
{
    enum class Mode { Disable, Prefer, Require, VerifyCa, VerifyFull };
    Mode mode = Mode::Prefer;
    QString rootCert; // CA file for verify-ca/verify-full
    QString cert;     // client certificate, when the server asks for one
    QString key;
    QString host; // the name verify-full checks the certificate against
    bool sni = true;

    bool wanted() const { return mode != Mode::Disable; }
    bool required() const { return mode != Mode::Disable && mode != Mode::Prefer; }
};

// An OpenSSL context: the proxy's own certificate for clients, or the settings for upstream
// connections. Immutable once made, so every worker shares one (SSL_new is thread-safe).
class TlsContext
{
public:
    static Result<std::shared_ptr<TlsContext>> forClients(const QString& certFile,
                                                          const QString& keyFile);
    static Result<std::shared_ptr<TlsContext>> forUpstream(const UpstreamTls& settings);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    SSL_CTX* handle() const { return m_ctx; }
    const UpstreamTls& upstream() const { return m_upstream; }

private:
    explicit TlsContext(SSL_CTX* ctx) : m_ctx(ctx) {}
    SSL_CTX* m_ctx;
    UpstreamTls m_upstream;
};

// TLS over one non-blocking socket, with read/write shaped like ::read/::send so the session's
// buffers work unchanged: -1 with errno EAGAIN when the socket must become ready first. The
// worker thread that owns the session only.
class TlsStream
{
public:
    enum class Handshake { Done, Pending, Failed };

    TlsStream(const TlsContext& context, int fd, bool server);
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    bool valid() const { return m_ssl != nullptr; }
    Handshake handshake();
    ssize_t read(char* data, std::size_t size);
    ssize_t write(const char* data, std::size_t size);
    // Decrypted bytes OpenSSL holds that epoll cannot announce any more.
    bool pending() const;
    // The socket must become writable before a pending handshake or read can go on, or
    // readable before a blocked write can (TLS records run both ways under one call).
    bool handshakeWantsWrite() const { return m_handshakeWantsWrite; }
    bool readWantsWrite() const { return m_readWantsWrite; }
    bool writeWantsRead() const { return m_writeWantsRead; }
    // Whether this stream, the proxy's side toward a client, presents the certificate the
    // upstream showed on `upstream`, the proxy's connection to it.
    bool presents(const TlsStream& upstream) const;
    // Why the handshake or the last call failed, in OpenSSL's words.
    QString error() const { return m_error; }

private:
    ssize_t settle(int result, bool reading);

    SSL* m_ssl = nullptr;
    bool m_handshakeWantsWrite = false;
    bool m_readWantsWrite = false;
    bool m_writeWantsRead = false;
    QString m_error;
};

} // namespace doppel::proxy
