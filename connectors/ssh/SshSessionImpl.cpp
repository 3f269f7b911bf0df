// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSessionImpl.h"

#include <algorithm>

namespace doppel::ssh {

SshSession::Impl::~Impl()
{
    m_sftp.reset();
    if (m_session && m_handshaken && m_alive) {
        // A polite goodbye, so sshd logs a clean disconnect; never wait long for it.
        libssh2_session_set_blocking(m_session.get(), 1);
        libssh2_session_set_timeout(m_session.get(), 1000);
        libssh2_session_disconnect(m_session.get(), "Doppel closes the session");
    }
    m_session.reset();
}

void SshSession::Impl::setTimeout(std::chrono::milliseconds timeout)
{
    // 0 would mean "wait forever" to libssh2.
    libssh2_session_set_timeout(m_session.get(), std::max<long>(1, timeout.count()));
}

void SshSession::Impl::setTimeoutUntil(Clock::time_point deadline)
{
    setTimeout(std::chrono::milliseconds(remainingMs(deadline)));
}

Error SshSession::Impl::lastError(ErrorCode fallback, const QString& what)
{
    QString text;
    const int code = lastErrorCode(m_session.get(), &text);
    const QString detail = QStringLiteral("libssh2 error %1").arg(code);
    if (code == LIBSSH2_ERROR_TIMEOUT || code == LIBSSH2_ERROR_SOCKET_TIMEOUT)
        return makeError(ErrorCode::Timeout,
                         QStringLiteral("%1: no answer within %2 s")
                             .arg(what, QString::number(m_timeout.count() / 1000.0, 'f', 1)),
                         detail);
    if (isConnectionLost(code)) {
        m_alive = false;
        return makeError(
            ErrorCode::Unavailable,
            QStringLiteral("%1: the connection to %2 was lost (%3)").arg(what, target(), text),
            detail);
    }
    if (text.isEmpty())
        return makeError(fallback, what, detail);
    return makeError(fallback, QStringLiteral("%1: %2").arg(what, text), detail);
}

int lastErrorCode(LIBSSH2_SESSION* session, QString* message)
{
    char* text = nullptr;
    int len = 0;
    const int code = libssh2_session_last_error(session, &text, &len, 0);
    if (message)
        *message = QString::fromUtf8(text, len);
    return code;
}

bool isConnectionLost(int libssh2Error)
{
    switch (libssh2Error) {
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_BAD_SOCKET:
        return true;
    default:
        return false;
    }
}

} // namespace doppel::ssh
