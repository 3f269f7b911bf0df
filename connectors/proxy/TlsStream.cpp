// SPDX-License-Identifier: GPL-3.0-or-later
#include "TlsStream.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>

#include <cerrno>
#include <cstring>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

namespace doppel::proxy {

namespace {

QString opensslError()
{
    QStringList parts;
    while (const unsigned long e = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(e, buffer, sizeof buffer);
        parts << QString::fromLatin1(buffer);
    }
    return parts.isEmpty() ? QStringLiteral("unknown TLS error") : parts.join(QStringLiteral("; "));
}

Error tlsError(const QString& message)
{
    return makeError(ErrorCode::InvalidInput, message);
}

// The rule PostgreSQL applies to ssl_key_file: no access for others, and for the group only
// when root owns the file (a key shared with a group through root).
Status checkKeyPermissions(const QString& keyFile)
{
    struct stat st
    {};
    if (::stat(QFile::encodeName(keyFile).constData(), &st) != 0)
        return tlsError(QStringLiteral("cannot read TLS key file %1").arg(keyFile));
    const mode_t allowed = st.st_uid == 0 ? (S_IRWXU | S_IRGRP) : S_IRWXU;
    if ((st.st_mode & 0777) & ~allowed)
        return tlsError(QStringLiteral("TLS key file %1 has group or world access; permissions "
                                       "should be u=rw (0600) or less")
                            .arg(keyFile));
    return Ok{};
}

SSL_CTX* newContext(const SSL_METHOD* method)
{
    SSL_CTX* ctx = SSL_CTX_new(method);
    if (!ctx)
        return nullptr;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // The session's buffers move (compaction, growth) between a blocked write and its retry.
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    return ctx;
}

} // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::forClients(const QString& certFile,
                                                           const QString& keyFile)
{
    if (certFile.isEmpty() || keyFile.isEmpty())
        return tlsError(QStringLiteral("--tls-cert and --tls-key go together"));
    if (!QFileInfo(certFile).isReadable())
        return tlsError(QStringLiteral("cannot read TLS certificate file %1").arg(certFile));
    if (auto st = checkKeyPermissions(keyFile); !st)
        return st.error();
    ERR_clear_error();
    SSL_CTX* ctx = newContext(TLS_server_method());
    if (!ctx)
        return tlsError(QStringLiteral("cannot create a TLS context: %1").arg(opensslError()));
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    if (SSL_CTX_use_certificate_chain_file(ctx, QFile::encodeName(certFile).constData()) != 1)
        return tlsError(
            QStringLiteral("cannot load TLS certificate %1: %2").arg(certFile, opensslError()));
    if (SSL_CTX_use_PrivateKey_file(ctx, QFile::encodeName(keyFile).constData(),
                                    SSL_FILETYPE_PEM) != 1)
        return tlsError(QStringLiteral("cannot load TLS key %1: %2").arg(keyFile, opensslError()));
    if (SSL_CTX_check_private_key(ctx) != 1)
        return tlsError(
            QStringLiteral("TLS key %1 does not match certificate %2").arg(keyFile, certFile));
    return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::forUpstream(const UpstreamTls& settings)
{
    ERR_clear_error();
    SSL_CTX* ctx = newContext(TLS_client_method());
    if (!ctx)
        return tlsError(QStringLiteral("cannot create a TLS context: %1").arg(opensslError()));
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    context->m_upstream = settings;
    const bool verify =
        settings.mode == UpstreamTls::Mode::VerifyCa ||
        settings.mode == UpstreamTls::Mode::VerifyFull ||
        (settings.mode == UpstreamTls::Mode::Require && !settings.rootCert.isEmpty());
    if (verify) {
        // libpq's rule: with sslmode=require, a root certificate that is given is used.
        if (settings.rootCert == QLatin1String("system")) {
            SSL_CTX_set_default_verify_paths(ctx);
        } else if (settings.rootCert.isEmpty() ||
                   SSL_CTX_load_verify_locations(
                       ctx, QFile::encodeName(settings.rootCert).constData(), nullptr) != 1) {
            return tlsError(
                QStringLiteral("sslmode=%1 needs a root certificate (sslrootcert): cannot read "
                               "'%2'")
                    .arg(settings.mode == UpstreamTls::Mode::VerifyFull ? "verify-full"
                                                                        : "verify-ca",
                         settings.rootCert));
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    if (!settings.cert.isEmpty() && QFileInfo::exists(settings.cert)) {
        if (SSL_CTX_use_certificate_chain_file(ctx, QFile::encodeName(settings.cert).constData()) !=
            1)
            return tlsError(QStringLiteral("cannot load client certificate %1: %2")
                                .arg(settings.cert, opensslError()));
        if (auto st = checkKeyPermissions(settings.key); !st)
            return st.error();
        if (SSL_CTX_use_PrivateKey_file(ctx, QFile::encodeName(settings.key).constData(),
                                        SSL_FILETYPE_PEM) != 1)
            return tlsError(
                QStringLiteral("cannot load client key %1: %2").arg(settings.key, opensslError()));
    }
    return context;
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

TlsStream::TlsStream(const TlsContext& context, int fd, bool server)
{
    ERR_clear_error();
    m_ssl = SSL_new(context.handle());
    if (!m_ssl || SSL_set_fd(m_ssl, fd) != 1) {
        m_error = opensslError();
        SSL_free(m_ssl);
        m_ssl = nullptr;
        return;
    }
    if (server) {
        SSL_set_accept_state(m_ssl);
        return;
    }
    SSL_set_connect_state(m_ssl);
    const UpstreamTls& up = context.upstream();
    const QByteArray host = up.host.toUtf8();
    const bool isAddress = !QHostAddress(up.host).isNull();
    if (up.sni && !isAddress && !host.isEmpty() && !host.startsWith('/'))
        SSL_set_tlsext_host_name(m_ssl, host.constData());
    if (up.mode == UpstreamTls::Mode::VerifyFull) {
        X509_VERIFY_PARAM* param = SSL_get0_param(m_ssl);
        if (isAddress)
            X509_VERIFY_PARAM_set1_ip_asc(param, host.constData());
        else
            X509_VERIFY_PARAM_set1_host(param, host.constData(), std::size_t(host.size()));
    }
}

TlsStream::~TlsStream()
{
    if (m_ssl) {
        SSL_shutdown(m_ssl); // one close_notify, best effort: the socket is about to close
        SSL_free(m_ssl);
    }
}

TlsStream::Handshake TlsStream::handshake()
{
    ERR_clear_error();
    m_handshakeWantsWrite = false;
    const int r = SSL_do_handshake(m_ssl);
    if (r == 1)
        return Handshake::Done;
    const int e = SSL_get_error(m_ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        return Handshake::Pending;
    if (e == SSL_ERROR_WANT_WRITE) {
        m_handshakeWantsWrite = true;
        return Handshake::Pending;
    }
    const long verify = SSL_get_verify_result(m_ssl);
    if (verify != X509_V_OK)
        m_error = QStringLiteral("certificate verify failed: %1")
                      .arg(QString::fromLatin1(X509_verify_cert_error_string(verify)));
    else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
        m_error = QStringLiteral("connection closed during the TLS handshake");
    else
        m_error = opensslError();
    return Handshake::Failed;
}

ssize_t TlsStream::settle(int result, bool reading)
{
    const int e = SSL_get_error(m_ssl, result);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        if (!reading)
            m_writeWantsRead = true;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        if (reading)
            m_readWantsWrite = true;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0; // close_notify: the peer ended the session
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (errno == 0)
                return 0; // EOF without close_notify, as libpq's peers often do
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            return -1;
        }
        [[fallthrough]];
    default:
        m_error = opensslError();
        errno = ECONNRESET;
        return -1;
    }
}

ssize_t TlsStream::read(char* data, std::size_t size)
{
    ERR_clear_error();
    m_readWantsWrite = false;
    errno = 0;
    const int r = SSL_read(m_ssl, data, int(std::min<std::size_t>(size, 1 << 30)));
    return r > 0 ? r : settle(r, true);
}

ssize_t TlsStream::write(const char* data, std::size_t size)
{
    ERR_clear_error();
    m_writeWantsRead = false;
    errno = 0;
    const int r = SSL_write(m_ssl, data, int(std::min<std::size_t>(size, 1 << 30)));
    return r > 0 ? r : settle(r, false);
}

bool TlsStream::presents(const TlsStream& upstream) const
{
    X509* mine = SSL_get_certificate(m_ssl);
    X509* theirs = SSL_get0_peer_certificate(upstream.m_ssl);
    return mine && theirs && X509_cmp(mine, theirs) == 0;
}

bool TlsStream::pending() const
{
    return m_ssl && SSL_pending(m_ssl) > 0;
}

} // namespace doppel::proxy
