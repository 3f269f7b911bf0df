// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ssh/SshSession.h"

namespace doppel {
class SecretStore;
}

namespace doppel::ssh {

// How to reach an inventory host over SSH: its endpoint, and its secret from the keychain as a
// password or a key passphrase depending on the host's authentication. Any thread.
SshOptions optionsForHost(const Host& host, SecretStore& secrets,
                          std::chrono::milliseconds timeout);

} // namespace doppel::ssh
