// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThreadPool>

#include <utility>

namespace doppel {

// Runs `work` on `pool` and hands its plain return value to `then` on `context`'s thread through
// a queued call, so no widget is touched off the GUI thread and no nested event loop runs.
//
// Why this is safe: `pool` must be a member of `context` (or outlive it) and `context` must wait
// for it (cancel, then QThreadPool::waitForDone) before its QObject part is destroyed. A worker
// therefore never posts to a dead object, and a queued call still pending when `context` goes is
// dropped by Qt together with it. `work` must only use copies and objects that outlive `context`.
template <typename Work, typename Then>
void runAsync(QThreadPool& pool, QObject* context, Work work, Then then)
{
    pool.start([context, work = std::move(work), then = std::move(then)]() mutable {
        auto value = work();
        QMetaObject::invokeMethod(
            context, [then, value = std::move(value)]() mutable { then(std::move(value)); },
            Qt::QueuedConnection);
    });
}

} // namespace doppel
