// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace doppel::lab {

// Process plumbing for the lab: run a program to its end, find free loopback ports, and stop
// processes by pid. Blocking; any thread.

struct RunOptions
{
    bool asPostgres = false; // as root: run through `runuser -u postgres --`
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    int timeoutMs = 120000;
    QString workingDir;
};

Result<QByteArray> run(const QString& program, const QStringList& args,
                       const RunOptions& options = {});
bool runningAsRoot();
QString currentUserName();

// A port on 127.0.0.1 nobody listens on right now.
Result<int> freeLoopbackPort();
// True while a TCP connection to 127.0.0.1:port is accepted.
bool portAcceptsConnections(int port);

// Alive and not a zombie.
bool processAlive(qint64 pid);
// SIGTERM (or `signal`), then waits up to timeoutMs for the pid to go, then SIGKILL.
bool stopProcess(qint64 pid, int signal, int timeoutMs, bool wholeGroup = false);

// The pid and all its descendants (from /proc), stopped children first with `signal`.
bool stopProcessTree(qint64 pid, int signal, int timeoutMs);

// Writes a file atomically with mode 0600.
Status writePrivateFile(const QString& path, const QByteArray& content);

} // namespace doppel::lab
