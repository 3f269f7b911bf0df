// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace doppel {

// What a long-lived thread is for, so the kernel and the DBA's tools can tell them apart.
enum class ThreadRole {
    // On the client path (the proxy's epoll workers): normal scheduling.
    Foreground,
    // Work that must never delay the client path (the capture writer, mirroring to the shadow,
    // watchers): SCHED_BATCH, so waking up never preempts a running worker or backend; it
    // waits for its turn, with the same share of CPU as before.
    Background,
};

// Names the calling thread (15 characters at most are kept: `top -H`, `ps -L`) and applies
// its role's scheduling. Call it first thing on the thread itself.
void setThisThreadRole(ThreadRole role, const char* name);

} // namespace doppel
