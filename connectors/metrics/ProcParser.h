// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace doppel {

// Counters read from a Linux host's /proc in one SSH round trip. Pure parsing: any thread.
struct ProcSnapshot
{
    qint64 monotonicMs = 0; // when it was read (local steady clock), for rates
    quint64 cpuTotal = 0;   // jiffies, all fields of the "cpu" line
    quint64 cpuIdle = 0;    // idle + iowait
    double load1 = 0;
    quint64 memTotal = 0;     // bytes
    quint64 memAvailable = 0; // bytes
    quint64 diskReadBytes = 0;
    quint64 diskWriteBytes = 0;
    quint64 netRxBytes = 0;
    quint64 netTxBytes = 0;
    std::optional<quint64> diskFreeBytes;
};

// The shell command whose output parseProcSnapshot reads. `dataDir` may be empty.
QString procSnapshotCommand(const QString& dataDir);
std::optional<ProcSnapshot> parseProcSnapshot(const QByteArray& output, QString* error);

} // namespace doppel
