// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/HostKeyTypes.h"
#include "ssh/KnownHosts.h"
#include "ssh/SshSessionImpl.h"

#include <QDir>

#include <algorithm>

namespace doppel::ssh {

namespace {

// Asks first for the key types known_hosts already records for this host, as OpenSSH does:
// otherwise a server with several host keys could show one the user never saw and read as
// unknown.
void preferRecordedKeyTypes(LIBSSH2_SESSION* session, const SshEndpoint& endpoint)
{
    const QStringList recorded =
        KnownHosts::recordedKeyTypes(knownHostsPath(endpoint), endpoint.host, endpoint.port);
    if (recorded.isEmpty())
        return;
    const char** algs = nullptr;
    const int count = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &algs);
    if (count <= 0 || !algs)
        return;
    QStringList first;
    QStringList rest;
    for (int i = 0; i < count; ++i) {
        const QString alg = QString::fromLatin1(algs[i]);
        (recorded.contains(keyTypeOfAlgorithm(alg)) ? first : rest).append(alg);
    }
    libssh2_free(session, algs);
    if (first.isEmpty())
        return;
    const QByteArray prefs = (first + rest).join(QLatin1Char(',')).toLatin1();
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, prefs.constData());
}

// The key type named inside a raw key blob (string "ssh-ed25519" first), for types libssh2
// reports as unknown.
QString keyTypeInBlob(const QByteArray& blob)
{
    if (blob.size() < 4)
        return {};
    const auto* p = reinterpret_cast<const unsigned char*>(blob.constData());
    const qsizetype len = (qsizetype(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    if (len <= 0 || len > blob.size() - 4)
        return {};
    return QString::fromLatin1(blob.mid(4, len));
}

Status verifyHostKey(const SshSession::Impl& impl)
{
    const QString file = knownHostsPath(impl.m_endpoint);
    auto decision = KnownHosts::check(file, impl.m_endpoint.host, impl.m_endpoint.port,
                                      impl.m_hostKeyType, impl.m_hostKeyBlob);
    if (!decision)
        return decision.error();
    switch (decision->verdict) {
    case KnownHosts::Verdict::Known:
        return Ok{};
    case KnownHosts::Verdict::Unknown:
        return makeError(ErrorCode::HostKeyUnknown, decision->message);
    case KnownHosts::Verdict::Changed:
        return makeError(ErrorCode::HostKeyChanged, decision->message);
    }
    return makeError(ErrorCode::Unknown, decision->message);
}

Error cancelled(const SshEndpoint& endpoint)
{
    return makeError(
        ErrorCode::Cancelled,
        QStringLiteral("SSH to %1: cancelled").arg(hostPortLabel(endpoint.host, endpoint.port)));
}

} // namespace

QString knownHostsPath(const SshEndpoint& endpoint)
{
    const QString& file = endpoint.knownHostsFile;
    if (file.isEmpty())
        return QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    if (file.startsWith(QStringLiteral("~/")))
        return QDir::homePath() + file.mid(1);
    return file;
}

Result<std::unique_ptr<SshSession::Impl>>
handshake(const SshOptions& options, Clock::time_point deadline, const CancelToken& cancel)
{
    const SshEndpoint& endpoint = options.endpoint;
    if (!endpoint.isValid())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("an SSH endpoint needs a host and a user"));
    if (!ensureLibssh2())
        return makeError(ErrorCode::Unavailable, QStringLiteral("libssh2 failed to initialise"));
    if (cancel.isCancelled())
        return cancelled(endpoint);

    auto impl = std::make_unique<SshSession::Impl>();
    impl->m_endpoint = endpoint;
    impl->m_timeout = options.timeout;
    auto socket = connectTcp(endpoint.host, endpoint.port, deadline, options.timeout, cancel);
    if (!socket)
        return socket.error();
    impl->m_socket = std::move(socket.value());
    if (options.keepaliveSeconds > 0)
        setUnackedTimeout(
            impl->m_socket.get(),
            std::max(options.timeout, std::chrono::milliseconds(options.keepaliveSeconds * 3000)));

    // The Impl is the session's "abstract" pointer, for the keyboard-interactive callback.
    impl->m_session.reset(libssh2_session_init_ex(nullptr, nullptr, nullptr, impl.get()));
    if (!impl->m_session)
        return makeError(ErrorCode::Unknown, QStringLiteral("libssh2: out of memory"));
    LIBSSH2_SESSION* session = impl->session();
    libssh2_session_set_blocking(session, 1);
    preferRecordedKeyTypes(session, endpoint);
    if (cancel.isCancelled())
        return cancelled(endpoint);

    impl->setTimeoutUntil(deadline);
    if (libssh2_session_handshake(session, impl->m_socket.get()) != 0) {
        const int code = lastErrorCode(session);
        if (code == LIBSSH2_ERROR_TIMEOUT || remainingMs(deadline) == 0)
            return makeError(ErrorCode::Timeout,
                             noAnswerMessage(endpoint.host, endpoint.port, options.timeout),
                             QStringLiteral("libssh2 error %1").arg(code));
        if (code == LIBSSH2_ERROR_BANNER_RECV || isConnectionLost(code))
            return makeError(ErrorCode::Protocol,
                             QStringLiteral("SSH handshake with %1 failed: the server closed the "
                                            "connection without speaking SSH (is it an sshd?)")
                                 .arg(impl->target()),
                             QStringLiteral("libssh2 error %1").arg(code));
        return impl->lastError(ErrorCode::Protocol,
                               QStringLiteral("SSH handshake with %1 failed").arg(impl->target()));
    }
    impl->m_handshaken = true;

    size_t length = 0;
    int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;
    const char* key = libssh2_session_hostkey(session, &length, &type);
    if (!key || length == 0)
        return makeError(
            ErrorCode::Protocol,
            QStringLiteral("SSH to %1: the server sent no host key").arg(impl->target()));
    impl->m_hostKeyBlob = QByteArray(key, static_cast<qsizetype>(length));
    impl->m_hostKeyType = hostKeyTypeName(type);
    if (impl->m_hostKeyType.isEmpty())
        impl->m_hostKeyType = keyTypeInBlob(impl->m_hostKeyBlob);
    impl->m_fingerprint = KnownHosts::fingerprint(impl->m_hostKeyBlob);
    if (options.keepaliveSeconds > 0)
        libssh2_keepalive_config(session, 1, static_cast<unsigned>(options.keepaliveSeconds));
    return impl;
}

Result<std::unique_ptr<SshSession::Impl>> openSession(const SshOptions& options,
                                                      const CancelToken& cancel)
{
    const Clock::time_point deadline = Clock::now() + options.timeout;
    auto impl = handshake(options, deadline, cancel);
    if (!impl)
        return impl.error();
    // Before authentication: nothing (no password, no key signature) goes to an unverified host.
    if (Status verified = verifyHostKey(**impl); !verified)
        return verified.error();
    if (cancel.isCancelled())
        return cancelled(options.endpoint);
    if (Status auth = authenticate(**impl, options, deadline, cancel); !auth)
        return auth.error();
    (*impl)->setTimeout(options.timeout);
    return impl;
}

Result<PendingHostKey> fetchHostKey(const SshEndpoint& endpoint, std::chrono::milliseconds timeout)
{
    SshOptions options;
    options.endpoint = endpoint;
    options.timeout = timeout;
    options.keepaliveSeconds = 0;
    auto impl = handshake(options, Clock::now() + timeout, CancelToken());
    if (!impl)
        return impl.error();
    PendingHostKey key;
    key.host = endpoint.host;
    key.port = endpoint.port;
    key.keyType = (*impl)->m_hostKeyType;
    key.fingerprint = (*impl)->m_fingerprint;
    key.keyBlob = (*impl)->m_hostKeyBlob;
    return key;
}

} // namespace doppel::ssh
