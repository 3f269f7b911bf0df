// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcParser.h"

#include <QList>
#include <QSet>

namespace doppel {

static QString shellQuote(const QString& s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QString procSnapshotCommand(const QString& dataDir)
{
    // One exec per round: sections marked so a missing file does not shift the others.
    QString cmd = QStringLiteral(
        "echo '#stat'; head -n1 /proc/stat; echo '#loadavg'; cat /proc/loadavg; "
        "echo '#meminfo'; cat /proc/meminfo; echo '#blocks'; ls /sys/block; "
        "echo '#diskstats'; cat /proc/diskstats; echo '#netdev'; cat /proc/net/dev; ");
    if (!dataDir.isEmpty())
        cmd += QStringLiteral("echo '#df'; df -B1 --output=avail %1 | tail -n1; ")
                   .arg(shellQuote(dataDir));
    return cmd + QStringLiteral("echo '#end'");
}

static QList<QByteArray> fields(const QByteArray& line)
{
    return line.simplified().split(' ');
}

std::optional<ProcSnapshot> parseProcSnapshot(const QByteArray& output, QString* error)
{
    QHash<QByteArray, QList<QByteArray>> sections;
    QByteArray current;
    for (const QByteArray& line : output.split('\n')) {
        if (line.startsWith('#')) {
            current = line.mid(1).trimmed();
            sections[current];
            continue;
        }
        if (!current.isEmpty() && !line.trimmed().isEmpty())
            sections[current].append(line);
    }
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("Cannot read host metrics: %1").arg(why);
        return std::nullopt;
    };
    if (!sections.contains("end"))
        return fail(QStringLiteral("the output ended early"));

    ProcSnapshot s;
    const auto stat = sections.value("stat");
    if (stat.isEmpty() || !stat.first().startsWith("cpu "))
        return fail(QStringLiteral("/proc/stat has no cpu line"));
    const auto cpu = fields(stat.first());
    for (int i = 1; i < cpu.size(); ++i) {
        // user nice system idle iowait irq softirq steal; guest fields are already in user.
        if (i > 8)
            break;
        s.cpuTotal += cpu[i].toULongLong();
        if (i == 4 || i == 5)
            s.cpuIdle += cpu[i].toULongLong();
    }
    const auto load = sections.value("loadavg");
    if (load.isEmpty())
        return fail(QStringLiteral("/proc/loadavg is empty"));
    s.load1 = fields(load.first()).value(0).toDouble();

    for (const auto& line : sections.value("meminfo")) {
        const auto f = fields(line);
        if (f.size() < 2)
            continue;
        if (f[0] == "MemTotal:")
            s.memTotal = f[1].toULongLong() * 1024;
        else if (f[0] == "MemAvailable:")
            s.memAvailable = f[1].toULongLong() * 1024;
    }
    if (s.memTotal == 0)
        return fail(QStringLiteral("/proc/meminfo has no MemTotal"));

    // Whole disks only (partitions would count twice); loop, ram and device-mapper devices are
    // views of other disks.
    QSet<QByteArray> disks;
    for (const auto& line : sections.value("blocks"))
        for (const auto& name : fields(line))
            if (!name.startsWith("loop") && !name.startsWith("ram") && !name.startsWith("zram") &&
                !name.startsWith("dm-"))
                disks.insert(name);
    for (const auto& line : sections.value("diskstats")) {
        const auto f = fields(line);
        if (f.size() >= 10 && disks.contains(f[2])) {
            s.diskReadBytes += f[5].toULongLong() * 512;
            s.diskWriteBytes += f[9].toULongLong() * 512;
        }
    }
    for (const auto& line : sections.value("netdev")) {
        const int colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray iface = line.left(colon).trimmed();
        if (iface == "lo")
            continue;
        const auto f = fields(line.mid(colon + 1));
        if (f.size() >= 9) {
            s.netRxBytes += f[0].toULongLong();
            s.netTxBytes += f[8].toULongLong();
        }
    }
    const auto df = sections.value("df");
    if (!df.isEmpty()) {
        bool ok = false;
        const quint64 avail = df.last().trimmed().toULongLong(&ok);
        if (ok)
            s.diskFreeBytes = avail;
    }
    return s;
}

} // namespace doppel
