// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/HostServices.h"
#include "ssh/SshSession.h"

namespace doppel::ssh {

// Server logs over SFTP, for HostServices. Blocking; any worker thread (each call its own
// session).
Result<QList<ServerLogFile>> listServerLogs(const SshOptions& options, const QString& directory,
                                            const CancelToken& cancel);
Result<QStringList> fetchFiles(const SshOptions& options, const QStringList& remotePaths,
                               const QString& localDir, const std::function<void(qint64)>& progress,
                               const CancelToken& cancel);

} // namespace doppel::ssh
