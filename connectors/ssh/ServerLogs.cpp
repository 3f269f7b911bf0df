// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/ServerLogs.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace doppel::ssh {

namespace {

bool looksLikeLog(const QString& name)
{
    QString n = name;
    if (n.endsWith(QLatin1String(".gz")))
        n.chop(3);
    return n.endsWith(QLatin1String(".csv")) || n.endsWith(QLatin1String(".log")) ||
           n.endsWith(QLatin1String(".json"));
}

Result<std::unique_ptr<SshSession>> open(const SshOptions& options, const CancelToken& cancel)
{
    if (options.endpoint.host.isEmpty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("the host has no SSH endpoint: server logs are read "
                                        "over SFTP"));
    return SshSession::connect(options, cancel);
}

} // namespace

Result<QList<ServerLogFile>> listServerLogs(const SshOptions& options, const QString& directory,
                                            const CancelToken& cancel)
{
    auto session = open(options, cancel);
    if (!session)
        return session.error();
    auto entries = (*session)->listDirectory(directory);
    if (!entries)
        return entries.error();
    QList<ServerLogFile> logs;
    for (const RemoteFileInfo& e : *entries) {
        if (!e.regular || !looksLikeLog(e.name))
            continue;
        ServerLogFile f;
        f.path = directory +
                 (directory.endsWith(QLatin1Char('/')) ? QString() : QStringLiteral("/")) + e.name;
        f.size = e.size;
        f.modifiedSecs = e.modifiedSecs;
        logs.append(f);
    }
    // Oldest first: the order the server wrote them, the order an import wants.
    std::sort(logs.begin(), logs.end(), [](const ServerLogFile& a, const ServerLogFile& b) {
        return std::tie(a.modifiedSecs, a.path) < std::tie(b.modifiedSecs, b.path);
    });
    return logs;
}

Result<QStringList> fetchFiles(const SshOptions& options, const QStringList& remotePaths,
                               const QString& localDir, const std::function<void(qint64)>& progress,
                               const CancelToken& cancel)
{
    if (!QDir().mkpath(localDir))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create %1").arg(localDir));
    auto session = open(options, cancel);
    if (!session)
        return session.error();
    QStringList local;
    qint64 before = 0;
    for (const QString& remote : remotePaths) {
        // Numbered, so two directories' postgresql.csv do not overwrite each other.
        const QString target =
            QDir(localDir).filePath(QStringLiteral("%1-%2")
                                        .arg(local.size(), 4, 10, QLatin1Char('0'))
                                        .arg(QFileInfo(remote).fileName()));
        qint64 copied = 0;
        Status st = (*session)->download(
            remote, target,
            [&](qint64 done) {
                copied = done;
                if (progress)
                    progress(before + done);
            },
            cancel);
        if (!st)
            return st.error();
        before += copied;
        local << target;
    }
    return local;
}

} // namespace doppel::ssh
