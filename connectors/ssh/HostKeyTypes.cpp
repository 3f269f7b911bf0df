// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/HostKeyTypes.h"

#include <libssh2.h>

namespace doppel::ssh {

namespace {

struct KeyType
{
    const char* name;
    int hostKeyType;
    int knownHostMask;
};

constexpr KeyType keyTypes[] = {
    {"ssh-ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519},
    {"ecdsa-sha2-nistp256", LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256},
    {"ecdsa-sha2-nistp384", LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384},
    {"ecdsa-sha2-nistp521", LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521},
    {"ssh-rsa", LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA},
    {"ssh-dss", LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS},
};

} // namespace

QString hostKeyTypeName(int libssh2HostKeyType)
{
    for (const KeyType& t : keyTypes) {
        if (t.hostKeyType == libssh2HostKeyType)
            return QString::fromLatin1(t.name);
    }
    return {};
}

int knownHostKeyMask(const QString& keyType)
{
    for (const KeyType& t : keyTypes) {
        if (keyType == QLatin1String(t.name))
            return t.knownHostMask;
    }
    return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

QStringList supportedKeyTypes()
{
    QStringList names;
    for (const KeyType& t : keyTypes)
        names.append(QString::fromLatin1(t.name));
    return names;
}

QString keyTypeOfAlgorithm(const QString& algorithm)
{
    // RSA keys are signed with SHA-2 algorithms of other names since OpenSSH 8.8.
    if (algorithm == QLatin1String("rsa-sha2-512") || algorithm == QLatin1String("rsa-sha2-256"))
        return QStringLiteral("ssh-rsa");
    if (knownHostKeyMask(algorithm) != LIBSSH2_KNOWNHOST_KEY_UNKNOWN)
        return algorithm;
    return {};
}

} // namespace doppel::ssh
