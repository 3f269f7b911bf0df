// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "services/HostServices.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace doppel::ssh {

// Decisions against an OpenSSH known_hosts file (plain and hashed entries, "[host]:port" for
// ports other than 22). Strict: only Known lets a connection go on. Static functions without
// shared state: any thread.
class KnownHosts
{
public:
    enum class Verdict { Known, Unknown, Changed };

    struct Decision
    {
        Verdict verdict = Verdict::Unknown;
        QString message; // readable, with the SHA256 fingerprint and the file
    };

    // keyType as libssh2 names it, e.g. "ssh-ed25519"; keyBlob the raw server key.
    static Result<Decision> check(const QString& file, const QString& host, int port,
                                  const QString& keyType, const QByteArray& keyBlob);
    // Appends one entry (creating the file 0600 and its folder 0700 when missing).
    static Status add(const QString& file, const PendingHostKey& key);
    // "SHA256:..." for a raw key, as `ssh-keygen -lf` prints it.
    static QString fingerprint(const QByteArray& keyBlob);

    // Additions for the connector:
    // How known_hosts names host:port: "host" for port 22, else "[host]:port".
    static QString hostPattern(const QString& host, int port);
    // Key types ("ssh-ed25519", ...) the file records for host:port, so the handshake can ask
    // for a key type the user already trusts (as OpenSSH does). Empty when none or unreadable.
    static QStringList recordedKeyTypes(const QString& file, const QString& host, int port);
};

} // namespace doppel::ssh
