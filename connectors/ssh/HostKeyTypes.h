// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace doppel::ssh {

// Names of SSH host key types as OpenSSH writes them in known_hosts ("ssh-ed25519"), and their
// libssh2 counterparts. Pure functions: any thread.

// From libssh2_session_hostkey's type; empty for a type we cannot name.
QString hostKeyTypeName(int libssh2HostKeyType);
// LIBSSH2_KNOWNHOST_KEY_* for a key type name; LIBSSH2_KNOWNHOST_KEY_UNKNOWN when unsupported.
int knownHostKeyMask(const QString& keyType);
// Every key type name knownHostKeyMask understands, strongest first.
QStringList supportedKeyTypes();
// The key type a host key algorithm proves ("rsa-sha2-512" -> "ssh-rsa"); empty for others.
QString keyTypeOfAlgorithm(const QString& algorithm);

} // namespace doppel::ssh
