// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include <optional>

namespace doppel {

enum class HostRole { Production, Shadow, Target };

QString roleName(HostRole role);
std::optional<HostRole> roleFromName(const QString& name);

enum class SshAuth { Agent, Key, Password };

QString sshAuthName(SshAuth auth);
std::optional<SshAuth> sshAuthFromName(const QString& name);

// Where and how to reach a host over SSH. Secrets (password, key passphrase) are never here:
// they live in the SecretStore under secretKey().
struct SshEndpoint
{
    QString host;
    int port = 22;
    QString user;
    SshAuth auth = SshAuth::Agent;
    QString keyFile;        // private key for SshAuth::Key
    QString knownHostsFile; // empty: ~/.ssh/known_hosts

    bool isValid() const { return !host.isEmpty() && !user.isEmpty(); }
};

// One inventory entry: a PostgreSQL server and, optionally, the machine it runs on.
struct Host
{
    qint64 id = 0;
    QString name;
    HostRole role = HostRole::Production;
    QString conninfo; // libpq conninfo or URI, never with a password in it
    std::optional<SshEndpoint> ssh;

    // Keys under which this host's secrets are kept in the keychain.
    QString pgSecretKey() const { return QStringLiteral("pg/") + name; }
    QString sshSecretKey() const { return QStringLiteral("ssh/") + name; }
};

} // namespace doppel

Q_DECLARE_METATYPE(doppel::Host)
