// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThreadRole.h"

#include <pthread.h>
#include <sched.h>

namespace doppel {

void setThisThreadRole(ThreadRole role, const char* name)
{
    char shortName[16] = {};
    for (int i = 0; i < 15 && name[i]; ++i)
        shortName[i] = name[i];
    pthread_setname_np(pthread_self(), shortName);
#ifdef SCHED_BATCH
    if (role == ThreadRole::Background) {
        // Best effort: a system that refuses leaves the thread as it was, which is correct,
        // only less kind to latency.
        sched_param param{};
        param.sched_priority = 0;
        pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
    }
#endif
}

} // namespace doppel
