// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers shared by the SSH integration tests (TestSsh, TestSshTunnel): options for the lab's
// sshd and readable failures. Test thread only.

#include "LabFixture.h"
#include "ssh/SshSession.h"

#include <QProcess>
#include <QtTest>

namespace doppel::test {

inline QString errorText(const Error& e)
{
    return QStringLiteral("%1: %2").arg(errorCodeName(e.code), e.toString());
}

template <typename T> QByteArray why(const Result<T>& r)
{
    return r.ok() ? QByteArray("ok") : errorText(r.error()).toUtf8();
}

// Key authentication as the lab's user, host key checked against the lab's known_hosts.
inline ssh::SshOptions labOptions()
{
    const LabState& lab = sharedLab();
    ssh::SshOptions o;
    o.endpoint.host = lab.ssh.host;
    o.endpoint.port = lab.ssh.port;
    o.endpoint.user = lab.ssh.user;
    o.endpoint.auth = SshAuth::Key;
    o.endpoint.keyFile = lab.ssh.key;
    o.endpoint.knownHostsFile = lab.ssh.knownHosts;
    o.timeout = std::chrono::milliseconds(10000);
    return o;
}

inline QString runTool(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        qFatal("%s %s failed: %s", qPrintable(program), qPrintable(args.join(QLatin1Char(' '))),
               p.readAllStandardError().constData());
    return QString::fromUtf8(p.readAllStandardOutput());
}

// The lab host key's fingerprint as OpenSSH prints it for the lab's known_hosts file.
inline QString labFingerprint()
{
    return runTool(QStringLiteral("ssh-keygen"),
                   {QStringLiteral("-E"), QStringLiteral("sha256"), QStringLiteral("-lf"),
                    sharedLab().ssh.knownHosts})
        .section(QLatin1Char(' '), 1, 1);
}

} // namespace doppel::test
