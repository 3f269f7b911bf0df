// SPDX-License-Identifier: GPL-3.0-or-later
#include "Host.h"

namespace doppel {

QString roleName(HostRole role)
{
    switch (role) {
    case HostRole::Production:
        return QStringLiteral("production");
    case HostRole::Shadow:
        return QStringLiteral("shadow");
    case HostRole::Target:
        return QStringLiteral("target");
    }
    return {};
}

std::optional<HostRole> roleFromName(const QString& name)
{
    for (auto role : {HostRole::Production, HostRole::Shadow, HostRole::Target})
        if (roleName(role) == name)
            return role;
    return std::nullopt;
}

QString sshAuthName(SshAuth auth)
{
    switch (auth) {
    case SshAuth::Agent:
        return QStringLiteral("agent");
    case SshAuth::Key:
        return QStringLiteral("key");
    case SshAuth::Password:
        return QStringLiteral("password");
    }
    return {};
}

std::optional<SshAuth> sshAuthFromName(const QString& name)
{
    for (auto auth : {SshAuth::Agent, SshAuth::Key, SshAuth::Password})
        if (sshAuthName(auth) == name)
            return auth;
    return std::nullopt;
}

} // namespace doppel
