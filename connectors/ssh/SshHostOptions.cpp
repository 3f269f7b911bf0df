// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshHostOptions.h"

#include "services/SecretStore.h"

namespace doppel::ssh {

SshOptions optionsForHost(const Host& host, SecretStore& secrets, std::chrono::milliseconds timeout)
{
    SshOptions options;
    if (host.ssh)
        options.endpoint = *host.ssh;
    options.timeout = timeout;
    const QString secret = secrets.read(host.sshSecretKey()).value_or(QString());
    if (host.ssh && host.ssh->auth == SshAuth::Password)
        options.password = secret;
    else
        options.passphrase = secret;
    return options;
}

} // namespace doppel::ssh
