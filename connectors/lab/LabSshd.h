// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Lab.h"

namespace doppel::lab {

// The lab's own sshd on 127.0.0.1: a generated ed25519 host key, a lab key pair for the current
// user, a known_hosts file holding the host key, key authentication only. Blocking.
Result<LabState::Ssh> startSshd(const QString& sshDir, int port);
Status stopSshd(const LabState::Ssh& ssh);

} // namespace doppel::lab
