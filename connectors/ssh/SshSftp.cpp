// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSession.h"

#include "ssh/SshSessionImpl.h"

namespace doppel::ssh {

namespace {

Error openError(SshSession::Impl& d, const QString& what)
{
    if (lastErrorCode(d.session()) != LIBSSH2_ERROR_SFTP_PROTOCOL)
        return d.lastError(ErrorCode::Io, what);
    const unsigned long status = libssh2_sftp_last_error(d.m_sftp.get());
    const QString detail = QStringLiteral("SFTP status %1").arg(status);
    switch (status) {
    case LIBSSH2_FX_NO_SUCH_FILE:
    case LIBSSH2_FX_NO_SUCH_PATH:
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: no such file").arg(what), detail);
    case LIBSSH2_FX_PERMISSION_DENIED:
        return makeError(ErrorCode::Io, QStringLiteral("%1: permission denied").arg(what), detail);
    default:
        return makeError(ErrorCode::Io, QStringLiteral("%1: the server refused").arg(what), detail);
    }
}

} // namespace

Result<QByteArray> SshSession::readFile(const QString& remotePath, qint64 maxBytes)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SFTP read of %1 on %2").arg(remotePath, d.target());
    if (!d.m_alive)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("the SSH session to %1 is closed").arg(d.target()));
    d.setTimeout(d.m_timeout);
    if (!d.m_sftp) {
        // Kept for later reads: starting the subsystem costs a round trip and a process.
        d.m_sftp.reset(libssh2_sftp_init(d.session()));
        if (!d.m_sftp)
            return d.lastError(ErrorCode::Protocol,
                               QStringLiteral("%1: cannot start SFTP").arg(what));
    }
    const QByteArray path = remotePath.toUtf8();
    SftpHandlePtr file(libssh2_sftp_open_ex(d.m_sftp.get(), path.constData(),
                                            static_cast<unsigned int>(path.size()),
                                            LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE));
    if (!file)
        return openError(d, what);
    QByteArray content;
    char buffer[32768];
    for (;;) {
        const ssize_t n = libssh2_sftp_read(file.get(), buffer, sizeof buffer);
        if (n == 0)
            break;
        if (n < 0)
            return d.lastError(ErrorCode::Io, what);
        content.append(buffer, n);
        if (content.size() > maxBytes)
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("%1: the file is larger than %2 bytes").arg(what).arg(maxBytes));
    }
    return content;
}

} // namespace doppel::ssh
