// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/LibSsh2Handles.h"

#include <mutex>

namespace doppel::ssh {

bool ensureLibssh2()
{
    // libssh2_init is not thread-safe and must run before any other libssh2 call; it is never
    // undone (libssh2_exit) because sessions may live until the process ends.
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = libssh2_init(0) == 0; });
    return ok;
}

} // namespace doppel::ssh
