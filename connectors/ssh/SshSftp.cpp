// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSession.h"

#include "ssh/SshSessionImpl.h"

#include <QSaveFile>

#include <algorithm>
#include <vector>

#include <sys/stat.h>

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

// The SFTP subsystem of the session, started on first use and kept: starting it costs a round
// trip and a process on the server.
Status startSftp(SshSession::Impl& d, const QString& what)
{
    if (!d.m_alive)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("the SSH session to %1 is closed").arg(d.target()));
    d.setTimeout(d.m_timeout);
    if (!d.m_sftp) {
        d.m_sftp.reset(libssh2_sftp_init(d.session()));
        if (!d.m_sftp)
            return d.lastError(ErrorCode::Protocol,
                               QStringLiteral("%1: cannot start SFTP").arg(what));
    }
    return Ok{};
}

Result<SftpHandlePtr> openRemote(SshSession::Impl& d, const QString& remotePath, int type,
                                 const QString& what)
{
    if (Status st = startSftp(d, what); !st)
        return st.error();
    const QByteArray path = remotePath.toUtf8();
    SftpHandlePtr handle(libssh2_sftp_open_ex(d.m_sftp.get(), path.constData(),
                                              static_cast<unsigned int>(path.size()),
                                              LIBSSH2_FXF_READ, 0, type));
    if (!handle)
        return openError(d, what);
    return handle;
}

} // namespace

Result<QByteArray> SshSession::readFile(const QString& remotePath, qint64 maxBytes)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SFTP read of %1 on %2").arg(remotePath, d.target());
    auto file = openRemote(d, remotePath, LIBSSH2_SFTP_OPENFILE, what);
    if (!file)
        return file.error();
    QByteArray content;
    char buffer[32768];
    for (;;) {
        const ssize_t n = libssh2_sftp_read(file->get(), buffer, sizeof buffer);
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

Result<QByteArray> SshSession::readRange(const QString& remotePath, qint64 offset, qint64 maxBytes)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SFTP read of %1 on %2").arg(remotePath, d.target());
    if (offset < 0 || maxBytes < 0)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1: negative offset or size").arg(what));
    auto file = openRemote(d, remotePath, LIBSSH2_SFTP_OPENFILE, what);
    if (!file)
        return file.error();
    libssh2_sftp_seek64(file->get(), libssh2_uint64_t(offset));
    QByteArray content;
    std::vector<char> buffer(256 * 1024);
    while (content.size() < maxBytes) {
        const std::size_t want =
            std::size_t(std::min<qint64>(qint64(buffer.size()), maxBytes - content.size()));
        const ssize_t n = libssh2_sftp_read(file->get(), buffer.data(), want);
        if (n == 0)
            break;
        if (n < 0)
            return d.lastError(ErrorCode::Io, what);
        content.append(buffer.data(), n);
    }
    return content;
}

Result<QList<RemoteFileInfo>> SshSession::listDirectory(const QString& remotePath)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SFTP listing of %1 on %2").arg(remotePath, d.target());
    auto dir = openRemote(d, remotePath, LIBSSH2_SFTP_OPENDIR, what);
    if (!dir)
        return dir.error();
    QList<RemoteFileInfo> files;
    char name[1024];
    for (;;) {
        LIBSSH2_SFTP_ATTRIBUTES attrs{};
        const int n = libssh2_sftp_readdir(dir->get(), name, sizeof name, &attrs);
        if (n == 0)
            break;
        if (n < 0)
            return d.lastError(ErrorCode::Io, what);
        RemoteFileInfo info;
        info.name = QString::fromUtf8(name, n);
        if (attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS)
            info.regular = S_ISREG(attrs.permissions);
        if (attrs.flags & LIBSSH2_SFTP_ATTR_SIZE)
            info.size = qint64(attrs.filesize);
        if (attrs.flags & LIBSSH2_SFTP_ATTR_ACMODTIME)
            info.modifiedSecs = qint64(attrs.mtime);
        files.append(info);
    }
    return files;
}

Status SshSession::download(const QString& remotePath, const QString& localPath,
                            const std::function<void(qint64)>& progress, const CancelToken& cancel)
{
    Impl& d = *m_impl;
    const QString what = QStringLiteral("SFTP download of %1 from %2").arg(remotePath, d.target());
    auto file = openRemote(d, remotePath, LIBSSH2_SFTP_OPENFILE, what);
    if (!file)
        return file.error();
    // Written whole or not at all; owner-only, as server logs hold statements and their values.
    QSaveFile out(localPath);
    if (!out.open(QIODevice::WriteOnly) ||
        !out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write %1: %2").arg(localPath, out.errorString()));
    std::vector<char> buffer(256 * 1024);
    qint64 done = 0;
    for (;;) {
        if (cancel.isCancelled()) {
            out.cancelWriting();
            return makeError(ErrorCode::Cancelled, QStringLiteral("%1: cancelled").arg(what));
        }
        const ssize_t n = libssh2_sftp_read(file->get(), buffer.data(), buffer.size());
        if (n == 0)
            break;
        if (n < 0) {
            out.cancelWriting();
            return d.lastError(ErrorCode::Io, what);
        }
        if (out.write(buffer.data(), n) != n) {
            out.cancelWriting();
            return makeError(
                ErrorCode::Io,
                QStringLiteral("cannot write %1: %2").arg(localPath, out.errorString()));
        }
        done += n;
        if (progress)
            progress(done);
    }
    if (!out.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write %1: %2").arg(localPath, out.errorString()));
    return Ok{};
}

} // namespace doppel::ssh
